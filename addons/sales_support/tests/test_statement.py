from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_accounting import SalesSupportAccountingCommon


@tagged("post_install", "-at_install")
class TestStatement(SalesSupportAccountingCommon):
    """Statement of account: balances equal the accounting, per currency, as of any date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cust = cls.customer_1
        # before the period: 100 USD, unpaid, due long ago
        cls.inv_old = cls._invoice(cust, 100, "2024-12-15")
        # in the period: 1000 USD (partially paid 300), 500 EUR, a 200 USD credit note
        cls.inv_usd = cls._invoice(cust, 1000, "2025-01-10", due="2025-02-09")
        cls.inv_eur = cls._invoice(cust, 500, "2025-01-20", currency=cls.eur)
        cls.refund = cls._invoice(cust, 200, "2025-02-01", move_type="out_refund")
        cls.payment = cls._pay(cls.inv_usd, 300, "2025-02-15")
        # the other salesperson's customer, to be sure it never leaks in
        cls._invoice(cls.customer_3, 777, "2025-01-15")

    def _statement(self, user, date_from="2025-01-01", date_to="2025-03-31", as_of=None):
        return (
            self.env["sales.support.statement"]
            .with_user(user)
            ._get_statement_data(
                self.customer_1.with_user(user), date_from, date_to, as_of, self.company
            )
        )

    def _accounting(self, date_to, date_from=None):
        """Receivable items of the customer (the accounting), summed per currency."""
        domain = [
            ("partner_id.commercial_partner_id", "=", self.customer_1.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("date", "<=", date_to),
        ]
        if date_from:
            domain.append(("date", "<", date_from))
        return {
            currency: (amount_currency, balance)
            for currency, amount_currency, balance in self.env["account.move.line"]._read_group(
                domain, ["currency_id"], ["amount_currency:sum", "balance:sum"]
            )
        }

    def test_balances_equal_accounting(self):
        st = self._statement(self.salesperson_1)
        by_currency = {s["currency"]: s for s in st["sections"]}
        self.assertEqual(set(by_currency), {self.usd, self.eur})
        closing = self._accounting("2025-03-31")
        opening = self._accounting("2025-03-31", date_from="2025-01-01")
        for currency, section in by_currency.items():
            self.assertAlmostEqual(section["closing"], closing[currency][0])
            self.assertAlmostEqual(section["closing_company"], closing[currency][1])
            self.assertAlmostEqual(section["opening"], opening.get(currency, (0.0, 0.0))[0])
            # aging of the open amounts adds up to the closing balance
            self.assertAlmostEqual(sum(section["aging"].values()), section["closing"])
        usd, eur = by_currency[self.usd], by_currency[self.eur]
        self.assertEqual(usd["opening"], 100)
        self.assertEqual(usd["invoiced"], 1000)
        self.assertEqual(usd["credit_notes"], -200)
        self.assertEqual(usd["payments"], -300)
        self.assertEqual(usd["closing"], 600)
        self.assertEqual(eur["closing"], 500)
        self.assertEqual(eur["closing_company"], 250)
        self.assertEqual(st["totals"]["closing"], 850)
        # running balance and open amounts of the lines
        self.assertEqual([line["running_balance"] for line in usd["lines"]], [1100, 900, 600])
        invoice_line = usd["lines"][0]
        self.assertEqual(invoice_line["open_amount"], 700)
        self.assertTrue(invoice_line["is_overdue"])
        self.assertEqual(invoice_line["days_overdue"], 50)
        self.assertEqual(usd["aging"]["days_31_60"], 500)  # 700 open - 200 credit note
        self.assertEqual(usd["aging"]["days_90_plus"], 100)
        self.assertEqual(eur["aging"]["days_61_90"], 500)

    def test_invoice_paid_in_another_currency(self):
        """The 500 EUR invoice paid with 250 USD: the EUR section shows it paid (closing 0),
        the USD section shows the payment and what it settled in EUR (closing unchanged); in
        the company currency the statement still equals the accounting."""
        self._pay(self.inv_eur, 250, "2025-03-05", currency=self.usd)
        self.assertEqual(self.inv_eur.payment_state, "paid")
        st = self._statement(self.coordinator)
        by_currency = {s["currency"]: s for s in st["sections"]}
        usd, eur = by_currency[self.usd], by_currency[self.eur]
        # EUR: invoice 500, paid in USD -500
        self.assertEqual(eur["payments"], -500)
        self.assertEqual((eur["closing"], eur["closing_company"]), (0, 0))
        self.assertEqual(sum(eur["aging"].values()), 0)
        paid = eur["lines"][-1]
        self.assertEqual((paid["kind"], paid["kind_label"]), ("payment", "Paid in USD"))
        self.assertEqual(
            (paid["amount"], paid["amount_company"], paid["open_amount"]), (-500, -250, 0)
        )
        self.assertEqual(paid["ref"], self.inv_eur.name)
        # USD: 600 before, payment -250, applied to the EUR invoice +250
        self.assertEqual(usd["payments"], -300 - 250)
        self.assertEqual(usd["other"], 250)
        self.assertEqual(usd["closing"], 600)
        self.assertEqual(sum(usd["aging"].values()), 600)
        self.assertEqual(usd["lines"][-1]["kind_label"], "Applied in EUR")
        self.assertEqual([line["running_balance"] for line in usd["lines"]][-2:], [350, 600])
        accounting = self._accounting("2025-03-31")
        self.assertAlmostEqual(
            st["totals"]["closing"], sum(balance for _amount, balance in accounting.values())
        )
        self.assertEqual(st["totals"]["closing"], 600)
        # the wizard's lines and the PDF take the rows without a journal item
        wizard = (
            self.env["sales.support.statement.wizard"]
            .with_user(self.coordinator)
            .create(
                {
                    "partner_id": self.customer_1.id,
                    "date_from": "2025-01-01",
                    "date_to": "2025-03-31",
                }
            )
        )
        self.assertIn("Paid in USD", wizard.statement_html)
        self.assertIn("Applied in EUR", wizard.statement_html)
        action = wizard.action_show_lines()
        lines = self.env[action["res_model"]].with_user(self.coordinator).search(action["domain"])
        # 4 lines, the payment and the two rows of the settlement in EUR
        self.assertEqual(len(lines), 7)
        self.assertEqual(sum(lines.mapped("amount_company")), 500)  # 750 - 250 paid, net 0

    def test_past_statement_unchanged_by_later_payment(self):
        before = self._statement(self.coordinator, date_to="2025-02-10")
        self._pay(self.inv_usd, 200, "2025-03-01")
        self._pay(self.inv_eur, 500, "2025-03-02")
        after = self._statement(self.coordinator, date_to="2025-02-10")
        self.assertEqual(before["sections"], after["sections"])
        self.assertEqual(before["totals"], after["totals"])
        usd = next(s for s in after["sections"] if s["currency"] == self.usd)
        self.assertEqual(usd["lines"][0]["open_amount"], 1000)
        # today's statement sees the payments
        now = self._statement(self.coordinator)
        usd = next(s for s in now["sections"] if s["currency"] == self.usd)
        self.assertEqual(usd["lines"][0]["open_amount"], 500)
        eur = next(s for s in now["sections"] if s["currency"] == self.eur)
        self.assertEqual(eur["lines"][0]["open_amount"], 0)

    def test_salesperson_of_another_team_refused(self):
        with self.assertRaises(AccessError):
            self._statement(self.salesperson_3)
        with self.assertRaises(AccessError):
            self._statement(self.coordinator_2)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesperson_3).get_statement_lines(
                self.customer_1.id, "2025-01-01", "2025-03-31"
            )
        # the manager reads every customer
        self.assertTrue(self._statement(self.support_manager)["sections"])

    def test_other_company_left_out(self):
        """The statement of a company shows its own entries only, in its own sections."""
        other = self.env["res.company"].create({"name": "Branch"})
        self.support_manager.company_ids |= other
        # the branch keeps its books with the company's chart of accounts (and its currency)
        self.env["account.chart.template"].try_loading(
            self.company.chart_template or "generic_coa", company=other, install_demo=False
        )
        invoice = (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer_1.id,
                    "company_id": other.id,
                    "currency_id": self.eur.id,
                    "invoice_date": "2025-01-12",
                    "date": "2025-01-12",
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": 4000, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        manager = self.support_manager
        statement = self._statement(manager)
        self.assertEqual(statement["totals"]["closing"], 850)
        in_other = (
            self.env["sales.support.statement"]
            .with_user(manager)
            .with_context(allowed_company_ids=[other.id, self.company.id])
            ._get_statement_data(
                self.customer_1.with_user(manager), "2025-01-01", "2025-03-31", None, other
            )
        )
        self.assertEqual([s["currency"] for s in in_other["sections"]], [self.eur])
        self.assertEqual(in_other["sections"][0]["invoiced"], 4000)
        # in the branch's currency, as its accounting says
        self.assertEqual(in_other["totals"]["closing"], invoice.amount_total_signed)
        self.assertEqual(in_other["sections"][0]["closing_company"], invoice.amount_total_signed)

    def test_archived_salesperson(self):
        """The customers of a salesperson who left are still served by the coordinator."""
        self.salesperson_1.action_archive()
        statement = self._statement(self.coordinator)
        self.assertEqual(statement["totals"]["closing"], 850)
        with self.assertRaises(AccessError):
            self._statement(self.coordinator_2)

    def test_rpc_method_and_bad_input(self):
        Partner = self.env["res.partner"].with_user(self.salesperson_1)
        result = Partner.get_statement_lines(self.customer_1.id, "2025-01-01", "2025-03-31")
        self.assertEqual(result["partner_id"], self.customer_1.id)
        self.assertEqual({s["currency_name"] for s in result["sections"]}, {"USD", self.eur.name})
        self.assertEqual(result["totals"]["closing"], 850)
        with self.assertRaises(UserError):
            Partner.get_statement_lines(self.customer_1.id, "2025-03-31", "2025-01-01")
        with self.assertRaises(UserError):
            Partner.get_statement_lines(
                self.customer_1.id, "2025-01-01", "2025-03-31", as_of="2025-02-01"
            )

    def test_wizard_lines_and_pdf(self):
        wizard = (
            self.env["sales.support.statement.wizard"]
            .with_user(self.salesperson_1)
            .create(
                {
                    "partner_id": self.customer_1.id,
                    "date_from": "2025-01-01",
                    "date_to": "2025-03-31",
                }
            )
        )
        self.assertEqual(wizard.as_of, self.d("2025-03-31"))
        self.assertIn("o_statement_total", wizard.statement_html)
        action = wizard.action_show_lines()
        lines = self.env[action["res_model"]].with_user(self.salesperson_1).search(action["domain"])
        self.assertEqual(len(lines), 4)
        self.assertEqual(sum(lines.mapped("amount_company")), 750)  # 1000 - 200 - 300 + 250
        Report = self.env["ir.actions.report"].with_user(self.salesperson_1)
        html = Report._render_qweb_html("sales_support.action_report_statement", wizard.ids)[0]
        html = html.decode()
        self.assertIn("Statement of Account", html)
        self.assertRegex(
            html, r'o_statement_total">\s*<span[^>]*>\$\s*<span class="oe_currency_value">850\.00'
        )
        pdf, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "sales_support.action_report_statement", wizard.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        wizard_3 = (
            self.env["sales.support.statement.wizard"]
            .with_user(self.salesperson_3)
            .create(
                {
                    "partner_id": self.customer_1.id,
                    "date_from": "2025-01-01",
                    "date_to": "2025-03-31",
                }
            )
        )
        with self.assertRaises(AccessError):
            wizard_3.action_print()
