"""The money KPIs (sales volume, average order value, receivables, overdue %, DSO) on a small
hand-made dataset, refreshed and read by a KPI manager; the expected figures are worked out in
the comments. April 2025 has the data, May 2025 none of its own."""

from datetime import date, datetime

from odoo import Command
from odoo.tests import tagged

from .common import O2cKpiCommon

APRIL = date(2025, 4, 1)
MAY = date(2025, 5, 1)


@tagged("post_install", "-at_install")
class TestKpiMoney(O2cKpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.kpi_company
        cls.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        cls.foreign = cls.env.ref(
            "base.EUR" if company.currency_id != cls.env.ref("base.EUR") else "base.USD"
        )
        cls.foreign.active = True
        # 1 unit of the company's currency = 1.5 units of the foreign one (Odoo's rate).
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.foreign.id,
                "company_id": company.id,
                "name": date(2025, 1, 1),
                "rate": 1.5,
            }
        )
        # Orders confirmed in April (UTC times; Jerusalem is UTC+3 in April):
        #   o1 salesperson 1 (team A) 1000.00 in the company's currency;
        #   o2 salesperson 2 (team A) 3000.00 in the foreign currency at the order's rate 1.5
        #      = 3000 / 1.5 = 2000.00 in the company's currency;
        #   o3 salesperson 3 (team B) 600.00, on April 30 at 20:30 UTC = 23:30 in Jerusalem:
        #      still April there.
        cls.o1 = cls._order(
            cls.salesperson_1, date_order=datetime(2025, 4, 10, 9), amount_untaxed=1000.0
        )
        cls.o2 = cls._order(
            cls.salesperson_2,
            date_order=datetime(2025, 4, 20, 9),
            amount_untaxed=3000.0,
            currency_id=cls.foreign.id,
            currency_rate=1.5,
        )
        cls.o3 = cls._order(
            cls.salesperson_3, date_order=datetime(2025, 4, 30, 20, 30), amount_untaxed=600.0
        )
        # Invoices (no taxes, no payment terms: due on the date given):
        #   i1 1000.00, dated April 5, due April 20; 400.00 of it paid on April 25;
        #   i2 750.00 in the foreign currency at 1.5 = 500.00, dated April 15, due May 15.
        cls.i1 = cls._invoice(date(2025, 4, 5), date(2025, 4, 20), 1000.0)
        cls.i2 = cls._invoice(date(2025, 4, 15), date(2025, 5, 15), 750.0, cls.foreign)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.i1.ids
        ).create({"amount": 400.0, "payment_date": date(2025, 4, 25)})._create_payments()

    @classmethod
    def _invoice(cls, invoice_date, due_date, amount, currency=None):
        invoice = (
            cls.env["account.move"]
            .with_company(cls.kpi_company)
            .create(
                {
                    "move_type": "out_invoice",
                    "company_id": cls.kpi_company.id,
                    "partner_id": cls.customer_1.id,
                    "currency_id": (currency or cls.kpi_company.currency_id).id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": due_date,
                    "invoice_payment_term_id": False,
                    "invoice_user_id": cls.salesperson_1.id,
                    "team_id": cls.team_a.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "KPI service",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        return invoice

    def _figures(self, month, **dimension):
        """{code: row} of ``month`` read by the KPI manager (record rules apply)."""
        rows = (
            self.env["o2c.kpi.value"]
            .with_user(self.support_manager)
            .get_kpis(month, month, "month", company_id=self.kpi_company.id, **dimension)
        )
        return {row["kpi"]: row for row in rows}

    def test_money_kpis(self):
        manager = self.support_manager
        self.assertTrue(manager.has_group("o2c_kpi.group_o2c_kpi_manager"))
        self.env.flush_all()
        # The KPI manager recomputes April and May (the wizard checks their rights).
        self.env["o2c.kpi.refresh"].with_user(manager).create(
            {
                "date_from": APRIL,
                "date_to": date(2025, 5, 31),
                "period_type": "month",
                "company_ids": [Command.set(self.kpi_company.ids)],
            }
        ).action_refresh()
        april = self._figures(APRIL)
        currency = self.kpi_company.currency_id.name

        # Sales volume: 1000 + 2000 + 600 = 3600 over 3 orders; average 3600 / 3 = 1200.
        volume = april["sales_volume"]
        self.assertAlmostEqual(volume["value"], 3600.0)
        self.assertEqual((volume["numerator"], volume["denominator"]), (3600.0, 3.0))
        self.assertEqual(volume["currency"], currency)
        self.assertAlmostEqual(april["sales_average_order_value"]["value"], 1200.0)
        # Team A: 1000 + 2000 = 3000, average 1500; team B: 600; salesperson 2: the foreign
        # order converted, 2000.
        team_a = self._figures(APRIL, team_id=self.team_a.id)
        self.assertAlmostEqual(team_a["sales_volume"]["value"], 3000.0)
        self.assertAlmostEqual(team_a["sales_average_order_value"]["value"], 1500.0)
        team_b = self._figures(APRIL, team_id=self.team_b.id)
        self.assertAlmostEqual(team_b["sales_volume"]["value"], 600.0)
        salesperson_2 = self._figures(APRIL, user_id=self.salesperson_2.id)
        self.assertAlmostEqual(salesperson_2["sales_volume"]["value"], 2000.0)

        # Receivables at the end of April: 1000 + 500 - 400 (payment) = 1100.
        self.assertAlmostEqual(april["money_receivables"]["value"], 1100.0)
        self.assertEqual(april["money_receivables"]["currency"], currency)
        # Overdue at the end of April: i1 (due April 20) still open 1000 - 400 = 600; i2 is
        # not due yet: 100 x 600 / 1100 = 54.5454...%.
        self.assertAlmostEqual(april["money_overdue_pct"]["value"], 100 * 600 / 1100, places=6)
        # DSO: receivables 1100 x 30 days of April / invoiced in April (1000 + 500) = 22 days.
        self.assertAlmostEqual(april["money_dso"]["value"], 1100 * 30 / 1500, places=6)

        may = self._figures(MAY)
        # May: no order confirmed: no sales figure at all (nothing to divide, never 0).
        self.assertNotIn("sales_volume", may)
        self.assertNotIn("sales_average_order_value", may)
        # Receivables carry over: 1100 at the end of May; both invoices overdue by then:
        # 100 x (600 + 500) / 1100 = 100%.
        self.assertAlmostEqual(may["money_receivables"]["value"], 1100.0)
        self.assertAlmostEqual(may["money_overdue_pct"]["value"], 100.0, places=6)
        # DSO of May: nothing invoiced in May, so no DSO (False: no data, no division by 0).
        self.assertIs(may["money_dso"]["value"], False)
