from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.base.tests.common import HttpCaseWithUserPortal
from odoo.addons.sales_support import _post_init_hook

from .common import SalesSupportCommon

# A 1x1 PNG: a signature as the portal sends it.
SIGNATURE_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


class O2cFlowCommon(SalesSupportCommon):
    """Products, stock and the users who do each step: the coordinator enters and ships, the
    billing user invoices and registers payments."""

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
        cls.table = cls.env["product.product"].create(
            {
                "name": "Table",
                "is_storable": True,
                "list_price": 300.0,
                "invoice_policy": "delivery",
                "taxes_id": [Command.clear()],
            }
        )
        cls.consulting = cls.env["product.product"].create(
            {
                "name": "Consulting",
                "type": "service",
                "list_price": 500.0,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        cls.billing = new_test_user(
            cls.env,
            login="ss_billing",
            name="Billing Clerk",
            company_id=cls.company.id,
            groups="account.group_account_invoice,sales_team.group_sale_salesman_all_leads",
        )

    def _stock(self, product, qty):
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, qty
        )

    def _validate(self, picking, backorder=True, user=None):
        picking = picking.with_user(user or self.coordinator)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if move.quantity <= 0 else move.quantity
            move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            wizard = Form(
                picking.env["stock.backorder.confirmation"].with_context(**result["context"])
            ).save()
            wizard.process() if backorder else wizard.process_cancel_backorder()

    def _exchange(self, delivery, line, quantity, invoice=None):
        """The coordinator's claim replacing ``quantity`` of ``line`` shipped by ``delivery``:
        its return and its replacement delivery."""
        claim = (
            self.env["sales.support.claim"]
            .with_user(self.coordinator)
            .create(
                {
                    "partner_id": delivery.partner_id.commercial_partner_id.id,
                    "order_id": line.order_id.id,
                    "picking_id": delivery.id,
                    "invoice_id": invoice.id if invoice else False,
                    "resolution": "replacement",
                    "line_ids": [Command.create({"order_line_id": line.id, "quantity": quantity})],
                }
            )
        )
        claim.action_create_return()
        returned = claim.return_picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        return returned, claim.return_picking_ids - returned

    def _invoice(self, order, final=False):
        invoice = order.with_user(self.billing)._create_invoices(final=final)
        invoice.action_post()
        return invoice

    def _down_payment(self, order, percent):
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_user(self.billing)
            .with_context(
                active_model="sale.order",
                active_ids=order.ids,
            )
            .create({"advance_payment_method": "percentage", "amount": percent})
        )
        wizard.create_invoices()
        invoice = order.invoice_ids.filtered(lambda m: m.state == "draft")
        invoice.with_user(self.billing).action_post()
        return invoice

    def _pay(self, invoice, amount=None):
        values = {} if amount is None else {"amount": amount}
        self.env["account.payment.register"].with_user(self.billing).with_context(
            active_model="account.move",
            active_ids=invoice.ids,
        ).create(values)._create_payments()

    def _credit_note(self, invoice, reason):
        """The billing user's full credit note of ``invoice`` (Odoo's reversal wizard), posted:
        posting it reconciles it with the invoice when the invoice is open."""
        reversal = (
            self.env["account.move.reversal"]
            .with_user(self.billing)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": reason})
        )
        reversal.refund_moves()
        reversal.new_move_ids.with_user(self.billing).action_post()
        return reversal.new_move_ids

    def _events(self, order):
        return order.o2c_event_ids.sorted("id").mapped("event_type")


