"""Lead-to-order conversion (``sales_lead_conversion_pct``) where CRM links leads to orders
(``sale_crm``): read from ``crm_lead`` with SQL, without a dependency of o2c_kpi on CRM. The
test database installs CRM (``TEST_EXTRA_MODULES`` in scripts/test.sh); without it the KPI is
not computed at all (``TestKpiEngine.test_sales_kpis_without_crm``). Jerusalem is UTC+2 until
2025-03-28, UTC+3 after."""

import unittest
from datetime import date, datetime

from odoo import fields
from odoo.tests import tagged

from .common import O2cKpiCommon

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)


@tagged("post_install", "-at_install")
class TestKpiLeads(O2cKpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "opportunity_id" not in cls.env["sale.order"]._fields:
            raise unittest.SkipTest("CRM is not installed (sale_crm): no lead conversion")
        cls.Value = cls.env["o2c.kpi.value"]
        cls.env["ir.config_parameter"].set_param("o2c_kpi.period_types", "month")
        # Each salesperson records their own leads (created in UTC, dated below):
        # - lead 1, salesperson 1 (team A), 03-05: won by a confirmed order;
        # - lead 2, salesperson 1 (team A), 03-20: only a quotation, not won;
        # - lead 3, salesperson 3 (team B), 03-10: won;
        # - lead 4, salesperson 2 (team A), 03-31 21:30 UTC = 04-01 00:30 in Jerusalem
        #   (UTC+3 since 03-28; 23:30 on 03-31 at winter's UTC+2): April's, not won.
        cls.lead_1 = cls._lead(cls.salesperson_1, cls.team_a, datetime(2025, 3, 5, 9))
        cls.lead_2 = cls._lead(cls.salesperson_1, cls.team_a, datetime(2025, 3, 20, 9))
        cls.lead_3 = cls._lead(cls.salesperson_3, cls.team_b, datetime(2025, 3, 10, 9))
        cls.lead_4 = cls._lead(cls.salesperson_2, cls.team_a, datetime(2025, 3, 31, 21, 30))
        # The orders are linked as they are made (no change noted for the nightly run).
        cls.won_1 = cls._order(
            cls.salesperson_1, date_order=datetime(2025, 3, 12, 9), opportunity_id=cls.lead_1.id
        )
        cls.won_3 = cls._order(
            cls.salesperson_3, date_order=datetime(2025, 3, 14, 9), opportunity_id=cls.lead_3.id
        )
        # Salesperson 1 quotes lead 2.
        cls.quotation_2 = (
            cls.env["sale.order"]
            .with_user(cls.salesperson_1)
            .with_company(cls.kpi_company)
            .create(
                {
                    "company_id": cls.kpi_company.id,
                    "partner_id": cls.customer_1.id,
                    "user_id": cls.salesperson_1.id,
                    "team_id": cls.team_a.id,
                    "opportunity_id": cls.lead_2.id,
                    "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 1})],
                }
            )
        )
        # A lead of another company in team A (shared): not the KPI company's.
        cls._lead(cls.salesperson_1, cls.team_a, datetime(2025, 3, 6, 9), cls.env.company)

    @classmethod
    def _lead(cls, salesperson, team, created, company=None):
        company = company or cls.kpi_company
        lead = (
            cls.env["crm.lead"]
            .with_user(salesperson)
            .with_company(company)
            .create(
                {
                    "name": f"KPI lead of {salesperson.name}",
                    "partner_id": cls.customer_1.id,
                    "company_id": company.id,
                    "user_id": salesperson.id,
                    "team_id": team.id,
                }
            )
        )
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s, write_date = %s WHERE id = %s",
            [created, created, lead.id],
        )
        lead.invalidate_recordset()
        return lead

    def _conversion(self, figures, month, dimension, key):
        row = figures.get(("sales_lead_conversion_pct", month, dimension, key))
        return row and (row.numerator, row.denominator, row.value)

    def test_lead_conversion(self):
        figures = self.compute(MARCH, APRIL, function="sales_kpis")
        company = self.kpi_company.id
        # March: leads 1, 2 and 3, of which 1 and 3 won: 2 / 3 = 66.67 %.
        numerator, denominator, value = self._conversion(figures, MARCH, "company", company)
        self.assertEqual((numerator, denominator), (2, 3))
        self.assertAlmostEqual(value, 200 / 3)
        # Team A: leads 1 and 2, one won: 50 %; team B: lead 3, won: 100 %.
        self.assertEqual(self._conversion(figures, MARCH, "team", self.team_a.id), (1, 2, 50))
        self.assertEqual(self._conversion(figures, MARCH, "team", self.team_b.id), (1, 1, 100))
        self.assertEqual(
            self._conversion(figures, MARCH, "salesperson", self.salesperson_1.id), (1, 2, 50)
        )
        # Salesperson 2's lead is April's in Jerusalem (01:30 local): none in March.
        self.assertIsNone(self._conversion(figures, MARCH, "salesperson", self.salesperson_2.id))
        self.assertEqual(self._conversion(figures, APRIL, "company", company), (0, 1, 0))
        # Leads have no coordinator: no figure per coordinator.
        self.assertFalse(
            [
                key
                for key in figures
                if key[0] == "sales_lead_conversion_pct" and key[2] == "coordinator"
            ]
        )

    def test_salesperson_reads_own_lead_conversion(self):
        """The nightly figures, read by the salesperson over the KPI API (their own figure and
        their team's, not team B's)."""
        self.Value._refresh(MARCH, APRIL, ["month"], self.kpi_company)
        reader = self.Value.with_user(self.salesperson_1).with_company(self.kpi_company)
        own = {
            row["kpi"]: row
            for row in reader.get_kpis(
                "2025-03-01", "2025-03-31", "month", user_id=self.salesperson_1.id
            )
        }
        self.assertAlmostEqual(own["sales_lead_conversion_pct"]["value"], 50.0)
        team = {
            row["kpi"]: row
            for row in reader.get_kpis("2025-03-01", "2025-03-31", "month", team_id=self.team_a.id)
        }
        self.assertAlmostEqual(team["sales_lead_conversion_pct"]["value"], 50.0)
        # The leads behind their figure: leads 1 and 2, lead 2 lost since (archived) too.
        self.lead_2.with_user(self.salesperson_1).with_company(self.kpi_company).action_set_lost()
        figure = reader.search(
            [
                ("kpi_code", "=", "sales_lead_conversion_pct"),
                ("date_start", "=", MARCH),
                ("dimension", "=", "salesperson"),
                ("user_id", "=", self.salesperson_1.id),
            ]
        )
        action = figure.action_open_records()
        self.assertEqual(action["res_model"], "crm.lead")
        leads = (
            self.env["crm.lead"]
            .with_user(self.salesperson_1)
            .with_context(**action.get("context", {}))
            .search(action["domain"])
        )
        self.assertEqual(leads, self.lead_1 | self.lead_2)
        # Team B's figure exists (a KPI manager reads it), not for salesperson 1.
        manager = self.Value.with_user(self.support_manager).with_company(self.kpi_company)
        team_b = {
            row["kpi"]: row
            for row in manager.get_kpis("2025-03-01", "2025-03-31", "month", team_id=self.team_b.id)
        }
        self.assertAlmostEqual(team_b["sales_lead_conversion_pct"]["value"], 100.0)
        other = reader.get_kpis("2025-03-01", "2025-03-31", "month", team_id=self.team_b.id)
        self.assertFalse(other)

    def _after_first_nightly_run(self):
        """March to today computed, the orders' values recorded, nothing noted (the leads
        and orders linked when made): returns the watermark of the next nightly run."""
        self.env["ir.config_parameter"].set_param("o2c_kpi.refresh_watermark", False)
        self.Value._refresh(MARCH, fields.Date.today(), ["month"], self.kpi_company)
        self.env["o2c.kpi.order.seen"]._record()
        watermark = self._watermark()
        self.env.cr.execute("DELETE FROM o2c_kpi_pending_change")
        self.assertAlmostEqual(self._march("company").value, 200 / 3)
        return watermark

    def _march(self, dimension, **key):
        return self.Value.search(
            [
                ("company_id", "=", self.kpi_company.id),
                ("kpi_code", "=", "sales_lead_conversion_pct"),
                ("date_start", "=", MARCH),
                ("dimension", "=", dimension),
                *((name, "=", value) for name, value in key.items()),
            ]
        )

    def _assert_as_full_refresh(self):
        incremental = self._snapshot()
        self.env.cr.execute(
            "DELETE FROM o2c_kpi_value WHERE company_id = %s", [self.kpi_company.id]
        )
        self.Value._refresh(MARCH, fields.Date.today(), ["month"], self.kpi_company)
        self.assertEqual(incremental, self._snapshot())

    def test_incremental_after_a_lead_won(self):
        """Salesperson 1 confirms lead 2's quotation today: the nightly run finds the order
        (its state changed since its values were recorded) and recomputes its lead's March,
        from the lead's creation: all three leads won."""
        watermark = self._after_first_nightly_run()
        self.quotation_2.with_user(self.salesperson_1).with_company(
            self.kpi_company
        ).action_confirm()
        self.Value._refresh_incremental(watermark)
        self.env.invalidate_all()
        self.assertAlmostEqual(self._march("company").value, 100.0)
        # team A: leads 1 and 2, both won now
        self.assertEqual(self._march("team", team_id=self.team_a.id).numerator, 2)
        self._assert_as_full_refresh()

    def test_incremental_after_a_lead_moved_to_another_team(self):
        """Lead 1 moves to team B (its salesperson reassigns it; only the lead is written):
        the nightly run finds it by its write date and recomputes March from its creation."""
        watermark = self._after_first_nightly_run()
        self.lead_1.with_user(self.salesperson_1).with_company(
            self.kpi_company
        ).team_id = self.team_b
        self.Value._refresh_incremental(watermark)
        self.env.invalidate_all()
        team_a = self._march("team", team_id=self.team_a.id)
        team_b = self._march("team", team_id=self.team_b.id)
        self.assertEqual((team_a.numerator, team_a.denominator), (0, 1))
        self.assertEqual((team_b.numerator, team_b.denominator), (2, 2))
        self._assert_as_full_refresh()
