from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users, warmup

from .common_accounting import SalesSupportAccountingCommon


@tagged("post_install", "-at_install")
class TestCreditExposure(SalesSupportAccountingCommon):
    """Exposure = open receivables + confirmed orders to invoice + uncleared cheques."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_1.with_company(cls.company).credit_limit = 3000
        cls.invoice = cls._invoice(cls.customer_1, 1150, "2025-01-10", due="2025-02-09")
        cls.order = cls._order(cls.customer_1, 800)
        cls.order.action_confirm()
        # a post-dated cheque on account, its payment booked: the receivables drop to 1,000
        # and the cheque is credit until the bank pays it
        cls.cheque = cls.env["sales.customer.cheque"].create(
            {
                "name": "C-1",
                "partner_id": cls.customer_1.id,
                "amount": 300,
                "currency_id": cls.eur.id,  # 150 USD
                "date_received": "2025-01-05",
                "date_due": "2025-03-05",
                "journal_id": cls.bank_journal.id,
            }
        )
        cls.cheque.action_register_payment()

    @classmethod
    def _order(cls, partner, price, salesperson=None, currency_pricelist=None):
        values = {
            "partner_id": partner.id,
            "user_id": (salesperson or partner.user_id).id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": 1,
                        "price_unit": price,
                        "tax_id": [],
                    }
                )
            ],
        }
        if currency_pricelist:
            values["pricelist_id"] = currency_pricelist.id
        return cls.env["sale.order"].create(values)

    def test_exposure_arithmetic(self):
        partner = self.customer_1.with_user(self.salesperson_1)
        self.assertTrue(partner.support_credit_visible)
        self.assertEqual(partner.support_open_receivable, 1000)
        self.assertEqual(partner.support_overdue_amount, 1000)
        self.assertEqual(self.order.amount_to_invoice, 800)
        self.assertEqual(partner.support_to_invoice_amount, 800)
        self.assertEqual(partner.support_uncleared_cheque_amount, 150)
        self.assertEqual(partner.support_credit_exposure, 1950)
        self.assertEqual(partner.support_credit_limit, 3000)
        self.assertEqual(partner.support_credit_available, 1050)
        self.assertFalse(partner.support_is_over_credit_limit)
        # a contact of the customer shows its company's figures
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer_1.id})
        self.assertEqual(contact.with_user(self.salesperson_1).support_credit_exposure, 1950)
        # each component may be left out by the company
        self.company.sales_support_exposure_cheques = False
        self.env.invalidate_all()
        self.assertEqual(partner.support_credit_exposure, 1800)
        self.company.sales_support_exposure_to_invoice = False
        self.env.invalidate_all()
        self.assertEqual(partner.support_credit_exposure, 1000)
        # an order in EUR counts converted; invoicing moves it from orders to receivables
        self.company.sales_support_exposure_to_invoice = True
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": self.eur.id}
        )
        self._order(self.customer_1, 400, currency_pricelist=pricelist).action_confirm()
        self.order._create_invoices().action_post()
        self.env.invalidate_all()
        self.assertEqual(partner.support_to_invoice_amount, 200)
        self.assertEqual(partner.support_open_receivable, 1800)
        self.assertEqual(partner.support_credit_exposure, 2000)
        # cleared cheques are no credit any more
        self.company.sales_support_exposure_cheques = True
        self.cheque.action_clear()
        self.env.invalidate_all()
        self.assertEqual(partner.support_uncleared_cheque_amount, 0)

    def test_cheque_without_booked_payment_is_not_counted_twice(self):
        """A cheque received for an open invoice, its payment not registered yet: the debt is in
        the receivables only. Once the payment is registered (reconciled with the invoice), the
        debt moves from the receivables to the uncleared cheques: the exposure stays the same."""
        partner = self.customer_1.with_user(self.coordinator)
        invoice = self._invoice(self.customer_1, 400, "2025-01-20", due="2025-02-19")
        cheque = (
            self.env["sales.customer.cheque"]
            .with_user(self.coordinator)
            .create(
                {
                    "name": "C-2",
                    "partner_id": self.customer_1.id,
                    "amount": 400,
                    "date_received": "2025-01-21",
                    "date_due": "2025-04-21",
                    "journal_id": self.bank_journal.id,
                    "invoice_ids": [Command.set(invoice.ids)],
                }
            )
        )
        # receivables 1,000 + 400; orders 800; cheques: C-1 150 only
        self.assertEqual(partner.support_open_receivable, 1400)
        self.assertEqual(partner.support_uncleared_cheque_amount, 150)
        self.assertEqual(partner.support_credit_exposure, 2350)
        cheque.action_register_payment()
        self.env.invalidate_all()
        self.assertFalse(invoice.amount_residual)
        self.assertEqual(partner.support_open_receivable, 1000)
        self.assertEqual(partner.support_uncleared_cheque_amount, 550)
        self.assertEqual(partner.support_credit_exposure, 2350)
        # bounced: the payment is reversed, the invoice is open again, the cheque is no credit
        self.env["sales.customer.cheque.bounce"].with_user(self.coordinator).create(
            {
                "cheque_ids": [Command.set(cheque.ids)],
                "date_bounced": "2025-02-01",
                "bounce_reason": "Insufficient funds",
            }
        ).action_confirm()
        self.env.invalidate_all()
        self.assertEqual(partner.support_open_receivable, 1400)
        self.assertEqual(partner.support_uncleared_cheque_amount, 150)
        self.assertEqual(partner.support_credit_exposure, 2350)

    def test_down_payment_on_goods_invoiced_on_delivery(self):
        """Goods invoiced on delivery, nothing delivered: the order has nothing to invoice yet
        (as in Odoo's own credit check). Its invoiced down payment is in the receivables: the
        order does not count it a second time as a negative amount left to invoice."""
        product = self.env["product.product"].create(
            {"name": "Pallet", "invoice_policy": "delivery", "is_storable": True, "taxes_id": []}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer_1.id,
                "user_id": self.salesperson_1.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "price_unit": 1000, "tax_id": []},
                    )
                ],
            }
        )
        order.action_confirm()
        partner = self.customer_1.with_user(self.coordinator)
        # 1,000 receivable + 800 (the other order) + 150 cheque; this order: nothing yet
        self.assertEqual(partner.support_credit_exposure, 1950)
        self.env["sale.advance.payment.inv"].with_user(self.coordinator).with_context(
            active_model="sale.order", active_ids=order.ids
        ).create({"advance_payment_method": "fixed", "fixed_amount": 300}).create_invoices()
        order.invoice_ids.with_user(self.coordinator).action_post()
        self.env.invalidate_all()
        # receivables 1,000 + 300; to invoice 800 (not 800 - 300); cheque 150
        self.assertEqual(partner.support_open_receivable, 1300)
        self.assertEqual(partner.support_to_invoice_amount, 800)
        self.assertEqual(partner.support_credit_exposure, 2250)

    def test_other_team_sees_nothing(self):
        partner = self.customer_1.with_user(self.salesperson_3)
        self.assertFalse(partner.support_credit_visible)
        self.assertEqual(partner.support_credit_exposure, 0)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesperson_3).get_credit_exposure(
                [self.customer_1.id]
            )
        figures = (
            self.env["res.partner"]
            .with_user(self.coordinator)
            .get_credit_exposure([self.customer_1.id])
        )
        self.assertEqual(figures[str(self.customer_1.id)]["exposure"], 1950)
        self.assertEqual(figures[str(self.customer_1.id)]["currency"], "USD")

    def test_other_company(self):
        """Figures are per company, in the company's currency."""
        other = self.env["res.company"].create({"name": "Branch EUR", "currency_id": self.eur.id})
        partner = self.customer_1.with_company(other).with_context(allowed_company_ids=other.ids)
        self.assertEqual(partner.support_credit_currency_id, self.eur)
        self.assertEqual(partner.support_credit_exposure, 0)

    def test_down_payment_counted_once(self):
        """A down-payment invoice moves its amount from the order to the receivables: the
        exposure of a confirmed order is the same before and after it, and its payment lowers
        it (the coordinator invoices the down payment, as she does in Odoo's Invoicing role)."""
        partner = self.customer_1.with_user(self.coordinator)
        self.assertEqual(partner.support_credit_exposure, 1950)
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_user(self.coordinator)
            .with_context(active_model="sale.order", active_ids=self.order.ids)
            .create({"advance_payment_method": "fixed", "fixed_amount": 300})
        )
        wizard.create_invoices()
        down_payment = self.order.invoice_ids
        self.assertTrue(down_payment.invoice_line_ids.is_downpayment)
        down_payment.with_user(self.coordinator).action_post()
        self.env.invalidate_all()
        self.assertEqual(partner.support_open_receivable, 1300)
        self.assertEqual(partner.support_to_invoice_amount, 500)
        self.assertEqual(partner.support_credit_exposure, 1950)
        # a partial payment of the down payment lowers the exposure by what was paid
        self._pay(down_payment, 100, "2025-01-20")
        self.env.invalidate_all()
        self.assertEqual(partner.support_open_receivable, 1200)
        self.assertEqual(partner.support_credit_exposure, 1850)
        # the final invoice deducts the down payment: nothing counted twice
        self.order.with_user(self.coordinator)._create_invoices(final=True).action_post()
        self.env.invalidate_all()
        self.assertEqual(partner.support_to_invoice_amount, 0)
        self.assertEqual(partner.support_open_receivable, 1700)
        self.assertEqual(partner.support_credit_exposure, 1850)

    def test_block_and_logged_override(self):
        self.company.sales_support_credit_policy = "block"
        quotation = self._order(self.customer_1, 1500).with_user(self.salesperson_1)
        self.assertIn("over its credit limit", quotation.support_credit_hold)
        self.assertEqual(quotation.support_credit_exposure, 3450)
        self.assertIn("over its credit limit", quotation.partner_credit_warning)
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            quotation.action_confirm()
        self.assertEqual(quotation.state, "draft")
        # nobody writes the approval directly, and only managers approve
        with self.assertRaises(AccessError):
            quotation.write({"support_credit_override_user_id": self.salesperson_1.id})
        with self.assertRaises(AccessError):
            quotation.action_open_credit_override()
        wizard = (
            self.env["sales.support.credit.override"]
            .with_user(self.support_manager)
            .create({"order_id": quotation.id, "reason": "CFO promised payment on Friday"})
        )
        wizard.action_approve()
        self.assertEqual(quotation.support_credit_override_user_id, self.support_manager)
        self.assertEqual(quotation.support_credit_override_amount, 1500)
        self.assertIn("CFO promised payment on Friday", quotation.message_ids[:1].body)
        # nor at creation (over RPC: the approval of a new order would be forged)
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.salesperson_1).create(
                {
                    "partner_id": self.customer_1.id,
                    "support_credit_override_user_id": self.salesperson_1.id,
                    "support_credit_override_amount": 10**9,
                }
            )
        # the approval covers the 1,500 approved: 500 added since need a new approval
        quotation.write(
            {
                "order_line": [
                    Command.create({"product_id": self.product.id, "price_unit": 500, "tax_id": []})
                ]
            }
        )
        self.assertFalse(quotation.support_credit_override_valid)
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            quotation.action_confirm()
        self.env["sales.support.credit.override"].with_user(self.support_manager).create(
            {"order_id": quotation.id, "reason": "CFO confirmed the larger order too"}
        ).action_approve()
        self.assertEqual(quotation.support_credit_override_amount, 2000)
        # approved for this customer: another customer (or company, or currency) needs its own
        contact = self.env["res.partner"].create(
            {"name": "Buyer of Sales 1", "parent_id": self.customer_1.id}
        )
        quotation.partner_id = self.customer_il
        self.assertFalse(quotation.support_credit_override_user_id)
        quotation.partner_id = contact
        self.env["sales.support.credit.override"].with_user(self.support_manager).create(
            {"order_id": quotation.id, "reason": "CFO confirmed the larger order too"}
        ).action_approve()
        quotation.action_confirm()
        self.assertEqual(quotation.state, "sale")
        # cancelled and set back to quotation: the approval does not carry over
        quotation.with_context(disable_cancel_warning=True)._action_cancel()
        quotation.action_draft()
        self.assertFalse(quotation.support_credit_override_user_id)
        with self.assertRaisesRegex(UserError, "cannot be confirmed"):
            quotation.action_confirm()

    def test_quotations_confirmed_together_count_each_other(self):
        """Exposure 1,950 (invoice 1,000 + order 800 + cheque 150), limit 3,000. Two quotations
        of 600: each alone 2,550 (under the limit); confirmed together, the second one counts
        the first: 1,950 + 600 + 600 = 3,150 (over it)."""
        self.company.sales_support_credit_policy = "block"
        first = self._order(self.customer_1, 600)
        second = self._order(self.customer_1, 600)
        other_customer = self._order(self.customer_il, 600)
        batch = (first | other_customer | second).with_user(self.salesperson_1)
        self.assertEqual(batch.mapped("support_credit_exposure"), [2550, 600, 2550])
        self.assertFalse(any(batch.mapped("support_credit_hold")))
        with self.assertRaisesRegex(
            UserError,
            rf"{second.name} cannot be confirmed together with {first.name}: "
            r"Customer of Sales 1.s exposure \$\s?3,150.00 is over its credit limit",
        ):
            batch.action_confirm()
        self.assertEqual(set(batch.mapped("state")), {"draft"})
        # an approved override lets the batch through
        self.env["sales.support.credit.override"].with_user(self.support_manager).create(
            {"order_id": second.id, "reason": "Both paid upfront by wire"}
        ).action_approve()
        batch.action_confirm()
        self.assertEqual(set(batch.mapped("state")), {"sale"})

    def test_warn_counts_quotations_confirmed_together(self):
        """Policy warn: the same batch is confirmed, and only the second quotation is logged as
        confirmed over the limit (3,150 > 3,000; the first one was at 2,550)."""
        first = self._order(self.customer_1, 600)
        second = self._order(self.customer_1, 600)
        (first | second).with_user(self.salesperson_1).action_confirm()
        self.assertEqual(set((first | second).mapped("state")), {"sale"})

        def logged(order):
            return order.message_ids.filtered(lambda m: "Confirmed over" in (m.body or ""))

        self.assertFalse(logged(first))
        self.assertIn("3,150.00", logged(second).body)

    def test_warn_logs_confirmation_over_limit(self):
        quotation = self._order(self.customer_1, 1500).with_user(self.salesperson_1)
        quotation.action_confirm()
        self.assertEqual(quotation.state, "sale")
        self.assertTrue(
            quotation.message_ids.filtered(lambda m: "Confirmed over" in (m.body or ""))
        )

    def test_exposure_of_1000_customers_in_bounded_queries(self):
        partners = self.env["res.partner"].create(
            [
                {"name": f"Bulk {i}", "is_company": True, "user_id": self.salesperson_1.id}
                for i in range(1000)
            ]
        )
        cheques = self.env["sales.customer.cheque"].create(
            [
                {
                    "name": f"B{i}",
                    "partner_id": partner.id,
                    "amount": 10,
                    "journal_id": self.bank_journal.id,
                }
                for i, partner in enumerate(partners[:50])
            ]
        )
        cheques.action_register_payment()
        self._check_query_count(partners.ids)

    @users("ss_manager")
    @warmup
    def _check_query_count(self, partner_ids):
        partners = self.env["res.partner"].browse(partner_ids)
        with self.assertQueryCount(ss_manager=10):
            self.env.invalidate_all()
            values = partners.read(
                [
                    "support_credit_exposure",
                    "support_is_over_credit_limit",
                    "support_open_receivable",
                    "support_uncleared_cheque_amount",
                ]
            )
        self.assertEqual(len(values), 1000)
        # 50 cheques of 10 paid on account: -500 receivable, 500 uncleared cheques
        self.assertEqual(sum(v["support_uncleared_cheque_amount"] for v in values), 500)
        self.assertEqual(sum(v["support_open_receivable"] for v in values), -500)
        self.assertEqual(sum(v["support_credit_exposure"] for v in values), 0)