@tagged("post_install", "-at_install")
class TestO2cLedger(O2cFlowCommon):
    def test_forged_milestones_refused(self):
        """readonly=True is only a UI hint: the server refuses the milestones from anyone."""
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.coordinator).action_confirm()
        for values in (
            {"date_o2c_paid": "2020-01-01 00:00:00"},
            {"date_o2c_shipped": "2020-01-01 00:00:00"},
            {"o2c_stage": "paid"},
            {"order_entry_user_id": self.salesperson_2.id},
            {"date_o2c_next_deadline": False},
        ):
            with self.assertRefused(AccessError, "recorded by Odoo"):
                order.with_user(self.coordinator).write(values)
            with self.assertRefused(AccessError, "recorded by Odoo"):
                order.with_user(self.support_manager).write(values)
        with self.assertRefused(AccessError, "recorded by Odoo"):
            self.env["sale.order"].with_user(self.coordinator).create(
                {"partner_id": self.customer_1.id, "date_o2c_paid": "2020-01-01 00:00:00"}
            )
        self.assertFalse(order.date_o2c_paid)
        self.assertFalse(order.date_o2c_shipped)
        self.assertEqual(order.o2c_stage, "entered")

    def test_ledger_is_append_only(self):
        order = self._create_order(self.customer_1, products=self.consulting)
        order.with_user(self.coordinator).action_confirm()
        Event = self.env["sales.support.o2c.event"]
        events = Event.with_user(self.coordinator).search([("order_id", "=", order.id)])
        self.assertEqual(events.mapped("event_type"), ["entered", "customer_confirmed", "request"])
        with self.assertRefused(AccessError, "not allowed to create"):
            Event.with_user(self.support_manager).create(
                {
                    "order_id": order.id,
                    "event_type": "paid",
                    "date": "2020-01-01",
                    "company_id": order.company_id.id,
                }
            )
        with self.assertRefused(AccessError, "not allowed to modify"):
            events[:1].with_user(self.support_manager).write({"date": "2020-01-01"})
        with self.assertRefused(AccessError, "not allowed to delete"):
            events[:1].with_user(self.support_manager).unlink()
        # not even with elevated rights: history is appended, never rewritten
        with self.assertRefused(UserError, "ledger"):
            events[:1].sudo().write({"date": "2020-01-01"})
        with self.assertRefused(UserError, "ledger"):
            events[:1].sudo().unlink()
        self.assertEqual(len(order.o2c_event_ids), 3)

    def test_salesperson_reads_own_ledger_only(self):
        mine = self._create_order(self.customer_1, products=self.consulting)
        other = self._create_order(self.customer_3, products=self.consulting)
        (mine | other).action_confirm()
        Event = self.env["sales.support.o2c.event"].with_user(self.salesperson_1)
        self.assertTrue(Event.search([("order_id", "=", mine.id)]))
        self.assertFalse(Event.search([("order_id", "=", other.id)]))
        Report = self.env["sales.support.o2c.report"].with_user(self.salesperson_1)
        self.assertEqual(Report.search([("order_id", "in", (mine | other).ids)]).order_id, mine)

    def test_down_payment_then_final_invoice(self):
        """A paid down payment is neither 'invoiced' nor 'paid': most of the order is not
        invoiced."""
        self._stock(self.chair, 10)
        with freeze_time("2026-05-04 09:00:00"):
            order = self._create_order(self.customer_1, products=self.chair)
            order.order_line.product_uom_qty = 10
            order.with_user(self.coordinator).action_confirm()
        with freeze_time("2026-05-04 10:00:00"):
            down_payment = self._down_payment(order, 30)
            self._pay(down_payment)
            self.assertIn(down_payment.payment_state, ("paid", "in_payment"))
            self.assertFalse(
                order.date_o2c_invoiced, "a down payment leaves most of the order to invoice"
            )
            self.assertFalse(order.date_o2c_paid)
        with freeze_time("2026-05-05 15:00:00"):
            self._validate(order.picking_ids)
            self.assertEqual(order.date_o2c_shipped, datetime(2026, 5, 5, 15, 0))
            self.assertEqual(order.o2c_stage, "shipped", "shipped, still to invoice")
            self.assertIn(
                order, self.env["sale.order"].search(order._get_support_open_orders_domain())
            )
        with freeze_time("2026-05-06 09:00:00"):
            final = self._invoice(order, final=True)
            self.assertEqual(order.date_o2c_invoiced, datetime(2026, 5, 6, 9, 0))
            self.assertEqual(order.o2c_stage, "invoiced")
        with freeze_time("2026-05-16 11:00:00"):
            self._pay(final)
            self.assertEqual(order.date_o2c_paid, datetime(2026, 5, 16, 11, 0))
            self.assertEqual(order.o2c_stage, "paid")
        self.assertEqual(
            self._events(order),
            [
                "request",
                "customer_confirmed",
                "entered",
                "goods_ready",
                "downpayment_posted",
                "payment",
                "delivery_done",
                "shipped",
                "invoice_posted",
                "invoiced",
                "payment",
                "paid",
            ],
        )

    def test_partial_delivery_and_partial_invoice(self):
        """Invoiced on delivery: invoicing the first half leaves the order 'to invoice'."""
        self._stock(self.table, 4)
        order = self._create_order(self.customer_1, products=self.table)
        order.order_line.product_uom_qty = 10
        order.with_user(self.coordinator).action_confirm()
        self.assertFalse(order.date_o2c_goods_ready, "4 of 10 reserved")
        self._validate(order.picking_ids)
        self.assertFalse(order.date_o2c_shipped, "a back-order of 6 is open")
        self.assertEqual(order.invoice_status, "to invoice")
        self.assertTrue(
            order.date_o2c_next_deadline, "something to invoice: the step can be worked"
        )
        self._invoice(order)
        self.assertFalse(order.date_o2c_invoiced, "6 are still to deliver and invoice")
        self.assertEqual(order.o2c_stage, "entered")
        self.assertEqual(order.o2c_next_step, "goods_ready")
        self._stock(self.table, 6)
        backorder = order.picking_ids.filtered(lambda p: p.state != "done")
        backorder.with_user(self.coordinator).action_assign()
        self.assertTrue(order.date_o2c_goods_ready)
        self._validate(backorder)
        self.assertTrue(order.date_o2c_shipped)
        self.assertEqual(order.o2c_next_step, "invoiced")
        self._invoice(order)
        self.assertTrue(order.date_o2c_invoiced)

    def test_cancelled_backorder_closes_the_shipment(self):
        self._stock(self.table, 4)
        order = self._create_order(self.customer_1, products=self.table)
        order.order_line.product_uom_qty = 10
        order.with_user(self.coordinator).action_confirm()
        self._validate(order.picking_ids, backorder=False)
        self.assertTrue(order.date_o2c_shipped, "the customer does not want the rest")
        self._invoice(order)
        self.assertEqual(order.invoice_status, "no")
        self.assertTrue(order.date_o2c_invoiced, "nothing is left to invoice")

    def test_three_step_delivery_validated_at_once(self):
        """Pick, pack and ship validated together (Odoo's own sale_stock test does this): the
        chained moves are reserved while the pickings are being validated."""
        self.warehouse.delivery_steps = "pick_pack_ship"
        self._stock(self.chair, 2)
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.coordinator).action_confirm()
        for _step in range(3):
            self.assertFalse(order.date_o2c_shipped)
            picking = order.picking_ids.filtered(lambda p: p.state != "done")[:1]
            picking.action_assign()
            self._validate(picking, user=self.env.user)
        self.assertEqual(len(order.picking_ids), 3, "pick, pack, ship")
        self.assertTrue(order.date_o2c_shipped)
        self.assertEqual(self._events(order).count("shipped"), 1)
        # pick and pack are internal steps: only the shipment is a delivery of the order
        self.assertEqual(self._events(order).count("delivery_done"), 1)

    def test_services_only(self):
        order = self._create_order(self.customer_1, products=self.consulting)
        order.with_user(self.coordinator).action_confirm()
        self.assertFalse(order.has_o2c_deliveries)
        self.assertEqual((order.o2c_stage, order.o2c_next_step), ("entered", "invoiced"))
        invoice = self._invoice(order)
        self.assertEqual((order.o2c_stage, order.o2c_next_step), ("invoiced", "paid"))
        self._pay(invoice)
        self.assertEqual(order.o2c_stage, "paid")

    def test_invoiced_before_delivery(self):
        self._stock(self.chair, 5)
        order = self._create_order(self.customer_1, products=self.chair)
        order.order_line.product_uom_qty = 5
        order.with_user(self.coordinator).action_confirm()
        invoice = self._invoice(order)
        self._pay(invoice)
        self.assertTrue(order.date_o2c_invoiced)
        self.assertTrue(order.date_o2c_paid)
        self.assertEqual(order.o2c_stage, "goods_ready", "paid, but the goods have not left")
        self.assertEqual(order.o2c_next_step, "shipped")
        self._validate(order.picking_ids)
        self.assertEqual(order.o2c_stage, "paid")

    def test_multi_currency(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "rate": 0.5,
                "name": "2026-01-01",
                "company_id": self.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": eur.id})
        with freeze_time("2026-06-01 09:00:00"):
            order = self._create_order(
                self.customer_1, products=self.consulting, pricelist_id=pricelist.id
            )
            order.order_line.price_unit = 1000.0
            order.with_user(self.coordinator).action_confirm()
            invoice = self._invoice(order)
            self.assertEqual(invoice.currency_id, eur)
            self._pay(invoice, 600.0)
            self.assertFalse(order.date_o2c_paid, "600 of 1000 EUR")
            self._pay(invoice, 400.0)
            self.assertTrue(order.date_o2c_paid)
            row = self.env["sales.support.o2c.report"].search([("order_id", "=", order.id)])
            self.assertAlmostEqual(
                row.amount_untaxed, 2000.0, msg="in company currency at the order's rate"
            )

    def test_return_and_exchange_do_not_undo_the_shipment(self):
        self._stock(self.chair, 10)
        with freeze_time("2026-05-04 09:00:00"):
            order = self._create_order(self.customer_1, products=self.chair)
            order.order_line.product_uom_qty = 3
            order.with_user(self.coordinator).action_confirm()
            delivery = order.picking_ids
            self._validate(delivery)
        shipped = order.date_o2c_shipped
        self.assertEqual(shipped, datetime(2026, 5, 4, 9, 0))
        with freeze_time("2026-05-08 09:00:00"):
            wizard = (
                self.env["stock.return.picking"]
                .with_user(self.coordinator)
                .with_context(
                    active_id=delivery.id,
                    active_ids=delivery.ids,
                    active_model="stock.picking",
                )
                .create({"picking_id": delivery.id})
            )
            wizard.product_return_moves.quantity = 1
            wizard.action_create_exchanges()
            returned = order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
            replacement = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p != delivery
            )
            self.assertTrue(replacement._is_o2c_exchange())
            self.assertTrue(replacement.move_ids.is_o2c_exchange_counted, "the return lowered it")
            self.assertFalse(
                replacement.move_ids.to_refund, "a move to the customer is no refund in Odoo"
            )
            self.assertEqual(
                order.date_o2c_shipped,
                shipped,
                "a replacement to send does not reopen the shipment",
            )
            self._validate(returned)
            self._validate(replacement)
        self.assertEqual(order.date_o2c_shipped, shipped)
        self.assertEqual(
            order.order_line.qty_delivered, 3.0, "Odoo's exchange: the return and its replacement"
        )
        events = self._events(order)
        self.assertIn("return_done", events)
        self.assertIn("exchange_done", events)
        self.assertNotIn("shipping_reopened", events)

    def test_claim_exchange_keeps_an_order_invoiced_on_delivery_paid(self):
        """Invoiced on delivery, shipped, invoiced and paid; a claim exchanges 1 of 3: neither its
        return nor its replacement changes the delivered quantity, the order stays paid."""
        self._stock(self.table, 10)
        with freeze_time("2026-05-04 09:00:00"):
            order = self._create_order(self.customer_1, products=self.table)
            order.order_line.product_uom_qty = 3
            order.with_user(self.coordinator).action_confirm()
            delivery = order.picking_ids
            self._validate(delivery)
            invoice = self._invoice(order)
            self._pay(invoice)
        self.assertEqual(order.o2c_stage, "paid")
        line = order.order_line
        with freeze_time("2026-05-08 09:00:00"):
            returned, replacement = self._exchange(delivery, line, 1, invoice=invoice)
            self.assertEqual(replacement.picking_type_code, "outgoing")
            self.assertFalse(replacement.move_ids.is_o2c_exchange_counted)
            self.assertFalse(replacement.move_ids.to_refund)
            self._validate(returned)
            self.assertEqual(line.qty_delivered, 3.0, "the return does not lower it")
            self.assertEqual(order.invoice_status, "invoiced")
            self.assertEqual(order.o2c_stage, "paid")
            self.assertFalse(order.is_o2c_late)
            self._validate(replacement)
            self.assertEqual(line.qty_delivered, 3.0, "the replacement does not raise it")
            self.assertEqual(order.invoice_status, "invoiced")
            self.assertEqual(order.o2c_stage, "paid")
            self.assertEqual(line.qty_to_invoice, 0.0)
        with freeze_time("2026-06-30 09:00:00"):
            self.env["sale.order"]._cron_o2c_late_activities()
        events = self._events(order)
        self.assertIn("exchange_done", events)
        self.assertNotIn("invoicing_reopened", events)
        self.assertNotIn("payment_undone", events)
        self.assertFalse(order.activity_ids, "the late cron asks nothing of a paid order")

    def test_claim_replacement_shipped_in_part_stays_a_replacement(self):
        """A claim replaces 2 of 3 tables (invoiced on delivery); the warehouse ships 1 and
        backorders 1: the backorder is still a replacement, the delivered quantity never goes
        above the 3 ordered, and the order stays paid."""
        self._stock(self.table, 10)
        order = self._create_order(self.customer_1, products=self.table)
        order.order_line.product_uom_qty = 3
        order.with_user(self.coordinator).action_confirm()
        delivery = order.picking_ids
        self._validate(delivery)
        self._pay(self._invoice(order))
        line = order.order_line
        returned, replacement = self._exchange(delivery, line, 2)
        self._validate(returned)
        replacement.move_ids.quantity = 1
        self._validate(replacement)
        backorder = order.picking_ids.filtered(lambda p: p.backorder_id == replacement)
        self.assertTrue(backorder, "one table left to send")
        self.assertTrue(all(backorder.move_ids.mapped("is_o2c_exchange")))
        self.assertFalse(any(backorder.move_ids.mapped("is_o2c_exchange_counted")))
        self._validate(backorder)
        self.assertEqual(line.qty_delivered, 3.0)
        self.assertEqual((order.invoice_status, order.o2c_stage), ("invoiced", "paid"))
        self.assertEqual(self._events(order).count("exchange_done"), 2)

    def test_more_to_ship_reopens_the_shipment(self):
        self._stock(self.chair, 10)
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.coordinator).action_confirm()
        self._validate(order.picking_ids)
        self.assertTrue(order.date_o2c_shipped)
        order.order_line.with_context(sales_support_no_error_log=True).product_uom_qty = 3
        self.assertFalse(order.date_o2c_shipped, "two more chairs to ship")
        self.assertIn("shipping_reopened", self._events(order))

    def test_lines_added_on_their_own_reopen_the_shipment_whatever_the_context(self):
        """A line created directly (a script) on a shipped order reopens the shipment; the
        marker by which the order's own write syncs once cannot be sent by a client."""
        self._stock(self.chair, 10)
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.coordinator).action_confirm()
        self._validate(order.picking_ids)
        self.assertTrue(order.date_o2c_shipped)
        self.env["sale.order.line"].with_user(self.coordinator).with_context(
            sales_support_o2c_lines_synced=True, sales_support_no_error_log=True
        ).create({"order_id": order.id, "product_id": self.chair.id, "product_uom_qty": 1})
        self.assertFalse(order.date_o2c_shipped, "one more chair to ship")
        events = self._events(order)
        self.assertEqual(
            events[events.index("shipped") + 1 :], ["shipping_reopened", "goods_ready"]
        )

    def test_extra_product_delivered_is_synced_with_its_delivery(self):
        """The warehouse ships a product the order does not have (Odoo adds the order line while
        validating): the order is shipped once, with the delivery, never reopened in between."""
        self._stock(self.chair, 10)
        self._stock(self.table, 10)
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.coordinator).action_confirm()
        delivery = order.picking_ids
        move = delivery.move_ids
        self.env["stock.move"].create(
            {
                "name": "Table",
                "product_id": self.table.id,
                "product_uom_qty": 1,
                "quantity": 1,
                "picked": True,
                "product_uom": self.table.uom_id.id,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "picking_id": delivery.id,
            }
        )
        self._validate(delivery)
        table_line = order.order_line.filtered(lambda line: line.product_id == self.table)
        self.assertEqual(table_line.qty_delivered, 1.0, "Odoo added the line")
        self.assertTrue(order.date_o2c_shipped)
        events = self._events(order)
        self.assertEqual(events.count("shipped"), 1)
        self.assertNotIn("shipping_reopened", events)
        self.assertEqual(events[-2:], ["delivery_done", "shipped"])

    def test_credit_note_reopens_invoicing(self):
        """A full credit note from Odoo's reversal wizard puts the quantities back to invoice."""
        order = self._create_order(self.customer_1, products=self.consulting)
        order.with_user(self.coordinator).action_confirm()
        invoice = self._invoice(order)
        self.assertTrue(order.date_o2c_invoiced)
        self._credit_note(invoice, "wrong customer")
        self.assertEqual(order.invoice_status, "to invoice")
        self.assertFalse(order.date_o2c_invoiced)
        self.assertFalse(order.date_o2c_paid, "a credited invoice is no payment")
        self.assertEqual(
            set(self._events(order)[-2:]), {"credit_note_posted", "invoicing_reopened"}
        )
        self._invoice(order)
        self.assertTrue(order.date_o2c_invoiced)

    def test_unreconcile_undoes_the_payment(self):
        order = self._create_order(self.customer_1, products=self.consulting)
        order.with_user(self.coordinator).action_confirm()
        invoice = self._invoice(order)
        self._pay(invoice)
        self.assertTrue(order.date_o2c_paid)
        invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).remove_move_reconcile()
        self.assertFalse(order.date_o2c_paid)
        self.assertEqual(self._events(order)[-1], "payment_undone")

    def test_cancel_and_reset(self):
        with freeze_time("2026-03-02 10:00:00"):
            self._stock(self.chair, 5)
            order = self._create_order(self.customer_1, products=self.chair)
            order.with_user(self.coordinator).action_confirm()
            self.assertTrue(order.date_o2c_goods_ready)
        with freeze_time("2026-03-02 12:00:00"):
            order.with_user(self.coordinator)._action_cancel()
            self.assertEqual((order.o2c_stage, order.o2c_next_step), ("cancel", False))
            self.assertEqual(order.date_o2c_entered, datetime(2026, 3, 2, 10, 0), "history kept")
            self.assertFalse(order.is_o2c_late)
        order.with_user(self.coordinator).action_draft()
        self.assertEqual(order.o2c_stage, "request")
        self.assertFalse(order.date_o2c_entered, "back to a quotation: it will be entered again")
        self.assertEqual(self._events(order)[-2:], ["cancelled", "reopened"])

    def test_line_added_on_its_own_reopens_invoicing(self):
        """A line created on a confirmed, fully invoiced order on its own (an external script
        or another module, not through the order's form) makes it "to invoice" again, and so
        does a quantity raised on a line: the ledger says so."""
        order = self._create_order(self.customer_1, products=self.consulting)
        order.action_confirm()
        order._create_invoices().action_post()
        self.assertTrue(order.date_o2c_invoiced)
        line = (
            self.env["sale.order.line"]
            .with_user(self.coordinator)
            .create({"order_id": order.id, "product_id": self.consulting.id})
        )
        self.assertEqual(order.invoice_status, "to invoice")
        self.assertFalse(order.date_o2c_invoiced)
        self.assertEqual(self._events(order)[-1], "invoicing_reopened")
        order._create_invoices().action_post()
        self.assertTrue(order.date_o2c_invoiced)
        line.with_user(self.coordinator).product_uom_qty += 1
        self.assertFalse(order.date_o2c_invoiced)
        self.assertEqual(self._events(order)[-1], "invoicing_reopened")

    def test_entry_user_is_a_person(self):
        """Confirmed by the customer online (portal, as the public user with sudo) or a robot:
        the order was entered by the quotation's internal creator."""
        order = (
            self.env["sale.order"]
            .with_user(self.coordinator)
            .create(
                {
                    "partner_id": self.customer_1.id,
                    "user_id": self.salesperson_1.id,
                    "order_line": [Command.create({"product_id": self.consulting.id})],
                }
            )
        )
        public = self.env.ref("base.public_user")
        order.with_user(public).sudo().action_confirm()
        self.assertEqual(order.order_entry_user_id, self.coordinator)
        entered = order.o2c_event_ids.filtered(lambda e: e.event_type == "entered")
        self.assertEqual(entered.user_id, self.coordinator)

    def test_signature_is_not_written_by_users(self):
        """The customer's signature dates "confirmed by customer": no user writes it (a
        coordinator backdating it a minute before entry would make the entry take 0 h); the
        portal writes it under sudo, and the event is dated by the server's clock."""
        with freeze_time("2026-05-04 09:00:00"):
            order = self._create_order(self.customer_1, products=self.consulting)
            order.action_quotation_sent()
        Order = self.env["sale.order"]
        for values in (
            {"signed_on": "2026-05-04 08:59:00"},
            {"signed_by": "Customer"},
            {"signature": SIGNATURE_PNG},
        ):
            with self.assertRefused(AccessError, "recorded by Odoo"):
                order.with_user(self.coordinator).write(values)
            with self.assertRefused(AccessError, "recorded by Odoo"):
                Order.with_user(self.coordinator).create(
                    {"partner_id": self.customer_1.id, **values}
                )
        self.assertFalse(order.signed_on)
        self.assertFalse(order.date_o2c_customer_confirmed)
        # the portal (sudo) signs: whatever date it writes, the ledger is dated now
        with freeze_time("2026-05-05 10:00:00"):
            order.sudo().write(
                {
                    "signed_by": "Customer",
                    "signed_on": "2026-05-01 08:00:00",
                    "signature": SIGNATURE_PNG,
                }
            )
        self.assertEqual(order.date_o2c_customer_confirmed, datetime(2026, 5, 5, 10, 0))
        # Odoo's reset to quotation clears the signature as the user: allowed
        order.with_user(self.coordinator).action_draft()
        self.assertFalse(order.signature or order.signed_by or order.signed_on)

    def test_claim_events_dated_at_creation(self):
        """A claim's date is what the user says; the ledger dates its opening with the server's
        clock."""
        order = self._create_order(self.customer_1, products=self.consulting)
        order.with_user(self.coordinator).action_confirm()
        Claim = self.env["sales.support.claim"].with_user(self.coordinator)
        values = {
            "partner_id": self.customer_1.id,
            "claim_type": "damaged",
            "date_claim": "2020-01-01 00:00:00",
        }
        with freeze_time("2026-05-06 11:00:00"):
            on_order = Claim.create({**values, "order_id": order.id})
            later = Claim.create(values)
        with freeze_time("2026-05-07 15:00:00"):
            later.order_id = order
        opened = order.o2c_event_ids.filtered(lambda e: e.event_type == "claim_opened")
        self.assertEqual(
            {(e.source_id, e.date) for e in opened},
            {
                (on_order.id, datetime(2026, 5, 6, 11, 0)),
                (later.id, datetime(2026, 5, 7, 15, 0)),
            },
        )

    def test_copy_link_is_not_written_by_users(self):
        """The "copied from" link makes a confirmed copy the replacement of a cancelled order (an
        order-entry error charged to someone): set by the server at copy, never by users."""
        order = self._create_order(self.customer_1, products=self.consulting)
        other = self._create_order(self.customer_1, products=self.consulting)
        copied = order.with_user(self.coordinator).copy()
        self.assertEqual(copied.origin_order_id, order)
        with self.assertRefused(AccessError, "recorded by Odoo"):
            copied.with_user(self.coordinator).write({"origin_order_id": other.id})
        with self.assertRefused(AccessError, "recorded by Odoo"):
            other.with_user(self.coordinator).copy({"origin_order_id": order.id})
        with self.assertRefused(AccessError, "recorded by Odoo"):
            self.env["sale.order"].with_user(self.coordinator).create(
                {"partner_id": self.customer_1.id, "origin_order_id": order.id}
            )
        self.assertEqual(copied.origin_order_id, order)


