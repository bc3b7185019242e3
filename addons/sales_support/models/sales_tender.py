"""Sales tenders: the tender paperwork run by sales support (the salesperson owns strategy and
price, the coordinator prepares the submission).

A tender goes new -> go / no-go -> preparation -> submitted -> won or lost (or no bid,
cancelled). Its required documents are a checklist (``sales.support.checklist.mixin``, block
``submission``); submitting, winning and losing are events of the Order-to-Cash ledger. Won, the
chosen quotation is confirmed and the other quotations of the tender are cancelled."""

from datetime import timedelta

import pytz

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date, format_datetime

from ..tools import form_action

TENDER_STATES = [
    ("new", "New"),
    ("go_no_go", "Go / No-Go"),
    ("preparation", "Preparation"),
    ("submitted", "Submitted"),
    ("won", "Won"),
    ("lost", "Lost"),
    ("cancelled", "Cancelled"),
    ("no_bid", "No Bid"),
]
# States in which the tender is still being worked on (deadlines matter).
TENDER_OPEN_STATES = ("new", "go_no_go", "preparation")
# Deadline reminders: (activity type xml id, deadline field, days before the deadline).
DEADLINE_ACTIVITIES = [
    ("sales_support.mail_activity_type_tender_clarification", "date_clarification_deadline", 3),
    ("sales_support.mail_activity_type_tender_submission", "date_submission_deadline", 5),
    ("sales_support.mail_activity_type_tender_bond", "bond_date_expiry", 7),
]


