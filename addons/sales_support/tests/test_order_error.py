from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestOrderError(SalesSupportCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Error = cls.env["sales.support.order.error"]
        cls.order = cls._create_order(cls.customer_1, products=cls.lathe)
        cls.order.with_user(cls.coordinator).action_confirm()

    def _errors(self, order=None):
        return self.Error.search([("order_id", "=", (order or self.order).id)])

    def test_edit_after_confirmation_is_logged(self):
        line = self.order.order_line
        self.order.with_user(self.salesperson_1).write({
            "order_line": [Command.update(line.id, {"product_uom_qty": 3, "price_unit": 900})]})
        errors = self._errors()
        self.assertEqual(sorted(errors.mapped("error_type")), ["price", "quantity"])
        self.assertEqual(errors.responsible_user_id, self.coordinator, "who entered the order")
        self.assertEqual(set(errors.mapped("origin")), {"edit"})
        self.assertEqual(set(errors.mapped("found_by")), {"internal"})
        self.assertIn("1.0 to 3.0", errors.filtered(lambda e: e.error_type == "quantity").description)
        address = self.env["res.partner"].create({"name": "Dock 4", "parent_id": self.customer_1.id, "type": "delivery"})
        self.order.partner_shipping_id = address
        self.order.payment_term_id = self.env.ref("account.account_payment_term_30days")
        self.assertEqual(sorted(self._errors().mapped("error_type")), ["address", "price", "quantity", "terms"])
        self.assertEqual(self.order.order_error_count, 4)
        # writing the same value again is no error
        self.order.payment_term_id = self.env.ref("account.account_payment_term_30days")
        self.assertEqual(len(self._errors()), 4)

    def test_quotation_edits_are_not_errors(self):
        quotation = self._create_order(self.customer_1)
        quotation.order_line.product_uom_qty = 7
        quotation.payment_term_id = self.env.ref("account.account_payment_term_30days")
        self.assertFalse(self._errors(quotation))

    def test_cancelled_and_replaced_by_a_copy(self):
        self.order._action_cancel()
        replacement = self.order.copy()
        self.assertEqual(replacement.origin_order_id, self.order)
        replacement.order_line.product_uom_qty = 5
        replacement.action_confirm()
        errors = self._errors()
        self.assertEqual(errors.mapped("error_type"), ["quantity"])
        self.assertEqual(errors.origin, "replacement")
        self.assertEqual(errors.replacement_order_id, replacement)
        self.assertFalse(self._errors(replacement))
        # an identical re-entry is a duplicate
        second = self._create_order(self.customer_1, products=self.lathe)
        second.action_confirm()
        second._action_cancel()
        twin = second.copy()
        twin.action_confirm()
        self.assertEqual(self._errors(second).mapped("error_type"), ["duplicate"])

    def test_claim_with_order_entry_root_cause_logs_error(self):
        claim = self.env["sales.support.claim"].create({
            "partner_id": self.customer_1.id, "order_id": self.order.id, "claim_type": "wrong_item",
            "line_ids": [Command.create({"product_id": self.lathe.id, "quantity": 1})],
        })
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
        error = self.Error.with_user(self.coordinator).create({
            "order_id": self.order.id, "responsible_user_id": self.salesperson_1.id,
            "error_type": "address", "found_by": "customer", "cost": 35.0})
        self.assertEqual(error.coordinator_id, self.coordinator)
        with self.assertRaises(AccessError):
            self.Error.with_user(self.assistant).create({
                "order_id": self.order.id, "responsible_user_id": self.salesperson_1.id, "error_type": "price"})
        self.assertFalse(self.Error.with_user(self.coordinator_2).search([("id", "=", error.id)]))
        with self.assertRefused(ValidationError, "cannot be negative"):
            error.cost = -1


@tagged("post_install", "-at_install")
class TestClaimBadInput(SalesSupportCommon):

    def test_negative_quantity_writes_nothing(self):
        order = self._create_order(self.customer_1)
        count = self.env["sales.support.claim"].search_count([])
        with self.assertRefused(ValidationError, "must be positive"):
            self.env["sales.support.claim"].create({
                "partner_id": self.customer_1.id, "order_id": order.id,
                "line_ids": [Command.create({"product_id": self.product.id, "quantity": -2})],
            })
        self.assertEqual(self.env["sales.support.claim"].search_count([]), count)

    def test_claim_on_another_customers_order(self):
        order_3 = self._create_order(self.customer_3)
        count = self.env["sales.support.claim"].search_count([])
        with self.assertRefused(ValidationError, "is an order of Customer of Sales 3"):
            self.env["sales.support.claim"].create({"partner_id": self.customer_1.id, "order_id": order_3.id})
        self.assertEqual(self.env["sales.support.claim"].search_count([]), count)

    def test_return_needs_lines_and_delivery(self):
        claim = self.env["sales.support.claim"].create({"partner_id": self.customer_1.id})
        with self.assertRefused(Exception, "Add the claimed products"):
            claim.action_create_return()
        claim.line_ids = [Command.create({"product_id": self.product.id, "quantity": 1})]
        with self.assertRefused(Exception, "Choose the delivery"):
            claim.action_create_return()
        with self.assertRefused(Exception, "Choose the invoice"):
            claim.action_create_credit_note()
        with self.assertRefused(Exception, "Choose how"):
            claim.action_resolve()