@tagged("post_install", "-at_install")
class TestPortalSignature(HttpCaseWithUserPortal):
    def test_customer_signs_online(self):
        """Odoo's portal signature (/my/orders/<id>/accept) still signs and confirms the order,
        and the ledger dates it with the server's clock."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_portal.id,
                "require_signature": True,
                "require_payment": False,
                "order_line": [
                    Command.create(
                        {"product_id": self.env["product.product"].create({"name": "Desk"}).id}
                    )
                ],
            }
        )
        order.action_quotation_sent()
        before = datetime.now().replace(microsecond=0)
        self.authenticate(self.user_portal.login, self.user_portal.login)
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {
                "access_token": order._portal_ensure_token(),
                "name": "Joel Willis",
                "signature": SIGNATURE_PNG,
            },
        )
        self.assertFalse(result.get("error"), result)
        self.assertEqual(order.signed_by, "Joel Willis")
        self.assertEqual(order.state, "sale", "signed without payment: confirmed")
        confirmed = order.o2c_event_ids.filtered(lambda e: e.event_type == "customer_confirmed")
        self.assertEqual(confirmed.name, "Signed online by Joel Willis")
        self.assertGreaterEqual(confirmed.date, before)
        self.assertLessEqual(confirmed.date, order.date_o2c_entered)


@tagged("post_install", "-at_install")
class TestO2cFigures(O2cFlowCommon):
    def test_durations_skip_steps_not_reached(self):
        """Averages come from the report view: a step not reached is NULL, not 0 h."""
        with freeze_time("2026-07-01 08:00:00"):
            shipped = self._create_order(self.customer_1, products=self.chair)
            waiting = self._create_order(self.customer_1, products=self.chair)
        self._stock(self.chair, 1)
        with freeze_time("2026-07-01 10:00:00"):
            (shipped | waiting).with_user(self.coordinator).action_confirm()
        with freeze_time("2026-07-01 14:00:00"):
            self._validate(shipped.picking_ids)
        Report = self.env["sales.support.o2c.report"].with_user(self.coordinator)
        rows = Report.search([("order_id", "in", (shipped | waiting).ids)])
        by_order = {row.order_id: row for row in rows}
        self.assertEqual(by_order[shipped].delivery_hours, 4.0)
        self.assertFalse(by_order[waiting].delivery_hours)
        [(avg,)] = Report._read_group(
            [("order_id", "in", (shipped | waiting).ids)], [], ["delivery_hours:avg"]
        )
        self.assertEqual(avg, 4.0, "the order not shipped is left out, not counted as 0 h")
        [(processing,)] = Report._read_group(
            [("order_id", "in", (shipped | waiting).ids)], [], ["processing_hours:avg"]
        )
        self.assertEqual(processing, 2.0)
        # the order form and RPC show a step not reached as blank, not 0 h
        fnames = ["o2c_processing_hours", "o2c_preparation_hours", "o2c_shipping_hours"]
        [values] = waiting.with_user(self.coordinator).read(fnames)
        self.assertEqual(
            [values[f] for f in fnames], [2.0, False, False], "goods not ready: blank, not 0 h"
        )
        [values] = waiting.with_user(self.coordinator).web_read({f: {} for f in fnames})
        self.assertEqual([values[f] for f in fnames], [2.0, False, False])
        self.assertIs(waiting.o2c_shipping_hours, False)
        self.assertEqual(shipped.o2c_preparation_hours + shipped.o2c_shipping_hours, 4.0)

    def test_step_target_change_moves_open_deadlines(self):
        with freeze_time("2026-04-01 09:00:00"):
            order = self._create_order(self.customer_1)
            others = self.env["sale.order"].create(
                [
                    {"partner_id": self.customer_1.id, "user_id": self.salesperson_1.id}
                    for _i in range(30)
                ]
            )
        self.assertEqual(order.date_o2c_next_deadline, datetime(2026, 4, 2, 9, 0), "24 h target")
        shared = self.env.ref("sales_support.o2c_step_quotation_sent")
        self.assertFalse(shared.company_id, "shipped targets apply to every company")
        with self.assertRefused(AccessError, "doesn't have 'write' access"):
            shared.with_user(self.support_manager).target_hours = 4
        # the support manager sets a target of their own company
        step = (
            self.env["sales.support.o2c.step"]
            .with_user(self.support_manager)
            .create({"code": "quotation_sent", "name": "Quotation Sent", "target_hours": 5})
        )
        self.assertEqual(step.company_id, self.company)
        self.assertEqual(order.date_o2c_next_deadline, datetime(2026, 4, 1, 14, 0), "5 h target")
        self.env.flush_all()

        def queries(hours):
            before = self.env.cr.sql_log_count
            step.target_hours = hours
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        queries(4)  # warm-up (caches)
        many = queries(3)  # 31 orders wait for their quotation
        others.action_quotation_sent()
        self.env.flush_all()
        self.assertEqual(queries(2), many, "one UPDATE per target, whatever the number of orders")
        self.assertEqual(order.date_o2c_next_deadline, datetime(2026, 4, 1, 11, 0))
        with self.assertRefused(ValidationError, "positive"):
            step.with_user(self.support_manager).target_hours = 0
        step.with_user(self.support_manager).unlink()
        self.assertEqual(
            order.date_o2c_next_deadline, datetime(2026, 4, 2, 9, 0), "back to the shared target"
        )

    def test_late_invoice_step_only_when_something_to_invoice(self):
        """Invoiced on delivery: nothing to invoice before the shipment, so no 'late invoice'."""
        with freeze_time("2026-04-01 09:00:00"):
            self._stock(self.table, 1)
            order = self._create_order(self.customer_1, products=self.table)
            order.with_user(self.coordinator).action_confirm()
        self.assertEqual(order.o2c_next_step, "shipped")
        self.assertEqual(order.invoice_status, "no")
        with freeze_time("2026-04-20 09:00:00"):
            self._validate(order.picking_ids)
            self.assertEqual(order.o2c_next_step, "invoiced")
            self.assertEqual(order.invoice_status, "to invoice")
            self.assertEqual(
                order.date_o2c_next_deadline, datetime(2026, 4, 21, 9, 0), "24 h after shipment"
            )

    def test_late_activity_text_and_assignee(self):
        self.coordinator.write({"tz": "Asia/Jerusalem", "lang": "en_US"})
        with freeze_time("2026-04-01 09:00:00"):
            order = self._create_order(self.customer_1, products=self.consulting)
        with freeze_time("2026-04-05 10:30:00"):
            self.env["sale.order"]._cron_o2c_late_activities()
            activity = order.activity_ids
            self.assertEqual(activity.user_id, self.coordinator)
            self.assertEqual(activity.summary, "Late: Quotation Sent (3 d 1 h)")
            self.assertIn("was due 4/2/26, 12:00 PM", str(activity.note), "Jerusalem time, not UTC")
            self.assertIn("Send the quotation", str(activity.note))
            self.assertNotIn("(UTC)", str(activity.note))
            self.env["sale.order"]._cron_o2c_late_activities()
            self.assertEqual(order.activity_ids, activity, "once per step")

    def test_step_reached_again_is_reminded_again(self):
        """Reminded for 'invoiced', then invoiced, then credited (invoicing reopens): the step is
        late again and gets a new reminder; the reminder mark follows the order's step."""
        with freeze_time("2026-04-01 09:00:00"):
            order = self._create_order(self.customer_1, products=self.consulting)
            order.with_user(self.coordinator).action_confirm()
        self.assertEqual(order.o2c_next_step, "invoiced")
        with freeze_time("2026-04-10 09:00:00"):
            self.env["sale.order"]._cron_o2c_late_activities()
            self.assertEqual(order.o2c_late_notified_step, "invoiced")
            invoice = self._invoice(order)
            self.assertEqual(order.o2c_next_step, "paid")
            self.assertFalse(order.o2c_late_notified_step, "another step: the mark is cleared")
            self._credit_note(invoice, "wrong price")
            self.assertEqual(order.o2c_next_step, "invoiced")
            self.assertFalse(order.o2c_late_notified_step)
        with freeze_time("2026-04-12 09:00:00"):
            self.env["sale.order"]._cron_o2c_late_activities()
            self.env["sale.order"]._cron_o2c_late_activities()
        reminders = order.activity_ids.filtered(lambda a: "Invoiced" in a.summary)
        self.assertEqual(len(reminders), 2, "late again after the credit note: reminded again")
        self.assertEqual(order.o2c_late_notified_step, "invoiced")

    def test_late_cron_in_batches(self):
        """Inside the cron, one batch per call, oldest deadline first, and Odoo is told how
        many remain; called directly, every batch runs."""
        orders = self.env["sale.order"]
        for hour in (13, 9, 12, 10, 11):  # due 24 h later, the second one first
            with freeze_time(f"2026-04-01 {hour}:00:00"):
                orders |= self._create_order(self.customer_1, products=self.consulting)
        cron = self.env.ref("sales_support.ir_cron_o2c_late_activities")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        Order = self.env["sale.order"].with_context(ir_cron_progress_id=progress.id)
        with freeze_time("2026-04-05 09:00:00"):
            self.assertEqual(Order._cron_o2c_late_activities(batch_size=2), 2)
            self.assertEqual((progress.done, progress.remaining), (2, 3))
            self.assertEqual(
                set(orders.activity_ids.mapped("res_id")),
                {orders[1].id, orders[3].id},
                "the oldest deadlines first (09:00 and 10:00)",
            )
            # Odoo calls again while some remain
            self.assertEqual(Order._cron_o2c_late_activities(batch_size=2), 2)
            self.assertEqual(Order._cron_o2c_late_activities(batch_size=2), 1)
            self.assertEqual(progress.remaining, 0)
            self.assertEqual(len(orders.activity_ids), 5, "one each")
            self.assertEqual(Order._cron_o2c_late_activities(batch_size=2), 0)
        with freeze_time("2026-04-01 09:00:00"):
            more = self.env["sale.order"]
            for _i in range(3):
                more |= self._create_order(self.customer_1, products=self.consulting)
        with freeze_time("2026-04-05 09:00:00"):
            self.assertEqual(
                self.env["sale.order"]._cron_o2c_late_activities(batch_size=2), 3, "all batches"
            )
        self.assertEqual(len(more.activity_ids), 3)

    def test_late_invoice_goes_to_someone_who_can_invoice(self):
        salesperson_4 = new_test_user(
            self.env,
            login="ss_sales_4",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
        )
        with freeze_time("2026-04-01 09:00:00"):
            order = self._create_order(
                self.customer_1, products=self.consulting, user_id=salesperson_4.id
            )
            order.coordinator_id = self.coordinator
            order.with_user(self.coordinator).action_confirm()
        with freeze_time("2026-04-10 09:00:00"):
            self.env["sale.order"]._cron_o2c_late_activities()
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.coordinator)
        self.assertTrue(
            self.coordinator.has_group("account.group_account_invoice"),
            "coordinators may invoice (documented right)",
        )

    def test_history_imported_with_earlier_order_dates(self):
        """Orders imported into Odoo before the install keep their own order date (when they
        were entered) but were created by the import, later: their request cannot be dated
        (empty, as any step that cannot be), and no duration is negative, even after the
        order is reset to quotation and confirmed again."""
        with freeze_time("2026-03-02 10:00:00"):
            order = self._create_order(self.customer_1, products=self.consulting)
            order.with_user(self.coordinator).action_confirm()
        self.env.flush_all()
        # The state the import left: created on April 1st, entered on March 2nd; no ledger.
        self.env.cr.execute("DELETE FROM sales_support_o2c_event WHERE order_id = %s", [order.id])
        self.env.cr.execute(
            "UPDATE sale_order SET create_date = '2026-04-01 08:00:00' WHERE id = %s", [order.id]
        )
        self.env.invalidate_all()
        with freeze_time("2026-11-23 12:00:00"):
            self.env["sale.order"]._o2c_rebuild_ledger(order)
        order = order.with_user(self.coordinator)
        self.assertEqual(order.date_o2c_entered, datetime(2026, 3, 2, 10, 0))
        self.assertFalse(order.date_o2c_request)
        self.env.flush_all()
        report = self.env["sales.support.o2c.report"].with_user(self.coordinator)
        query = report._search([("id", "=", order.id)])
        [(processing,)] = self.env.execute_query(
            query.select(report._field_to_sql(report._table, "processing_hours", query))
        )
        self.assertIsNone(processing, "unknown, not 0 h (averages skip it)")
        # Reset to quotation and confirmed again: still no request date (it does not come
        # back with the import's date when the entry is undone).
        with freeze_time("2026-11-24 09:00:00"):
            order.with_context(disable_cancel_warning=True).action_cancel()
            order.action_draft()
            self.assertFalse(order.date_o2c_request)
            order.action_confirm()
        self.assertFalse(order.date_o2c_request)

    def test_install_on_a_database_with_history(self):
        """Migration-style: orders that lived before the install get their ledger from the source
        records' own dates, and closed orders raise no activity."""
        self._stock(self.chair, 10)
        with freeze_time("2025-09-01 08:00:00"):
            closed = self._create_order(self.customer_1, products=self.chair)
            old_quote = self._create_order(self.customer_1, products=self.chair)
            old_quote.action_quotation_sent()
        with freeze_time("2025-09-02 10:00:00"):
            closed.with_user(self.coordinator).action_confirm()
        with freeze_time("2025-09-03 15:00:00"):
            self._validate(closed.picking_ids)
        with freeze_time("2025-09-05 09:00:00"):
            invoice = self._invoice(closed)
        with freeze_time("2025-10-05 09:00:00"):
            self._pay(invoice)
        orders = closed | old_quote
        # dates without a time (invoice, payment) were given in the company's time zone
        self.company.partner_id.tz = "Europe/Brussels"
        # The state before the install: no ledger, no milestones.
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM sales_support_o2c_event WHERE order_id = ANY(%s)", [orders.ids]
        )
        # create_date is the database's clock, which freezegun does not move: set it as history has
        # it
        self.env.cr.execute(
            "UPDATE sale_order SET create_date = '2025-09-01 08:00:00' WHERE id = ANY(%s)",
            [orders.ids],
        )
        self.env.cr.execute(
            "UPDATE sale_order SET o2c_late_notified_step = NULL WHERE id = ANY(%s)", [orders.ids]
        )
        self.env.invalidate_all()
        self.env.add_to_compute(self.env["sale.order"]._fields["date_o2c_entered"], orders)
        with freeze_time("2026-11-23 12:00:00"):
            self.env["sale.order"]._o2c_rebuild_ledger(orders)
            self.assertEqual(closed.date_o2c_request, datetime(2025, 9, 1, 8, 0))
            self.assertEqual(closed.date_o2c_entered, datetime(2025, 9, 2, 10, 0))
            self.assertEqual(closed.date_o2c_shipped, datetime(2025, 9, 3, 15, 0))
            self.assertFalse(closed.date_o2c_goods_ready, "cannot be dated: stays empty")
            self.assertEqual(
                closed.date_o2c_invoiced,
                datetime(2025, 9, 5, 21, 59, 59),
                "end of the invoice date in Brussels (UTC+2 in summer)",
            )
            self.assertEqual(
                closed.date_o2c_paid, datetime(2025, 10, 5, 21, 59, 59), "reconciliation date"
            )
            self.assertEqual(closed.o2c_stage, "paid")
            self.assertFalse(old_quote.date_o2c_quotation_sent, "when it was sent is not known")
            self.env["sale.order"]._cron_o2c_late_activities()
            self.assertFalse(
                orders.activity_ids, "no late activity for what happened before the install"
            )
            self.assertEqual(self.env["sale.order"]._o2c_rebuild_ledger(orders), 0, "idempotent")

    def test_invoiced_in_los_angeles_never_before_entry(self):
        """An order entered at 17:00 and invoiced at 17:30 in Los Angeles (01:00 and 01:30 UTC the
        next day): the invoice is dated the local day before in UTC terms. Live, "invoiced" is the
        posting; rebuilt, the end of the invoice date in Los Angeles; never before the entry."""
        los_angeles = "America/Los_Angeles"
        self.company.partner_id.tz = los_angeles
        (self.coordinator | self.billing).write({"tz": los_angeles})
        order = self._create_order(self.customer_1, products=self.consulting)
        with freeze_time("2026-12-08 01:00:00"):
            order.with_user(self.coordinator).action_confirm()
        with freeze_time("2026-12-08 01:30:00"):
            invoice = self._invoice(order)
        with freeze_time("2026-12-08 01:45:00"):
            self._pay(invoice)
        self.assertEqual(invoice.invoice_date, datetime(2026, 12, 7).date(), "local date")
        self.assertEqual(order.date_o2c_entered, datetime(2026, 12, 8, 1, 0))
        self.assertEqual(order.date_o2c_invoiced, datetime(2026, 12, 8, 1, 30), "the posting")
        self.assertEqual(order.o2c_invoicing_hours, 0.5)
        self.assertEqual(order.date_o2c_paid, datetime(2026, 12, 8, 1, 45))
        self.assertEqual(order.o2c_payment_hours, 0.25)
        # rebuilt (an install later): the end of December 7 in Los Angeles, 08:00 UTC
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM sales_support_o2c_event WHERE order_id = %s", [order.id])
        self.env.invalidate_all()
        self.env.add_to_compute(order._fields["date_o2c_entered"], order)
        with freeze_time("2026-12-20 12:00:00"):
            self.env["sale.order"]._o2c_rebuild_ledger(order)
        self.assertEqual(order.date_o2c_invoiced, datetime(2026, 12, 8, 7, 59, 59))
        self.assertEqual(order.date_o2c_paid, datetime(2026, 12, 8, 7, 59, 59))
        self.assertGreaterEqual(order.o2c_invoicing_hours, 0.0)
        self.assertEqual(order.o2c_payment_hours, 0.0)
        # rebuilt the same evening: never in the future
        self.env.cr.execute("DELETE FROM sales_support_o2c_event WHERE order_id = %s", [order.id])
        self.env.invalidate_all()
        self.env.add_to_compute(order._fields["date_o2c_entered"], order)
        with freeze_time("2026-12-08 02:00:00"):
            self.env["sale.order"]._o2c_rebuild_ledger(order)
        self.assertEqual(order.date_o2c_invoiced, datetime(2026, 12, 8, 2, 0))

    def test_payment_due_at_the_end_of_the_due_day_where_the_company_is(self):
        """Invoiced on December 7 in Los Angeles, due immediately: the payment is due at the end
        of December 7 there (08:00 UTC on the 8th), not at the end of the 7th in UTC (16:00 in
        Los Angeles), and the order is late on it only after that."""
        self.company.partner_id.tz = "America/Los_Angeles"
        self.customer_1.property_payment_term_id = self.env.ref(
            "account.account_payment_term_immediate"
        )
        order = self._create_order(self.customer_1, products=self.consulting)
        with freeze_time("2026-12-07 18:00:00"):  # 10:00 in Los Angeles
            order.with_user(self.coordinator).action_confirm()
            invoice = self._invoice(order)
        self.assertEqual(invoice.invoice_date_due, datetime(2026, 12, 7).date())
        self.assertEqual(order.o2c_next_step, "paid")
        self.assertEqual(order.date_o2c_next_deadline, datetime(2026, 12, 8, 7, 59, 59))
        with freeze_time("2026-12-08 07:00:00"):  # 23:00 on the 7th in Los Angeles
            order.invalidate_recordset(["is_o2c_late"])
            self.assertFalse(order.is_o2c_late, "still the due day where the company is")
        with freeze_time("2026-12-08 08:30:00"):
            order.invalidate_recordset(["is_o2c_late"])
            self.assertTrue(order.is_o2c_late)

    def test_install_dates_passed_steps_from_the_chatter(self):
        """The post-init hook on orders that lived before the install: a quotation already sent and
        goods already reserved are passed steps, dated from the chatter (state tracking) where it
        has them, else passed at no known time: never late on them. The request step is the
        customer request's reception, as in the live path."""
        tracked = {"tracking_disable": False, "mail_notrack": False}
        request = (
            self.env["sales.support.request"]
            .with_user(self.coordinator)
            .create(
                {
                    "subject": "Quote for chairs",
                    "partner_id": self.customer_1.id,
                    "type_id": self.env.ref("sales_support.request_type_quotation").id,
                    "date_received": datetime(2025, 8, 29, 7, 0),
                }
            )
        )
        with freeze_time("2025-09-01 08:00:00"):
            sent = self._create_order(self.customer_1, support_request_id=request.id)
            sent_untracked = self._create_order(self.customer_1)
            waiting = self._create_order(self.customer_1, products=self.chair)
            ready_untracked = self._create_order(self.customer_1, products=self.chair)
            self.env.cr.flush()  # as if committed: new records are not tracked
        with freeze_time("2025-09-01 10:00:00"):
            sent.with_user(self.salesperson_1).with_context(**tracked).action_quotation_sent()
            self.env.cr.flush()  # tracking messages are posted at commit time
            sent_untracked.with_user(self.salesperson_1).action_quotation_sent()
            waiting.with_user(self.coordinator).action_confirm()  # no stock: waiting
            self.env.cr.flush()
        with freeze_time("2025-09-03 15:00:00"):
            self._stock(self.chair, 1)
            waiting.picking_ids.with_user(self.coordinator).with_context(**tracked).action_assign()
            self.env.cr.flush()
            self._stock(self.chair, 1)
            ready_untracked.with_user(self.coordinator).action_confirm()
        orders = sent | sent_untracked | waiting | ready_untracked
        self.assertEqual(waiting.picking_ids.state, "assigned")
        self.assertEqual(ready_untracked.picking_ids.state, "assigned")
        # The state before the install: no ledger, no milestones.
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM sales_support_o2c_event WHERE order_id = ANY(%s)", [orders.ids]
        )
        self.env.cr.execute(
            "UPDATE sale_order SET create_date = '2025-09-01 08:00:00', "
            "o2c_late_notified_step = NULL WHERE id = ANY(%s)",
            [orders.ids],
        )
        self.env.invalidate_all()
        self.env.add_to_compute(self.env["sale.order"]._fields["date_o2c_entered"], orders)
        with freeze_time("2026-11-23 12:00:00"):
            _post_init_hook(self.env)  # what the manifest runs at install
            self.env.flush_all()
            self.assertEqual(sent.date_o2c_request, datetime(2025, 8, 29, 7, 0), "the request")
            self.assertEqual(
                sent.o2c_event_ids.filtered(lambda e: e.step == "request").source_ref, request
            )
            self.assertEqual(sent.date_o2c_quotation_sent, datetime(2025, 9, 1, 10, 0))
            self.assertEqual(sent.o2c_stage, "quotation_sent")
            self.assertEqual(sent.o2c_next_step, "customer_confirmed")
            self.assertEqual(sent_untracked.o2c_stage, "quotation_sent", "state 'sent' says it")
            self.assertFalse(sent_untracked.date_o2c_quotation_sent, "not dated: stays empty")
            self.assertFalse(sent_untracked.date_o2c_next_deadline)
            self.assertFalse(sent_untracked.is_o2c_late)
            self.assertEqual(waiting.date_o2c_goods_ready, datetime(2025, 9, 3, 15, 0))
            self.assertEqual(waiting.o2c_stage, "goods_ready")
            self.assertEqual(waiting.o2c_next_step, "shipped")
            self.assertEqual(ready_untracked.o2c_stage, "entered")
            self.assertFalse(ready_untracked.date_o2c_goods_ready, "not dated: stays empty")
            self.assertFalse(ready_untracked.date_o2c_next_deadline, "ready: not due any more")
            self.assertFalse(ready_untracked.is_o2c_late)
            for order in orders:
                self.assertNotIn(
                    order.o2c_late_step, ("request", "quotation_sent", "goods_ready"), order.name
                )
            self.assertEqual(
                self.env["sale.order"].search(
                    [("id", "in", orders.ids), ("is_o2c_late", "=", True)]
                ),
                sent | waiting,
                "late only on what they still wait for: the customer, the shipment",
            )
            self.env["sale.order"]._cron_o2c_late_activities()
            self.assertFalse(orders.activity_ids, "nothing from before the install")
            # a new target of the step does not make it due either (bounded UPDATE)
            self.env.ref("sales_support.o2c_step_goods_ready").target_hours = 1
            self.assertFalse(ready_untracked.date_o2c_next_deadline)
            self.assertFalse(ready_untracked.is_o2c_late)

    def test_late_cron_bounded_in_queries(self):
        """The late cron reads only the orders not yet reminded; its queries do not grow with the
        number of late orders."""
        Order = self.env["sale.order"]

        def make_late(count):
            with freeze_time("2026-04-01 09:00:00"):
                return Order.create(
                    [
                        {"partner_id": self.customer_1.id, "user_id": self.salesperson_1.id}
                        for _i in range(count)
                    ]
                )

        def cron_queries():
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            with freeze_time("2026-04-10 09:00:00"):
                created = Order._cron_o2c_late_activities()
            self.env.flush_all()
            return created, self.env.cr.sql_log_count - before

        make_late(3)
        cron_queries()  # warm-up: reminds every late order of the database
        make_late(5)
        created_few, few = cron_queries()
        make_late(50)
        created_many, many = cron_queries()
        self.assertEqual((created_few, created_many), (5, 50))
        self.assertLessEqual(many, few + 5, "batched: not a query per order")
        nothing, idle = cron_queries()
        self.assertEqual(nothing, 0)
        self.assertLessEqual(idle, 3, "every late order already reminded: one query")


