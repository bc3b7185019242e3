"""A salesperson who changes sales team mid-period: an order counts for the sales team written
on it (Odoo sets it from the salesperson's team when the order is made), so the figures of the
months before the move stay with the old team, even when recomputed after the move; the
salesperson's own figures follow them. Requests carry no team: they count for their
salesperson's current team (README, "Sales team of a figure")."""

import json
from datetime import date, datetime, time, timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import MARCH, O2cKpiCommon

APRIL = date(2025, 4, 1)


@tagged("post_install", "-at_install")
class TestKpiTeamChange(O2cKpiCommon):
    def _refresh_as_manager(self):
        self.env.flush_all()
        self.env["o2c.kpi.refresh"].with_user(self.support_manager).create(
            {
                "date_from": MARCH,
                "date_to": date(2025, 4, 30),
                "period_type": "month",
                "company_ids": [Command.set(self.kpi_company.ids)],
            }
        ).action_refresh()

    def _value(self, month, code="sales_volume", **dimension):
        """Figure ``code`` of ``month`` for one dimension as the KPI manager reads it (None: no
        figure)."""
        rows = (
            self.env["o2c.kpi.value"]
            .with_user(self.support_manager)
            .get_kpis(
                month,
                month,
                "month",
                company_id=self.kpi_company.id,
                kpi_codes=[code],
                **dimension,
            )
        )
        return rows[0]["value"] if rows else None

    def test_salesperson_changes_team(self):
        salesperson = self.salesperson_1
        # March: salesperson 1 is in team A and sells 1000; a request of theirs is answered
        # in 2 hours.
        self._order(salesperson, date_order=datetime(2025, 3, 12, 9), amount_untaxed=1000.0)
        self._sql_insert(
            "sales_support_request",
            {
                "name": "KPI",
                "subject": "KPI",
                "company_id": self.kpi_company.id,
                "partner_id": self.customer_1.id,
                "type_id": self.request_type.id,
                "channel": "email",
                "priority": "1",
                "state": "new",
                "user_id": salesperson.id,
                "coordinator_id": salesperson.support_coordinator_id.id,
                "date_received": datetime(2025, 3, 12, 8),
                "date_first_response": datetime(2025, 3, 12, 10),
                "first_response_hours": 2.0,
            },
        )
        self._refresh_as_manager()
        self.assertAlmostEqual(self._value(MARCH, team_id=self.team_a.id), 1000.0)

        # April 1st: they move to team B; Odoo gives their next order the new team.
        self.env["crm.team.member"].search(
            [("user_id", "=", salesperson.id), ("crm_team_id", "=", self.team_a.id)]
        ).unlink()
        self.env["crm.team.member"].create(
            {"crm_team_id": self.team_b.id, "user_id": salesperson.id}
        )
        self.assertEqual(salesperson.sale_team_id, self.team_b)
        april_order = self.env["sale.order"].create(
            {
                "company_id": self.kpi_company.id,
                "partner_id": self.customer_1.id,
                "user_id": salesperson.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        self.assertEqual(april_order.team_id, self.team_b)
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE sale_order SET state = 'sale', currency_rate = 1, amount_untaxed = 400,
                      date_order = '2025-04-08 09:00' WHERE id = %s""",
            [april_order.id],
        )

        # Recomputed after the move: March stays with team A (1000), team B has no March
        # sales; April: team B 400 (salesperson 3, also in team B, sold nothing), team A none.
        self._refresh_as_manager()
        self.assertAlmostEqual(self._value(MARCH, team_id=self.team_a.id), 1000.0)
        self.assertIsNone(self._value(MARCH, team_id=self.team_b.id))
        self.assertAlmostEqual(self._value(APRIL, team_id=self.team_b.id), 400.0)
        self.assertIsNone(self._value(APRIL, team_id=self.team_a.id))
        # The salesperson's own figures follow them: 1000 in March, 400 in April.
        self.assertAlmostEqual(self._value(MARCH, user_id=salesperson.id), 1000.0)
        self.assertAlmostEqual(self._value(APRIL, user_id=salesperson.id), 400.0)
        # The request has no team of its own: it counts for the salesperson's team now, B.
        code = "support_first_response_avg"
        self.assertAlmostEqual(self._value(MARCH, code, team_id=self.team_b.id), 2.0)
        self.assertIsNone(self._value(MARCH, code, team_id=self.team_a.id))


@tagged("post_install", "-at_install")
class TestKpiCronUserDimensions(O2cKpiCommon):
    """The nightly refresh (run as superuser, as Odoo runs crons) notices that a salesperson
    changed sales team or coordinator, which no write date shows (a team membership removed
    deletes its row), by a fingerprint of the users' teams and coordinators: it recomputes the
    support figures (a request counts for its salesperson's current team) or the money figures
    (an invoice for its salesperson's current coordinator) over the range of the first run, for
    every company; without a change, it leaves the history alone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Value = cls.env["o2c.kpi.value"]
        cls.env["ir.config_parameter"].set_param("o2c_kpi.period_types", "month")
        cls.sales_manager = new_test_user(
            cls.env,
            login="kpi_sales_manager",
            groups="sales_team.group_sale_manager",
            company_id=cls.kpi_company.id,
            company_ids=[Command.set((cls.kpi_company | cls.company).ids)],
        )
        # Today as the cron sees it (its user's time zone).
        today = fields.Date.context_today(cls.Value)
        cls.today = today
        cls.last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        # The range the first run computes (and a run after a change of team or coordinator).
        cls.range_start = today.replace(day=1, month=1) - timedelta(days=366)
        # Last month: a request of salesperson 1 (team A) answered in 2 hours.
        received = datetime.combine(cls.last_month + timedelta(days=9), time(8))
        cls._sql_insert(
            "sales_support_request",
            {
                "name": "KPI",
                "subject": "KPI",
                "company_id": cls.kpi_company.id,
                "partner_id": cls.customer_1.id,
                "type_id": cls.request_type.id,
                "channel": "email",
                "priority": "1",
                "state": "new",
                "user_id": cls.salesperson_1.id,
                "coordinator_id": cls.coordinator.id,
                "date_received": received,
                "date_first_response": received + timedelta(hours=2),
                "first_response_hours": 2.0,
            },
        )
        # Last month: an invoice of 1000.00 of salesperson 1 (coordinator: cls.coordinator).
        cls.env["account.chart.template"].try_loading(
            "generic_coa", cls.kpi_company, install_demo=False
        )
        cls._invoice(
            cls.last_month + timedelta(days=4), cls.last_month + timedelta(days=19), 1000.0
        )

    def _cron(self):
        """Run the nightly refresh; returns the (date_from, date_to, companies, calculators)
        of the recomputations it made. Everything written so far is then dated before the
        next run's watermark (the test is one transaction: every write date is its NOW())."""
        calls = []
        refresh = type(self.Value)._refresh_ranges

        def record(model, ranges, period_types=None):
            for date_from, date_to, companies, kpis in ranges:
                calculators = set(kpis.mapped("compute_function")) if kpis is not None else None
                calls.append((date_from, date_to, companies, calculators))
            return refresh(model, ranges, period_types)

        self.env.flush_all()
        with patch.object(type(self.Value), "_refresh_ranges", record):
            self.Value._cron_refresh()
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC' + interval '1 hour'")
        self.env["ir.config_parameter"].set_param(
            "o2c_kpi.refresh_watermark", fields.Datetime.to_string(self.env.cr.fetchone()[0])
        )
        return calls

    def _first_run(self):
        """The first run (no watermark): the whole range, and the fingerprint stored."""
        params = self.env["ir.config_parameter"]
        params.set_param("o2c_kpi.refresh_watermark", False)
        params.set_param("o2c_kpi.refresh_dimensions", False)
        calls = self._cron()
        self.assertEqual(calls, [(self.range_start, self.today, None, None)])
        self.assertEqual(
            json.loads(params.get_param("o2c_kpi.refresh_dimensions")),
            self.Value._get_user_dimension_fingerprints(),
        )

    def _value(self, code, **dimension):
        """Figure ``code`` of last month as the KPI manager reads it (None: no figure)."""
        rows = self.Value.with_user(self.support_manager).get_kpis(
            self.last_month,
            self.last_month,
            "month",
            company_id=self.kpi_company.id,
            kpi_codes=[code],
            **dimension,
        )
        return rows[0]["value"] if rows else None

    def _history_calls(self, calls):
        """The recomputations reaching before yesterday (the history)."""
        return [call for call in calls if call[0] < self.today - timedelta(days=1)]

    def test_cron_follows_team_change(self):
        code = "support_first_response_avg"
        self._first_run()
        self.assertAlmostEqual(self._value(code, team_id=self.team_a.id), 2.0)
        self.assertIsNone(self._value(code, team_id=self.team_b.id))

        # A sales manager moves salesperson 1 from team A to team B (team A's membership row
        # is deleted: nothing of the request's sources is written).
        members = self.env["crm.team.member"].with_user(self.sales_manager)
        members.search(
            [("user_id", "=", self.salesperson_1.id), ("crm_team_id", "=", self.team_a.id)]
        ).unlink()
        members.create({"crm_team_id": self.team_b.id, "user_id": self.salesperson_1.id})
        self.assertEqual(self.salesperson_1.sale_team_id, self.team_b)

        # The next run recomputes the support KPIs over the first run's range, for every
        # company, and nothing else of the history: last month's request moved to team B.
        calls = self._cron()
        self.assertEqual(
            self._history_calls(calls),
            [(self.range_start, self.today, None, {"support_kpis"})],
        )
        self.assertAlmostEqual(self._value(code, team_id=self.team_b.id), 2.0)
        self.assertIsNone(self._value(code, team_id=self.team_a.id))
        # The salesperson's own figure and the company's are unchanged.
        self.assertAlmostEqual(self._value(code, user_id=self.salesperson_1.id), 2.0)
        self.assertAlmostEqual(self._value(code), 2.0)
        # The run after it finds no change any more.
        self.assertEqual(self._history_calls(self._cron()), [])

    def test_cron_follows_coordinator_change(self):
        code = "money_receivables"
        self._first_run()
        self.assertAlmostEqual(self._value(code, coordinator_id=self.coordinator.id), 1000.0)
        self.assertIsNone(self._value(code, coordinator_id=self.coordinator_2.id))

        # The customer-service manager gives salesperson 1 to coordinator 2.
        self.salesperson_1.with_user(
            self.support_manager
        ).support_coordinator_id = self.coordinator_2

        # The next run recomputes the money KPIs over the first run's range: last month's
        # invoice is coordinator 2's now.
        calls = self._cron()
        self.assertEqual(
            self._history_calls(calls),
            [(self.range_start, self.today, None, {"money_kpis"})],
        )
        self.assertAlmostEqual(self._value(code, coordinator_id=self.coordinator_2.id), 1000.0)
        self.assertIsNone(self._value(code, coordinator_id=self.coordinator.id))
        self.assertAlmostEqual(self._value(code, user_id=self.salesperson_1.id), 1000.0)

    def test_cron_without_change_leaves_history(self):
        self._first_run()
        # The fingerprints of the users' teams and coordinators: one query, whatever the
        # number of users.
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.Value._get_user_dimension_fingerprints()
        stored = self.env["ir.config_parameter"].get_param("o2c_kpi.refresh_dimensions")
        # No source written and no salesperson moved since: only today's periods, if any.
        calls = self._cron()
        self.assertEqual(self._history_calls(calls), [])
        self.assertTrue(all(call[0] == self.today - timedelta(days=1) for call in calls))
        self.assertEqual(
            self.env["ir.config_parameter"].get_param("o2c_kpi.refresh_dimensions"), stored
        )
        # Figures stored by a version that kept no fingerprint may hold earlier moves: the
        # first run that finds none recomputes both calculators, then stores it.
        self.env["ir.config_parameter"].set_param("o2c_kpi.refresh_dimensions", False)
        calls = self._cron()
        self.assertEqual(
            self._history_calls(calls),
            [(self.range_start, self.today, None, {"support_kpis", "money_kpis"})],
        )
        self.assertEqual(
            self.env["ir.config_parameter"].get_param("o2c_kpi.refresh_dimensions"), stored
        )
