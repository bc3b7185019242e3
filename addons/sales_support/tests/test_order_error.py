import json
from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import SalesSupportCommon


def client_call(records, method, *args, **kwargs):
    """Call ``method`` the way the web client and RPC clients do (``odoo.api.call_kw``)."""
    if method == "create":
        return call_kw(records, method, list(args), kwargs)
    return call_kw(records, method, [records.ids, *args], kwargs)


@tagged("post_install", "-at_install")
class TestOrderError(SalesSupportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Error = cls.env["sales.support.order.error"]
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.lathe.write({"is_storable": True, "taxes_id": [Command.clear()]})
        cls.drill = cls.env["product.product"].create(
            {
                "name": "Drill",
                "is_storable": True,
                "list_price": 80.0,
                "taxes_id": [Command.clear()],
            }
        )
        for product in (cls.lathe, cls.drill):
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, 50
            )
        cls.order = cls._create_order(cls.customer_1, products=cls.lathe)
        cls.order.with_user(cls.coordinator).action_confirm()

    def _errors(self, order=None):
        return self.Error.search([("order_id", "=", (order or self.order).id)])

    def _save(self, user, vals, order=None):
        """The order form's Save button: ``web_save`` over the web client's RPC."""
        order = (order or self.order).with_user(user)
        return client_call(order, "web_save", vals, specification={})

    # ------------------------------------------------------------
    # Who edits: people, not the system
    # ------------------------------------------------------------
    def test_person_edit_after_confirmation_is_logged(self):
        line = self.order.order_line
        self._save(
            self.salesperson_1,
            {"order_line": [Command.update(line.id, {"product_uom_qty": 3, "price_unit": 900})]},
        )
        errors = self._errors()
        self.assertEqual(sorted(errors.mapped("error_type")), ["price", "quantity"])
        self.assertEqual(self.order.order_entry_user_id, self.coordinator)
        self.assertEqual(errors.responsible_user_id, self.coordinator, "who entered the order")
        self.assertEqual(set(errors.mapped("origin")), {"edit"})
        self.assertEqual(set(errors.mapped("found_by")), {"internal"})
        self.assertIn(
            "1.0 to 3.0", errors.filtered(lambda e: e.error_type == "quantity").description
        )
        address = self.env["res.partner"].create(
            {"name": "Dock 4", "parent_id": self.customer_1.id, "type": "delivery"}
        )
        terms = self.env.ref("account.account_payment_term_30days")
        # the same edits over XML-RPC / JSON-RPC: a top-level write
        client_call(
            self.order.with_user(self.salesperson_1), "write", {"partner_shipping_id": address.id}
        )
        client_call(
            self.order.with_user(self.salesperson_1), "write", {"payment_term_id": terms.id}
        )
        self.assertEqual(
            sorted(self._errors().mapped("error_type")), ["address", "price", "quantity", "terms"]
        )
        self.assertEqual(self.order.order_error_count, 4)
        # writing the same value again is no error
        client_call(
            self.order.with_user(self.salesperson_1), "write", {"payment_term_id": terms.id}
        )
        self.assertEqual(len(self._errors()), 4)
        events = self.env["sales.support.o2c.event"].search(
            [("order_id", "=", self.order.id), ("event_type", "=", "order_error")]
        )
        self.assertEqual(len(events), 4, "each error is an event of the order's ledger")
        self.assertEqual(set(events.mapped("source_model")), {"sales.support.order.error"})
        self.assertEqual(set(events.mapped("source_id")), set(self._errors().ids))

    def test_system_writes_are_not_errors(self):
        line = self.order.order_line
        # Odoo's own server-side flows write order lines: a direct write outside any client call
        line.with_user(self.coordinator).write({"price_unit": 950.0, "product_uom_qty": 2})
        self.assertFalse(self._errors(), "no person asked for it through the client")
        # "Update Prices": Odoo recomputes the prices from the pricelist
        self.lathe.list_price = 1200.0
        client_call(self.order.with_user(self.coordinator), "action_update_prices")
        self.assertEqual(line.price_unit, 1200.0)
        self.assertFalse(self._errors())
        # delivering a product that is not on the order: sale_stock adds the line itself
        picking = self.order.picking_ids
        picking.with_user(self.coordinator).write(
            {
                "move_ids": [
                    Command.create(
                        {
                            "name": "Drill",
                            "product_id": self.drill.id,
                            "product_uom_qty": 1,
                            "quantity": 1,
                            "product_uom": self.drill.uom_id.id,
                            "location_id": picking.location_id.id,
                            "location_dest_id": picking.location_dest_id.id,
                        }
                    )
                ]
            }
        )
        for move in picking.move_ids.with_user(self.coordinator):
            move.write({"quantity": move.product_uom_qty, "picked": True})
        client_call(
            picking.with_user(self.coordinator), "button_validate", context={"skip_backorder": True}
        )
        self.assertEqual(picking.state, "done")
        self.assertIn(
            self.drill, self.order.order_line.product_id, "Odoo added the delivered drill"
        )
        self.assertEqual(line.qty_delivered, 2.0)
        # invoicing writes the invoiced quantities
        invoice = self.order._create_invoices()
        invoice.action_post()
        self.assertFalse(self._errors(), "delivery, pricing and invoicing are the system's work")

    def test_discount_button_on_a_confirmed_order_is_a_price_error(self):
        """Odoo's Discount button, used by a person on a confirmed order: a discount on every
        line, or a discount line, is a price change charged to who entered the order."""
        Discount = self.env["sale.order.discount"].with_user(self.salesperson_1)
        on_lines = Discount.create(
            {
                "sale_order_id": self.order.id,
                "discount_type": "sol_discount",
                "discount_percentage": 0.1,
            }
        )
        client_call(on_lines, "action_apply_discount")
        self.assertEqual(self.order.order_line.discount, 10.0)
        error = self._errors()
        self.assertEqual(error.error_type, "price")
        self.assertEqual(error.responsible_user_id, self.coordinator, "who entered the order")
        self.company.sale_discount_product_id = self.env["product.product"].create(
            {"name": "Discount", "type": "service", "invoice_policy": "order"}
        )
        global_discount = Discount.create(
            {
                "sale_order_id": self.order.id,
                "discount_type": "amount",
                "discount_amount": 50.0,
            }
        )
        client_call(global_discount, "action_apply_discount")
        errors = self._errors()
        self.assertEqual(len(errors), 2)
        self.assertEqual(set(errors.mapped("error_type")), {"price"}, "a discount line: price")
        # the same wizard run by a server flow (not a person's click) logs nothing
        Discount.create(
            {"sale_order_id": self.order.id, "discount_type": "amount", "discount_amount": 5.0}
        ).action_apply_discount()
        self.assertEqual(len(self._errors()), 2)

    def test_price_from_the_pricelist_is_not_an_error(self):
        """The form recomputes the price when the quantity changes (technical_price_unit follows
        it): only the quantity is the person's change."""
        line = self.order.order_line
        self._save(
            self.salesperson_1,
            {
                "order_line": [
                    Command.update(
                        line.id,
                        {"product_uom_qty": 4, "price_unit": 990.0, "technical_price_unit": 990.0},
                    )
                ]
            },
        )
        self.assertEqual(self._errors().mapped("error_type"), ["quantity"])

    def test_lines_added_and_removed(self):
        self._save(
            self.salesperson_1,
            {"order_line": [Command.create({"product_id": self.drill.id, "product_uom_qty": 2})]},
        )
        error = self._errors()
        self.assertEqual(error.error_type, "product")
        self.assertIn("line added: Drill", error.description)
        drill_line = self.order.order_line.filtered(lambda line: line.product_id == self.drill)
        # Odoo keeps the lines of a confirmed order: a line is removed by setting its quantity to 0
        self._save(
            self.coordinator,
            {"order_line": [Command.update(drill_line.id, {"product_uom_qty": 0})]},
        )
        removed = self._errors() - error
        self.assertEqual(removed.error_type, "product")
        self.assertIn("line removed: Drill", removed.description)
        # and Odoo refuses to delete it: nothing is logged by the refused attempt
        with self.assertRaises(UserError):
            self._save(self.coordinator, {"order_line": [Command.delete(drill_line.id)]})
        self.assertEqual(len(self._errors()), 2)
        # sections and notes are no order entry
        self._save(
            self.coordinator,
            {"order_line": [Command.create({"display_type": "line_note", "name": "Fragile"})]},
        )
        self.assertEqual(len(self._errors()), 2)

    def test_quotation_edits_are_not_errors(self):
        quotation = self._create_order(self.customer_1)
        self._save(
            self.salesperson_1,
            {
                "payment_term_id": self.env.ref("account.account_payment_term_30days").id,
                "order_line": [Command.update(quotation.order_line.id, {"product_uom_qty": 7})],
            },
            order=quotation,
        )
        self.assertFalse(self._errors(quotation))

    # ------------------------------------------------------------
    # Customer requests, notification
    # ------------------------------------------------------------
    def test_change_asked_by_the_customer(self):
        line = self.order.order_line
        client_call(
            self.order.with_user(self.coordinator),
            "web_save",
            {"order_line": [Command.update(line.id, {"product_uom_qty": 2})]},
            specification={},
            context={"sales_support_customer_request": True},
        )
        asked = self._errors()
        self.assertTrue(asked.is_customer_request, "the flag given while editing marks the change")
        self._save(
            self.salesperson_1, {"order_line": [Command.update(line.id, {"product_uom_qty": 3})]}
        )
        error = self._errors() - asked
        self.assertFalse(error.is_customer_request)
        # the salesperson may read the error but not mark it; whoever is charged with it does
        # not judge it either (the error rate feeds pay); a customer-service manager marks it
        with self.assertRaises(AccessError):
            error.with_user(self.salesperson_1).action_mark_customer_request()
        self.assertEqual(error.responsible_user_id, self.coordinator, "the coordinator entered it")
        with self.assertRaisesRegex(AccessError, "You are charged with"):
            error.with_user(self.coordinator).action_mark_customer_request()
        with self.assertRaisesRegex(AccessError, "You are charged with"):
            error.with_user(self.coordinator).write({"cost": 0.0})
        error.with_user(self.support_manager).action_mark_customer_request()
        self.assertTrue(error.is_customer_request)
        self.assertFalse(
            self.Error.search_count(
                [("order_id", "=", self.order.id), ("is_customer_request", "=", False)]
            ),
            "no error left in the error rate",
        )
        error.with_user(self.support_manager).action_unmark_customer_request()
        self.assertFalse(error.is_customer_request)

    def test_person_is_told_on_save(self):
        self.env.cr.precommit.data.pop("bus.bus.values", None)
        line = self.order.order_line
        self._save(self.salesperson_1, {"order_line": [Command.update(line.id, {"discount": 10})]})
        error = self._errors()
        self.assertEqual(error.error_type, "price")
        notifications = [
            json.loads(values["message"])
            for values in self.env.cr.precommit.data.get("bus.bus.values", [])
        ]
        simple = [n["payload"] for n in notifications if n["type"] == "simple_notification"]
        self.assertEqual(len(simple), 1)
        self.assertEqual(simple[0]["title"], "Order-entry error logged")
        self.assertIn(self.order.name, simple[0]["message"])
        self.assertIn("Price", simple[0]["message"])
        note = self.order.message_ids.filtered(
            lambda m: "Order-entry error logged" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.salesperson_1.partner_id)
        self.assertIn(f'data-oe-id="{error.id}"', note.body)

    # ------------------------------------------------------------
    # Who is charged
    # ------------------------------------------------------------
    def test_charged_to_who_entered_never_a_robot(self):
        # a payment robot (superuser) confirms the salesperson's quotation
        quotation = (
            self.env["sale.order"]
            .with_user(self.salesperson_1)
            .create(
                {
                    "partner_id": self.customer_1.id,
                    "order_line": [
                        Command.create({"product_id": self.lathe.id, "product_uom_qty": 1})
                    ],
                }
            )
        )
        quotation.sudo().action_confirm()
        self.assertNotEqual(quotation.order_entry_user_id, self.env.ref("base.user_root"))
        self._save(
            self.coordinator,
            {"order_line": [Command.update(quotation.order_line.id, {"product_uom_qty": 5})]},
            order=quotation,
        )
        error = self._errors(quotation)
        self.assertTrue(error)
        self.assertNotEqual(error.responsible_user_id, self.env.ref("base.user_root"))
        self.assertEqual(error.responsible_user_id, self.salesperson_1, "the quotation's creator")
        # an order with no entry user falls back on the salesperson
        quotation.sudo().order_entry_user_id = False
        self.assertEqual(self.Error._get_responsible(quotation), self.salesperson_1)
        # a portal user is never charged
        portal = new_test_user(self.env, login="ss_portal_buyer", groups="base.group_portal")
        with self.assertRefused(ValidationError, "not an employee"):
            self.Error.with_user(self.coordinator).create(
                {"order_id": self.order.id, "responsible_user_id": portal.id, "error_type": "price"}
            )
        with self.assertRefused(ValidationError, "not an employee"):
            self.Error.with_user(self.coordinator).create(
                {
                    "order_id": self.order.id,
                    "responsible_user_id": self.env.ref("base.user_root").id,
                    "error_type": "price",
                }
            )

    # ------------------------------------------------------------
    # Cancelled and replaced
    # ------------------------------------------------------------
    def test_cancelled_and_replaced_by_a_copy(self):
        self.order.with_user(self.coordinator)._action_cancel()
        replacement = self.order.with_user(self.coordinator).copy()
        self.assertEqual(replacement.origin_order_id, self.order)
        replacement.order_line.product_uom_qty = 5
        replacement.with_user(self.coordinator).action_confirm()
        errors = self._errors()
        self.assertEqual(errors.mapped("error_type"), ["quantity"])
        self.assertEqual(errors.origin, "replacement")
        self.assertEqual(errors.replacement_order_id, replacement)
        self.assertEqual(errors.responsible_user_id, self.coordinator)
        self.assertFalse(self._errors(replacement))
        # an identical re-entry is a duplicate; the copy may also be made before the cancellation
        second = self._create_order(self.customer_1, products=self.lathe)
        second.with_user(self.coordinator).action_confirm()
        twin = second.with_user(self.coordinator).copy()
        twin.with_user(self.coordinator).action_confirm()
        self.assertFalse(self._errors(second))
        second.with_user(self.coordinator)._action_cancel()
        self.assertEqual(self._errors(second).mapped("error_type"), ["duplicate"])

    def test_a_copy_made_later_is_no_replacement(self):
        self.assertEqual(self.company.support_replacement_window_days, 7)
        now = fields.Datetime.now()
        with freeze_time(now - timedelta(days=90)):
            self.order.with_user(self.coordinator)._action_cancel()
        much_later = self.order.with_user(self.coordinator).copy()
        much_later.with_user(self.coordinator).action_confirm()
        self.assertFalse(
            self._errors(), "a copy made 90 days after the cancellation is a new order"
        )
        # within the window (3 days) it is a replacement
        other = self._create_order(self.customer_1, products=self.lathe)
        other.with_user(self.coordinator).action_confirm()
        with freeze_time(now - timedelta(days=3)):
            other.with_user(self.coordinator)._action_cancel()
        copy = other.with_user(self.coordinator).copy()
        copy.with_user(self.coordinator).action_confirm()
        self.assertEqual(self._errors(other).mapped("error_type"), ["duplicate"])
        # a quotation that was never entered is never replaced
        quotation = self._create_order(self.customer_1, products=self.lathe)
        quotation._action_cancel()
        quotation.copy().with_user(self.coordinator).action_confirm()
        self.assertFalse(self._errors(quotation))
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.company.support_replacement_window_days = -1

    # ------------------------------------------------------------
    # Logged by hand, from a claim
    # ------------------------------------------------------------
    def test_claim_with_order_entry_root_cause_logs_error(self):
        # the claimed lathe must have been delivered (claimed quantities are capped by it)
        picking = self.order.picking_ids
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking.button_validate()
        claim = (
            self.env["sales.support.claim"]
            .with_user(self.coordinator)
            .create(
                {
                    "partner_id": self.customer_1.id,
                    "order_id": self.order.id,
                    "claim_type": "wrong_item",
                    "line_ids": [Command.create({"product_id": self.lathe.id, "quantity": 1})],
                }
            )
        )
        self.assertFalse(claim.order_error_ids)
        with self.assertRefused(ValidationError, "say who made it"):
            claim.root_cause = "order_entry"
        claim.write({"root_cause": "order_entry", "responsible_user_id": self.coordinator.id})
        error = claim.order_error_ids
        self.assertEqual(error.error_type, "product")
        self.assertEqual(error.found_by, "customer")
        self.assertEqual(error.cost, 1000.0)
        claim.claim_type = "short"
        self.assertEqual(len(claim.order_error_ids), 1, "logged once")

    def test_manual_error_and_access(self):
        with freeze_time("2026-12-06 10:00:00"):
            error = self.Error.with_user(self.coordinator).create(
                {
                    "order_id": self.order.id,
                    "responsible_user_id": self.salesperson_1.id,
                    "error_type": "address",
                    "found_by": "customer",
                    "cost": 35.0,
                    "date_found": "2025-01-15 10:00:00",
                }
            )
        self.assertEqual(error.date_found, datetime(2025, 1, 15, 10, 0), "what they say")
        event = self.env["sales.support.o2c.event"].search(
            [("source_model", "=", error._name), ("source_id", "=", error.id)]
        )
        self.assertEqual(
            event.date, datetime(2026, 12, 6, 10, 0), "the ledger is dated by the server"
        )
        self.assertEqual(error.coordinator_id, self.coordinator)
        self.assertEqual(error.company_id, self.order.company_id)
        with self.assertRaises(AccessError):
            self.Error.with_user(self.assistant).create(
                {
                    "order_id": self.order.id,
                    "responsible_user_id": self.salesperson_1.id,
                    "error_type": "price",
                }
            )
        self.assertFalse(self.Error.with_user(self.coordinator_2).search([("id", "=", error.id)]))
        with self.assertRefused(ValidationError, "cannot be negative"):
            error.cost = -1

    def test_new_error_form_finds_the_order(self):
        """Order-Entry Errors > New: the Order field searches the orders before any is chosen (its
        domain must not read the company, which comes from the order)."""
        Error = self.Error.with_user(self.coordinator)
        domain = Error.fields_get(["order_id"])["order_id"].get("domain") or "[]"
        self.assertNotIn("company_id", str(domain))
        form = Form(Error)
        self.assertFalse(form.company_id)
        found = (
            self.env["sale.order"]
            .with_user(self.coordinator)
            .name_search(self.order.name, args=[("state", "in", ("sale", "cancel"))])
        )
        self.assertEqual([order_id for order_id, _name in found], self.order.ids)
        form.order_id = self.order
        form.responsible_user_id = self.coordinator
        form.error_type = "price"
        error = form.save()
        self.assertEqual(error.company_id, self.company)

    def test_log_entry_error_button(self):
        action = self.order.with_user(self.coordinator).action_log_order_error()
        self.assertEqual(
            (action["res_model"], action["target"]), ("sales.support.order.error", "new")
        )
        self.assertFalse(self._errors(), "nothing is saved before the user saves")
        form = Form(self.Error.with_user(self.coordinator).with_context(**action["context"]))
        self.assertEqual(form.order_id, self.order)
        self.assertEqual(form.responsible_user_id, self.coordinator, "who entered the order")
        form.error_type = "address"
        form.description = "Shipped to the head office instead of the plant"
        error = form.save()
        self.assertEqual(self._errors(), error)
        self.assertEqual(error.origin, "manual")
        quotation = self._create_order(self.customer_1)
        with self.assertRefused(UserError, "is a quotation"):
            quotation.with_user(self.coordinator).action_log_order_error()
        with self.assertRaises(AccessError):
            self.order.with_user(self.salesperson_1).action_log_order_error()

    def test_buttons_of_the_order_form_per_role(self):
        """Assistants do not deal with customers: no Open Claim, no Log Entry Error."""

        def buttons(user):
            arch = (
                self.env["sale.order"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            return {node.get("name") for node in etree.fromstring(arch).iter("button")}

        assistant = buttons(self.assistant)
        self.assertNotIn("action_create_claim", assistant)
        self.assertNotIn("action_log_order_error", assistant)
        self.assertFalse(
            {
                "action_confirm",
                "action_cancel",
                "action_draft",
                "action_view_invoice",
                "action_quotation_send",
            }
            & assistant,
            "assistants read orders but do not work them",
        )
        coordinator = buttons(self.coordinator)
        self.assertIn("action_create_claim", coordinator)
        self.assertIn("action_log_order_error", coordinator)
        self.assertTrue(
            {"action_confirm", "action_cancel", "action_draft", "action_view_invoice"}
            <= coordinator
        )
        self.assertIn("action_log_order_error", buttons(self.support_manager))
        salesperson = buttons(self.salesperson_1)
        self.assertIn("action_create_claim", salesperson)
        self.assertNotIn("action_log_order_error", salesperson, "salespeople do not log errors")


@tagged("post_install", "-at_install")
class TestClaimBadInput(SalesSupportCommon):
    def test_negative_quantity_writes_nothing(self):
        order = self._create_order(self.customer_1)
        count = self.env["sales.support.claim"].search_count([])
        with self.assertRefused(ValidationError, "must be positive"):
            self.env["sales.support.claim"].with_user(self.coordinator).create(
                {
                    "partner_id": self.customer_1.id,
                    "order_id": order.id,
                    "line_ids": [Command.create({"product_id": self.product.id, "quantity": -2})],
                }
            )
        self.assertEqual(self.env["sales.support.claim"].search_count([]), count)

    def test_claim_on_another_customers_order(self):
        order_3 = self._create_order(self.customer_3)
        count = self.env["sales.support.claim"].search_count([])
        with self.assertRefused(ValidationError, "is an order of Customer of Sales 3"):
            self.env["sales.support.claim"].create(
                {"partner_id": self.customer_1.id, "order_id": order_3.id}
            )
        self.assertEqual(self.env["sales.support.claim"].search_count([]), count)

    def test_return_needs_lines_and_delivery(self):
        claim = (
            self.env["sales.support.claim"]
            .with_user(self.coordinator)
            .create({"partner_id": self.customer_1.id})
        )
        with self.assertRefused(UserError, "Add the claimed products"):
            claim.action_create_return()
        claim.line_ids = [Command.create({"product_id": self.product.id, "quantity": 1})]
        with self.assertRefused(UserError, "Choose the delivery"):
            claim.action_create_return()
        with self.assertRefused(UserError, "Choose the invoice"):
            claim.action_create_credit_note()
        with self.assertRefused(UserError, "Choose how"):
            claim.action_resolve()
