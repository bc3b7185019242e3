from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestClaim(SalesSupportCommon):
    """A customer bought 5 lathes at a discounted 900 EUR (list price 1000 USD), all delivered and
    invoiced in EUR; the coordinator works the claims."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Claim = cls.env["sales.support.claim"]
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.lathe.write(
            {"is_storable": True, "invoice_policy": "delivery", "taxes_id": [Command.clear()]}
        )
        cls.vice = cls.env["product.product"].create(
            {
                "name": "Vice",
                "is_storable": True,
                "list_price": 50.0,
                "invoice_policy": "delivery",
                "taxes_id": [Command.clear()],
            }
        )
        for product in (cls.lathe, cls.vice):
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, 100
            )
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.env["res.currency.rate"].create(
            # dated in the past: "today" in the user's time zone may be tomorrow in UTC, when the
            # claim is dated
            {
                "currency_id": cls.eur.id,
                "rate": 0.5,
                "company_id": cls.company.id,
                "name": "2020-01-01",
            }
        )
        cls.pricelist_eur = cls.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": cls.eur.id}
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer_1.id,
                "user_id": cls.salesperson_1.id,
                "pricelist_id": cls.pricelist_eur.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.lathe.id,
                            "product_uom_qty": 5,
                            "price_unit": 1000.0,
                            "discount": 10.0,
                        }
                    ),
                    Command.create(
                        {"product_id": cls.vice.id, "product_uom_qty": 2, "price_unit": 50.0}
                    ),
                ],
            }
        )
        cls.order.with_user(cls.coordinator).action_confirm()
        cls.lathe_line = cls.order.order_line.filtered(lambda line: line.product_id == cls.lathe)
        cls.delivery = cls.order.picking_ids
        cls._validate(cls.delivery)
        cls.invoice = cls.order._create_invoices()
        cls.invoice.action_post()

    @classmethod
    def _validate(cls, picking):
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking.with_context(skip_backorder=True).button_validate()

    def _claim(self, user=None, resolution="return", lathes=2, **values):
        return self.Claim.with_user(user or self.coordinator).create(
            {
                "partner_id": self.customer_1.id,
                "order_id": self.order.id,
                "picking_id": self.delivery.id,
                "invoice_id": self.invoice.id,
                "claim_type": "damaged",
                "resolution": resolution,
                "line_ids": [
                    Command.create({"order_line_id": self.lathe_line.id, "quantity": lathes})
                ],
                **values,
            }
        )

    def _events(self, event_type):
        return self.env["sales.support.o2c.event"].search(
            [("order_id", "=", self.order.id), ("event_type", "=", event_type)]
        )

    # ------------------------------------------------------------
    # Open Claim: a new form, nothing saved
    # ------------------------------------------------------------
    def test_open_claim_prefills_a_new_form(self):
        count = self.Claim.search_count([])
        action = self.order.with_user(self.coordinator).action_create_claim()
        self.assertEqual(
            (action["res_model"], action["view_mode"]), ("sales.support.claim", "form")
        )
        self.assertNotIn("res_id", action)
        self.assertEqual(self.Claim.search_count([]), count, "nothing saved before the user saves")
        form = Form(self.Claim.with_user(self.coordinator).with_context(**action["context"]))
        self.assertEqual(form.partner_id, self.customer_1)
        self.assertEqual(form.order_id, self.order)
        self.assertEqual(form.picking_id, self.delivery, "the last delivery")
        self.assertEqual(form.invoice_id, self.invoice)
        self.assertEqual(form.currency_id, self.eur, "the invoice's currency")
        self.assertEqual(len(form.line_ids), 2, "every product of the order, at 0")
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.product_id, self.lathe)
            self.assertEqual(line.quantity, 0.0)
            self.assertAlmostEqual(line.price_unit, 900.0, msg="the invoiced price, after discount")
            line.quantity = 2
        claim = form.save()
        self.assertEqual(claim.line_ids.product_id, self.lathe, "lines left at 0 are dropped")
        self.assertAlmostEqual(claim.amount_claimed, 1800.0)
        self.assertEqual(claim.currency_id, self.eur)
        self.assertEqual(len(self._events("claim_opened")), 1)
        self.assertEqual(self._events("claim_opened").source_id, claim.id)

    # ------------------------------------------------------------
    # Caps
    # ------------------------------------------------------------
    def test_claimed_quantity_is_capped(self):
        with self.assertRefused(ValidationError, r"at most 5\.0 can be claimed"):
            self._claim(lathes=6)
        first = self._claim(lathes=2)
        first.with_user(self.coordinator).action_create_return()
        # the first claim's return is deducted from what another claim may still claim
        with self.assertRefused(ValidationError, r"at most 3\.0 can be claimed"):
            self._claim(lathes=4)
        second = self._claim(lathes=3)
        with self.assertRefused(ValidationError, r"at most 3\.0 can be claimed"):
            second.line_ids.with_user(self.coordinator).quantity = 3.5
        with self.assertRefused(ValidationError, "above the price invoiced"):
            second.line_ids.with_user(self.coordinator).price_unit = 950.0
        second.line_ids.with_user(self.coordinator).price_unit = 100.0  # a partial credit is fine

    # ------------------------------------------------------------
    # Return: once, named after the claim, order not "to invoice"
    # ------------------------------------------------------------
    def test_return_once_and_order_stays_invoiced(self):
        claim = self._claim()
        self.assertFalse(claim.is_fully_returned)
        claim.with_user(self.coordinator).action_create_return()
        returned = claim.return_picking_ids
        self.assertEqual(len(returned), 1)
        self.assertEqual(returned.picking_type_code, "incoming")
        self.assertEqual(returned.move_ids.product_uom_qty, 2.0)
        self.assertEqual(returned.origin, claim.name)
        self.assertTrue(
            returned.message_ids.filtered(lambda m: f'data-oe-id="{claim.id}"' in (m.body or "")),
            "the return's chatter links the claim",
        )
        self.assertEqual(claim.return_count, 1)
        self.assertTrue(claim.is_fully_returned)
        self.assertEqual(claim.state, "in_progress")
        with self.assertRefused(UserError, f"already in return {returned.name}"):
            claim.with_user(self.coordinator).action_create_return()
        self.assertEqual(len(claim.return_picking_ids), 1, "no second return")
        # raising the claimed quantity lets the rest be returned
        claim.line_ids.with_user(self.coordinator).quantity = 3
        self.assertFalse(claim.is_fully_returned)
        claim.with_user(self.coordinator).action_create_return()
        self.assertEqual(sum(claim.return_picking_ids.move_ids.mapped("product_uom_qty")), 3.0)
        for picking in claim.return_picking_ids:
            self._validate(picking)
        self.assertEqual(
            self.lathe_line.qty_delivered, 5.0, "the claim's credit note settles it, not the order"
        )
        self.assertEqual(self.order.invoice_status, "invoiced")

    def test_exchange_keeps_the_order_delivered(self):
        claim = self._claim(resolution="replacement")
        claim.with_user(self.coordinator).action_create_return()
        returned = claim.return_picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        replacement = claim.return_picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(len(returned), 1)
        self.assertEqual(len(replacement), 1)
        self.assertEqual(replacement.origin, claim.name)
        self.assertEqual(replacement.move_ids.sale_line_id, self.lathe_line)
        self._validate(returned)
        self._validate(replacement)
        self.assertEqual(self.lathe_line.qty_delivered, 5.0)
        self.assertEqual(len(self.order.order_line), 2, "no extra order line for the replacement")
        self.assertEqual(self.order.invoice_status, "invoiced")

    # ------------------------------------------------------------
    # Credit note: draft, invoiced price and currency, once, order not "to invoice"
    # ------------------------------------------------------------
    def test_credit_note(self):
        claim = self._claim(resolution="credit_note")
        other = self._claim(resolution="credit_note", lathes=4, picking_id=False)
        claim.with_user(self.coordinator).action_create_credit_note()
        credit_note = claim.credit_note_ids
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft", "accounting posts it")
        self.assertEqual(credit_note.currency_id, self.eur)
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        line = credit_note.invoice_line_ids
        self.assertEqual(line.product_id, self.lathe)
        self.assertEqual(line.quantity, 2.0)
        self.assertAlmostEqual(credit_note.amount_total, 1800.0, msg="2 x 900 EUR invoiced")
        self.assertFalse(credit_note.invoice_line_ids.sale_line_ids)
        self.assertTrue(claim.is_fully_credited)
        self.assertEqual(claim.credit_note_count, 1)
        with self.assertRefused(UserError, "already in credit note"):
            claim.with_user(self.coordinator).action_create_credit_note()
        credit_note.with_user(self.coordinator).action_post()
        self.assertAlmostEqual(claim.amount_credited, 1800.0)
        self.assertEqual(self.lathe_line.qty_invoiced, 5.0)
        self.assertEqual(
            self.order.invoice_status, "invoiced", "a claim credit note never reopens invoicing"
        )
        # another claim cannot credit more than is left on the invoice
        with self.assertRefused(UserError, r"at most 3\.0 Units of Lathe left to credit"):
            other.with_user(self.coordinator).action_create_credit_note()
        with self.assertRefused(ValidationError, r"at most 3\.0 can be claimed"):
            self._claim(resolution="credit_note", lathes=4)

    def test_partial_credit_and_posting_at_once(self):
        self.company.support_claim_post_credit_note = True
        claim = self._claim(resolution="credit_note", claim_type="price")
        claim.line_ids.with_user(self.coordinator).price_unit = 90.0  # 10 % of the price was wrong
        claim.with_user(self.support_manager).action_create_credit_note()
        credit_note = claim.credit_note_ids
        self.assertEqual(
            credit_note.state, "posted", "the company posts claim credit notes at once"
        )
        self.assertAlmostEqual(credit_note.amount_total, 180.0)
        self.assertEqual(self.order.invoice_status, "invoiced")

    # ------------------------------------------------------------
    # Roles, ledger
    # ------------------------------------------------------------
    def test_buttons_per_role(self):
        claim = self._claim()

        def buttons(user):
            arch = self.Claim.with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
            return {node.get("name") for node in etree.fromstring(arch).iter("button")}

        for user in (self.coordinator, self.support_manager):
            self.assertTrue({"action_create_return", "action_create_credit_note"} <= buttons(user))
        for user in (self.assistant, self.salesperson_1):
            self.assertFalse({"action_create_return", "action_create_credit_note"} & buttons(user))
        # a salesperson who calls them anyway gets a plain refusal
        claim_sp = claim.with_user(self.salesperson_1)
        with self.assertRefused(AccessError, "Inventory"):
            claim_sp.action_create_return()
        with self.assertRefused(AccessError, "Invoicing"):
            claim_sp.action_create_credit_note()
        # assistants read claims, counts included, but do not open them
        self.assertEqual(claim.with_user(self.assistant).return_count, 0)
        with self.assertRaises(AccessError):
            self.order.with_user(self.assistant).action_create_claim()

    def test_claim_steps_are_ledger_events(self):
        claim = self._claim(
            resolution="credit_note",
            root_cause="order_entry",
            responsible_user_id=self.coordinator.id,
        )
        self.assertEqual(self._events("claim_opened").source_id, claim.id)
        error = claim.order_error_ids
        self.assertAlmostEqual(error.cost, 3600.0, msg="1800 EUR in the company's USD")
        self.assertEqual(self._events("order_error").source_id, error.id)
        claim.with_user(self.coordinator).action_create_credit_note()
        claim.with_user(self.coordinator).action_resolve()
        resolved = self._events("claim_resolved")
        self.assertEqual(resolved.source_id, claim.id)
        self.assertEqual(resolved.date, claim.date_resolved)
        self.assertEqual(self.Claim._get_credit_note_orders(claim.credit_note_ids), self.order)

    def test_closed_claim_lines_are_settled(self):
        """The products of a resolved (or rejected) claim were returned or credited from it: they
        cannot change, over the form (one2many commands) or directly, until it is reset."""
        claim = self._claim()
        claim.with_user(self.coordinator).action_resolve()
        line = claim.line_ids.with_user(self.coordinator)
        message = f"Claim {claim.name} is Resolved"
        with self.assertRefused(UserError, message):
            line.quantity = 1
        with self.assertRefused(UserError, message):
            claim.with_user(self.coordinator).write(
                {"line_ids": [Command.create({"order_line_id": self.lathe_line.id})]}
            )
        with self.assertRefused(UserError, message):
            line.unlink()
        with self.assertRefused(UserError, message):  # the prices would be recomputed
            claim.with_user(self.coordinator).invoice_id = False
        self.assertEqual(claim.line_ids.quantity, 2.0)
        self.assertEqual(claim.invoice_id, self.invoice)
        claim.with_user(self.coordinator).action_reset()
        line.quantity = 1
        self.assertEqual(claim.amount_claimed, 900.0, "1 lathe at 1000 less 10 %")
        claim.with_user(self.coordinator).action_reject()
        with self.assertRefused(UserError, f"Claim {claim.name} is Rejected"):
            line.quantity = 2

    def test_claim_quantities_convert_units(self):
        """M7: a product sold by the dozen, claimed in units (or dozens): caps and the credit note
        convert between the claim line's unit, the product's and the invoice line's."""
        self.env.user.groups_id |= self.env.ref("uom.group_uom")
        dozen, unit = self.env.ref("uom.product_uom_dozen"), self.env.ref("uom.product_uom_unit")
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer_1.id,
                "user_id": self.salesperson_1.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.vice.id,
                            "product_uom_qty": 2,
                            "product_uom": dozen.id,
                            "price_unit": 600.0,
                        }
                    )
                ],
            }
        )
        order.with_user(self.coordinator).action_confirm()
        self._validate(order.picking_ids)
        invoice = order._create_invoices()
        invoice.action_post()
        line = order.order_line

        def claim(quantity, uom):
            return self.Claim.with_user(self.coordinator).create(
                {
                    "partner_id": self.customer_1.id,
                    "order_id": order.id,
                    "picking_id": order.picking_ids.id,
                    "invoice_id": invoice.id,
                    "resolution": "credit_note",
                    "line_ids": [
                        Command.create(
                            {
                                "order_line_id": line.id,
                                "quantity": quantity,
                                "product_uom_id": uom.id,
                            }
                        )
                    ],
                }
            )

        # 2 dozens delivered and invoiced: 3 dozens is too many, 24 units is all of it
        with self.assertRefused(ValidationError, "at most"):
            claim(3, dozen)
        in_units = claim(6, unit)
        self.assertEqual(in_units.line_ids.product_uom_id, unit)
        self.assertAlmostEqual(in_units.line_ids.price_unit, 50.0, msg="600 a dozen = 50 a unit")
        in_units.with_user(self.coordinator).action_create_credit_note()
        credit_line = in_units.credit_note_ids.invoice_line_ids
        self.assertEqual(credit_line.product_uom_id, dozen, "the invoice line's unit")
        self.assertAlmostEqual(credit_line.quantity, 0.5, msg="6 units = half a dozen")
        self.assertAlmostEqual(credit_line.price_unit, 600.0)
        # defaults to the order line's unit
        by_line = self.env["sales.support.claim.line"].new({"order_line_id": line.id})
        self.assertEqual(by_line.product_uom_id, dozen)
