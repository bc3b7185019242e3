"""Sales Support on sale.order: coordinator assignment, Order-to-Cash milestones, order-entry
error detection and credit exposure (the policy on confirmation and its override)."""

import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, format_datetime
from odoo.tools.misc import formatLang

from ..tools import (
    OptionalFloat,
    count_related,
    form_action,
    format_delay,
    without_client_defaults,
)
from .sales_support_o2c_event import end_of_day, local_end_of_day
from .sales_support_o2c_step import O2C_STEP_SELECTION, O2C_STEPS

O2C_STAGES = O2C_STEP_SELECTION + [("cancel", "Cancelled")]
_logger = logging.getLogger(__name__)

STEP_FIELD = {code: fname for code, _label, fname in O2C_STEPS}
# Payment states of a customer invoice that leave nothing to collect.
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed")
# Picking types that ship to the customer: from our stock, or from the supplier (dropship).
DELIVERY_CODES = ("outgoing", "dropship")
# Order fields whose change after confirmation is an order-entry error, and its type.
ORDER_ERROR_FIELDS = {
    "partner_shipping_id": "address",
    "partner_invoice_id": "address",
    "payment_term_id": "terms",
}


# Who reads Sales Support records linked to orders (claims, errors, ledger events).
SUPPORT_READERS = "sales_team.group_sale_salesman,sales_support.group_support_assistant"
# Recorded by the server from Odoo's own steps; never written by users or scripts.
O2C_PROTECTED_FIELDS = {
    *STEP_FIELD.values(),
    "order_entry_user_id",
    "o2c_late_notified_step",
    "o2c_stage",
    "o2c_next_step",
    "date_o2c_next_deadline",
    "has_o2c_deliveries",
    "is_coordinator_manual",
    "origin_order_id",
}
# The customer's signature online: written by the portal (under sudo) when the customer signs; it
# dates nothing in the ledger (the event is dated by the server), but no user may forge it.
# Clearing it stays allowed: Odoo's reset to quotation does.
O2C_SIGNATURE_FIELDS = {"signature", "signed_by", "signed_on"}

# Context key of _o2c_syncing_lines (a sale.order recordset).
LINES_SYNCED_KEY = "sales_support_o2c_lines_synced"
# Orders reminded per call of the late-step cron (Odoo calls again while some remain).
O2C_LATE_BATCH_SIZE = 500

# Written by the credit override wizard only (with a scoped sudo): no user nor script sets them.
# What a credit override was approved for, besides the total (support_credit_override_amount).
CREDIT_OVERRIDE_SCOPE = {"partner_id", "company_id", "pricelist_id", "currency_id"}
CREDIT_OVERRIDE_FIELDS = {
    "support_credit_override_amount",
    "support_credit_override_user_id",
    "support_credit_override_date",
    "support_credit_override_reason",
}
# computed by _compute_support_credit, read by the confirmation check
CREDIT_CHECK_FIELDS = [
    "support_credit_exposure",
    "support_credit_limit",
    "support_credit_hold",
    "support_credit_bounce_hold",
]


