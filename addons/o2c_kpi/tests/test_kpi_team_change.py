"""A salesperson who changes sales team mid-period: an order counts for the sales team written
on it (Odoo sets it from the salesperson's team when the order is made), so the figures of the
months before the move stay with the old team, even when recomputed after the move; the
salesperson's own figures follow them. Requests carry no team: they count for their
salesperson's current team (README, "Sales team of a figure")."""

from datetime import date, datetime

from odoo import Command
from odoo.tests import tagged

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