class SalesTender(models.Model):
    _name = "sales.tender"
    _description = "Sales Tender"
    _inherit = [
        "sales.support.input.mixin",
        "sales.support.sequence.mixin",
        "sales.support.checklist.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _sequence_code = "sales.tender"
    _order = "date_submission_deadline desc, id desc"
    _check_company_auto = True
    _server_fields = ("state", "date_submitted", "date_decision")

    # ------------------------------------------------------------
    # Identification
    # ------------------------------------------------------------
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Tendering Organisation",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    customer_reference = fields.Char(
        string="Their Tender Number", tracking=True, index="trigram", copy=False
    )
    title = fields.Char(string="Subject", tracking=True)
    kind = fields.Selection(
        [("public", "Public"), ("private", "Private")],
        required=True,
        default="public",
        tracking=True,
    )
    tender_type = fields.Selection(
        [
            ("rfq", "Request for Quotation"),
            ("rfp", "Request for Proposal"),
            ("auction", "Auction"),
        ],
        string="Type",
        required=True,
        default="rfq",
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        help="Owns the strategy and the price.",
    )
    coordinator_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        compute="_compute_coordinator_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        domain="[('support_level', '!=', False)]",
        help="Prepares the submission.",
    )

    # ------------------------------------------------------------
    # Dates
    # ------------------------------------------------------------
    date_publication = fields.Date(string="Publication Date", tracking=True)
    date_clarification_deadline = fields.Datetime(
        string="Questions Deadline",
        tracking=True,
        help="Last moment to send clarification questions to the tendering organisation.",
    )
    date_submission_deadline = fields.Datetime(
        string="Submission Deadline", required=True, tracking=True, index=True
    )
    submission_deadline_display = fields.Char(
        string="Deadline (Customer's Time)",
        compute="_compute_submission_deadline_display",
        help="The submission deadline in the time zone of the tendering organisation.",
    )
    date_opening = fields.Datetime(string="Opening Date", tracking=True)
    date_offer_validity = fields.Date(
        string="Offer Valid Until", tracking=True, help="Our offer binds us until this date."
    )
    date_submitted = fields.Datetime(string="Submitted On", readonly=True, copy=False)

    # ------------------------------------------------------------
    # Value and decision
    # ------------------------------------------------------------
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id
    )
    estimated_value = fields.Monetary(tracking=True, currency_field="currency_id")
    amount_offered = fields.Monetary(
        string="Our Offer",
        compute="_compute_amount_offered",
        store=True,
        currency_field="currency_id",
        help="Total of the lots at our prices.",
    )
    decision = fields.Selection(
        [("go", "Go"), ("no_go", "No Go")], string="Go / No-Go", tracking=True, copy=False
    )
    decision_reason = fields.Text(copy=False)
    date_decision = fields.Date(string="Decided On", readonly=True, copy=False)

    # ------------------------------------------------------------
    # Bid bond
    # ------------------------------------------------------------
    bond_amount = fields.Monetary(
        string="Bid Bond Amount", currency_field="currency_id", tracking=True
    )
    bond_bank_id = fields.Many2one("res.bank", string="Guarantor Bank")
    bond_date_expiry = fields.Date(string="Bond Expiry", tracking=True)
    bond_returned = fields.Boolean(tracking=True, copy=False)
    bond_date_returned = fields.Date(string="Bond Returned On", copy=False)

    # ------------------------------------------------------------
    # Lots, quotations, documents
    # ------------------------------------------------------------
    line_ids = fields.One2many("sales.tender.line", "tender_id", string="Lots", copy=True)
    order_ids = fields.One2many("sale.order", "tender_id", string="Quotations")
    order_count = fields.Integer(compute="_compute_order_count")
    won_order_id = fields.Many2one(
        "sale.order",
        string="Winning Quotation",
        copy=False,
        check_company=True,
        domain="[('tender_id', '=', id), ('state', 'in', ('draft', 'sent', 'sale'))]",
        help="The quotation that becomes the order when the tender is won.",
    )
    support_document_ids = fields.One2many(
        "sales.support.document", "tender_id", string="Documents"
    )

    # ------------------------------------------------------------
    # Result
    # ------------------------------------------------------------
    winner_id = fields.Many2one("res.partner", string="Winner", tracking=True, copy=False)
    winning_price = fields.Monetary(currency_field="currency_id", tracking=True, copy=False)
    our_rank = fields.Integer(tracking=True, copy=False)
    competitor_ids = fields.One2many(
        "sales.tender.competitor", "tender_id", string="Competitors", copy=False
    )
    loss_reason = fields.Text(copy=False)
    state = fields.Selection(
        TENDER_STATES,
        string="Status",
        default="new",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    note = fields.Html(string="Notes")

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    @api.depends("partner_id", "user_id", "company_id")
    def _compute_coordinator_id(self):
        for tender in self:
            # the one order of precedence of orders, requests and claims (assignment rules)
            tender.coordinator_id = (
                self.env["sales.support.assignment.rule"]._get_coordinator_for(
                    tender.partner_id, tender.user_id, tender.company_id
                )
                or tender.coordinator_id
            )

    @api.depends("date_submission_deadline", "partner_id.tz")
    def _compute_submission_deadline_display(self):
        for tender in self:
            tz_name = tender.partner_id.tz or tender.partner_id.commercial_partner_id.tz
            if not tender.date_submission_deadline:
                tender.submission_deadline_display = False
                continue
            tz_name = tz_name or self.env.user.tz or "UTC"
            local = pytz.utc.localize(tender.date_submission_deadline).astimezone(
                pytz.timezone(tz_name)
            )
            tender.submission_deadline_display = f"{local:%Y-%m-%d %H:%M} ({tz_name})"

    @api.depends("line_ids.price_subtotal")
    def _compute_amount_offered(self):
        for tender in self:
            tender.amount_offered = sum(tender.line_ids.mapped("price_subtotal"))

    def _compute_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("tender_id", "in", self.ids)], ["tender_id"], ["__count"]
            )
        )
        for tender in self:
            tender.order_count = counts.get(tender, 0)

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains(
        "date_publication",
        "date_clarification_deadline",
        "date_submission_deadline",
        "date_opening",
        "date_offer_validity",
    )
    def _check_dates(self):
        for tender in self:
            deadline = tender.date_submission_deadline
            if tender.date_publication and deadline and deadline.date() < tender.date_publication:
                raise ValidationError(
                    _(
                        "The submission deadline of tender %(tender)s (%(deadline)s) is before "
                        "its publication (%(publication)s): check both dates.",
                        tender=tender.name,
                        deadline=format_datetime(self.env, deadline),
                        publication=format_date(self.env, tender.date_publication),
                    )
                )
            if (
                tender.date_clarification_deadline
                and deadline
                and (tender.date_clarification_deadline > deadline)
            ):
                raise ValidationError(
                    _(
                        "The questions deadline of tender %(tender)s is after its submission "
                        "deadline.",
                        tender=tender.name,
                    )
                )
            if tender.date_opening and deadline and tender.date_opening < deadline:
                raise ValidationError(
                    _(
                        "Tender %(tender)s is opened before its submission deadline: check the "
                        "opening date.",
                        tender=tender.name,
                    )
                )
            if (
                tender.date_offer_validity
                and deadline
                and tender.date_offer_validity < deadline.date()
            ):
                raise ValidationError(
                    _(
                        "The offer of tender %(tender)s would no longer be valid at the "
                        "submission deadline: check the validity date.",
                        tender=tender.name,
                    )
                )

    @api.constrains("won_order_id")
    def _check_won_order(self):
        for tender in self:
            if tender.won_order_id and tender.won_order_id.tender_id != tender:
                raise ValidationError(
                    _(
                        "The winning quotation of tender %(tender)s must be one of its "
                        "quotations, not %(order)s.",
                        tender=tender.name,
                        order=tender.won_order_id.name,
                    )
                )

    @api.constrains("estimated_value", "bond_amount", "winning_price", "our_rank")
    def _check_amounts(self):
        for tender in self:
            if tender.estimated_value < 0 or tender.bond_amount < 0 or tender.winning_price < 0:
                raise ValidationError(
                    _(
                        "Amounts of tender %(tender)s (estimated value, bid bond, winning price) "
                        "cannot be negative.",
                        tender=tender.name,
                    )
                )
            if tender.our_rank < 0:
                raise ValidationError(
                    _(
                        "Our rank in tender %(tender)s is 1 for the best offer, 2 for the next: "
                        "it cannot be negative.",
                        tender=tender.name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_server_fields(vals)
        tenders = super().create(vals_list)
        tenders._schedule_deadline_activities()
        return tenders

    def write(self, vals):
        self._check_server_fields(vals)
        if vals.get("bond_returned") and "bond_date_returned" not in vals:
            vals = {**vals, "bond_date_returned": fields.Date.context_today(self)}
        res = super().write(vals)
        deadline_fields = {field for _xmlid, field, _days in DEADLINE_ACTIVITIES}
        if deadline_fields & vals.keys() or {"coordinator_id", "state", "bond_returned"} & set(
            vals
        ):
            self._schedule_deadline_activities()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_only_new(self):
        if any(tender.state not in ("new", "cancelled", "no_bid") for tender in self):
            raise UserError(
                _("Only new, cancelled or no-bid tenders can be deleted: cancel the tender first.")
            )

    # ------------------------------------------------------------
    # Checklist hooks
    # ------------------------------------------------------------
    @api.model
    def _checklist_applies_to(self):
        return "tender"

    @api.model
    def _checklist_trigger_fields(self):
        return super()._checklist_trigger_fields() | {"date_submission_deadline"}

    def _checklist_anchor_dates(self):
        return {
            tender.id: {"submission": tender.date_submission_deadline or False} for tender in self
        }

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def _check_state(self, allowed, action):
        """Every step first: the user must be allowed to write the tender (an assistant reads
        tenders only), then the tender must be in one of the ``allowed`` states."""
        self.check_access("write")
        wrong = self.filtered(lambda t: t.state not in allowed)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                _(
                    "%(action)s is not possible for tender %(tenders)s (state %(state)s).",
                    action=action,
                    tenders=", ".join(wrong.mapped("name")),
                    state=labels[wrong[0].state],
                )
            )

    def _write_step(self, vals):
        """Write a step of the tender (state and the stamps that go with it), which only the
        actions may change: the user must be allowed to write the tender."""
        self.check_access("write")
        # sudo: state and stamps are server fields (see _server_fields); access checked above,
        # the chatter still shows the user as author (sudo keeps the uid)
        self.sudo().write(vals)

    def action_go_no_go(self):
        """The salesperson reviews whether to bid."""
        self._check_state(("new",), _("Starting the go / no-go review"))
        self._write_step({"state": "go_no_go"})
        return True

    def action_go(self):
        self._check_state(("new", "go_no_go"), _("Deciding to bid"))
        self._write_step(
            {
                "state": "preparation",
                "decision": "go",
                "date_decision": fields.Date.context_today(self),
            }
        )
        return True

    def action_no_bid(self):
        self._check_state(("new", "go_no_go"), _("Deciding not to bid"))
        missing = self.filtered(lambda t: not t.decision_reason)
        if missing:
            raise UserError(
                _(
                    "Say why we do not bid on tender %(tenders)s (Decision Reason).",
                    tenders=", ".join(missing.mapped("name")),
                )
            )
        self._write_step(
            {
                "state": "no_bid",
                "decision": "no_go",
                "date_decision": fields.Date.context_today(self),
            }
        )
        return True

    def action_submit(self):
        """Submit the offer: refused after the deadline or while a required submission document
        is not ready (unless a support manager overrode it)."""
        self._check_state(("preparation",), _("Submitting"))
        now = fields.Datetime.now()
        late = self.filtered(
            lambda t: t.date_submission_deadline and t.date_submission_deadline < now
        )
        if late:
            raise UserError(
                _(
                    "The submission deadline of tender %(tender)s passed (%(deadline)s): the offer "
                    "can no longer be submitted. Cancel the tender, or correct the deadline if the "
                    "tendering organisation extended it.",
                    tender=late[0].name,
                    deadline=late[0].submission_deadline_display,
                )
            )
        self._checklist_check("submission")
        self._write_step({"state": "submitted", "date_submitted": now})
        self._log_tender_events("tender_submitted")
        return True

    def action_won(self):
        """Won: the winning quotation (the only open one if none is chosen) is confirmed as the
        user, the other quotations of the tender are cancelled."""
        self._check_state(("submitted",), _("Marking as won"))
        for tender in self:
            quotations = tender.order_ids.filtered(lambda o: o.state in ("draft", "sent"))
            chosen = tender.won_order_id or (quotations if len(quotations) == 1 else None)
            if not chosen and quotations:
                raise UserError(
                    _(
                        "Tender %(tender)s has several quotations: choose the Winning Quotation "
                        "before marking it won.",
                        tender=tender.name,
                    )
                )
            values = {"state": "won", "winner_id": tender.company_id.partner_id.id}
            if chosen:
                values["won_order_id"] = chosen.id
            if not tender.our_rank:
                values["our_rank"] = 1
            tender._write_step(values)
            if chosen and chosen.state in ("draft", "sent"):
                chosen.action_confirm()
            if chosen:
                (quotations - chosen)._action_cancel()
        self._log_tender_events("tender_won")
        return True

    def action_lost(self):
        self._check_state(("submitted",), _("Marking as lost"))
        missing = self.filtered(lambda t: not t.loss_reason)
        if missing:
            raise UserError(
                _(
                    "Say why tender %(tenders)s was lost (Loss Reason) before marking it lost; "
                    "record the winner and the competitors' prices if known.",
                    tenders=", ".join(missing.mapped("name")),
                )
            )
        self._write_step({"state": "lost"})
        self.order_ids.filtered(lambda o: o.state in ("draft", "sent"))._action_cancel()
        self._log_tender_events("tender_lost")
        return True

    def action_cancel(self):
        self._check_state(("new", "go_no_go", "preparation", "submitted"), _("Cancelling"))
        self._write_step({"state": "cancelled"})
        self.order_ids.filtered(lambda o: o.state in ("draft", "sent"))._action_cancel()
        return True

    def action_reset(self):
        self._check_state(("cancelled", "no_bid"), _("Reopening"))
        self._write_step({"state": "new", "decision": False})
        return True

    def action_new_quotation(self):
        """A quotation for the tendering organisation with the lots at our prices."""
        self.ensure_one()
        self._check_state(TENDER_OPEN_STATES, _("Quoting"))
        order = self.env["sale.order"].create(self._prepare_quotation_values())
        return form_action(order)

    def _prepare_quotation_values(self):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id,
            "tender_id": self.id,
            "client_order_ref": self.customer_reference or False,
            "validity_date": self.date_offer_validity or False,
            "order_line": [
                Command.create(line._prepare_order_line_values())
                for line in self.line_ids
                if line.product_id
            ],
        }

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale.action_quotations_with_onboarding"
        )
        action["domain"] = [("tender_id", "=", self.id)]
        action["context"] = {"default_tender_id": self.id, "default_partner_id": self.partner_id.id}
        return action

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _log_tender_events(self, event_type):
        self.env["sales.support.o2c.event"]._log_events(
            [
                {
                    "tender_id": tender,
                    "order_id": tender.won_order_id if event_type == "tender_won" else False,
                    "event_type": event_type,
                    "source": tender,
                }
                for tender in self
            ]
        )

    def _get_deadline_assignee(self):
        self.ensure_one()
        return next(
            (u for u in (self.coordinator_id, self.user_id) if u and u.active),
            self.env["res.users"],
        )

    def _schedule_deadline_activities(self):
        """One activity per coming deadline (questions, submission, bond expiry) for the
        coordinator, due some days before it; rescheduled when the deadline or the coordinator
        changes, dropped when the deadline no longer matters."""
        today = fields.Date.context_today(self)
        labels = {
            "date_clarification_deadline": _("Send the clarification questions"),
            "date_submission_deadline": _("Submit the offer"),
            "bond_date_expiry": _("Bid bond expires: get it back or extend it"),
        }
        for xmlid, field_name, days in DEADLINE_ACTIVITIES:
            # sudo: the reminders are the server's; a salesperson may change a date of a tender
            # whose coordinator's activities they cannot edit
            self.sudo().activity_unlink([xmlid])
            for tender in self:
                deadline = tender[field_name]
                if not deadline:
                    continue
                deadline = deadline.date() if hasattr(deadline, "date") else deadline
                relevant = (
                    not tender.bond_returned and tender.state not in ("cancelled", "no_bid")
                    if field_name == "bond_date_expiry"
                    else tender.state in TENDER_OPEN_STATES
                )
                user = tender._get_deadline_assignee()
                if not relevant or deadline < today or not user:
                    continue
                tender.sudo().activity_schedule(
                    xmlid,
                    date_deadline=max(today, deadline - timedelta(days=days)),
                    summary=labels[field_name],
                    note=_(
                        "Tender %(tender)s (%(customer)s): deadline %(deadline)s.",
                        tender=tender.name,
                        customer=tender.partner_id.display_name,
                        deadline=format_datetime(self.env, tender[field_name])
                        if field_name != "bond_date_expiry"
                        else format_date(self.env, deadline),
                    ),
                    user_id=user.id,
                )


