from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

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


class SalesSupportClaim(models.Model):
    """A logistic or order claim of a customer, resolved through Odoo's own return and credit-note flows."""

    _name = "sales.support.claim"
    _description = "Customer Claim"
    _inherit = ["sales.support.sequence.mixin", "mail.thread", "mail.activity.mixin"]
    _sequence_code = "sales.support.claim"
    _order = "date_claim desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, tracking=True, index=True,
        domain="[('company_id', 'in', (False, company_id))]")
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id", store=True, index=True)
    order_id = fields.Many2one(
        "sale.order", string="Order", tracking=True, index="btree_not_null", check_company=True,
        domain="[('partner_id', 'child_of', commercial_partner_id), ('state', '=', 'sale')]")
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", tracking=True, check_company=True,
        domain="[('sale_id', '=', order_id), ('picking_type_code', '=', 'outgoing'), ('state', '=', 'done')]")
    invoice_id = fields.Many2one(
        "account.move", string="Invoice", tracking=True, check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
               "('commercial_partner_id', '=', commercial_partner_id)]")
    request_id = fields.Many2one("sales.support.request", string="Customer Request", index="btree_not_null",
                                 check_company=True)
    user_id = fields.Many2one("res.users", string="Salesperson", compute="_compute_people", store=True,
                              readonly=False, precompute=True, index=True)
    coordinator_id = fields.Many2one("res.users", string="Coordinator", compute="_compute_people", store=True,
                                     readonly=False, precompute=True, tracking=True, index=True,
                                     domain="[('support_level', '!=', False)]")
    claim_type = fields.Selection(CLAIM_TYPES, string="Type", required=True, default="damaged", tracking=True)
    root_cause = fields.Selection(ROOT_CAUSES, tracking=True)
    responsible_user_id = fields.Many2one(
        "res.users", string="Responsible for the Error", tracking=True,
        help="Who made the order-entry error (root cause 'Order Entry Error').")
    resolution = fields.Selection(RESOLUTIONS, tracking=True)
    state = fields.Selection(CLAIM_STATES, default="new", required=True, tracking=True, index=True, copy=False)
    description = fields.Html()
    line_ids = fields.One2many("sales.support.claim.line", "claim_id", string="Claimed Products", copy=True)
    date_claim = fields.Datetime(string="Claimed At", required=True, default=fields.Datetime.now, index=True)
    date_resolved = fields.Datetime(string="Resolved At", readonly=True, copy=False)
    amount_claimed = fields.Monetary(compute="_compute_amounts", store=True, currency_field="currency_id")
    amount_credited = fields.Monetary(compute="_compute_amounts", store=True, currency_field="currency_id",
                                      help="Total of the credit notes created for the claim.")
    return_picking_ids = fields.Many2many("stock.picking", string="Returns and Replacements", copy=False)
    credit_note_ids = fields.Many2many("account.move", string="Credit Notes", copy=False)
    order_error_ids = fields.One2many("sales.support.order.error", "claim_id", string="Order-Entry Errors")

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    @api.depends("order_id", "partner_id")
    def _compute_people(self):
        for claim in self:
            source = claim.order_id
            claim.user_id = source.user_id or claim.partner_id.commercial_partner_id.user_id
            claim.coordinator_id = (source.coordinator_id
                                    or claim.partner_id.commercial_partner_id.support_coordinator_id
                                    or claim.coordinator_id)

    @api.depends("line_ids.amount", "credit_note_ids.amount_total", "credit_note_ids.state")
    def _compute_amounts(self):
        for claim in self:
            claim.amount_claimed = sum(claim.line_ids.mapped("amount"))
            claim.amount_credited = sum(claim.credit_note_ids.filtered(
                lambda m: m.state != "cancel").mapped("amount_total"))

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("partner_id", "order_id", "picking_id", "invoice_id", "company_id")
    def _check_documents(self):
        for claim in self:
            customer = claim.partner_id.commercial_partner_id
            if claim.partner_id.company_id and claim.partner_id.company_id != claim.company_id:
                raise ValidationError(_("The customer %(customer)s belongs to another company.",
                                        customer=claim.partner_id.display_name))
            if claim.order_id and claim.order_id.partner_id.commercial_partner_id != customer:
                raise ValidationError(_(
                    "Order %(order)s is an order of %(other)s, not of %(customer)s: choose one of the "
                    "customer's orders.", order=claim.order_id.name,
                    other=claim.order_id.partner_id.commercial_partner_id.display_name,
                    customer=customer.display_name))
            if claim.picking_id and claim.picking_id.sale_id != claim.order_id:
                raise ValidationError(_("Delivery %(picking)s does not belong to order %(order)s.",
                                        picking=claim.picking_id.name, order=claim.order_id.name or "-"))
            if claim.invoice_id and claim.invoice_id.commercial_partner_id != customer:
                raise ValidationError(_("Invoice %(invoice)s is not an invoice of %(customer)s.",
                                        invoice=claim.invoice_id.name, customer=customer.display_name))

    @api.constrains("root_cause", "responsible_user_id")
    def _check_responsible(self):
        for claim in self:
            if claim.root_cause == "order_entry" and not claim.responsible_user_id:
                raise ValidationError(_(
                    "Claim %(claim)s is caused by an order-entry error: say who made it "
                    "(Responsible for the Error).", claim=claim.name))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        claims = super().create(vals_list)
        claims._log_order_entry_errors()
        return claims

    def write(self, vals):
        if "state" in vals:
            vals = {**vals, "date_resolved": fields.Datetime.now() if vals["state"] == "resolved" else False}
        res = super().write(vals)
        if {"root_cause", "responsible_user_id", "order_id"} & set(vals):
            self._log_order_entry_errors()
        return res

    def _log_order_entry_errors(self):
        """A claim caused by order entry logs the error once (found by the customer)."""
        to_log = self.filtered(lambda c: c.root_cause == "order_entry" and c.order_id and not c.order_error_ids)
        if not to_log:
            return
        error_types = {"wrong_item": "product", "short": "quantity", "over": "quantity",
                       "price": "price", "documents": "terms"}
        # sudo: the error log is kept by the system for whoever records the claim (salespeople
        # and coordinators may not create error records themselves).
        self.env["sales.support.order.error"].sudo().create([{
            "order_id": claim.order_id.id,
            "responsible_user_id": claim.responsible_user_id.id,
            "error_type": error_types.get(claim.claim_type, "product"),
            "found_by": "customer",
            "date_found": claim.date_claim,
            "claim_id": claim.id,
            "origin": "claim",
            "cost": claim.amount_claimed,
            "description": _("From claim %(claim)s", claim=claim.name),
        } for claim in to_log])

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_start(self):
        self.filtered(lambda c: c.state == "new").write({"state": "in_progress"})

    def action_resolve(self):
        for claim in self:
            if not claim.resolution:
                raise UserError(_("Choose how claim %(claim)s is resolved before closing it.", claim=claim.name))
        self.write({"state": "resolved"})

    def action_reject(self):
        self.write({"state": "rejected"})

    def action_reset(self):
        self.write({"state": "new"})

    def _check_lines_for(self, what):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(_("Add the claimed products and quantities to %(claim)s before creating the %(what)s.",
                              claim=self.name, what=what))

    def action_create_return(self):
        """Return (or, for a replacement, exchange) the claimed quantities of the delivery through
        Odoo's return wizard; the new pickings are linked to the claim."""
        self.ensure_one()
        self._check_lines_for(_("return"))
        if not self.picking_id:
            raise UserError(_("Choose the delivery of claim %(claim)s to return goods from it.", claim=self.name))
        wizard = self.env["stock.return.picking"].with_context(
            active_id=self.picking_id.id, active_ids=self.picking_id.ids, active_model="stock.picking",
        ).create({"picking_id": self.picking_id.id})
        claimed = {}
        for line in self.line_ids:
            claimed[line.product_id] = claimed.get(line.product_id, 0.0) + line.quantity
        returnable = wizard.product_return_moves.product_id
        missing = [p.display_name for p in claimed if p not in returnable]
        if missing:
            raise UserError(_("Delivery %(picking)s has no %(products)s to return.",
                              picking=self.picking_id.name, products=", ".join(missing)))
        for return_line in wizard.product_return_moves:
            quantity = claimed.pop(return_line.product_id, 0.0)
            return_line.quantity = min(quantity, return_line.move_quantity or quantity)
        if self.resolution == "replacement":
            action = wizard.action_create_exchanges()
        else:
            action = wizard.action_create_returns()
        new_pickings = self.env["stock.picking"].search([
            "|", ("id", "=", action["res_id"]), ("return_id", "=", action["res_id"])])
        self.return_picking_ids |= new_pickings
        if self.state == "new":
            self.action_start()
        return action

    def action_create_credit_note(self):
        """Credit the claimed quantities of the invoice: Odoo's reversal wizard makes a draft credit
        note, whose lines are then cut to the claimed products and quantities."""
        self.ensure_one()
        self._check_lines_for(_("credit note"))
        if not self.invoice_id:
            raise UserError(_("Choose the invoice of claim %(claim)s to credit it.", claim=self.name))
        reversal = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=self.invoice_id.ids,
        ).create({
            "move_ids": [fields.Command.set(self.invoice_id.ids)],
            "journal_id": self.invoice_id.journal_id.id,
            "reason": _("Claim %(claim)s", claim=self.name),
        })
        reversal.refund_moves()
        credit_note = reversal.new_move_ids
        claimed = {}
        for line in self.line_ids:
            claimed.setdefault(line.product_id, []).append(line)
        updates = []
        for move_line in credit_note.invoice_line_ids.filtered(lambda line: line.display_type == "product"):
            lines = claimed.get(move_line.product_id)
            if not lines:
                updates.append(fields.Command.delete(move_line.id))
                continue
            values = {"quantity": sum(claim_line.quantity for claim_line in lines)}
            if lines[0].price_unit:
                values["price_unit"] = lines[0].price_unit
            updates.append(fields.Command.update(move_line.id, values))
        credit_note.write({"invoice_line_ids": updates})
        self.credit_note_ids |= credit_note
        if self.state == "new":
            self.action_start()
        return form_action(credit_note)

    def action_view_returns(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "name": _("Returns"), "res_model": "stock.picking",
            "view_mode": "list,form", "domain": [("id", "in", self.return_picking_ids.ids)],
        }

    def action_view_credit_notes(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "name": _("Credit Notes"), "res_model": "account.move",
            "view_mode": "list,form", "domain": [("id", "in", self.credit_note_ids.ids)],
        }
