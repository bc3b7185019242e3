from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_accounting import SalesSupportAccountingCommon


@tagged("post_install", "-at_install")
class TestServerFieldsContext(SalesSupportAccountingCommon):
    """What only the server writes cannot come in through the context either: ``create`` fills
    the fields missing from its values with the context's ``default_<field>`` (over RPC, the
    client sends the context)."""

    def test_order_approval_and_signature_not_from_the_context(self):
        order = (
            self.env["sale.order"]
            .with_user(self.salesperson_1)
            .with_context(
                default_support_credit_override_user_id=self.salesperson_1.id,
                default_support_credit_override_amount=10**9,
                default_signed_on=fields.Datetime.now() - timedelta(days=3),
                default_signed_by="Forged",
                default_is_coordinator_manual=True,
            )
            .create({"partner_id": self.customer_1.id})
        )
        self.assertFalse(order.support_credit_override_user_id)
        self.assertFalse(order.support_credit_override_amount)
        self.assertFalse(order.support_credit_override_valid)
        self.assertFalse(order.signed_on)
        self.assertFalse(order.signed_by)
        self.assertFalse(order.is_coordinator_manual)
        # the context keeps working for what a user may set
        other = (
            self.env["sale.order"]
            .with_user(self.salesperson_1)
            .with_context(default_client_order_ref="PO-42")
            .create({"partner_id": self.customer_1.id})
        )
        self.assertEqual(other.client_order_ref, "PO-42")

    def test_cheque_and_promise_not_from_the_context(self):
        cheque = (
            self.env["sales.customer.cheque"]
            .with_user(self.coordinator)
            .with_context(default_state="cleared")
            .create(
                {
                    "name": "CTX-1",
                    "partner_id": self.customer_1.id,
                    "amount": 100,
                    "date_received": "2025-02-01",
                    "date_due": "2025-04-01",
                }
            )
        )
        self.assertEqual(cheque.state, "received")
        today = fields.Date.context_today(self.coordinator)
        promise = (
            self.env["sales.support.payment.promise"]
            .with_user(self.coordinator)
            .with_context(
                default_state="kept",
                default_date=today - timedelta(days=60),
                default_user_id=self.salesperson_1.id,
            )
            .create(
                {
                    "partner_id": self.customer_1.id,
                    "date_promised": today + timedelta(days=5),
                    "amount": 100.0,
                }
            )
        )
        self.assertEqual(
            (promise.state, promise.date, promise.user_id), ("open", today, self.coordinator)
        )

    def test_exchange_flag_not_from_the_context(self):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        move = (
            self.env["stock.move"]
            .with_user(self.coordinator)
            .with_context(default_is_o2c_exchange=True)
            .create(
                {
                    "name": "Forged replacement",
                    "product_id": self.product.id,
                    "product_uom_qty": 1,
                    "product_uom": self.product.uom_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                }
            )
        )
        self.assertFalse(move.is_o2c_exchange)
