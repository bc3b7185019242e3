from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_is_zero
from odoo.tools.misc import clean_context

from ..tools import form_action

CLAIM_TYPES = [
    ("damaged", "Damaged Goods"),
    ("short", "Short Shipment"),
    ("over", "Over Shipment"),
    ("wrong_item", "Wrong Item"),
    ("late", "Late Delivery"),
    ("documents", "Documents Error"),
    ("price", "Price or Invoice Error"),
    ("quality", "Quality"),
]
ROOT_CAUSES = [
    ("order_entry", "Order Entry Error"),
    ("warehouse", "Warehouse / Picking"),
    ("carrier", "Carrier"),
    ("production", "Production / Supplier"),
    ("customer", "Customer"),
    ("other", "Other"),
]
RESOLUTIONS = [
    ("credit_note", "Credit Note"),
    ("replacement", "Replacement"),
    ("return", "Return"),
    ("none", "None"),
]
CLAIM_STATES = [
    ("new", "New"),
    ("in_progress", "In Progress"),
    ("resolved", "Resolved"),
    ("rejected", "Rejected"),
]

# Claims whose claimed products are settled.
CLOSED_CLAIM_STATES = ("resolved", "rejected")
# Claim fields the claimed products' prices and caps come from: settled with them.
CLAIM_LINE_SOURCES = {"partner_id", "order_id", "picking_id", "invoice_id", "line_ids"}