class SalesTenderLine(models.Model):
    _name = "sales.tender.line"
    _description = "Tender Lot"
    _inherit = ["sales.support.input.mixin"]
    _order = "tender_id, sequence, id"
    _check_company_auto = True

    tender_id = fields.Many2one(
        "sales.tender", required=True, index=True, ondelete="cascade", string="Tender"
    )
    company_id = fields.Many2one(related="tender_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="tender_id.currency_id")
    sequence = fields.Integer(default=10)
    lot_number = fields.Char(string="Lot")
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain="[('sale_ok', '=', True)]",
    )
    name = fields.Text(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    price_unit = fields.Monetary(string="Our Price", currency_field="currency_id")
    price_subtotal = fields.Monetary(
        string="Subtotal",
        compute="_compute_price_subtotal",
        store=True,
        currency_field="currency_id",
    )

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id and not line.name:
                line.name = line.product_id.get_product_multiline_description_sale()

    @api.depends("quantity", "price_unit")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line.quantity * line.price_unit

    @api.constrains("quantity", "price_unit")
    def _check_quantity(self):
        for line in self:
            if line.quantity < 0 or line.price_unit < 0:
                raise ValidationError(
                    _(
                        "Lot %(lot)s of tender %(tender)s: quantity and price cannot be negative.",
                        lot=line.lot_number or line.name,
                        tender=line.tender_id.name,
                    )
                )

    def _prepare_order_line_values(self):
        self.ensure_one()
        values = {
            "product_id": self.product_id.id,
            "name": self.name,
            "product_uom_qty": self.quantity,
        }
        if self.price_unit:
            values["price_unit"] = self.price_unit
        return values


class SalesTenderCompetitor(models.Model):
    _name = "sales.tender.competitor"
    _description = "Tender Competitor"
    _inherit = ["sales.support.input.mixin"]
    _order = "tender_id, rank, id"

    tender_id = fields.Many2one(
        "sales.tender", required=True, index=True, ondelete="cascade", string="Tender"
    )
    company_id = fields.Many2one(related="tender_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="tender_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Competitor", required=True)
    price = fields.Monetary(currency_field="currency_id")
    rank = fields.Integer()
    note = fields.Text(string="Notes")

    @api.constrains("price", "rank")
    def _check_values(self):
        for competitor in self:
            if competitor.price < 0 or competitor.rank < 0:
                raise ValidationError(
                    _(
                        "Competitor %(competitor)s of tender %(tender)s: price and rank cannot be "
                        "negative.",
                        competitor=competitor.partner_id.display_name,
                        tender=competitor.tender_id.name,
                    )
                )
