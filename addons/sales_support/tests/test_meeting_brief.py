from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_accounting import SalesSupportAccountingCommon


@tagged("post_install", "-at_install")
class TestMeetingBrief(SalesSupportAccountingCommon):
    """Customer 1 (salesperson 1): a confirmed order of 2 lathes at 1,000 and 3 products at
    100 (another category), an invoice of 300 overdue for 10 days, an open request."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.categ_other = cls.env["product.category"].create({"name": "Spare Parts"})
        cls.part = cls.env["product.product"].create(
            {"name": "Belt", "categ_id": cls.categ_other.id, "list_price": 100.0}
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer_1.id,
                "user_id": cls.salesperson_1.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.lathe.id, "product_uom_qty": 2, "price_unit": 1000.0}
                    ),
                    Command.create(
                        {"product_id": cls.part.id, "product_uom_qty": 3, "price_unit": 100.0}
                    ),
                ],
            }
        )
        cls.order.action_confirm()
        today = fields.Date.context_today(cls.customer_1)
        cls.invoice = cls._invoice(
            cls.customer_1, 300.0, today - timedelta(days=40), due=today - timedelta(days=10)
        )
        cls.invoice.invoice_user_id = cls.salesperson_1
        cls.request = cls.env["sales.support.request"].create(
            {"subject": "Spare belts quote", "partner_id": cls.customer_1.id}
        )
        cls.Brief = cls.env["sales.support.meeting.brief"]

    def test_brief_values_and_screen(self):
        brief = self.Brief.with_user(self.salesperson_1).create({"partner_id": self.customer_1.id})
        values = brief._get_brief_values()
        self.assertEqual(values["open_orders"], self.order)
        self.assertEqual(values["requests"], self.request)
        self.assertEqual(
            [(c["name"], c["amount"]) for c in values["categories"]],
            [("Machines / Lathes", 2000.0), ("Spare Parts", 300.0)],
        )
        self.assertEqual(values["category_total"], 2300.0)
        self.assertAlmostEqual(values["exposure"]["overdue"], 300.0)
        self.assertIn(self.order.name, brief.brief_html)
        self.assertIn("Spare belts quote", brief.brief_html)
        # a salesperson of another team sees neither the orders nor the exposure
        other = self.Brief.with_user(self.salesperson_3).create({"partner_id": self.customer_1.id})
        other_values = other._get_brief_values()
        self.assertFalse(other_values["open_orders"])
        self.assertFalse(other_values["exposure"])

    def test_brief_of_a_company_the_user_does_not_work_for(self):
        """Choosing another company (over RPC: the field's domain is only the UI) shows nothing of
        that company: the brief is refused with what to do instead."""
        other = self.env["res.company"].create({"name": "Other Company (brief)"})
        self.assertNotIn(other, self.salesperson_1.company_ids)
        # refused by Odoo's company rules when the company is read, else by the brief itself
        with self.assertRefused(AccessError, r"res\.company|You do not work for Other Company"):
            brief = self.Brief.with_user(self.salesperson_1).create(
                {"partner_id": self.customer_1.id, "company_id": other.id}
            )
            self.assertFalse(brief.brief_html)  # computing it is what is refused
        # a brief of that company (made by the system) read by the salesperson: refused too
        brief = self.Brief.create({"partner_id": self.customer_1.id, "company_id": other.id})
        with self.assertRefused(AccessError, "You do not work for Other Company"):
            brief.with_user(self.salesperson_1)._get_brief_values()

    def test_brief_in_two_currencies(self):
        """An order and an overdue invoice in EUR (2 EUR for 1 USD) count in the company's
        currency."""
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": self.eur.id}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer_1.id,
                "user_id": self.salesperson_1.id,
                "pricelist_id": pricelist.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.lathe.id, "product_uom_qty": 1, "price_unit": 1000.0}
                    )
                ],
            }
        )
        order.action_confirm()
        today = fields.Date.context_today(self.customer_1)
        self._invoice(
            self.customer_1,
            400.0,
            today - timedelta(days=40),
            currency=self.eur,
            due=today - timedelta(days=5),
        )
        brief = self.Brief.with_user(self.salesperson_1).create({"partner_id": self.customer_1.id})
        values = brief._get_brief_values()
        self.assertEqual(values["open_orders"], self.order | order)
        categories = {c["name"]: c["amount"] for c in values["categories"]}
        self.assertAlmostEqual(categories["Machines / Lathes"], 2500.0)
        self.assertAlmostEqual(values["category_total"], 2800.0)
        self.assertAlmostEqual(values["exposure"]["overdue"], 500.0)

    def test_brief_pdf_renders_with_the_totals(self):
        brief = self.Brief.with_user(self.salesperson_1).create({"partner_id": self.customer_1.id})
        Report = self.env["ir.actions.report"].with_user(self.salesperson_1)
        html, _fmt = Report._render_qweb_html(
            "sales_support.action_report_meeting_brief", brief.ids
        )
        html = html.decode()
        self.assertIn("ss_brief_category_total", html)
        self.assertRegex(html, r"2,300\.00")
        self.assertRegex(html, r"ss_brief_overdue[^>]*>[^<]*<span[^>]*>300\.00")
        pdf, fmt = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "sales_support.action_report_meeting_brief", brief.ids
        )
        self.assertEqual(fmt, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_prepare_meeting(self):
        action = self.customer_1.with_user(self.salesperson_1).action_open_meeting_brief()
        brief = (
            self.Brief.with_user(self.salesperson_1)
            .with_context(**action["context"], force_report_rendering=True)
            .create({})
        )
        self.assertEqual(brief.user_id, self.salesperson_1)
        result = brief.action_prepare_meeting()
        event = self.env["calendar.event"].browse(result["res_id"])
        self.assertEqual(event.partner_ids, self.customer_1 | self.salesperson_1.partner_id)
        self.assertEqual(event.user_id, self.salesperson_1)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "calendar.event"), ("res_id", "=", event.id)]
        )
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        # the meeting counts as a contact of the customer
        self.env["res.partner"]._run_customer_care(
            self.company,
            only_partners=self.customer_1,
            today=fields.Date.today() + timedelta(days=2),
        )
        self.assertEqual(self.customer_1.customer_last_contact_date, event.start.date())