def _hours(start, end):
    """Hours from ``start`` to ``end``; None (blank, not 0 h) when either step is not reached."""
    return (end - start).total_seconds() / 3600 if start and end else None


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "sales.support.checklist.mixin"]

    # ------------------------------------------------------------
    # Support assignment
    # ------------------------------------------------------------
    coordinator_id = fields.Many2one(
        "res.users",
        string="Support Coordinator",
        compute="_compute_coordinator_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        copy=False,
        domain="[('support_level', 'in', ('coordinator', 'manager')), "
        "('company_ids', 'in', company_id)]",
        help="Coordinator in charge of this order: the customer's coordinator chosen by hand, "
        "else the assignment rules, else the salesperson's coordinator (backup while absent). "
        "Set it by hand to override them; clear it to go back to them.",
    )
    is_order_read_only_user = fields.Boolean(
        compute="_compute_is_order_read_only_user",
        help="The current user reads orders but does not work them (support assistants): hides "
        "the buttons that Odoo's own groups would show them (pro-forma sending).",
    )
    is_coordinator_manual = fields.Boolean(
        string="Coordinator Set by Hand",
        readonly=True,
        copy=False,
        help="The coordinator was chosen by hand: re-applying the assignment rules keeps it.",
    )

    @api.depends("user_id", "team_id", "partner_id", "company_id", "order_line.product_id")
    def _compute_coordinator_id(self):
        auto = self.filtered(lambda o: not o.is_coordinator_manual)
        coordinators = self.env["sales.support.assignment.rule"]._get_order_coordinators(auto)
        for order in auto:
            order.coordinator_id = coordinators[order]

    @api.depends_context("uid")
    def _compute_is_order_read_only_user(self):
        read_only = not self.env.user.has_group("sales_team.group_sale_salesman")
        for order in self:
            order.is_order_read_only_user = read_only

    @api.constrains("coordinator_id", "company_id")
    def _check_coordinator_id(self):
        for order in self.filtered("coordinator_id"):
            coordinator = order.coordinator_id
            coordinator._check_can_serve(_("the coordinator of order %(order)s", order=order.name))
            if order.company_id not in coordinator.company_ids:
                raise ValidationError(
                    _(
                        "%(coordinator)s does not work for %(company)s and cannot coordinate order "
                        "%(order)s: choose a coordinator of that company.",
                        coordinator=coordinator.name,
                        company=order.company_id.name,
                        order=order.name,
                    )
                )

    # ------------------------------------------------------------
    # Links
    # ------------------------------------------------------------
    support_request_id = fields.Many2one(
        "sales.support.request",
        string="Customer Request",
        index="btree_not_null",
        copy=False,
        check_company=True,
        tracking=True,
    )
    claim_ids = fields.One2many("sales.support.claim", "order_id", string="Claims")
    # groups: warehouse users, accountants and auditors open orders too, without Sales Support
    claim_count = fields.Integer(compute="_compute_claim_count", groups=SUPPORT_READERS)
    order_error_ids = fields.One2many(
        "sales.support.order.error", "order_id", string="Order-Entry Errors"
    )
    order_error_count = fields.Integer(compute="_compute_order_error_count", groups=SUPPORT_READERS)
    origin_order_id = fields.Many2one(
        "sale.order",
        string="Copied From",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The order this one was duplicated from (a cancelled order replaced by a copy is "
        "logged as an order-entry error).",
    )
    order_entry_user_id = fields.Many2one(
        "res.users",
        string="Entered By",
        readonly=True,
        copy=False,
        help="Who confirmed (entered) the order in the system.",
    )

    # ------------------------------------------------------------
    # Milestones (stored, UTC), derived from the Order-to-Cash ledger
    # ------------------------------------------------------------
    o2c_event_ids = fields.One2many(
        "sales.support.o2c.event", "order_id", string="Order-to-Cash Events", groups=SUPPORT_READERS
    )
    date_o2c_request = fields.Datetime(
        string="Request Received",
        compute="_compute_o2c_milestones",
        store=True,
        copy=False,
        help="Reception of the linked customer request, else the creation of the quotation; "
        "empty when that is after the order was first sent, confirmed or entered (history "
        "imported with earlier order dates).",
    )
    date_o2c_quotation_sent = fields.Datetime(
        string="Quotation Sent",
        compute="_compute_o2c_milestones",
        store=True,
        copy=False,
        help="First time the quotation was sent (by e-mail or marked as sent).",
    )
    date_o2c_customer_confirmed = fields.Datetime(
        string="Confirmed by Customer",
        compute="_compute_o2c_milestones",
        store=True,
        copy=False,
        help="Customer's signature on the portal, the 'Customer Confirmed' button (purchase order "
        "received), else the order entry.",
    )
    date_o2c_entered = fields.Datetime(
        string="Order Entered",
        compute="_compute_o2c_milestones",
        store=True,
        copy=False,
        help="Confirmation of the order in Odoo.",
    )
    date_o2c_goods_ready = fields.Datetime(
        string="Goods Ready",
        compute="_compute_o2c_milestones",
        store=True,
        copy=False,
        help="When every outgoing delivery became fully reserved (at the latest, when shipped).",
    )
    date_o2c_shipped = fields.Datetime(
        string="Shipped",
        compute="_compute_o2c_milestones",
        store=True,
        copy=False,
        help="Validation of the last outgoing delivery (returns and replacements excluded).",
    )
    date_o2c_invoiced = fields.Datetime(
        string="Invoiced",
        compute="_compute_o2c_milestones",
        store=True,
        copy=False,
        help="When nothing was left to invoice (down payments do not count).",
    )
    date_o2c_paid = fields.Datetime(
        string="Paid",
        compute="_compute_o2c_milestones",
        store=True,
        copy=False,
        help="Date of the reconciliation that settled the last invoice, nothing being left to "
        "invoice.",
    )
    has_o2c_deliveries = fields.Boolean(compute="_compute_has_o2c_deliveries", store=True)

    # ------------------------------------------------------------
    # Stage, next step, lateness
    # ------------------------------------------------------------
    o2c_stage = fields.Selection(
        O2C_STAGES,
        compute="_compute_o2c_stage",
        store=True,
        index=True,
        group_expand="_group_expand_o2c_stage",
        copy=False,
        help="Last Order-to-Cash step reached, in order.",
    )
    o2c_next_step = fields.Selection(
        O2C_STEP_SELECTION, string="Next Step", compute="_compute_o2c_stage", store=True, copy=False
    )
    date_o2c_next_deadline = fields.Datetime(
        string="Next Step Due",
        compute="_compute_o2c_stage",
        store=True,
        index=True,
        copy=False,
        help="When the next step is due, from the step targets. Empty when the next step cannot be "
        "worked yet (for example nothing to invoice before the delivery).",
    )
    is_o2c_late = fields.Boolean(
        string="Late", compute="_compute_is_o2c_late", search="_search_is_o2c_late"
    )
    o2c_late_step = fields.Selection(
        O2C_STEP_SELECTION, string="Late Step", compute="_compute_is_o2c_late"
    )
    o2c_late_text = fields.Char(string="Late By", compute="_compute_is_o2c_late")
    o2c_late_notified_step = fields.Selection(
        O2C_STEP_SELECTION,
        compute="_compute_o2c_late_notified_step",
        store=True,
        readonly=True,
        copy=False,
        help="Step for which the coordinator already got a late activity. Cleared when the order "
        "moves to another step, so a step reached again (invoicing reopened by a credit note) "
        "is reminded again.",
    )

    # planned dates (not stored: they follow the step targets)
    date_o2c_planned_quotation_sent = fields.Datetime(
        string="Quotation Planned", compute="_compute_o2c_planned"
    )
    date_o2c_planned_customer_confirmed = fields.Datetime(
        string="Customer Confirmation Planned", compute="_compute_o2c_planned"
    )
    date_o2c_planned_entered = fields.Datetime(
        string="Entry Planned", compute="_compute_o2c_planned"
    )
    date_o2c_planned_goods_ready = fields.Datetime(
        string="Goods Ready Planned", compute="_compute_o2c_planned"
    )
    date_o2c_planned_shipped = fields.Datetime(
        string="Shipment Planned", compute="_compute_o2c_planned"
    )
    date_o2c_planned_invoiced = fields.Datetime(
        string="Invoice Planned", compute="_compute_o2c_planned"
    )
    date_o2c_planned_paid = fields.Datetime(
        string="Payment Planned", compute="_compute_o2c_planned"
    )

    # ------------------------------------------------------------
    # Durations (hours, wall clock; not stored: averages come from sales.support.o2c.report,
    # where a step not reached is NULL, not 0; empty here too)
    # ------------------------------------------------------------
    o2c_quotation_hours = OptionalFloat(
        "Request to Quotation (h)", compute="_compute_o2c_durations"
    )
    o2c_confirmation_hours = OptionalFloat(
        "Quotation to Customer Confirmation (h)", compute="_compute_o2c_durations"
    )
    o2c_entry_hours = OptionalFloat("Confirmation to Entry (h)", compute="_compute_o2c_durations")
    o2c_processing_hours = OptionalFloat("Request to Entry (h)", compute="_compute_o2c_durations")
    o2c_preparation_hours = OptionalFloat(
        "Entry to Goods Ready (h)", compute="_compute_o2c_durations"
    )
    o2c_shipping_hours = OptionalFloat(
        "Goods Ready to Shipment (h)", compute="_compute_o2c_durations"
    )
    o2c_invoicing_hours = OptionalFloat("Shipment to Invoice (h)", compute="_compute_o2c_durations")
    o2c_payment_hours = OptionalFloat("Invoice to Payment (h)", compute="_compute_o2c_durations")
    o2c_cycle_hours = OptionalFloat("Whole Cycle (h)", compute="_compute_o2c_durations")

    # ------------------------------------------------------------
    # Export and foreign-trade documents (engine: sales_support_checklist_mixin.py; the
    # incoterm is sale_stock's ``incoterm``, the letter of credit sales_letter_of_credit.py's)
    # ------------------------------------------------------------
    is_export = fields.Boolean(
        string="Export",
        compute="_compute_is_export",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        help="The customer's country differs from the company's (can be changed by hand).",
    )
    customs_broker_id = fields.Many2one(
        "res.partner", string="Customs Broker", tracking=True, index="btree_not_null"
    )
    certification_body_id = fields.Many2one(
        "res.partner",
        string="Certification Body",
        tracking=True,
        help="Issues the certificate of conformity.",
    )
    export_declaration_number = fields.Char(tracking=True, copy=False)
    export_declaration_date = fields.Date(tracking=True, copy=False)
    support_document_ids = fields.One2many(
        "sales.support.document", "order_id", string="Checklist Documents", groups=SUPPORT_READERS
    )

    # ------------------------------------------------------------
    # Letter of credit and tender (sales_letter_of_credit.py, sales_tender.py)
    # ------------------------------------------------------------
    letter_of_credit_id = fields.Many2one(
        "sales.letter.of.credit",
        string="Letter of Credit",
        index="btree_not_null",
        tracking=True,
        copy=False,
        check_company=True,
        domain="[('commercial_partner_id', 'parent_of', partner_id), "
        "('state', 'in', ('received', 'confirmed'))]",
    )
    letter_of_credit_warning = fields.Text(
        compute="_compute_letter_of_credit_warning",
        help="Shipment planned after the latest shipment date, orders above what the letter of "
        "credit allows, letter of credit no longer open.",
    )
    tender_id = fields.Many2one(
        "sales.tender",
        string="Tender",
        index="btree_not_null",
        copy=False,
        tracking=True,
        check_company=True,
        domain="[('commercial_partner_id', 'parent_of', partner_id)]",
    )

    # ------------------------------------------------------------
    # Credit exposure: Odoo's credit-limit banner extended with the customer's whole
    # exposure (res_partner.py), and the override a manager approves
    # (wizard/sales_support_credit_override.py)
    # ------------------------------------------------------------
    support_credit_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Exposure Currency"
    )
    support_credit_exposure = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Customer Exposure",
        help="The customer's credit exposure in the order's company, this order included while "
        "it is a quotation.",
    )
    support_credit_limit = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Customer Credit Limit",
    )
    support_credit_hold = fields.Text(
        compute="_compute_support_credit",
        string="Credit Hold",
        help="Why the confirmation needs a manager's approval (exposure over the limit, bounced "
        "cheque not replaced).",
    )
    support_credit_bounce_hold = fields.Char(
        compute="_compute_support_credit",
        string="Bounced Cheque Hold",
        help="The bounced cheques not replaced yet that hold the confirmation (company setting "
        "Hold Orders on Bounced Cheques), whatever the credit policy.",
    )
    support_credit_override_user_id = fields.Many2one(
        "res.users", string="Credit Override By", readonly=True, copy=False
    )
    support_credit_override_date = fields.Datetime(
        string="Credit Override On", readonly=True, copy=False
    )
    support_credit_override_reason = fields.Text(
        string="Credit Override Reason", readonly=True, copy=False
    )
    support_credit_override_amount = fields.Monetary(
        string="Credit Override For",
        readonly=True,
        copy=False,
        help="The order's total when the override was approved: an order grown above it needs "
        "a new approval.",
    )
    support_credit_override_valid = fields.Boolean(
        compute="_compute_support_credit_override_valid",
        string="Credit Override Covers the Order",
    )

    def init(self):
        res = super().init()
        # The late-step cron reads only the orders not yet reminded for their next step.
        self.env.cr.execute(
            SQL("""
            CREATE INDEX IF NOT EXISTS sale_order_o2c_late_pending_idx
                ON sale_order (date_o2c_next_deadline)
             WHERE o2c_next_step IS DISTINCT FROM o2c_late_notified_step
        """)
        )
        return res

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    def _group_expand_o2c_stage(self, stages, domain):
        return [code for code, _label in O2C_STAGES if code != "cancel"]

    @api.depends(
        "letter_of_credit_id",
        "commitment_date",
        "expected_date",
        "amount_total",
        "state",
        "letter_of_credit_id.state",
        "letter_of_credit_id.date_latest_shipment",
    )
    def _compute_letter_of_credit_warning(self):
        warnings = self.env["sales.letter.of.credit"]._get_order_warnings(self)
        for order in self:
            order.letter_of_credit_warning = warnings.get(order, False)

    def _compute_claim_count(self):
        counts = count_related(self, "sales.support.claim", "order_id")
        for order in self:
            order.claim_count = counts.get(order, 0)

    def _compute_order_error_count(self):
        counts = count_related(self, "sales.support.order.error", "order_id")
        for order in self:
            order.order_error_count = counts.get(order, 0)

    @api.depends("o2c_event_ids")
    def _compute_o2c_milestones(self):
        milestones = self.env["sales.support.o2c.event"]._get_milestones(self._origin)
        for order in self:
            reached = milestones.get(order._origin.id, {})
            for code, fname in STEP_FIELD.items():
                order[fname] = reached.get(code, False)

    @api.depends(
        "state", "picking_ids.picking_type_code", "picking_ids.state", "picking_ids.return_id"
    )
    def _compute_has_o2c_deliveries(self):
        for order in self:
            order.has_o2c_deliveries = bool(order._get_o2c_deliveries())

    @api.depends("state", "has_o2c_deliveries", "invoice_status", *STEP_FIELD.values())
    def _compute_o2c_stage(self):
        Step = self.env["sales.support.o2c.step"]
        for order in self:
            targets = Step._get_targets(order.company_id)  # cached per company
            stage = order._get_o2c_stage()
            next_step = order._get_o2c_next_step(stage)
            order.o2c_stage = stage
            order.o2c_next_step = next_step
            order.date_o2c_next_deadline = order._get_o2c_deadline(next_step, targets)

    @api.depends("o2c_next_step")
    def _compute_o2c_late_notified_step(self):
        """Set by the late-step cron (server write); kept while the order waits for that step."""
        for order in self:
            if order.o2c_late_notified_step != order.o2c_next_step:
                order.o2c_late_notified_step = False

    def _get_o2c_stage(self):
        """Last step reached in order; delivery steps are skipped for orders without delivery."""
        self.ensure_one()
        if self.state == "cancel":
            return "cancel"
        delivered = self.date_o2c_shipped or (self.date_o2c_entered and not self.has_o2c_deliveries)
        if self.date_o2c_paid and delivered:
            return "paid"
        if self.date_o2c_invoiced and delivered:
            return "invoiced"
        for code in ("shipped", "goods_ready", "entered", "customer_confirmed", "quotation_sent"):
            if self[STEP_FIELD[code]]:
                return code
        # sent before the install, when the chatter does not date it: sent, at no known time
        return "quotation_sent" if self.state == "sent" else "request"

    def _get_o2c_next_step(self, stage):
        self.ensure_one()
        if stage in ("paid", "cancel"):
            return False
        if stage == "entered" and not self.has_o2c_deliveries:
            return "paid" if self.date_o2c_invoiced else "invoiced"
        if stage == "shipped" and self.date_o2c_invoiced:
            return "paid"
        codes = [code for code, _label in O2C_STEP_SELECTION]
        return codes[codes.index(stage) + 1]

    def _get_o2c_deadline(self, next_step, targets):
        """When ``next_step`` is due: its target after the milestone it follows. The invoice step
        has no deadline while nothing is to invoice (it cannot be worked yet); a step passed at no
        known time (before the install: the milestone it follows, or the step itself, is undated)
        has none either."""
        self.ensure_one()
        if not next_step or not targets.get(next_step):
            return False
        if next_step == "invoiced" and self.invoice_status != "to invoice":
            return False
        if next_step == "goods_ready" and self._get_o2c_stock_facts()["ready"]:
            # ready already, at no known time (reserved before the install): not late on it
            return False
        if next_step == "paid":
            due = self._get_o2c_payment_due()
            if due:
                return due
        start = self[STEP_FIELD[self._get_o2c_previous_step(next_step)]]
        return start + timedelta(hours=targets[next_step]) if start else False

    def _get_o2c_payment_due(self):
        """When the customer must have paid: the latest due date (payment terms) of the order's
        open invoices, at the end of that day where it was given (the company's time zone, else
        the salesperson's: _get_o2c_tz); False without open invoices."""
        self.ensure_one()
        # sudo: the deadline is the server's bookkeeping; salespeople may not read invoices
        invoices = self.sudo().invoice_ids.filtered(
            lambda m: m.state == "posted"
            and m.move_type == "out_invoice"
            and m.payment_state not in SETTLED_PAYMENT_STATES
            and m.invoice_date_due
        )
        due = max(invoices.mapped("invoice_date_due"), default=False)
        return local_end_of_day(due, self._get_o2c_tz()) if due else False

    def _get_o2c_previous_step(self, step):
        """The milestone a step's target counts from (delivery steps skipped without deliveries)."""
        self.ensure_one()
        codes = [code for code, _label in O2C_STEP_SELECTION]
        previous = codes[codes.index(step) - 1]
        if step == "invoiced":
            return "shipped" if self.has_o2c_deliveries else "entered"
        if step == "paid":
            return "invoiced"
        return previous

    @api.depends("date_o2c_next_deadline", "o2c_next_step")
    @api.depends_context("lang")
    def _compute_is_o2c_late(self):
        now = fields.Datetime.now()
        for order in self:
            late = bool(order.date_o2c_next_deadline and order.date_o2c_next_deadline < now)
            order.is_o2c_late = late
            order.o2c_late_step = order.o2c_next_step if late else False
            order.o2c_late_text = (
                self.env._(
                    "late by %(delay)s",
                    delay=format_delay(self.env, now - order.date_o2c_next_deadline),
                )
                if late
                else False
            )

    def _search_is_o2c_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("The 'Late' filter only supports = True or = False."))
        late = [("date_o2c_next_deadline", "<", fields.Datetime.now())]
        return late if (operator == "=") == value else ["!", *late]

    @api.depends("has_o2c_deliveries", "state", *STEP_FIELD.values())
    def _compute_o2c_planned(self):
        Step = self.env["sales.support.o2c.step"]
        for order in self:
            targets = Step._get_targets(order.company_id)  # cached per company
            previous = order.date_o2c_request
            for code, _label, fname in O2C_STEPS[1:]:
                planned = False
                skip = (
                    code in ("goods_ready", "shipped")
                    and order.date_o2c_entered
                    and not order.has_o2c_deliveries
                )
                if previous and not skip and targets.get(code):
                    planned = previous + timedelta(hours=targets[code])
                order[f"date_o2c_planned_{code}"] = planned
                if not skip:
                    previous = order[fname] or planned

    @api.depends(*STEP_FIELD.values())
    def _compute_o2c_durations(self):
        for order in self:
            request, sent = order.date_o2c_request, order.date_o2c_quotation_sent
            confirmed, entered = order.date_o2c_customer_confirmed, order.date_o2c_entered
            ready, shipped = order.date_o2c_goods_ready, order.date_o2c_shipped
            invoiced, paid = order.date_o2c_invoiced, order.date_o2c_paid
            order.o2c_quotation_hours = _hours(request, sent)
            order.o2c_confirmation_hours = _hours(sent or request, confirmed)
            order.o2c_entry_hours = _hours(confirmed, entered)
            order.o2c_processing_hours = _hours(request, entered)
            order.o2c_preparation_hours = _hours(entered, ready)
            order.o2c_shipping_hours = _hours(ready, shipped)
            invoicing_start = shipped if shipped and invoiced and shipped <= invoiced else entered
            order.o2c_invoicing_hours = _hours(invoicing_start, invoiced)
            order.o2c_payment_hours = _hours(invoiced, paid)
            order.o2c_cycle_hours = _hours(request, paid)

    @api.depends("partner_id.commercial_partner_id.country_id", "company_id.country_id")
    def _compute_is_export(self):
        for order in self:
            country = order.partner_id.commercial_partner_id.country_id
            order.is_export = bool(
                country and order.company_id.country_id and country != order.company_id.country_id
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_credit_override_fields(vals)
            self._check_o2c_protected_fields(vals)
        server_fields = O2C_PROTECTED_FIELDS | O2C_SIGNATURE_FIELDS | CREDIT_OVERRIDE_FIELDS
        orders = super(SaleOrder, without_client_defaults(self, server_fields)).create(vals_list)
        orders._log_o2c_request_events()
        if not self.env.context.get("sales_support_auto_assign"):
            given = self.browse(
                [
                    order.id
                    for order, vals in zip(orders, vals_list, strict=False)
                    if vals.get("coordinator_id")
                ]
            )
            given._flag_manual_coordinator()
        return orders

    def copy(self, default=None):
        copies = super().copy(default=default)
        # sudo: the link to the original is the server's bookkeeping (O2C_PROTECTED_FIELDS): a
        # copy that replaces a cancelled order is an order-entry error
        for order, copied in zip(self, copies, strict=True):
            if not copied.origin_order_id:
                copied.sudo().origin_order_id = order
        return copies

    def write(self, vals):
        self._check_credit_override_fields(vals)
        self._check_o2c_protected_fields(vals)
        if CREDIT_OVERRIDE_SCOPE & vals.keys():
            # an approval is for this customer, company and currency: another needs a new one
            approved = self.filtered("support_credit_override_user_id")
            if approved:
                # sudo: the approval fields are the server's (see _check_credit_override_fields)
                approved.sudo().write(dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False))
        error_fields = ORDER_ERROR_FIELDS.keys() & vals.keys()
        confirmed = self.filtered(lambda o: o.state == "sale") if error_fields else self.browse()
        if confirmed and self.env["sales.support.order.error"]._is_person_edit():
            before = {order: {f: order[f] for f in error_fields} for order in confirmed}
        else:
            before = {}
        # lines written through the order: the order syncs once below, not each line
        orders = self._o2c_syncing_lines() if "order_line" in vals else self
        res = super(SaleOrder, orders).write(vals)
        if "coordinator_id" in vals and not self.env.context.get("sales_support_auto_assign"):
            self._flag_manual_coordinator()
        if vals.get("signed_on"):
            self._log_o2c_customer_signatures()
        if vals.get("support_request_id"):
            self._log_o2c_request_events()
        if "order_line" in vals:
            self._o2c_sync()  # lines added or changed: more to ship or to invoice
        changes = [
            (order, ORDER_ERROR_FIELDS[fname], order._fields[fname], old, order[fname], None, None)
            for order, old_values in before.items()
            for fname, old in old_values.items()
            if order[fname] != old
        ]
        if changes:
            self._log_edit_errors(changes)
        return res

    def _flag_manual_coordinator(self):
        """After an explicit write of the coordinator: a value that differs from what the rules
        give is a manual override (kept by re-assignment); an empty value goes back to the rules."""
        if not self:
            return
        cleared = self.filtered(lambda o: not o.coordinator_id)
        expected = self.env["sales.support.assignment.rule"]._get_order_coordinators(self - cleared)
        manual = self.filtered(lambda o: o.coordinator_id and o.coordinator_id != expected[o])
        auto = self - manual
        ctx = {"sales_support_auto_assign": True}
        # sudo: the manual flag is the server's bookkeeping of a coordinator chosen by hand
        # (O2C_PROTECTED_FIELDS); the user only wrote the coordinator
        if manual.filtered(lambda o: not o.is_coordinator_manual):
            manual.sudo().with_context(**ctx).write({"is_coordinator_manual": True})
        if auto.filtered("is_coordinator_manual"):
            auto.sudo().with_context(**ctx).write({"is_coordinator_manual": False})
        if cleared:
            cleared.with_context(**ctx)._apply_support_assignment()

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_confirm(self):
        # The credit check reads the computed credit fields: for all the orders confirmed
        # together at once (their customers' exposure per company, their bounced cheques in one
        # grouped query), not order by order. Emptied first: the figures are those of now.
        self.invalidate_recordset(CREDIT_CHECK_FIELDS)
        # quotations of one customer confirmed together: each is checked with the ones before it
        # in the batch, which its own figures (computed as if confirmed alone) do not count
        batch_holds = self._get_support_credit_batch_holds()
        # credit policy "warn": the reasons are read before the confirmation, logged after it
        warnings = {
            order: batch_holds[order][0] if order in batch_holds else order.support_credit_hold
            for order in self
            if order.state in ("draft", "sent")
            and order.company_id.sales_support_credit_policy == "warn"
        }
        if self.env.user.has_group(
            "sales_support.group_support_assistant"
        ) and not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(
                _(
                    "Assistants do the paperwork of orders but do not confirm them: ask the "
                    "coordinator "
                    "(%(coordinators)s) or the salesperson to confirm %(orders)s.",
                    coordinators=", ".join(self.coordinator_id.mapped("name")) or _("none yet"),
                    orders=", ".join(self.mapped("name")),
                )
            )
        for order, (holds, before) in batch_holds.items():
            # an order held on its own is refused by Odoo's check below, with its own reasons:
            # "confirm them one by one" would not help it
            if (
                holds
                and not order.support_credit_hold
                and order.company_id.sales_support_credit_policy == "block"
                and not order.support_credit_override_valid
            ):
                raise UserError(
                    _(
                        "%(order)s cannot be confirmed together with %(others)s: %(reasons)s. "
                        "Confirm them one by one, or a sales or support manager may approve an "
                        "override with a reason.",
                        order=order.name,
                        others=", ".join(before.mapped("name")),
                        reasons="; ".join(holds.splitlines()),
                    )
                )
        res = super().action_confirm()
        replacements = self.filtered(
            lambda o: o.origin_order_id.state == "cancel"
        )._get_replacements()
        if replacements:
            replacements._log_replacement_errors()
        for order, holds in warnings.items():
            if holds:
                order.message_post(
                    body=Markup("%s<br/>%s")
                    % (
                        _("Confirmed over the customer's credit limit:"),
                        "; ".join(holds.splitlines()),
                    ),
                )
        return res

    def action_quotation_sent(self):
        res = super().action_quotation_sent()
        self._log_o2c_quotation_sent()
        return res

    def message_post(self, **kwargs):
        drafts = (
            self.filtered(lambda o: o.state == "draft")
            if self.env.context.get("mark_so_as_sent")
            else None
        )
        message = super().message_post(**kwargs)
        if drafts:
            drafts.filtered(lambda o: o.state == "sent")._log_o2c_quotation_sent()
        return message

    def _action_confirm(self):
        self._log_o2c_entry()
        # a quotation re-confirmed after a reset may have deliveries and invoices already; a new
        # one has none (its deliveries, created now, sync themselves when reserved)
        # searched, not read through picking_ids: reading it now would cache the empty list, to
        # which the deliveries created below are appended in creation order (Odoo's own callers
        # rely on the order in which picking_ids is first read). sudo: a salesperson confirming
        # may have no stock rights; only the existence of a delivery is read
        with_pickings = set(
            self.env["stock.picking"].sudo().search([("sale_id", "in", self.ids)]).sale_id.ids
        )
        resumed = self.filtered(lambda o: o.id in with_pickings or o.order_line.invoice_lines)
        res = super()._action_confirm()
        resumed._o2c_sync()
        with_lc = self.filtered("letter_of_credit_id")
        if with_lc:
            # an order above what its letter of credit allows: an activity for its coordinator
            with_lc.letter_of_credit_id._schedule_overdrawn_activities(with_lc)
        return res

    def action_draft(self):
        cancelled = self.filtered(lambda o: o.state == "cancel")
        res = super().action_draft()
        reopened = cancelled.filtered(lambda o: o.state == "draft")
        if reopened:
            self.env["sales.support.o2c.event"]._log_events(
                [
                    {"order_id": order, "event_type": "reopened", "source": order}
                    for order in reopened
                ]
            )
            # sudo: the entry user is recorded by the server only (see _check_o2c_protected_fields);
            # a credit override approved for the cancelled order does not carry over either
            reopened.sudo().write(
                {"order_entry_user_id": False, **dict.fromkeys(CREDIT_OVERRIDE_FIELDS, False)}
            )
        return res

    def _action_cancel(self):
        entered = self.filtered(lambda o: o.date_o2c_entered)
        to_log = self.filtered(lambda o: o.state != "cancel")
        res = super()._action_cancel()
        self.env["sales.support.o2c.event"]._log_events(
            [
                {"order_id": order, "event_type": "cancelled", "source": order}
                for order in to_log
                if order.state == "cancel"
            ]
        )
        if entered:
            copies = self.search([("origin_order_id", "in", entered.ids), ("state", "=", "sale")])
            copies._get_replacements()._log_replacement_errors()
        return res

    def action_apply_assignment_rules(self):
        """Button / list action: re-apply the rules to the selected orders (manual overrides
        kept)."""
        self.check_access("write")
        changed = self._apply_support_assignment()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "%(changed)s of %(total)s orders got a new coordinator.",
                    changed=changed,
                    total=len(self),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_o2c_customer_confirmed(self):
        """The customer confirmed the quotation (purchase order received) before order entry."""
        if self.filtered(lambda o: o.state not in ("draft", "sent")):
            raise UserError(_("Only quotations can be marked as confirmed by the customer."))
        self.check_access("write")
        self.env["sales.support.o2c.event"]._log_events(
            [
                {
                    "order_id": order,
                    "event_type": "customer_confirmed",
                    "source": order,
                    "name": lambda env: env._("Purchase order received"),
                }
                for order in self
                if not order.date_o2c_customer_confirmed
            ]
        )
        return True

    def action_view_support_request(self):
        self.ensure_one()
        return form_action(self.support_request_id)

    def action_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sales_support_claim_action"
        )
        action.update(
            domain=[("order_id", "=", self.id)],
            context={"default_order_id": self.id, "default_partner_id": self.partner_id.id},
        )
        return action

    def action_view_order_errors(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sales_support_order_error_action"
        )
        action.update(domain=[("order_id", "=", self.id)], context={"default_order_id": self.id})
        return action

    def action_create_claim(self):
        """A new claim form (not saved) with the customer, the order, its last delivery, its
        invoice and its products filled in: nothing is written until the user saves."""
        self.ensure_one()
        return self.env["sales.support.claim"]._get_new_claim_action(
            self, request=self.support_request_id
        )

    def action_log_order_error(self):
        """A new order-entry error form for this order, charged to who entered it."""
        self.ensure_one()
        self.env["sales.support.order.error"].check_access("create")
        if self.state not in ("sale", "cancel"):
            raise UserError(
                _(
                    "Order %(order)s is a quotation: order-entry errors are logged on "
                    "confirmed orders.",
                    order=self.name,
                )
            )
        responsible = self.env["sales.support.order.error"]._get_responsible(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Log Entry Error"),
            "res_model": "sales.support.order.error",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_order_id": self.id,
                "default_responsible_user_id": responsible.id,
                "default_found_by": "internal",
            },
        }

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    @api.model
    def _get_support_open_orders_domain(self):
        """Orders the back office still works on: not paid, not cancelled."""
        return [("o2c_stage", "not in", ("paid", "cancel"))]

    def _apply_support_assignment(self):
        """Re-apply the assignment rules to ``self`` in batch, keeping manual overrides.

        One pass over the rules in memory, then one write per distinct new coordinator: the
        number of queries does not grow with the number of orders. Re-assignments in batch are
        not tracked one by one in the chatter. Returns the number of orders that changed."""
        orders = self.filtered(lambda o: not o.is_coordinator_manual)
        coordinators = self.env["sales.support.assignment.rule"]._get_order_coordinators(orders)
        by_coordinator = defaultdict(list)
        for order in orders:
            if coordinators[order] != order.coordinator_id:
                by_coordinator[coordinators[order]].append(order.id)
        batch = self.with_context(sales_support_auto_assign=True, tracking_disable=True)
        for coordinator, order_ids in by_coordinator.items():
            batch.browse(order_ids).write({"coordinator_id": coordinator.id})
        return sum(len(ids) for ids in by_coordinator.values())

    # ------------------------------------------------------------
    # Order-to-Cash ledger: events recorded by Odoo's own steps
    # ------------------------------------------------------------
    @api.model
    def _check_o2c_protected_fields(self, vals):
        """Milestones, stage, deadline and entry user are recorded by the server from Odoo's own
        steps: no user (nor script over RPC) may write them, whatever the view says."""
        forged = O2C_PROTECTED_FIELDS & vals.keys()
        forged |= {fname for fname in O2C_SIGNATURE_FIELDS & vals.keys() if vals[fname]}
        if forged and not self.env.su:
            labels = ", ".join(
                sorted(self._fields[f].get_description(self.env)["string"] for f in forged)
            )
            raise AccessError(
                _(
                    "%(fields)s are recorded by Odoo from the order's own steps (quotation sent, "
                    "signature online, confirmation, deliveries, invoices, payments) and cannot be "
                    "written. Do the step itself instead.",
                    fields=labels,
                )
            )

    def _log_o2c_request_events(self):
        """The request milestone: the linked customer request's reception, else the quotation's
        creation."""
        now = fields.Datetime.now()
        self.env["sales.support.o2c.event"]._log_events(
            [
                {
                    "order_id": order,
                    "event_type": "request",
                    "date": order.support_request_id.date_received or now,
                    "source": order.support_request_id or order,
                }
                for order in self
            ]
        )

    def _log_o2c_customer_signatures(self):
        """The customer signed online (the portal writes the signature under sudo): dated by the
        server's clock, never by the value written."""
        self.env["sales.support.o2c.event"]._log_events(
            [
                {
                    "order_id": order,
                    "event_type": "customer_confirmed",
                    "source": order,
                    "name": lambda env, order=order: env._(
                        "Signed online by %(name)s", name=order.signed_by or "-"
                    ),
                }
                for order in self
                if order.signed_on and not order.date_o2c_customer_confirmed
            ]
        )

    def _log_o2c_quotation_sent(self):
        if not self:
            return
        self.env["sales.support.o2c.event"]._log_events(
            [{"order_id": order, "event_type": "quotation_sent", "source": order} for order in self]
        )
        requests = self.support_request_id
        if requests and hasattr(requests, "_on_quotation_sent"):
            requests._on_quotation_sent()

    def _log_o2c_entry(self):
        """Order entry at confirmation (date: the order date that confirmation sets), by the
        internal user who confirmed; a confirmation by the customer online or by a payment robot
        charges the quotation's internal creator, else the salesperson."""
        user = self.env.user
        person = user if user._is_internal() and not user._is_superuser() else None
        values = []
        by_user = defaultdict(lambda: self.browse())
        for order in self:
            creator = order.create_uid
            entry_user = person or (
                creator if creator._is_internal() and not creator._is_superuser() else order.user_id
            )
            date = order.date_order or fields.Datetime.now()
            if not order.date_o2c_customer_confirmed:
                values.append(
                    {
                        "order_id": order,
                        "event_type": "customer_confirmed",
                        "date": date,
                        "source": order,
                        "user_id": entry_user.id,
                        "name": lambda env: env._("Confirmed at order entry"),
                    }
                )
            values.append(
                {
                    "order_id": order,
                    "event_type": "entered",
                    "date": date,
                    "source": order,
                    "user_id": entry_user.id,
                }
            )
            by_user[entry_user] |= order
        # sudo: the entry user is recorded by the server only (see _check_o2c_protected_fields)
        for entry_user, orders in by_user.items():
            orders.sudo().order_entry_user_id = entry_user
        self.env["sales.support.o2c.event"]._log_events(values)

    def _o2c_syncing_lines(self):
        """These orders in a context where their lines' own re-sync is skipped: the caller syncs
        them once afterwards. The orders themselves are the marker (a recordset cannot come from
        a client's context, so RPC cannot skip the sync)."""
        synced = self.env.context.get(LINES_SYNCED_KEY)
        if isinstance(synced, models.BaseModel) and synced._name == self._name:
            synced |= self.sudo(False)
        else:
            synced = self.sudo(False)
        return self.with_context(**{LINES_SYNCED_KEY: synced})

    def _get_o2c_tz(self):
        """Time zone in which the order's dates without time (invoice, payment) were given: the
        company's, else the salesperson's, else UTC; never the user running the step (live and
        rebuilt, the same invoice gets the same time)."""
        self.ensure_one()
        return self.company_id.partner_id.tz or self.user_id.tz or "UTC"

    def _get_o2c_deliveries(self):
        """Deliveries that count for the order's shipment (from stock or dropshipped): not
        cancelled, not returns, not replacements sent for a claim exchange."""
        self.ensure_one()
        return self.picking_ids.filtered(
            lambda p: p.picking_type_code in DELIVERY_CODES
            and p.state != "cancel"
            and not p.return_id
            and not p._is_o2c_exchange()
        )

    def _get_o2c_stock_facts(self):
        """What the deliveries say now: goods ready, shipped (and when)."""
        self.ensure_one()
        deliveries = self._get_o2c_deliveries()
        moves = deliveries.move_ids.filtered(lambda m: m.state != "cancel")
        shipped = bool(deliveries) and all(p.state == "done" for p in deliveries)
        return {
            "ready": bool(moves) and all(m.state in ("assigned", "done") for m in moves),
            "shipped": shipped,
            # a picking being validated is already done (its moves are) before Odoo writes its
            # date_done (a chained move is reserved in between): it is done now
            "shipped_date": max(p.date_done or fields.Datetime.now() for p in deliveries)
            if shipped
            else False,
        }

    def _get_o2c_invoice_facts(self, shipped):
        """What the invoices say now: fully invoiced (``shipped``: the goods are all shipped),
        paid (and the date of the reconciliation that settled it)."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        )
        regular = invoices.filtered(
            lambda m: any(
                not line.is_downpayment
                for line in m.invoice_line_ids.sale_line_ids
                if line.order_id == self
            )
        )
        invoiced = bool(regular) and (
            self.invoice_status in ("invoiced", "upselling")
            or (self.invoice_status == "no" and shipped and self._is_o2c_nothing_left())
        )
        paid = invoiced and all(m.payment_state in SETTLED_PAYMENT_STATES for m in invoices)
        paid_day = False
        if paid:
            partials = invoices.line_ids.matched_credit_ids | invoices.line_ids.matched_debit_ids
            paid_day = max(partials.mapped("max_date"), default=False)
        return {
            "invoiced": invoiced,
            "invoiced_day": max(regular.mapped(lambda m: m.invoice_date or m.date), default=False),
            "paid": paid,
            "paid_day": paid_day,
        }

    def _is_o2c_nothing_left(self):
        """Delivered goods all invoiced (a cancelled back-order is not due); a line without
        delivery (a service) invoiced in full, delivered or not yet."""
        self.ensure_one()

        def settled(line):
            rounding = line.product_uom.rounding or 0.01
            if line.move_ids:
                return float_compare(line.qty_to_invoice, 0.0, precision_rounding=rounding) <= 0
            return (
                float_compare(line.qty_invoiced, line.product_uom_qty, precision_rounding=rounding)
                >= 0
            )

        return all(
            settled(line)
            for line in self.order_line
            if not line.display_type and not line.is_downpayment
        )

    def _get_o2c_facts(self):
        """What Odoo's own records say now: goods ready, shipped (and when), fully invoiced,
        paid (and the date of the reconciliation that settled it)."""
        stock = self._get_o2c_stock_facts()
        return {**stock, **self._get_o2c_invoice_facts(stock["shipped"])}

    def _o2c_sync(self, date=None, source=None, stock=True, invoice=True, events=(), when=None):
        """Append the events by which the order's records now differ from its milestones (goods
        ready, shipped or more to ship, fully invoiced or more to invoice, paid or payment undone).
        Called by the core steps that change them (reservation, validation, posting,
        reconciliation); ``date`` is when the step happened (default now), ``source`` its
        document; ``when`` ({order id: (date, source)}) gives them per order. ``stock`` /
        ``invoice``: which part changed (deliveries, invoices and payments): a step that touches
        only one part does not re-read the other. ``events``: events of the step itself, logged
        with the derived ones in one write."""
        # sudo: the accountant who posts, the warehouse user who validates may not read the
        # order's other documents; this only reads pickings, invoices and reconciliations to
        # derive the events, which the server writes (the current user stays their author).
        orders = self.sudo().filtered(lambda o: o.state == "sale")
        now = fields.Datetime.now()
        values = list(events)
        when = when or {}
        for order in orders:
            day, origin = when.get(order.id, (date, source))
            day = day or now
            origin = origin if origin is not None else order

            def event(event_type, at, order=order, origin=origin):
                values.append(
                    {"order_id": order, "event_type": event_type, "date": at, "source": origin}
                )

            shipped = bool(order.date_o2c_shipped)
            if stock:
                facts = order._get_o2c_stock_facts()
                shipped = facts["shipped"]
                if facts["shipped"]:
                    if not order.date_o2c_goods_ready:
                        event("goods_ready", min(day, facts["shipped_date"]))
                    if not order.date_o2c_shipped:
                        event("shipped", facts["shipped_date"])
                else:
                    if order.date_o2c_shipped:
                        event("shipping_reopened", day)
                    if facts["ready"] and (
                        not order.date_o2c_goods_ready or order.date_o2c_shipped
                    ):
                        event("goods_ready", day)
            if not invoice:
                continue
            facts = order._get_o2c_invoice_facts(shipped)
            invoiced_at = order.date_o2c_invoiced
            if facts["invoiced"] and not order.date_o2c_invoiced:
                # when nothing was left to invoice: the step that did it (the posting, now), never
                # before the entry it follows (the invoice date is a day, not a time)
                invoiced_at = max(day, order.date_o2c_entered or day)
                event("invoiced", invoiced_at)
            elif not facts["invoiced"] and order.date_o2c_invoiced:
                event("invoicing_reopened", day)
            if facts["paid"] and not order.date_o2c_paid:
                paid_at = (
                    end_of_day(facts["paid_day"], now, order._get_o2c_tz())
                    if facts["paid_day"]
                    else day
                )
                # a prepayment, or a payment before re-invoicing, is collected when invoiced
                event("paid", max(paid_at, invoiced_at or paid_at))
            elif not facts["paid"] and order.date_o2c_paid:
                event("payment_undone", day)
        self.env["sales.support.o2c.event"]._log_events(values)

    @api.model
    def _o2c_rebuild_ledger(self, orders=None, batch_size=1000):
        """Build the ledger of orders that have none (install on a database with history), from
        the source records' own dates: creation, signature, order date, picking ``date_done``,
        invoice date, reconciliation date. Steps that cannot be dated (quotation sent, goods
        ready before shipment) stay empty. Orders get no late activity for the step they are at."""
        Event = self.env["sales.support.o2c.event"]
        restrict = SQL("AND o.id = ANY(%s)", orders.ids) if orders is not None else SQL()
        self.env.flush_all()
        now = fields.Datetime.now()
        done, last_id = 0, 0
        while True:
            # the next batch of orders without any event, in id order: one indexed query per
            # batch (NOT EXISTS on the ledger's (order_id, id) index), never all ids in memory
            self.env.cr.execute(
                SQL(
                    """
                SELECT o.id FROM sale_order o
                 WHERE o.id > %(last)s %(restrict)s
                   AND NOT EXISTS (
                       SELECT 1 FROM sales_support_o2c_event e WHERE e.order_id = o.id)
                 ORDER BY o.id LIMIT %(limit)s
            """,
                    last=last_id,
                    restrict=restrict,
                    limit=batch_size,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if not ids:
                break
            last_id = ids[-1]
            done += len(ids)
            batch = self.with_context(active_test=False).browse(ids)
            # steps that Odoo's chatter dates: quotations sent, deliveries ready (one query each)
            sent_dates = self._get_o2c_tracked_state_dates(batch, "sent")
            waiting = batch.picking_ids.filtered(
                lambda p: p.picking_type_code in DELIVERY_CODES and p.state == "assigned"
            )
            ready_dates = self._get_o2c_tracked_state_dates(waiting, "assigned")
            values = []
            for order in batch:
                base = {"order_id": order, "source": order, "user_id": False}
                tz_name = order._get_o2c_tz()
                request = order.support_request_id
                values.append(
                    {
                        **base,
                        "event_type": "request",
                        # as the live path: the customer request's reception, else the creation
                        "date": request.date_received or order.create_date,
                        "source": request or order,
                    }
                )
                if order.id in sent_dates:
                    values.append(
                        {**base, "event_type": "quotation_sent", "date": sent_dates[order.id][0]}
                    )
                if order.signed_on:
                    values.append(
                        {**base, "event_type": "customer_confirmed", "date": order.signed_on}
                    )
                if order.state not in ("sale", "cancel") or not order.date_order:
                    continue
                if order.state == "cancel":
                    continue  # when it was cancelled is not known: the state says it
                if not order.signed_on:
                    values.append(
                        {**base, "event_type": "customer_confirmed", "date": order.date_order}
                    )
                values.append({**base, "event_type": "entered", "date": order.date_order})
                for picking in order.picking_ids.filtered(
                    lambda p: p.state == "done" and p.date_done
                ):
                    values.append(
                        {
                            **base,
                            "event_type": picking._get_o2c_done_event_type(),
                            "date": picking.date_done,
                            "source": picking,
                        }
                    )
                for move in order.invoice_ids.filtered(lambda m: m.state == "posted"):
                    values.append(
                        {
                            **base,
                            "event_type": move._get_o2c_posted_event_type(),
                            "date": end_of_day(move.invoice_date or move.date, now, tz_name),
                            "source": move,
                        }
                    )
                facts = order._get_o2c_facts()
                if facts["shipped"]:
                    values.append({**base, "event_type": "shipped", "date": facts["shipped_date"]})
                elif facts["ready"]:
                    # ready since the last of its waiting deliveries was (chatter); undated when
                    # one was not tracked: then it has no deadline (_get_o2c_deadline)
                    pending = order._get_o2c_deliveries().filtered(lambda p: p.state != "done")
                    dates = [ready_dates.get(p.id, (False, False))[1] for p in pending]
                    if dates and all(dates):
                        values.append({**base, "event_type": "goods_ready", "date": max(dates)})
                if facts["invoiced"]:
                    # when it was posted is not kept: the end of the last regular invoice's date
                    # where it was given, never before the entry it follows
                    invoiced_at = max(
                        end_of_day(facts["invoiced_day"], now, tz_name), order.date_order
                    )
                    values.append({**base, "event_type": "invoiced", "date": invoiced_at})
                if facts["paid"] and facts["paid_day"]:
                    paid_at = max(end_of_day(facts["paid_day"], now, tz_name), invoiced_at)
                    values.append({**base, "event_type": "paid", "date": paid_at})
            Event._log_events(values)
            self.env.flush_all()
            # No flood of late activities at install: the step each order is at now counts as
            # notified.
            self.env.cr.execute(
                SQL(
                    "UPDATE sale_order SET o2c_late_notified_step = o2c_next_step WHERE id = "
                    "ANY(%s)",
                    batch.ids,
                )
            )
            # a batch's records leave the cache: memory stays flat over 100,000s of orders
            self.env.invalidate_all()
        return done

    @api.model
    def _get_o2c_tracked_state_dates(self, records, state):
        """{record id: (first, last) datetime} at which the chatter of ``records`` (orders or
        pickings, whose ``state`` is tracked) shows their state set to ``state``, in one query;
        records without such a tracking value are left out. Tracking values keep the label in the
        language of the user who made the change: any installed language's label matches."""
        if not records:
            return {}
        field = self.env["ir.model.fields"]._get(records._name, "state")
        labels = set()
        for lang, _name in self.env["res.lang"].get_installed():
            selection = records._fields["state"]._description_selection(
                self.with_context(lang=lang).env
            )
            labels.add(dict(selection)[state])
        self.env.cr.execute(
            SQL(
                """
            SELECT m.res_id, MIN(m.date), MAX(m.date)
              FROM mail_tracking_value v
              JOIN mail_message m ON m.id = v.mail_message_id
             WHERE v.field_id = %(field)s AND m.model = %(model)s AND m.res_id = ANY(%(ids)s)
               AND v.new_value_char = ANY(%(labels)s)
             GROUP BY m.res_id
        """,
                field=field.id,
                model=records._name,
                ids=records.ids,
                labels=sorted(labels),
            )
        )
        return {res_id: (first, last) for res_id, first, last in self.env.cr.fetchall()}

    # ------------------------------------------------------------
    # Order-entry errors
    # ------------------------------------------------------------
    def _update_order_line_info(self, product_id, quantity, **kwargs):
        # The product catalog is a person adding products or changing quantities on the order.
        person = self.with_context(sales_support_person_edit=True)
        return super(SaleOrder, person)._update_order_line_info(product_id, quantity, **kwargs)

    @api.model
    def _log_edit_errors(self, changes):
        """Log one error per (order, type) from ``changes``: tuples of (order, error type, field,
        old value, new value, order line or None, the change in words or None), and tell the
        person who made them. The error is charged to who entered the order; the context key
        ``sales_support_customer_request`` marks changes the customer asked for."""

        def text_of(value):
            value = value.display_name if isinstance(value, models.BaseModel) else value
            return "-" if value is None or value is False or value == "" else value

        grouped = defaultdict(list)
        for order, error_type, field, old, new, line, text in changes:
            if not text:
                what = field.get_description(self.env)["string"]
                if line:
                    what = f"{line.product_id.display_name or line.name}: {what}"
                text = _(
                    "%(what)s changed from %(old)s to %(new)s",
                    what=what,
                    old=text_of(old),
                    new=text_of(new),
                )
            grouped[order, error_type].append(text)
        Error = self.env["sales.support.order.error"]
        # only those who may judge errors (coordinators, managers) can say the customer asked
        customer_request = bool(
            self.env.context.get("sales_support_customer_request")
            and self.env.user.has_group("sales_support.group_support_coordinator")
        )
        now = fields.Datetime.now()
        values = []
        for (order, error_type), texts in grouped.items():
            responsible = Error._get_responsible(order)
            if not responsible:
                continue  # neither an entry user nor a salesperson: nobody to charge
            values.append(
                {
                    "order_id": order.id,
                    "responsible_user_id": responsible.id,
                    "error_type": error_type,
                    "found_by": "internal",
                    "date_found": now,
                    "origin": "edit",
                    "is_customer_request": customer_request,
                    "description": _(
                        "Edited after confirmation by %(user)s: %(changes)s",
                        user=self.env.user.name,
                        changes="; ".join(texts),
                    ),
                }
            )
        # sudo: the system logs the error for whoever edits the order (salespeople may not
        # create error records themselves).
        errors = Error.sudo().create(values).sudo(False)
        errors._notify_detected()
        return errors

    def _get_replacements(self):
        """Orders of ``self`` that replace a cancelled, entered order: copies of it created within
        the company's replacement window (Settings, default 7 days) around its cancellation. A
        copy made later is a new order, not the correction of an entry error."""
        copies = self.filtered(
            lambda o: o.origin_order_id.state == "cancel" and o.origin_order_id.date_o2c_entered
        )
        if not copies:
            return copies
        originals = copies.origin_order_id
        # sudo: only the cancellation dates of the originals are read, whatever the ledger's rules
        cancelled = dict(
            self.env["sales.support.o2c.event"]
            .sudo()
            ._read_group(
                [("order_id", "in", originals.ids), ("event_type", "=", "cancelled")],
                ["order_id"],
                ["date:max"],
            )
        )

        def is_replacement(copy):
            original = copy.origin_order_id
            date_cancel = cancelled.get(original) or original.write_date
            window = timedelta(days=original.company_id.support_replacement_window_days)
            return abs(copy.create_date - date_cancel) <= window

        return copies.filtered(is_replacement)

    def _log_replacement_errors(self):
        """``self`` are confirmed copies that replace cancelled orders (see _get_replacements): log
        on the cancelled order what the copy corrected (product, quantity, price, address, terms),
        or a duplicate entry."""
        Error = self.env["sales.support.order.error"]
        already = (
            Error.sudo()
            .search([("origin", "=", "replacement"), ("order_id", "in", self.origin_order_id.ids)])
            .order_id
        )
        values = []
        for copy in self:
            original = copy.origin_order_id
            responsible = Error._get_responsible(original)
            if original in already or not responsible:
                continue
            error_types = original._diff_error_types(copy) or ["duplicate"]
            for error_type in error_types:
                values.append(
                    {
                        "order_id": original.id,
                        "replacement_order_id": copy.id,
                        "responsible_user_id": responsible.id,
                        "error_type": error_type,
                        "found_by": "internal",
                        "origin": "replacement",
                        "description": _(
                            "%(original)s was cancelled and replaced by %(copy)s.",
                            original=original.name,
                            copy=copy.name,
                        ),
                    }
                )
        # sudo: see _log_edit_errors
        errors = Error.sudo().create(values).sudo(False)
        errors._notify_detected()
        return errors

    def _diff_error_types(self, other):
        """Error types that tell ``self`` from ``other`` (its corrected copy)."""
        self.ensure_one()

        def lines_of(order):
            return {
                line.product_id: line for line in order.order_line if line._is_order_entry_line()
            }

        mine, theirs = lines_of(self), lines_of(other)
        types = []
        if set(mine) != set(theirs):
            types.append("product")
        common = set(mine) & set(theirs)
        if any(
            float_compare(mine[p].product_uom_qty, theirs[p].product_uom_qty, precision_digits=6)
            for p in common
        ):
            types.append("quantity")
        if any(
            float_compare(mine[p].price_unit, theirs[p].price_unit, precision_digits=6)
            or float_compare(mine[p].discount, theirs[p].discount, precision_digits=6)
            for p in common
        ):
            types.append("price")
        if (self.partner_shipping_id, self.partner_invoice_id) != (
            other.partner_shipping_id,
            other.partner_invoice_id,
        ):
            types.append("address")
        if self.payment_term_id != other.payment_term_id:
            types.append("terms")
        return types

    # ------------------------------------------------------------
    # Document checklist (sales.support.checklist.mixin)
    # ------------------------------------------------------------
    @api.model
    def _checklist_applies_to(self):
        return "order"

    @api.model
    def _checklist_trigger_fields(self):
        return super()._checklist_trigger_fields() | {
            fname
            for fname in (
                "is_export",
                "incoterm",
                "payment_term_id",
                "order_line",
                "commitment_date",
                "letter_of_credit_id",
            )
            if fname in self._fields
        }

    def _checklist_match_values(self):
        result = super()._checklist_match_values()
        has_lc = "letter_of_credit_id" in self._fields
        for order in self:
            result[order.id].update(
                is_export=order.is_export,
                incoterm=order.incoterm,
                payment_term=order.payment_term_id,
                categories=order.order_line.product_id.categ_id,
                letter_of_credit=bool(has_lc and order.letter_of_credit_id),
            )
        return result

    def _checklist_anchor_dates(self):
        """Planned shipment: the commitment date, else the earliest open delivery, else the
        expected date; invoice: the first invoice date, else the planned shipment."""
        result = {}
        for order in self:
            pickings = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
            )
            shipment = (
                order.commitment_date
                or min(pickings.mapped("scheduled_date"), default=False)
                or order.expected_date
            )
            invoice_dates = [d for d in order.invoice_ids.mapped("invoice_date") if d]
            result[order.id] = {
                "shipment": shipment,
                "invoice": min(invoice_dates, default=False) or shipment,
            }
        return result

    def get_missing_documents(self, block=None):
        """RPC: the documents of these orders still to provide (required, not ready, sent,
        returned nor not applicable), optionally only those blocking ``block`` ('delivery',
        'invoicing'). A list of dicts: ``id``, ``order_id``, ``order``, ``document_type``,
        ``code``, ``state``, ``blocks``, ``date_due`` (ISO date or False)."""
        if block not in (None, False, "delivery", "invoicing"):
            raise UserError(
                _("block must be 'delivery' or 'invoicing' (or empty), not %(value)r", value=block)
            )
        self.check_access("read")
        domain = [
            ("order_id", "in", self.ids),
            ("required", "=", True),
            ("is_obsolete", "=", False),
            ("state", "in", ("to_prepare", "in_preparation")),
        ]
        if block:
            domain.append(("blocks", "=", block))
        documents = self.env["sales.support.document"].search(domain, order="order_id, id")
        return [
            {
                "id": doc.id,
                "order_id": doc.order_id.id,
                "order": doc.order_id.name,
                "document_type": doc.document_type_id.name,
                "code": doc.document_type_id.code,
                "state": doc.state,
                "blocks": doc.blocks,
                "date_due": fields.Date.to_string(doc.date_due) if doc.date_due else False,
            }
            for doc in documents
        ]

    def action_print_checklist(self):
        return self.env.ref("sales_support.action_report_sales_support_checklist").report_action(
            self
        )

    # ------------------------------------------------------------
    # Credit exposure: computes, override action, confirmation policy (warn, or block
    # unless a manager approved an override)
    # ------------------------------------------------------------
    @api.depends("company_id", "partner_id", "amount_total", "state")
    def _compute_support_credit(self):
        # the figures of all the orders' customers at once, per company, and their bounced
        # cheques in one grouped query
        figures = {}
        for company, orders in self.grouped("company_id").items():
            figures[company] = orders.partner_id._get_credit_exposure(company)
        bounced = self._get_bounced_cheque_counts()
        for order in self:
            info = order._get_support_credit_info(figures.get(order.company_id), bounced)
            order.support_credit_exposure = info["exposure"]
            order.support_credit_limit = info["limit"]
            order.support_credit_hold = "\n".join(info["holds"])
            order.support_credit_bounce_hold = info["bounce_hold"]

    @api.depends("support_credit_hold")
    def _compute_partner_credit_warning(self):
        # EXTENDS 'sale': Odoo's banner (receivables + orders to invoice) stays when it has
        # something to say and the policy only warns; it becomes the exposure banner when the
        # policy blocks (the banner then says why the confirmation is held), or when Odoo's own
        # check is silent (its limit setting off, or only cheques / a bounced cheque count).
        res = super()._compute_partner_credit_warning()
        for order in self:
            company = order.company_id
            if order.state in ("draft", "sent") and (
                company.sales_support_credit_policy != "none"
                or company.sales_support_hold_on_bounced_cheque
            ):
                if company.sales_support_credit_policy == "block" or (
                    not order.partner_credit_warning
                ):
                    order.partner_credit_warning = order.support_credit_hold or ""
        return res

    def action_open_credit_override(self):
        self.ensure_one()
        self.env["sales.support.credit.override"]._check_can_approve()
        return {
            "type": "ir.actions.act_window",
            "name": _("Approve Credit Override"),
            "res_model": "sales.support.credit.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_view_customer_exposure(self):
        self.ensure_one()
        return self.partner_id.commercial_partner_id._get_records_action(
            name=_("Customer Exposure")
        )

    def _check_credit_override_fields(self, vals):
        if CREDIT_OVERRIDE_FIELDS & vals.keys() and not self.env.su:
            raise AccessError(
                _(
                    "A credit override is approved by a sales or support manager with the "
                    "'Approve Credit Override' button, which logs it: it cannot be written."
                )
            )

    @api.depends(
        "support_credit_override_user_id", "support_credit_override_amount", "amount_total"
    )
    def _compute_support_credit_override_valid(self):
        for order in self:
            order.support_credit_override_valid = bool(order.support_credit_override_user_id) and (
                order.currency_id.compare_amounts(
                    order.amount_total, order.support_credit_override_amount
                )
                <= 0
            )

    def _confirmation_error_message(self):
        # EXTENDS 'sale': blocked over the credit limit or on a bounced cheque, unless approved
        # (an approval covers the order's total when it was given, not what was added since)
        message = super()._confirmation_error_message()
        if message or self.support_credit_override_valid:
            return message
        company = self.company_id
        if not (
            company.sales_support_credit_policy == "block"
            or company.sales_support_hold_on_bounced_cheque
        ):
            return message  # nothing can hold the confirmation: no exposure to read
        # computed fields: read for every order confirmed with this one at once (action_confirm
        # asks each order in turn, the first read computes them all)
        if company.sales_support_credit_policy == "block":
            blocking = self.support_credit_hold
        else:
            blocking = self.support_credit_bounce_hold
        if blocking:
            return _(
                "%(order)s cannot be confirmed: %(reasons)s. A sales or support manager may "
                "approve an override with a reason.",
                order=self.name,
                reasons="; ".join(blocking.splitlines()),
            )
        return message

    def _get_bounced_cheque_counts(self):
        """{(company id, commercial partner id): number of bounced cheques not replaced yet} for
        the customers of ``self`` in the companies of ``self`` that hold orders on them: one
        grouped query whatever the number of orders."""
        companies = (self.company_id | self.env.company).filtered(
            "sales_support_hold_on_bounced_cheque"
        )
        customers = self.partner_id.commercial_partner_id.filtered(lambda p: isinstance(p.id, int))
        if not companies or not customers:
            return {}
        # sudo: a bounced cheque holds the order whoever confirms it
        groups = (
            self.env["sales.customer.cheque"]
            .sudo()
            ._read_group(
                [
                    ("commercial_partner_id", "in", customers.ids),
                    ("company_id", "in", companies.ids),
                    ("state", "=", "bounced"),
                ],
                ["company_id", "commercial_partner_id"],
                ["__count"],
            )
        )
        return {(company.id, partner.id): count for company, partner, count in groups}

    def _get_support_credit_batch_holds(self):
        """{order: (reasons to hold it, the quotations before it)} for the quotations of
        ``self`` that follow another quotation of the same customer and company in ``self``
        (confirmed together): their exposure counts the amounts of those before them. Empty
        when no two quotations of ``self`` share a customer (the common case: nothing is read)."""
        quotations = self.filtered(
            lambda o: o.state in ("draft", "sent")
            and o.company_id.sales_support_credit_policy != "none"
            and o.company_id.sales_support_exposure_to_invoice
            and o.partner_id
        )
        running = defaultdict(float)
        before = defaultdict(lambda: self.browse())
        extras = {}
        for order in quotations:
            company = order.company_id
            key = (company, order.partner_id.commercial_partner_id)
            if before[key]:
                extras[order] = (running[key], before[key])
            before[key] |= order
            running[key] += order.currency_id._convert(
                order.amount_total,
                company.currency_id,
                company,
                order.date_order or fields.Date.context_today(order),
            )
        if not extras:
            return {}
        batch = self.browse([order.id for order in extras])
        figures = {
            company: orders.partner_id._get_credit_exposure(company)
            for company, orders in batch.grouped("company_id").items()
        }
        bounced = batch._get_bounced_cheque_counts()
        return {
            order: (
                "\n".join(
                    order._get_support_credit_info(figures[order.company_id], bounced, extra)[
                        "holds"
                    ]
                ),
                others,
            )
            for order, (extra, others) in extras.items()
        }

    def _get_support_credit_info(self, figures=None, bounced=None, extra=0.0):
        """Exposure of the order's customer in the order's company (this order added while it is
        a quotation) and the reasons to hold it: {exposure, limit, holds, bounce_hold}.
        ``figures``: the result of ``res.partner._get_credit_exposure`` when already read;
        ``bounced``: the result of ``_get_bounced_cheque_counts`` when already read;
        ``extra``: an amount in the company's currency added to the exposure (the quotations
        confirmed together with this one, before it)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        customer = self.partner_id.commercial_partner_id
        info = {"exposure": 0.0, "limit": 0.0, "holds": [], "bounce_hold": ""}
        if not customer or not isinstance(customer.id, int):
            return info
        if not figures or customer.id not in figures:
            figures = customer._get_credit_exposure(company)
        figures = figures[customer.id]
        exposure = figures["exposure"] + extra
        if self.state in ("draft", "sent") and company.sales_support_exposure_to_invoice:
            exposure += self.currency_id._convert(
                self.amount_total,
                company.currency_id,
                company,
                self.date_order or fields.Date.context_today(self),
            )
        info["exposure"] = exposure
        info["limit"] = figures["limit"]
        currency = company.currency_id
        if figures["limit"] and currency.compare_amounts(exposure, figures["limit"]) > 0:
            info["holds"].append(
                _(
                    "%(customer)s's exposure %(exposure)s is over its credit limit %(limit)s",
                    customer=customer.name,
                    exposure=formatLang(self.env, exposure, currency_obj=currency),
                    limit=formatLang(self.env, figures["limit"], currency_obj=currency),
                )
            )
        if company.sales_support_hold_on_bounced_cheque:
            if bounced is None:
                bounced = self._get_bounced_cheque_counts()
            count = bounced.get((company.id, customer.id), 0)
            if count:
                info["bounce_hold"] = _(
                    "%(customer)s has %(count)s bounced cheque(s) not replaced yet",
                    customer=customer.name,
                    count=count,
                )
                info["holds"].append(info["bounce_hold"])
        return info

    # ------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------
    @api.model
    def _cron_o2c_late_activities(self, batch_size=O2C_LATE_BATCH_SIZE):
        """One activity per late step of an order, to someone who can act on it. Reads only the
        orders whose deadline passed and that were not reminded for their current next step
        (a partial index keeps that set small, whatever the number of orders).

        In batches of ``batch_size`` orders, oldest deadline first. Run by the scheduler (or
        *Run Manually*), one batch per call: Odoo calls again while ``_notify_progress``
        reports some remaining, and a reminded order leaves the set, so a crash resumes where
        it stopped. Called directly (a test, the demo data), every batch runs. An order whose
        reminder fails is logged and marked, and does not block the others."""
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        now = fields.Datetime.now()
        late_sql = SQL(
            """
              FROM sale_order
             WHERE date_o2c_next_deadline < %s
               AND o2c_next_step IS DISTINCT FROM o2c_late_notified_step
            """,
            now,
        )
        self.flush_model(["date_o2c_next_deadline", "o2c_next_step", "o2c_late_notified_step"])
        self.env.cr.execute(SQL("SELECT COUNT(*) %s", late_sql))
        remaining = self.env.cr.fetchone()[0]
        total = 0
        while remaining:
            self.env.cr.execute(
                SQL(
                    "SELECT id %s ORDER BY date_o2c_next_deadline, id LIMIT %s",
                    late_sql,
                    batch_size,
                )
            )
            late = self.browse([row[0] for row in self.env.cr.fetchall()])
            if not late:
                break
            total += len(late._o2c_remind_late())
            remaining = max(remaining - len(late), 0)
            self.env["ir.cron"]._notify_progress(done=len(late), remaining=remaining)
            if in_cron:
                break
            # a batch's records leave the cache: memory stays flat over many late orders
            self.env.flush_all()
            self.env.invalidate_all()
            self.flush_model(["date_o2c_next_deadline", "o2c_next_step", "o2c_late_notified_step"])
        return total

    def _o2c_remind_late(self):
        """One late activity on each of these orders, and the mark of the step reminded (also
        on orders nobody can act on, and on an order whose reminder failed: logged, never
        retried every hour). Returns the orders that got an activity."""
        activity_type = self.env.ref("sales_support.mail_activity_type_o2c_late")

        def schedule(orders):
            return self.env["sales.support.late.activity"]._schedule(
                orders,
                activity_type,
                lambda order: order._get_o2c_late_assignee(),
                lambda order, user: order._prepare_o2c_late_texts(user),
            )

        try:
            with self.env.cr.savepoint():
                reminded = schedule(self)
        except Exception:  # noqa: BLE001 - one broken order must not stop the reminders
            reminded = self.browse()
            for order in self:
                try:
                    with self.env.cr.savepoint():
                        reminded |= schedule(order)
                except Exception:  # noqa: BLE001
                    _logger.exception("Late reminder of order %s failed", order.name)
        by_step = defaultdict(list)
        for order in self:
            by_step[order.o2c_next_step].append(order.id)
        for step, ids in by_step.items():
            # sudo: the reminder bookkeeping is the server's (see _check_o2c_protected_fields)
            self.browse(ids).sudo().write({"o2c_late_notified_step": step})
        return reminded

    def _get_o2c_late_assignee(self):
        """Who can act on the late step: invoicing goes to someone with invoicing rights (the
        coordinator, else the salesperson, else the company's invoicing contact); the other steps
        to the coordinator, else the salesperson."""
        self.ensure_one()
        candidates = [self.coordinator_id, self.user_id]
        if self.o2c_next_step == "invoiced":
            candidates = [
                u for u in candidates if u and u.has_group("account.group_account_invoice")
            ]
        return next((u for u in candidates if u and u.active), self.env["res.users"])

    def _prepare_o2c_late_texts(self, user):
        """(summary, note) of the late activity, in ``user``'s language and time zone."""
        self.ensure_one()
        env = self.with_context(lang=user.lang or self.env.lang, tz=user.tz).env
        step = dict(self._fields["o2c_next_step"]._description_selection(env))[self.o2c_next_step]
        delay = format_delay(env, fields.Datetime.now() - self.date_o2c_next_deadline)
        due = format_datetime(
            env, self.date_o2c_next_deadline, tz=user.tz or "UTC", dt_format="short"
        )
        todo = {
            "quotation_sent": env._("Send the quotation to the customer."),
            "customer_confirmed": env._(
                "Get the customer's confirmation (signature or purchase order)."
            ),
            "entered": env._("Confirm the order in Odoo."),
            "goods_ready": env._(
                "Check with the warehouse or purchasing why the goods are not reserved."
            ),
            "shipped": env._(
                "Validate the delivery or agree a new date with the warehouse and the customer."
            ),
            "invoiced": env._("Create and post the invoice."),
            "paid": env._("Follow up the payment with the customer."),
        }[self.o2c_next_step]
        summary = env._("Late: %(step)s (%(delay)s)", step=step, delay=delay)
        note = env._(
            "%(order)s: %(step)s was due %(due)s, %(delay)s ago. %(todo)s",
            order=self.name,
            step=step,
            due=due,
            delay=delay,
            todo=todo,
        )
        return summary, note
