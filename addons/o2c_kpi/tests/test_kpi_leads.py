"""Lead-to-order conversion (``sales_lead_conversion_pct``) where CRM links leads to orders
(``sale_crm``): read from ``crm_lead`` with SQL, without a dependency of o2c_kpi on CRM. The
test database installs CRM (``TEST_EXTRA_MODULES`` in scripts/test.sh); without it the KPI is
not computed at all (``TestKpiEngine.test_sales_kpis``). Jerusalem is UTC+2 until
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
        # - lead 4, salesperson 2 (team A), 03-31 22:30 UTC = 04-01 01:30 in Jerusalem:
        #   April's, not won.
        cls.lead_1 = cls._lead(cls.salesperson_1, cls.team_a, datetime(2025, 3, 5, 9))
        cls.lead_2 = cls._lead(cls.salesperson_1, cls.team_a, datetime(2025, 3, 20, 9))
        cls.lead_3 = cls._lead(cls.salesperson_3, cls.team_b, datetime(2025, 3, 10, 9))
        cls.lead_4 = cls._lead(cls.salesperson_2, cls.team_a, datetime(2025, 3, 31, 22, 30))
        cls.won_1 = cls._order(cls.salesperson_1, date_order=datetime(2025, 3, 12, 9))
        cls.won_3 = cls._order(cls.salesperson_3, date_order=datetime(2025, 3, 14, 9))
        cls.quotation_2 = cls.env["sale.order"].create(
            {
                "company_id": cls.kpi_company.id,
                "partner_id": cls.customer_1.id,
                "user_id": cls.salesperson_1.id,
                "team_id": cls.team_a.id,
                "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 1})],
            }
        )
        (cls.won_1 | cls.won_3 | cls.quotation_2).invalidate_recordset()
        cls.won_1.opportunity_id = cls.lead_1
        cls.won_3.opportunity_id = cls.lead_3
        cls.quotation_2.opportunity_id = cls.lead_2

    @classmethod
    def _lead(cls, salesperson, team, created):
        lead = (
            cls.env["crm.lead"]
            .with_user(salesperson)
            .with_company(cls.kpi_company)
            .create(
                {
                    "name": f"KPI lead of {salesperson.name}",
                    "partner_id": cls.customer_1.id,
                    "company_id": cls.kpi_company.id,
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
        # Leads have no coordinator: the coordinators' figures (of their orders) count no
        # lead, they are empty (no lead: missing data, not 0 %).
        served = [
            row
            for key, row in figures.items()
            if key[0] == "sales_lead_conversion_pct" and key[2] == "coordinator"
        ]
        self.assertTrue(served)
        self.assertEqual({(row.denominator, row.value) for row in served}, {(0, None)})

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
        other = reader.get_kpis("2025-03-01", "2025-03-31", "month", team_id=self.team_b.id)
        self.assertFalse(other)

    def test_incremental_after_a_lead_won(self):
        """The nightly run after lead 2's quotation is confirmed and lead 1 moved to team B (by
        their salesperson): March's conversion is recomputed, as a full refresh gives it."""
        self.Value._refresh(MARCH, fields.Date.today(), ["month"], self.kpi_company)
        self.env["o2c.kpi.order.seen"]._record()
        self.env.flush_all()
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC' - interval '1 second'")
        watermark = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = %s - interval '1 hour' WHERE company_id = %s",
            [watermark, self.kpi_company.id],
        )
        domain = [
            ("company_id", "=", self.kpi_company.id),
            ("kpi_code", "=", "sales_lead_conversion_pct"),
            ("date_start", "=", MARCH),
            ("dimension", "=", "company"),
        ]
        self.assertAlmostEqual(self.Value.search(domain).value, 200 / 3)
        salesperson = self.salesperson_1
        self.quotation_2.with_user(salesperson).with_company(self.kpi_company).action_confirm()
        self.lead_1.with_user(salesperson).with_company(self.kpi_company).team_id = self.team_b
        self.Value._refresh_incremental(watermark)
        self.env.invalidate_all()
        # March: all three leads won.
        self.assertAlmostEqual(self.Value.search(domain).value, 100.0)
        team_b = self.Value.search(
            [*domain[:3], ("dimension", "=", "team"), ("team_id", "=", self.team_b.id)]
        )
        self.assertEqual((team_b.numerator, team_b.denominator), (2, 2))

        def snapshot():
            self.env.flush_all()
            self.env.cr.execute(
                """
                SELECT kpi_code, date_start, dimension, team_id, user_id, coordinator_id,
                       round(value::numeric, 6), round(numerator::numeric, 6),
                       round(denominator::numeric, 6)
                  FROM o2c_kpi_value WHERE company_id = %s
                """,
                [self.kpi_company.id],
            )
            return set(self.env.cr.fetchall())

        incremental = snapshot()
        self.env.cr.execute(
            "DELETE FROM o2c_kpi_value WHERE company_id = %s", [self.kpi_company.id]
        )
        self.Value._refresh(MARCH, fields.Date.today(), ["month"], self.kpi_company)
        self.assertEqual(incremental, snapshot())
