from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestMilestones(SalesSupportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.chair = cls.env["product.product"].create(
            {
                "name": "Chair",
                "is_storable": True,
                "list_price": 100.0,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        cls.consulting = cls.env["product.product"].create(
            {
                "name": "Consulting",
                "type": "service",
                "list_price": 500.0,
                "taxes_id": [Command.clear()],
            }
        )

    def _stock(self, qty):
        self.env["stock.quant"]._update_available_quantity(
            self.chair, self.warehouse.lot_stock_id, qty
        )

    def _validate(self, picking, backorder=True):
        for move in picking.move_ids:
            move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            wizard = Form(
                self.env["stock.backorder.confirmation"].with_context(**result["context"])
            ).save()
            wizard.process() if backorder else wizard.process_cancel_backorder()

    def _pay(self, invoice, amount):
        self.env["account.payment.register"].with_context(
            active_model="account.move",
            active_ids=invoice.ids,
        ).create({"amount": amount})._create_payments()

    def _assert_stage(self, order, stage, next_step=None):
        self.assertEqual(order.o2c_stage, stage)
        if next_step is not None:
            self.assertEqual(order.o2c_next_step, next_step)

    def test_full_flow_partial_deliveries_two_payments(self):
        t = lambda *args: datetime(2026, 3, *args)  # noqa: E731
        with freeze_time(t(2, 9, 0)):
            request = self.env["sales.support.request"].create(
                {
                    "subject": "10 chairs",
                    "partner_id": self.customer_1.id,
                    "type_id": self.env.ref("sales_support.request_type_quotation").id,
                }
            )
        with freeze_time(t(2, 10, 0)):
            order = self.env["sale.order"].browse(request.action_create_quotation()["res_id"])
            order.order_line = [
                Command.create({"product_id": self.chair.id, "product_uom_qty": 10})
            ]
            self.assertEqual(order.date_o2c_request, t(2, 9, 0))
            self._assert_stage(order, "request", "quotation_sent")
            self.assertEqual(
                order.date_o2c_next_deadline, t(3, 9, 0), "24 h target after the request"
            )
        with freeze_time(t(2, 11, 0)):
            order.action_quotation_sent()
            self.assertEqual(order.date_o2c_quotation_sent, t(2, 11, 0))
            self._assert_stage(order, "quotation_sent", "customer_confirmed")
        with freeze_time(t(3, 9, 0)):
            order.action_o2c_customer_confirmed()
            self.assertEqual(order.date_o2c_customer_confirmed, t(3, 9, 0))
            self._assert_stage(order, "customer_confirmed", "entered")
        with freeze_time(t(3, 10, 0)):
            self._stock(6)
            order.with_user(self.coordinator).action_confirm()
            self.assertEqual(order.date_o2c_entered, t(3, 10, 0))
            self.assertEqual(order.order_entry_user_id, self.coordinator)
            self.assertEqual(
                order.date_o2c_customer_confirmed,
                t(3, 9, 0),
                "kept from the customer's confirmation",
            )
            self.assertTrue(order.has_o2c_deliveries)
            self.assertFalse(order.date_o2c_goods_ready, "only 6 of 10 reserved")
            self._assert_stage(order, "entered", "goods_ready")
        with freeze_time(t(3, 15, 0)):
            first = order.picking_ids
            self._validate(first)  # 6 shipped, back-order of 4
            backorder = order.picking_ids - first
            self.assertEqual(first.state, "done")
            self.assertEqual(len(backorder), 1)
            self.assertFalse(order.date_o2c_shipped, "a back-order is still open")
            self.assertFalse(order.date_o2c_goods_ready)
            self._assert_stage(order, "entered")
        with freeze_time(t(4, 8, 0)):
            self._stock(4)
            backorder.action_assign()
            self.assertEqual(order.date_o2c_goods_ready, t(4, 8, 0))
            self._assert_stage(order, "goods_ready", "shipped")
        with freeze_time(t(4, 14, 0)):
            self._validate(backorder)
            self.assertEqual(order.date_o2c_shipped, t(4, 14, 0))
            self._assert_stage(order, "shipped", "invoiced")
        with freeze_time(t(5, 9, 0)):
            invoice = order._create_invoices()
            self.assertFalse(order.date_o2c_invoiced, "a draft invoice is not an invoice yet")
            invoice.action_post()
            self.assertEqual(order.date_o2c_invoiced, t(5, 9, 0))
            self._assert_stage(order, "invoiced", "paid")
        with freeze_time(t(10, 9, 0)):
            self._pay(invoice, 400.0)
            self.assertEqual(invoice.payment_state, "partial")
            self.assertFalse(order.date_o2c_paid)
        with freeze_time(t(20, 9, 0)):
            self._pay(invoice, 600.0)
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
            self.assertEqual(order.date_o2c_paid, t(20, 9, 0))
            self._assert_stage(order, "paid", False)
            self.assertFalse(order.date_o2c_next_deadline)
        self.assertEqual(order.o2c_quotation_hours, 2.0)
        self.assertEqual(order.o2c_confirmation_hours, 22.0)
        self.assertEqual(order.o2c_entry_hours, 1.0)
        self.assertEqual(order.o2c_processing_hours, 25.0)
        self.assertEqual(order.o2c_preparation_hours, 22.0)
        self.assertEqual(order.o2c_shipping_hours, 6.0)
        self.assertEqual(order.o2c_invoicing_hours, 19.0)
        self.assertEqual(order.o2c_payment_hours, 15 * 24.0)
        self.assertEqual(order.o2c_cycle_hours, 18 * 24.0)

        # a claim: 2 chairs damaged, returned through Odoo's return wizard and credited
        claim = self.env["sales.support.claim"].create(
            {
                "partner_id": self.customer_1.id,
                "order_id": order.id,
                "picking_id": first.id,
                "invoice_id": invoice.id,
                "claim_type": "damaged",
                "resolution": "return",
                "line_ids": [Command.create({"order_line_id": order.order_line.id, "quantity": 2})],
            }
        )
        self.assertEqual(claim.amount_claimed, 200.0)
        with freeze_time(t(22, 9, 0)):
            claim.action_create_return()
            returned = claim.return_picking_ids
            self.assertEqual(returned.picking_type_code, "incoming")
            self.assertEqual(returned.move_ids.product_uom_qty, 2.0)
            self._validate(returned)
            self.assertEqual(
                order.date_o2c_shipped, t(4, 14, 0), "a return does not undo the shipment"
            )
            claim.resolution = "credit_note"
            claim.action_create_credit_note()
            credit_note = claim.credit_note_ids
            self.assertEqual(credit_note.move_type, "out_refund")
            self.assertEqual(credit_note.amount_total, 200.0)
            credit_note.action_post()
            self.assertEqual(claim.amount_credited, 200.0)
            self.assertEqual(
                order.date_o2c_paid, t(20, 9, 0), "crediting a paid invoice keeps it paid"
            )
            self._assert_stage(order, "paid")
            claim.action_resolve()
            self.assertEqual(claim.date_resolved, t(22, 9, 0))

    def test_full_refund_and_new_invoice(self):
        """'Full refund and new draft invoice': the first invoice is reversed (nothing to collect on
        it), the order is invoiced again by the new invoice and paid when that one is."""
        order = self._create_order(self.customer_1, products=self.consulting)
        order.action_confirm()
        self.assertFalse(order.has_o2c_deliveries)
        self._assert_stage(order, "entered", "invoiced")
        invoice = order._create_invoices()
        invoice.action_post()
        self._assert_stage(order, "invoiced", "paid")
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "wrong price"})
        )
        reversal.modify_moves()  # full credit note, posted and reconciled, and a new draft invoice
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertFalse(order.date_o2c_paid, "the new invoice is still to collect")
        new_invoice = order.invoice_ids.filtered(lambda m: m.state == "draft")
        new_invoice.action_post()
        self._assert_stage(order, "invoiced", "paid")
        self._pay(new_invoice, new_invoice.amount_total)
        self._assert_stage(order, "paid")

    def test_cancelled_order(self):
        with freeze_time("2026-03-02 10:00:00"):
            self._stock(5)
            order = self._create_order(self.customer_1, products=self.chair)
            order.action_confirm()
            self.assertTrue(order.date_o2c_goods_ready)
        with freeze_time("2026-03-02 12:00:00"):
            order._action_cancel()
            self.assertEqual(order.state, "cancel")
            self._assert_stage(order, "cancel", False)
            self.assertEqual(order.date_o2c_entered, datetime(2026, 3, 2, 10, 0), "history kept")
            self.assertFalse(order.date_o2c_next_deadline)
            self.assertFalse(order.is_o2c_late)
        order.action_draft()
        self._assert_stage(order, "request", "quotation_sent")
        self.assertFalse(order.date_o2c_entered, "back to a quotation: it will be entered again")

    def test_late_steps_one_activity_each(self):
        Order = self.env["sale.order"]
        with freeze_time("2026-04-01 09:00:00"):
            order = self._create_order(self.customer_1, products=self.consulting)
            self.assertEqual(order.date_o2c_planned_quotation_sent, datetime(2026, 4, 2, 9, 0))
            self.assertEqual(order.date_o2c_planned_customer_confirmed, datetime(2026, 4, 7, 9, 0))
        with freeze_time("2026-04-02 10:00:00"):
            self.assertTrue(order.is_o2c_late)
            self.assertEqual(order.o2c_late_step, "quotation_sent")
            self.assertIn(order, Order.search([("is_o2c_late", "=", True)]))
            Order._cron_o2c_late_activities()
            activity = order.activity_ids
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, self.coordinator)
            self.assertIn("Quotation Sent", activity.summary)
            Order._cron_o2c_late_activities()
            self.assertEqual(order.activity_ids, activity, "none again on the next run")
            order.action_quotation_sent()
            self.assertFalse(order.is_o2c_late)
            self.assertNotIn(order, Order.search([("is_o2c_late", "=", True)]))
        with freeze_time("2026-04-08 10:00:00"):  # 120 h after the quotation was sent
            order.invalidate_recordset(
                ["is_o2c_late", "o2c_late_step"]
            )  # time-dependent, not stored
            self.assertEqual(order.o2c_late_step, "customer_confirmed")
            Order._cron_o2c_late_activities()
            self.assertEqual(len(order.activity_ids), 2, "a new late step, a new activity")
            Order._cron_o2c_late_activities()
            self.assertEqual(len(order.activity_ids), 2)

    def test_step_targets_drive_planned_dates(self):
        step = self.env.ref("sales_support.o2c_step_quotation_sent")
        step.target_hours = 2
        with freeze_time("2026-04-01 09:00:00"):
            order = self._create_order(self.customer_1)
            self.assertEqual(order.date_o2c_next_deadline, datetime(2026, 4, 1, 11, 0))
        with self.assertRefused(Exception, "positive"):
            step.target_hours = 0

    def test_kanban_groups_every_stage(self):
        self._create_order(self.customer_1)
        groups = (
            self.env["sale.order"]
            .with_user(self.coordinator)
            .web_read_group(
                [("coordinator_id", "=", self.coordinator.id)], ["o2c_stage"], ["o2c_stage"]
            )["groups"]
        )
        stages = [g["o2c_stage"] for g in groups]
        self.assertEqual(stages[:3], ["request", "quotation_sent", "customer_confirmed"])
        self.assertIn("paid", stages)