@tagged("post_install", "-at_install")
class TestO2cOtherDepartments(O2cFlowCommon):
    """Accountants and warehouse users do their part without Sales Support rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="ss_accountant",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
        )
        cls.storekeeper = new_test_user(
            cls.env,
            login="ss_storekeeper",
            groups="stock.group_stock_user",
            company_id=cls.company.id,
        )

    def test_warehouse_and_accounting_run_the_flow(self):
        self._stock(self.chair, 5)
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.coordinator).action_confirm()
        self._validate(order.picking_ids, user=self.storekeeper)
        self.assertTrue(order.date_o2c_shipped)
        invoice = order.with_user(self.coordinator)._create_invoices()
        invoice.with_user(self.accountant).action_post()
        self.assertTrue(order.date_o2c_invoiced)
        self.env["account.payment.register"].with_user(self.accountant).with_context(
            active_model="account.move",
            active_ids=invoice.ids,
        ).create({})._create_payments()
        self.assertEqual(order.o2c_stage, "paid")
        posted = order.o2c_event_ids.filtered(lambda e: e.event_type == "invoice_posted")
        self.assertEqual(posted.user_id, self.accountant, "the accountant posted it")

    def test_exchange_flag_is_not_written_by_users(self):
        """Moves marked as a claim replacement do not count as the shipment: a warehouse user who
        marks the moves of a delivery must not close the order's shipment without shipping."""
        self._stock(self.chair, 5)
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.coordinator).action_confirm()
        delivery = order.picking_ids
        for user in (self.storekeeper, self.coordinator):
            with self.assertRefused(AccessError, "Claim Replacement"):
                delivery.move_ids.with_user(user).write({"is_o2c_exchange": True})
            with self.assertRefused(AccessError, "Claim Replacement"):
                delivery.move_ids.with_user(user).write({"is_o2c_exchange_counted": True})
        move = delivery.move_ids
        with self.assertRefused(AccessError, "Claim Replacement"):
            self.env["stock.move"].with_user(self.storekeeper).create(
                {
                    "name": "Chair",
                    "product_id": self.chair.id,
                    "product_uom_qty": 1,
                    "product_uom": self.chair.uom_id.id,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "picking_id": delivery.id,
                    "is_o2c_exchange": True,
                }
            )
        self.assertFalse(delivery._is_o2c_exchange())
        self.assertEqual(order.o2c_next_step, "shipped")
        self._validate(delivery, user=self.storekeeper)
        self.assertEqual(self._events(order)[-2:], ["delivery_done", "shipped"])

    def test_order_form_opens_for_warehouse_and_accounting(self):
        order = self._create_order(self.customer_1, products=self.chair)
        order.action_confirm()
        for user in (self.storekeeper, self.accountant):
            Order = self.env["sale.order"].with_user(user)
            arch = Order.get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertNotIn('name="o2c_event_ids"', arch)
            self.assertNotIn("claim_count", arch)
            Order.browse(order.id).read(["name", "o2c_stage", "date_o2c_entered"])

    def test_paid_never_before_invoiced(self):
        """A prepayment registered before the invoice: the order is paid when it is invoiced."""
        order = self._create_order(self.customer_1, products=self.consulting)
        with freeze_time("2026-06-01 09:00:00"):
            order.with_user(self.coordinator).action_confirm()
            invoice = order.with_user(self.billing)._create_invoices()
        with freeze_time("2026-06-10 09:00:00"):
            invoice.with_user(self.billing).action_post()
            self._pay(invoice)
        self.assertGreaterEqual(order.date_o2c_paid, order.date_o2c_invoiced)