class SalesSupportClaim(models.Model):
    """A logistic or order claim of a customer, resolved through Odoo's own return and credit-note
    flows.

    Claimed quantities are capped by what was delivered and invoiced, minus what other returns and
    credit notes already took back. The claim's return does not touch the order's delivered
    quantities (its credit note settles the money), an exchange keeps them (neither its return
    nor its replacement, delivered on the same order line, counts in them), and its credit note
    is not linked to the order lines: a claim never makes an order "to invoice" again."""

    _name = "sales.support.claim"
    _description = "Customer Claim"
    _inherit = [
        "sales.support.input.mixin",
        "sales.support.sequence.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _sequence_code = "sales.support.claim"
    _order = "date_claim desc, id desc"
    _check_company_auto = True
    _server_fields = (
        "date_resolved",
        "amount_claimed",
        "amount_credited",
        "credit_note_ids",
        "return_picking_ids",
    )

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        precompute=True,
        help="The invoice's currency, else the order's, else the company's: claimed amounts and "
        "credit notes are in it.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        tracking=True,
        index=True,
        domain="[('company_id', 'in', (False, company_id))]",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    order_id = fields.Many2one(
        "sale.order",
        string="Order",
        tracking=True,
        index="btree_not_null",
        check_company=True,
        domain="[('partner_id', 'child_of', commercial_partner_id), ('state', '=', 'sale')]",
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        tracking=True,
        check_company=True,
        domain="[('sale_id', '=', order_id), ('picking_type_code', '=', 'outgoing'), "
        "('state', '=', 'done')]",
    )
    invoice_id = fields.Many2one(
        "account.move",
        string="Invoice",
        tracking=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', commercial_partner_id)]",
    )
    request_id = fields.Many2one(
        "sales.support.request",
        string="Customer Request",
        index="btree_not_null",
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_people",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
    )
    coordinator_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        compute="_compute_people",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        index=True,
        domain="[('support_level', 'in', ('coordinator', 'manager')), "
        "('company_ids', 'in', company_id)]",
    )
    claim_type = fields.Selection(
        CLAIM_TYPES, string="Type", required=True, default="damaged", tracking=True
    )
    root_cause = fields.Selection(ROOT_CAUSES, tracking=True)
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible for the Error",
        tracking=True,
        help="Who made the order-entry error (root cause 'Order Entry Error').",
    )
    resolution = fields.Selection(RESOLUTIONS, tracking=True)
    state = fields.Selection(
        CLAIM_STATES, default="new", required=True, tracking=True, index=True, copy=False
    )
    description = fields.Html()
    line_ids = fields.One2many(
        "sales.support.claim.line", "claim_id", string="Claimed Products", copy=True
    )
    date_claim = fields.Datetime(
        string="Claimed At", required=True, default=fields.Datetime.now, index=True
    )
    date_resolved = fields.Datetime(string="Resolved At", readonly=True, copy=False)
    amount_claimed = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id"
    )
    # Not stored, and no dependency on the credit notes' amounts or states: such a dependency
    # makes every change of any journal entry (payments included) search the claims linked to
    # it (see "Benchmarks" in README.md); read, it is always current.
    amount_credited = fields.Monetary(
        compute="_compute_amount_credited",
        currency_field="currency_id",
        help="Total of the credit notes created for the claim.",
    )
    return_picking_ids = fields.Many2many(
        "stock.picking", string="Returns and Replacements", copy=False
    )
    credit_note_ids = fields.Many2many("account.move", string="Credit Notes", copy=False)
    order_error_ids = fields.One2many(
        "sales.support.order.error", "claim_id", string="Order-Entry Errors"
    )

    # smart buttons and what is left to do
    return_count = fields.Integer(compute="_compute_counts")
    credit_note_count = fields.Integer(compute="_compute_counts")
    order_error_count = fields.Integer(compute="_compute_counts")
    is_fully_returned = fields.Boolean(
        compute="_compute_is_fully_returned",
        help="Every claimed quantity is in a return of the claim (done or on its way).",
    )
    is_fully_credited = fields.Boolean(
        compute="_compute_is_fully_credited",
        help="Every claimed quantity is in a credit note of the claim (draft or posted).",
    )

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    @api.depends("order_id", "partner_id")
    def _compute_people(self):
        for claim in self:
            source = claim.order_id
            claim.user_id = source.user_id or claim.partner_id.commercial_partner_id.user_id
            # the one order of precedence of orders, requests and claims (assignment rules)
            # the one chosen before stays only while it may still coordinate the claim
            current = claim.coordinator_id
            claim.coordinator_id = (
                source.coordinator_id
                or self.env["sales.support.assignment.rule"]._get_coordinator_for(
                    claim.partner_id, claim.user_id, claim.company_id
                )
                or (current if current._can_coordinate_for(claim.company_id) else False)
            )

    @api.depends("invoice_id", "order_id", "company_id")
    def _compute_currency_id(self):
        for claim in self:
            claim.currency_id = (
                claim.invoice_id.currency_id
                or claim.order_id.currency_id
                or claim.company_id.currency_id
            )

    @api.depends("line_ids.amount")
    def _compute_amounts(self):
        for claim in self:
            claim.amount_claimed = sum(claim.line_ids.mapped("amount"))

    @api.depends("credit_note_ids")
    def _compute_amount_credited(self):
        for claim in self:
            claim.amount_credited = sum(
                # sudo: assistants read claims, not accounting; only the totals are read
                claim.sudo()
                .credit_note_ids.filtered(lambda m: m.state != "cancel")
                .mapped("amount_total")
            )

    # The computes below read pickings and invoices as superuser: counts and quantities only, for
    # every reader of the claim (assistants read claims but not stock or accounting documents).
    @api.depends("return_picking_ids", "credit_note_ids", "order_error_ids")
    def _compute_counts(self):
        for claim in self:
            claim.return_count = len(claim.sudo().return_picking_ids)
            claim.credit_note_count = len(claim.sudo().credit_note_ids)
            claim.order_error_count = len(claim.sudo().order_error_ids)

    # no dependency on the returns' or credit notes' states (see amount_credited)
    @api.depends("line_ids.quantity", "line_ids.product_id", "return_picking_ids")
    def _compute_is_fully_returned(self):
        for claim in self:
            claim.is_fully_returned = (
                bool(claim.line_ids) and not claim.sudo()._get_quantities_to_return()
            )

    @api.depends("line_ids.quantity", "line_ids.product_id", "credit_note_ids")
    def _compute_is_fully_credited(self):
        for claim in self:
            claim.is_fully_credited = (
                bool(claim.line_ids) and not claim.sudo()._get_quantities_to_credit()
            )

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("partner_id", "order_id", "picking_id", "invoice_id", "company_id")
    def _check_documents(self):
        for claim in self:
            customer = claim.partner_id.commercial_partner_id
            if claim.partner_id.company_id and claim.partner_id.company_id != claim.company_id:
                raise ValidationError(
                    _(
                        "The customer %(customer)s belongs to another company.",
                        customer=claim.partner_id.display_name,
                    )
                )
            if claim.order_id and claim.order_id.partner_id.commercial_partner_id != customer:
                raise ValidationError(
                    _(
                        "Order %(order)s is an order of %(other)s, not of %(customer)s: "
                        "choose one of the "
                        "customer's orders.",
                        order=claim.order_id.name,
                        other=claim.order_id.partner_id.commercial_partner_id.display_name,
                        customer=customer.display_name,
                    )
                )
            if claim.picking_id and claim.picking_id.sale_id != claim.order_id:
                raise ValidationError(
                    _(
                        "Delivery %(picking)s does not belong to order %(order)s.",
                        picking=claim.picking_id.name,
                        order=claim.order_id.name or "-",
                    )
                )
            if claim.invoice_id and claim.invoice_id.commercial_partner_id != customer:
                raise ValidationError(
                    _(
                        "Invoice %(invoice)s is not an invoice of %(customer)s.",
                        invoice=claim.invoice_id.name,
                        customer=customer.display_name,
                    )
                )
        self._check_claimed_quantities()

    @api.constrains("coordinator_id", "company_id")
    def _check_coordinator_id(self):
        """The same rules as an order's coordinator: an active coordinator or customer service
        manager (not an assistant) who works for the claim's company."""
        for claim in self.filtered("coordinator_id"):
            claim.coordinator_id._check_can_coordinate(
                claim.company_id, _("the coordinator of claim %(claim)s", claim=claim.name)
            )

    @api.constrains("state", "resolution")
    def _check_resolution(self):
        for claim in self:
            if claim.state == "resolved" and not claim.resolution:
                raise ValidationError(
                    _("Choose how claim %(claim)s is resolved before closing it.", claim=claim.name)
                )

    @api.model
    def _check_responsible_right(self, vals):
        """Who is charged with an order-entry error (it counts in their figures) is decided by
        the support coordinators and managers, not by whoever may edit the claim."""
        if (
            vals.get("responsible_user_id")
            and not self.env.su
            and not self.env.user.has_group("sales_support.group_support_coordinator")
        ):
            raise AccessError(
                _(
                    "Only support coordinators and managers say who is responsible for an "
                    "order-entry error. Leave 'Responsible for the Error' (and the root cause "
                    "'Order Entry Error') to them: ask %(coordinator)s.",
                    coordinator=self.env.user.support_coordinator_id.name
                    or _("your support coordinator"),
                )
            )

    @api.constrains("root_cause", "responsible_user_id")
    def _check_responsible(self):
        for claim in self:
            if claim.root_cause == "order_entry" and not claim.responsible_user_id:
                raise ValidationError(
                    _(
                        "Claim %(claim)s is caused by an order-entry error: say who made it "
                        "(Responsible for the Error).",
                        claim=claim.name,
                    )
                )

    def _check_claimed_quantities(self):
        """Per product, the claimed quantity is at most what the customer still has from the
        delivery (delivered - returned) and still pays for on the invoice (invoiced - credited);
        returns and credit notes of the claim itself are not deducted (they are what it claims).
        Only the documents the claim names count (a claim on an order alone: what was delivered
        or invoiced on it)."""
        for claim in self.filtered(lambda c: c.order_id or c.picking_id or c.invoice_id):
            claimed = claim._get_claimed_quantities()
            delivered = claim._get_delivered_quantities()
            invoiced = claim._get_invoiced_quantities()
            for product, quantity in claimed.items():
                if claim.picking_id and claim.invoice_id:
                    allowed = min(delivered.get(product, 0.0), invoiced.get(product, 0.0))
                elif claim.picking_id:
                    allowed = delivered.get(product, 0.0)
                elif claim.invoice_id:
                    allowed = invoiced.get(product, 0.0)
                else:
                    allowed = max(delivered.get(product, 0.0), invoiced.get(product, 0.0))
                allowed = max(allowed, 0.0)
                if float_compare(quantity, allowed, precision_rounding=product.uom_id.rounding) > 0:
                    raise ValidationError(
                        _(
                            "Claim %(claim)s claims %(qty)s %(uom)s of %(product)s, but at most "
                            "%(max)s can be claimed: %(delivered)s delivered and %(invoiced)s "
                            "invoiced, after "
                            "earlier returns and credit notes. Lower the quantity.",
                            claim=claim.name,
                            qty=quantity,
                            uom=product.uom_id.name,
                            product=product.display_name,
                            max=allowed,
                            delivered=delivered.get(product, 0.0),
                            invoiced=invoiced.get(product, 0.0),
                        )
                    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_server_fields(vals)
            self._check_responsible_right(vals)
        claims = super().create(vals_list)
        # "Open Claim" fills the form through default_* context keys: they must not leak into the
        # records created below (errors, ledger events)
        clean = claims.with_env(claims.env(context=clean_context(claims.env.context)))
        clean._drop_empty_lines()
        clean._log_order_entry_errors()
        # dated by the server's clock at creation: date_claim is what the user says
        clean.env["sales.support.o2c.event"]._log_events(
            [
                {
                    "order_id": claim.order_id,
                    "event_type": "claim_opened",
                    "source": claim,
                    "name": claim.name,
                }
                for claim in clean
                if claim.order_id
            ]
        )
        return claims

    def write(self, vals):
        self._check_server_fields(vals)
        self._check_responsible_right(vals)
        if CLAIM_LINE_SOURCES & vals.keys() and vals.get("state") not in ("new", "in_progress"):
            self._check_lines_editable()
        if "state" in vals:
            vals = {
                **vals,
                "date_resolved": fields.Datetime.now() if vals["state"] == "resolved" else False,
            }
        without_order = (
            self.filtered(lambda c: not c.order_id) if vals.get("order_id") else self.browse()
        )
        resolving = (
            self.filtered(lambda c: c.state != "resolved")
            if vals.get("state") == "resolved"
            else self.browse()
        )
        res = super().write(vals)
        clean = self.with_env(self.env(context=clean_context(self.env.context)))
        if "line_ids" in vals:
            clean._drop_empty_lines()
        if {"root_cause", "responsible_user_id", "order_id"} & set(vals):
            clean._log_order_entry_errors()
        # the claim is opened on the order now (server's clock, not the user's date_claim)
        events = [
            {
                "order_id": claim.order_id,
                "event_type": "claim_opened",
                "source": claim,
                "name": claim.name,
            }
            for claim in without_order
            if claim.order_id
        ]
        events += [
            {
                "order_id": claim.order_id,
                "event_type": "claim_resolved",
                "date": claim.date_resolved,
                "source": claim,
                "name": claim.name,
            }
            for claim in resolving
            if claim.order_id
        ]
        if events:
            clean.env["sales.support.o2c.event"]._log_events(events)
        return res

    def _drop_empty_lines(self):
        """Lines left at 0 (a new claim proposes every product of the order at 0) are dropped."""
        empty = self.line_ids.filtered(
            lambda line: float_is_zero(
                line.quantity, precision_rounding=line.product_id.uom_id.rounding or 0.01
            )
        )
        if empty:
            empty.unlink()

    def _log_order_entry_errors(self):
        """A claim caused by order entry logs the error once (found by the customer)."""
        to_log = self.filtered(
            lambda c: c.root_cause == "order_entry" and c.order_id and not c.order_error_ids
        )
        if not to_log:
            return
        error_types = {
            "wrong_item": "product",
            "short": "quantity",
            "over": "quantity",
            "price": "price",
            "documents": "terms",
        }
        # sudo: the error log is kept by the system for whoever records the claim (salespeople
        # may not create error records themselves).
        self.env["sales.support.order.error"].sudo().create(
            [
                {
                    "order_id": claim.order_id.id,
                    "responsible_user_id": claim.responsible_user_id.id,
                    "error_type": error_types.get(claim.claim_type, "product"),
                    "found_by": "customer",
                    "date_found": claim.date_claim,
                    "claim_id": claim.id,
                    "origin": "claim",
                    "cost": claim.currency_id._convert(
                        claim.amount_claimed,
                        claim.order_id.company_id.currency_id,
                        claim.order_id.company_id,
                        claim.date_claim.date(),
                    ),
                    "description": self.env._("From claim %(claim)s", claim=claim.name),
                }
                for claim in to_log
            ]
        )

    def _check_lines_editable(self):
        """What was claimed (the products, and the order, delivery and invoice their prices and
        caps come from) is settled once the claim is closed: its returns and credit notes were
        made from it. Reopen the claim (back to New) to correct it."""
        for claim in self:
            if claim.state in CLOSED_CLAIM_STATES:
                raise UserError(
                    _(
                        "Claim %(claim)s is %(state)s: its claimed products cannot change. "
                        "Reopen it to correct them.",
                        claim=claim.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            claim.state
                        ],
                    )
                )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_start(self):
        self.filtered(lambda c: c.state == "new").write({"state": "in_progress"})
        return True

    def action_resolve(self):
        for claim in self:
            if not claim.resolution:
                raise UserError(
                    _("Choose how claim %(claim)s is resolved before closing it.", claim=claim.name)
                )
        self.write({"state": "resolved"})
        return True

    def action_reject(self):
        self.write({"state": "rejected"})
        return True

    def action_reset(self):
        self.write({"state": "new"})
        return True

    def action_create_return(self):
        """Return (or, for a replacement, exchange) what is claimed and not returned yet, from the
        delivery, through Odoo's return wizard. The new pickings are linked to the claim and name it
        (origin, chatter). A second click when everything is returned is refused."""
        self.ensure_one()
        self._check_right("stock.group_stock_user", _("return"))
        self._check_lines_for(_("return"))
        if not self.picking_id:
            raise UserError(
                _(
                    "Choose the delivery of claim %(claim)s to return goods from it.",
                    claim=self.name,
                )
            )
        to_return = self._get_quantities_to_return()
        if not to_return:
            returns = self._get_own_returns()
            raise UserError(
                _(
                    "Everything claimed in %(claim)s is already in return %(returns)s: "
                    "open it from the "
                    "claim's Returns button instead of creating another one.",
                    claim=self.name,
                    returns=", ".join(returns.mapped("name")) or "-",
                )
            )
        claim = self.with_env(self.env(context=clean_context(self.env.context)))
        wizard = (
            claim.env["stock.return.picking"]
            .with_context(
                active_id=self.picking_id.id,
                active_ids=self.picking_id.ids,
                active_model="stock.picking",
            )
            .create({"picking_id": self.picking_id.id})
        )
        exchange = self.resolution == "replacement"
        for product, quantity in to_return.items():
            return_lines = wizard.product_return_moves.filtered(
                lambda line, product=product: line.product_id == product
            )
            if not return_lines:
                raise UserError(
                    _(
                        "Delivery %(picking)s has no %(product)s to return.",
                        picking=self.picking_id.name,
                        product=product.display_name,
                    )
                )
            left = quantity
            for return_line in return_lines:
                take = min(left, self._get_returnable_quantity(return_line.move_id))
                move_uom = return_line.move_id.product_uom or product.uom_id
                # The return leaves the order's delivered quantity alone: a plain return is
                # settled by the claim's credit note, an exchange by its replacement, which does
                # not raise it either (sale.order.line._get_outgoing_incoming_moves). Lowering it
                # would make an order invoiced on delivery "to invoice" (a negative quantity)
                # until the replacement is delivered. The wizard's quantity is in the delivered
                # move's unit.
                return_line.write(
                    {
                        "quantity": product.uom_id._compute_quantity(take, move_uom, round=False),
                        "to_refund": False,
                    }
                )
                left -= take
            if float_compare(left, 0.0, precision_rounding=product.uom_id.rounding) > 0:
                returnable = sum(
                    self._get_returnable_quantity(line.move_id) for line in return_lines
                )
                raise UserError(
                    _(
                        "Delivery %(picking)s has at most %(max)s %(uom)s of %(product)s left "
                        "to return "
                        "(the rest was returned already); claim %(claim)s asks for %(qty)s.",
                        picking=self.picking_id.name,
                        max=returnable,
                        uom=product.uom_id.name,
                        product=product.display_name,
                        claim=self.name,
                        qty=quantity,
                    )
                )
        for return_line in wizard.product_return_moves:
            if return_line.product_id not in to_return:
                return_line.quantity = 0.0
        group_domain = (
            [("group_id", "=", self.picking_id.group_id.id)]
            if self.picking_id.group_id
            else [("sale_id", "=", self.order_id.id)]
        )
        before = self.env["stock.picking"].search(group_domain) if exchange else None
        action = wizard.action_create_exchanges() if exchange else wizard.action_create_returns()
        new_pickings = self.env["stock.picking"].browse(action["res_id"])
        if exchange:
            replacements = self.env["stock.picking"].search(group_domain) - before - new_pickings
            self._link_replacements(replacements)
            new_pickings |= replacements
        self._link_returns(new_pickings)
        if self.state == "new":
            self.action_start()
        return action

    def action_create_credit_note(self):
        """Credit what is claimed and not credited yet, from the invoice, through Odoo's reversal
        wizard: a draft credit note (posted at once when the company says so) cut to the claimed
        products, quantities and prices, in the invoice's currency, and not linked to the order
        lines (it must not make the order "to invoice" again)."""
        self.ensure_one()
        self._check_right("account.group_account_invoice", _("credit note"))
        self._check_lines_for(_("credit note"))
        if not self.invoice_id:
            raise UserError(
                _("Choose the invoice of claim %(claim)s to credit it.", claim=self.name)
            )
        to_credit = self._get_quantities_to_credit()
        if not to_credit:
            raise UserError(
                _(
                    "Everything claimed in %(claim)s is already in credit note %(notes)s.",
                    claim=self.name,
                    notes=", ".join(
                        self.credit_note_ids.filtered(lambda m: m.state != "cancel").mapped(
                            lambda m: m.name if m.name and m.name != "/" else self.env._("(draft)")
                        )
                    )
                    or "-",
                )
            )
        creditable = self._get_invoiced_quantities(self.invoice_id)
        for product, quantity in to_credit.items():
            if (
                float_compare(
                    quantity,
                    creditable.get(product, 0.0),
                    precision_rounding=product.uom_id.rounding,
                )
                > 0
            ):
                raise UserError(
                    _(
                        "Invoice %(invoice)s has at most %(max)s %(uom)s of %(product)s left "
                        "to credit (the "
                        "rest is credited already); claim %(claim)s asks for %(qty)s.",
                        invoice=self.invoice_id.name,
                        max=creditable.get(product, 0.0),
                        uom=product.uom_id.name,
                        product=product.display_name,
                        claim=self.name,
                        qty=quantity,
                    )
                )
        claim = self.with_env(self.env(context=clean_context(self.env.context)))
        reversal = (
            claim.env["account.move.reversal"]
            .with_context(
                active_model="account.move",
                active_ids=self.invoice_id.ids,
            )
            .create(
                {
                    "move_ids": [fields.Command.set(self.invoice_id.ids)],
                    "journal_id": self.invoice_id.journal_id.id,
                    "reason": _("Claim %(claim)s", claim=self.name),
                }
            )
        )
        reversal.refund_moves()
        credit_note = reversal.new_move_ids
        prices = self._get_claimed_prices()
        updates = []
        for move_line in credit_note.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        ):
            product = move_line.product_id
            # to_credit and prices are per unit of the product; the line has its own unit
            line_uom = move_line.product_uom_id or product.uom_id
            quantity = min(
                product.uom_id._compute_quantity(
                    to_credit.get(product, 0.0), line_uom, round=False
                ),
                move_line.quantity,
            )
            if float_is_zero(quantity, precision_rounding=line_uom.rounding or 0.01):
                updates.append(fields.Command.delete(move_line.id))
                continue
            to_credit[product] -= line_uom._compute_quantity(quantity, product.uom_id, round=False)
            values = {"quantity": quantity}
            invoiced_price = move_line.price_unit * (1 - (move_line.discount or 0.0) / 100.0)
            price = (
                product.uom_id._compute_price(prices[product], line_uom)
                if product in prices
                else invoiced_price
            )
            if credit_note.currency_id.compare_amounts(price, invoiced_price):
                values.update(price_unit=price, discount=0.0)
            updates.append(fields.Command.update(move_line.id, values))
        credit_note.write({"invoice_line_ids": updates})
        # Odoo's reversal keeps the order-line links, which would lower the invoiced quantities and
        # make the order "to invoice" again: the claim's credit note settles the claim, not the
        # order.
        credit_note.invoice_line_ids.filtered("sale_line_ids").write(
            {"sale_line_ids": [fields.Command.clear()]}
        )
        credit_note.message_post_with_source(
            "mail.message_origin_link",
            render_values={"self": credit_note, "origin": self},
            subtype_xmlid="mail.mt_note",
        )
        # sudo: the claim's credit notes are linked by this action only (_server_fields)
        self.sudo().credit_note_ids |= credit_note
        self._post_link_note(_("Credit note created:"), credit_note)
        if self.company_id.support_claim_post_credit_note:
            credit_note.action_post()
        if self.state == "new":
            self.action_start()
        return form_action(credit_note)

    def action_view_returns(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Returns"),
            "res_model": "stock.picking",
            "view_mode": "list,form",
            "domain": [("id", "in", self.return_picking_ids.ids)],
            "context": {"create": False},
        }

    def action_view_credit_notes(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Credit Notes"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.credit_note_ids.ids)],
            "context": {"create": False, "default_move_type": "out_refund"},
        }

    def action_view_order_errors(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sales_support_order_error_action"
        )
        action.update(domain=[("claim_id", "=", self.id)], context={"create": False})
        return action

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    @api.model
    def _get_new_claim_action(self, order=None, request=None, partner=None):
        """Window action opening a NEW claim form (nothing saved until the user saves) filled with
        the customer, the order, its last delivery and invoice, the request, and the order's
        products at quantity 0 (the user types what is claimed; lines left at 0 are dropped)."""
        self.check_access("create")
        source = order or request
        partner = partner or (source.partner_id if source else self.env["res.partner"])
        context = {
            "default_partner_id": partner.commercial_partner_id.id,
            "default_company_id": (source.company_id if source else self.env.company).id,
            "default_request_id": request.id if request else False,
        }
        if order:
            deliveries = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing"
                and p.state == "done"
                and not p.return_id
            )
            invoices = order.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice" and m.state == "posted"
            )
            context.update(
                {
                    "default_order_id": order.id,
                    "default_picking_id": deliveries.sorted(lambda p: (p.date_done, p.id))[-1:].id,
                    "default_invoice_id": invoices.sorted(
                        lambda m: (m.invoice_date or m.date, m.id)
                    )[-1:].id,
                    "default_line_ids": [
                        fields.Command.create({"order_line_id": line.id, "quantity": 0.0})
                        for line in order.order_line
                        if line.product_id and line._is_order_entry_line()
                    ],
                }
            )
        return {
            "type": "ir.actions.act_window",
            "name": _("New Claim"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": context,
        }

    @api.model
    def _get_credit_note_orders(self, moves):
        """Orders whose claims made the credit notes ``moves``: claim credit notes are not linked to
        order lines (see action_create_credit_note), the claim links them to the order."""
        # sudo: only the link claim -> order is read, for whoever posts the credit note
        return self.sudo().search([("credit_note_ids", "in", moves.ids)]).order_id.sudo(False)

    def _check_right(self, group_xmlid, what):
        if not self.env.su and not self.env.user.has_group(group_xmlid):
            raise AccessError(
                _(
                    'Creating a %(what)s for a claim takes the right "%(group)s", which you do '
                    "not have: "
                    "ask your customer-service manager.",
                    what=what,
                    group=self.env.ref(group_xmlid).full_name,
                )
            )

    def _check_lines_for(self, what):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(
                _(
                    "Add the claimed products and quantities to %(claim)s before creating the "
                    "%(what)s.",
                    claim=self.name,
                    what=what,
                )
            )

    def _get_claimed_quantities(self):
        """{product: claimed quantity}"""
        self.ensure_one()
        claimed = defaultdict(float)
        for line in self.line_ids:
            claimed[line.product_id] += line._get_product_quantity()
        return claimed

    def _get_claimed_prices(self):
        """{product: average claimed unit price, per unit of the product}"""
        self.ensure_one()
        amounts, quantities = defaultdict(float), defaultdict(float)
        for line in self.line_ids:
            amounts[line.product_id] += line.amount
            quantities[line.product_id] += line._get_product_quantity()
        # per unit of the product (the quantities are converted to it)
        return {product: amounts[product] / qty for product, qty in quantities.items() if qty}

    @staticmethod
    def _move_quantity(move):
        """Quantity of a stock move in its product's unit: done quantity, else what it plans to
        move."""
        quantity = move.quantity if move.state == "done" else move.product_uom_qty
        return move.product_uom._compute_quantity(quantity, move.product_id.uom_id)

    def _get_own_returns(self):
        """Returns (incoming) of the claim that are not cancelled."""
        return self.return_picking_ids.filtered(
            lambda p: p.state != "cancel" and p.return_id and p.picking_type_code == "incoming"
        )

    def _get_returnable_quantity(self, move):
        """What is left to return from a delivered move: its quantity minus every return of it."""
        returned = move.returned_move_ids.filtered(lambda m: m.state != "cancel")
        return max(self._move_quantity(move) - sum(self._move_quantity(m) for m in returned), 0.0)

    def _get_delivered_quantities(self):
        """{product: quantity the customer still has}: done deliveries of the claim's delivery (else
        of its order), minus returns other than the claim's own; services: delivered on the
        order."""
        self.ensure_one()
        # sudo: quantities only, whoever records the claim (salespeople do not read stock moves)
        claim = self.sudo()
        result = defaultdict(float)
        pickings = claim.picking_id or claim.order_id.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and not p.return_id
        )
        moves = pickings.move_ids.filtered(
            lambda m: m.state == "done" and not m.origin_returned_move_id
        )
        own_returns = claim._get_own_returns().move_ids
        for move in moves:
            returned = move.returned_move_ids.filtered(lambda m: m.state != "cancel") - own_returns
            result[move.product_id] += self._move_quantity(move) - sum(
                self._move_quantity(m) for m in returned
            )
        if not claim.picking_id:
            for line in claim.order_id.order_line.filtered(
                lambda line: line.product_id and not line.move_ids
            ):
                result[line.product_id] += line.qty_delivered
        return result

    def _get_invoiced_quantities(self, invoices=None):
        """{product: quantity invoiced and not credited}: posted lines of the claim's invoice (else
        of
        the order's posted invoices), minus every credit note reversing them other than the claim's
        own ones. With ``invoices`` given, the claim's own credit notes are deducted too."""
        self.ensure_one()
        # sudo: quantities only, whoever records the claim (salespeople do not read every invoice)
        claim = self.sudo()
        own = claim.credit_note_ids if invoices is None else claim.credit_note_ids.browse()
        if invoices is None:
            invoices = claim.invoice_id or claim.order_id.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice" and m.state == "posted"
            )
        invoices = invoices.sudo()
        credit_notes = (
            claim.env["account.move"].search(
                [
                    ("reversed_entry_id", "in", invoices.ids),
                    ("move_type", "=", "out_refund"),
                    ("state", "!=", "cancel"),
                ]
            )
            - own
        )
        result = defaultdict(float)
        for sign, moves in ((1, invoices), (-1, credit_notes)):
            for line in moves.invoice_line_ids.filtered(
                lambda line: line.display_type == "product" and line.product_id
            ):
                result[line.product_id] += sign * line.product_uom_id._compute_quantity(
                    line.quantity, line.product_id.uom_id
                )
        return result

    def _get_quantities_to_return(self):
        """{product: claimed quantity not yet in a return of the claim}"""
        self.ensure_one()
        returned = defaultdict(float)
        for move in self._get_own_returns().move_ids.filtered(lambda m: m.state != "cancel"):
            returned[move.product_id] += self._move_quantity(move)
        return {
            product: quantity - returned[product]
            for product, quantity in self._get_claimed_quantities().items()
            if float_compare(
                quantity, returned[product], precision_rounding=product.uom_id.rounding
            )
            > 0
        }

    def _get_quantities_to_credit(self):
        """{product: claimed quantity not yet in a credit note of the claim}"""
        self.ensure_one()
        credited = defaultdict(float)
        for line in self.credit_note_ids.filtered(lambda m: m.state != "cancel").invoice_line_ids:
            if line.display_type == "product" and line.product_id:
                credited[line.product_id] += line.product_uom_id._compute_quantity(
                    line.quantity, line.product_id.uom_id
                )
        return {
            product: quantity - credited[product]
            for product, quantity in self._get_claimed_quantities().items()
            if float_compare(
                quantity, credited[product], precision_rounding=product.uom_id.rounding
            )
            > 0
        }

    def _link_returns(self, pickings):
        """The claim's new return (and replacement) pickings name the claim: origin and chatter."""
        # sudo: the claim's returns are linked by this action only (_server_fields)
        self.sudo().return_picking_ids |= pickings
        pickings.origin = self.name
        for picking in pickings:
            picking.message_post_with_source(
                "mail.message_origin_link",
                render_values={"self": picking, "origin": self},
                subtype_xmlid="mail.mt_note",
            )
        self._post_link_note(_("Return created:"), pickings)

    def _link_replacements(self, pickings):
        """Replacement moves are delivered on the order line of the goods they replace (whose
        return did not lower its delivered quantity, nor do they raise it), so the order stays
        delivered and invoiced as it was."""
        lines_by_product = {}
        for move in self.picking_id.move_ids.filtered("sale_line_id"):
            lines_by_product.setdefault(move.product_id, move.sale_line_id)
        for move in pickings.move_ids.filtered(lambda m: not m.sale_line_id):
            if move.product_id in lines_by_product:
                move.sale_line_id = lines_by_product[move.product_id]

    def _post_link_note(self, label, records):
        links = Markup(", ").join(
            Markup('<a href="#" data-oe-model="%s" data-oe-id="%s">%s</a>')
            % (record._name, record.id, record.display_name)
            for record in records
        )
        self.message_post(
            body=Markup("<p>%s %s</p>") % (label, links), subtype_xmlid="mail.mt_note"
        )
