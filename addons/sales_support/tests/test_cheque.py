from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_accounting import SalesSupportAccountingCommon


@tagged("post_install", "-at_install")
class TestCheque(SalesSupportAccountingCommon):
    """Customer cheques: input checks, payment, bounce (reversal, activities, flag, hold)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer_1, 1000, "2025-01-10", due="2025-02-09")
        cls.Cheque = cls.env["sales.customer.cheque"].with_user(cls.coordinator)

    def _cheque(self, **values):
        return self.Cheque.create(
            {
                "name": "0001",
                "partner_id": self.customer_1.id,
                "amount": 1000,
                "date_received": "2025-02-01",
                "date_due": "2025-04-01",
                **values,
            }
        )

    def test_bad_input(self):
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self._cheque(amount=-5)
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            self._cheque(amount=0)
        with self.assertRaisesRegex(ValidationError, "before it was received"):
            self._cheque(date_due="2025-01-15")
        cheque = self._cheque()
        with self.assertRaisesRegex(ValidationError, "before it was received"):
            cheque.date_received = "2025-05-01"
        # states change through the buttons only
        with self.assertRaises(UserError):
            cheque.write({"state": "cleared"})
        with self.assertRaises(UserError):
            cheque.action_replace()

    def test_server_fields_and_money_locked(self):
        """What the buttons do cannot be forged at creation either; a paid cheque keeps its
        amount, customer and invoices; a replacement comes from the same customer."""
        payment = self._cheque(name="P1")
        payment.action_register_payment()
        with self.assertRefused(UserError, "change through its buttons"):
            self._cheque(name="F1", payment_id=payment.payment_id.id)
        with self.assertRefused(UserError, "change through its buttons"):
            self._cheque(name="F2", state="bounced")
        self.assertEqual(self._cheque(name="F3", state="received").state, "received")
        with self.assertRefused(UserError, "cannot change once its payment is registered"):
            payment.amount = 10
        with self.assertRefused(UserError, "cannot change once its payment is registered"):
            payment.partner_id = self.customer_il
        self.assertEqual((payment.amount, payment.partner_id), (1000, self.customer_1))
        unpaid = self._cheque(name="U1")
        unpaid.amount = 900  # still only received: a typo is corrected
        self.assertEqual(unpaid.amount, 900)
        # a bounced cheque of customer 1 is not replaced by a cheque of another customer
        unpaid.action_register_payment()
        self.env["sales.customer.cheque.bounce"].with_user(self.coordinator).create(
            {
                "cheque_ids": [Command.set(unpaid.ids)],
                "date_bounced": fields.Date.today(),
                "bounce_reason": "Insufficient funds",
            }
        ).action_confirm()
        with self.assertRefused(UserError, "from the same customer"):
            self._cheque(name="R1", partner_id=self.customer_il.id, replaces_id=unpaid.id)
        self.assertEqual(unpaid.state, "bounced")

    def test_access(self):
        cheque = self._cheque()
        # the salesperson reads the cheques of their customers, and writes none
        self.assertEqual(
            self.env["sales.customer.cheque"].with_user(self.salesperson_1).search([]), cheque
        )
        self.assertFalse(self.env["sales.customer.cheque"].with_user(self.salesperson_3).search([]))
        self.assertFalse(self.env["sales.customer.cheque"].with_user(self.coordinator_2).search([]))
        self.assertEqual(cheque.user_id, self.salesperson_1)

    def test_bounce_reverses_payment_flags_and_holds(self):
        cheque = self._cheque(invoice_ids=[Command.set(self.invoice.ids)])
        cheque.action_register_payment()
        self.assertTrue(cheque.payment_id)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.customer_1.with_user(self.salesperson_1).support_open_receivable, 0)
        cheque.action_deposit()
        self.assertEqual(cheque.state, "deposited")

        self.company.sales_support_hold_on_bounced_cheque = True
        wizard = (
            self.env["sales.customer.cheque.bounce"]
            .with_user(self.coordinator)
            .create(
                {
                    "cheque_ids": [Command.set(cheque.ids)],
                    "date_bounced": fields.Date.today(),
                    "bounce_reason": "Insufficient funds",
                }
            )
        )
        wizard.action_confirm()
        self.assertEqual(cheque.state, "bounced")
        self.assertTrue(cheque.reversal_move_id)
        self.assertEqual(self.invoice.payment_state, "not_paid")
        self.assertEqual(self.invoice.amount_residual, 1000)
        # the salesperson and the coordinator are told
        self.assertEqual(cheque.activity_ids.user_id, self.salesperson_1 | self.coordinator)
        # the customer is flagged
        partner = self.customer_1.with_user(self.salesperson_1)
        self.assertEqual(partner.support_bounced_cheque_count, 1)
        self.assertTrue(partner.support_has_unresolved_bounce)
        self.assertEqual(partner.support_open_receivable, 1000)
        # new orders are held while it is not replaced
        order = (
            self.env["sale.order"]
            .with_user(self.salesperson_1)
            .create(
                {
                    "partner_id": self.customer_1.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "price_unit": 10})
                    ],
                }
            )
        )
        with self.assertRaisesRegex(UserError, "bounced cheque"):
            order.action_confirm()
        # a replacement cheque resolves it
        action = cheque.action_replace()
        replacement = self.Cheque.with_context(**action["context"]).create(
            {"name": "0002", "date_received": "2025-04-05", "date_due": "2025-04-05"}
        )
        self.assertEqual(replacement.amount, 1000)
        self.assertEqual(cheque.state, "replaced")
        self.assertEqual(cheque.replaced_by_id, replacement)
        self.assertFalse(cheque.activity_ids)
        self.env.invalidate_all()
        self.assertFalse(partner.support_has_unresolved_bounce)
        self.assertEqual(partner.support_bounced_cheque_count, 1)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_bulk_confirmation_reads_bounced_cheques_once(self):
        """Quotations confirmed together with the bounced-cheque hold on: their customers'
        bounced cheques are read in one grouped query, not order by order; the quotation of the
        customer whose cheque bounced holds the batch."""
        self.company.sales_support_hold_on_bounced_cheque = True
        customers = self.env["res.partner"].create(
            [
                {"name": f"Shop {i}", "is_company": True, "user_id": self.salesperson_1.id}
                for i in range(10)
            ]
        )
        cheque = self._cheque(partner_id=customers[3].id)
        # sudo: the state of the fixture, which the bounce wizard sets (tested above)
        cheque.sudo().write({"state": "bounced", "date_bounced": "2025-04-02"})
        quotations = (
            self.env["sale.order"]
            .with_user(self.salesperson_1)
            .create(
                [
                    {
                        "partner_id": customer.id,
                        "order_line": [
                            Command.create({"product_id": self.product.id, "price_unit": 10})
                        ],
                    }
                    for customer in customers
                ]
            )
        )

        def check(orders):
            # what sale.order.action_confirm does first: each order's confirmation check
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            messages = [order._confirmation_error_message() for order in orders]
            return self.env.cr.sql_log_count - before, messages

        check(quotations[:1])  # warm-up
        one, messages = check(quotations[:1])
        self.assertEqual(messages, [False])
        ten, messages = check(quotations)
        self.assertEqual(ten, one)
        held = (
            f"{quotations[3].name} cannot be confirmed: Shop 3 has 1 bounced cheque(s) not "
            "replaced yet. A sales or support manager may approve an override with a reason."
        )
        self.assertEqual(messages, [False] * 3 + [held] + [False] * 6)
        with self.assertRaisesRegex(UserError, "Shop 3 has 1 bounced cheque"):
            quotations.action_confirm()
        self.assertEqual(set(quotations.mapped("state")), {"draft"})
        (quotations - quotations[3]).action_confirm()
        self.assertEqual(quotations.mapped("state"), ["sale"] * 3 + ["draft"] + ["sale"] * 6)

    def test_outstanding_payment_and_cancel(self):
        cheque = self._cheque(amount=400)
        cheque.action_register_payment()
        self.assertEqual(cheque.payment_id.amount, 400)
        self.assertEqual(self.invoice.payment_state, "not_paid")
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            cheque.action_cancel()
        other = self._cheque(name="0003", amount=50)
        other.action_cancel()
        self.assertEqual(other.state, "cancelled")

    def test_multi_company(self):
        other = self.env["res.company"].create(
            {"name": "Other Company", "currency_id": self.eur.id}
        )
        # the other company keeps its own books (its cheques' payments go to its bank journal)
        self.env["account.chart.template"].try_loading(
            self.company.chart_template or "generic_coa", company=other, install_demo=False
        )
        other.currency_id = self.eur  # the chart sets its own; no entry yet, it may change
        foreign = (
            self.env["sales.customer.cheque"]
            .with_company(other)
            .create(
                {
                    "name": "X-1",
                    "partner_id": self.customer_1.id,
                    "amount": 70,
                    "currency_id": self.eur.id,
                    "company_id": other.id,
                }
            )
        )
        foreign.action_register_payment()
        mine = self._cheque(amount=20)
        mine.action_register_payment()
        # the coordinator does not work for the other company
        self.assertEqual(self.Cheque.search([]), mine)
        # each company counts its own cheques, in its currency
        self.support_manager.company_ids |= other
        partner = self.customer_1.with_user(self.support_manager)
        self.assertEqual(partner.support_uncleared_cheque_amount, 20)
        partner_other = partner.with_context(allowed_company_ids=[other.id])
        self.assertEqual(partner_other.support_credit_currency_id, self.eur)
        self.assertEqual(partner_other.support_uncleared_cheque_amount, 70)
        self.assertEqual(partner_other.support_cheque_count, 1)
        self.assertTrue(foreign.exists())
