"""Letters of credit of export customers: amounts drawn by the linked orders, the bank's
amendments, the discrepancies found at presentation, and warnings (late shipment, order above what
is left, presentation deadline coming)."""

from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, format_date
from odoo.tools.misc import formatLang

LC_STATES = [
    ("draft", "Draft"),
    ("received", "Received"),
    ("confirmed", "Confirmed"),
    ("used", "Used"),
    ("expired", "Expired"),
    ("closed", "Closed"),
]
# States in which a letter of credit can still pay for shipments.
LC_OPEN_STATES = ("received", "confirmed")
# Terms the bank changes by amendment: a change of one of them on a letter of credit that is no
# longer a draft is logged as an amendment (old and new value).
AMENDABLE_FIELDS = (
    "amount",
    "currency_id",
    "tolerance",
    "date_expiry",
    "date_latest_shipment",
    "presentation_days",
    "partial_shipment_allowed",
    "transshipment_allowed",
    "issuing_bank_id",
    "advising_bank_id",
    "confirming_bank_id",
)
# Terms that move the presentation deadline (a new deadline gets a new reminder).
DEADLINE_FIELDS = {"date_shipment", "date_latest_shipment", "presentation_days", "date_expiry"}
# Days before the presentation deadline when the coordinator gets an activity.
PRESENTATION_REMINDER_DAYS = 5


class SalesLetterOfCredit(models.Model):
    _name = "sales.letter.of.credit"
    _description = "Letter of Credit"
    _inherit = ["sales.support.input.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_expiry desc, id desc"
    _check_company_auto = True
    _server_fields = ("state", "presentation_reminded")

    # ------------------------------------------------------------
    # Identification and parties
    # ------------------------------------------------------------
    name = fields.Char(
        string="LC Number",
        required=True,
        copy=False,
        tracking=True,
        index="trigram",
        help="The number given by the issuing bank.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Applicant",
        required=True,
        tracking=True,
        index=True,
        check_company=True,
        help="The customer who asked its bank to open the letter of credit.",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_people",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
    )
    coordinator_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        compute="_compute_people",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        domain="[('support_level', '!=', False)]",
        help="Prepares the documents and presents them to the bank.",
    )
    issuing_bank_id = fields.Many2one("res.bank", string="Issuing Bank", tracking=True)
    advising_bank_id = fields.Many2one("res.bank", string="Advising Bank", tracking=True)
    confirming_bank_id = fields.Many2one(
        "res.bank",
        string="Confirming Bank",
        tracking=True,
        help="Empty for an unconfirmed letter of credit.",
    )

    # ------------------------------------------------------------
    # Terms
    # ------------------------------------------------------------
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        tracking=True,
        default=lambda self: self.env.company.currency_id,
    )
    amount = fields.Monetary(tracking=True, currency_field="currency_id")
    tolerance = fields.Float(
        string="Tolerance (%)",
        tracking=True,
        digits=(5, 2),
        help="How much more than the amount the bank accepts (e.g. 10 for +10%).",
    )
    date_issue = fields.Date(string="Issue Date", tracking=True)
    date_expiry = fields.Date(string="Expiry Date", required=True, tracking=True, index=True)
    date_latest_shipment = fields.Date(string="Latest Shipment Date", tracking=True, index=True)
    presentation_days = fields.Integer(
        string="Presentation Period (days)",
        default=21,
        tracking=True,
        help="Days after shipment within which the documents must reach the bank (21 under "
        "UCP 600 when the letter of credit says nothing).",
    )
    date_shipment = fields.Date(
        string="Shipment Date",
        tracking=True,
        help="Date of the transport document (bill of lading, air waybill, CMR), once shipped.",
    )
    date_presentation_deadline = fields.Date(
        string="Presentation Deadline",
        compute="_compute_date_presentation_deadline",
        store=True,
        index=True,
        help="Shipment date (else the latest shipment date) plus the presentation period, and "
        "never after the expiry date.",
    )
    partial_shipment_allowed = fields.Boolean(string="Partial Shipments Allowed", tracking=True)
    transshipment_allowed = fields.Boolean(tracking=True)
    state = fields.Selection(
        LC_STATES,
        string="Status",
        default="draft",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    note = fields.Html(string="Terms and Notes")
    presentation_reminded = fields.Boolean(
        readonly=True,
        copy=False,
        help="The coordinator got the activity for the coming presentation deadline.",
    )

    # ------------------------------------------------------------
    # Orders and amounts
    # ------------------------------------------------------------
    order_ids = fields.One2many("sale.order", "letter_of_credit_id", string="Orders")
    order_count = fields.Integer(compute="_compute_order_count")
    amount_max = fields.Monetary(
        string="Maximum Amount",
        compute="_compute_amounts",
        currency_field="currency_id",
        help="Amount plus tolerance.",
    )
    amount_used = fields.Monetary(
        compute="_compute_amounts",
        currency_field="currency_id",
        help="Total of the confirmed orders paid by this letter of credit, converted to its "
        "currency at the order date.",
    )
    amount_available = fields.Monetary(
        compute="_compute_amounts",
        currency_field="currency_id",
        help="Maximum amount (with tolerance) minus the amount used.",
    )
    amendment_ids = fields.One2many(
        "sales.letter.of.credit.amendment", "letter_of_credit_id", string="Amendments"
    )
    discrepancy_ids = fields.One2many(
        "sales.letter.of.credit.discrepancy", "letter_of_credit_id", string="Discrepancies"
    )
    open_discrepancy_count = fields.Integer(compute="_compute_open_discrepancy_count")

    _sql_constraints = [
        (
            "name_company_uniq",
            "UNIQUE(name, partner_id, company_id)",
            "This applicant already has a letter of credit with this number.",
        ),
    ]

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    @api.depends("partner_id")
    def _compute_people(self):
        for lc in self:
            lc.user_id = lc.partner_id.commercial_partner_id.user_id or lc.user_id or self.env.user
            # the one order of precedence of orders, requests, claims (assignment rules)
            lc.coordinator_id = (
                self.env["sales.support.assignment.rule"]._get_coordinator_for(
                    lc.partner_id, lc.user_id, lc.company_id
                )
                or lc.coordinator_id
            )

    @api.depends("date_shipment", "date_latest_shipment", "presentation_days", "date_expiry")
    def _compute_date_presentation_deadline(self):
        for lc in self:
            shipment = lc.date_shipment or lc.date_latest_shipment
            deadline = shipment and shipment + timedelta(days=lc.presentation_days)
            if deadline and lc.date_expiry:
                deadline = min(deadline, lc.date_expiry)
            lc.date_presentation_deadline = deadline or lc.date_expiry

    def _compute_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("letter_of_credit_id", "in", self.ids)], ["letter_of_credit_id"], ["__count"]
            )
        )
        for lc in self:
            lc.order_count = counts.get(lc, 0)

    @api.depends(
        "amount",
        "tolerance",
        "currency_id",
        "order_ids.state",
        "order_ids.amount_total",
        "order_ids.currency_id",
        "order_ids.date_order",
    )
    def _compute_amounts(self):
        used = self._get_amounts_used()
        for lc in self:
            lc.amount_max = lc.amount * (1 + (lc.tolerance or 0.0) / 100.0)
            lc.amount_used = used.get(lc.id, 0.0)
            lc.amount_available = lc.amount_max - lc.amount_used

    def _get_amounts_used(self, extra_orders=None):
        """{letter of credit id: total of its confirmed orders in its currency}, converted at each
        order's date, in one grouped query (plus ``extra_orders``, e.g. quotations being
        checked). Orders are read as superuser: the total drawn does not depend on which orders
        the reader may open."""
        result = defaultdict(float)
        lcs = self.filtered("id")
        if not lcs:
            return result
        # sudo: amounts only, see the docstring
        groups = (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [("letter_of_credit_id", "in", lcs.ids), ("state", "=", "sale")],
                ["letter_of_credit_id", "currency_id", "date_order:day"],
                ["amount_total:sum"],
            )
        )
        rows = [(lc.id, currency, day, total) for lc, currency, day, total in groups]
        for order in extra_orders or ():
            if order.state != "sale":
                rows.append(
                    (
                        order.letter_of_credit_id.id,
                        order.currency_id,
                        order.date_order,
                        order.amount_total,
                    )
                )
        by_id = {lc.id: lc for lc in lcs}
        for lc_id, currency, day, total in rows:
            lc = by_id.get(lc_id)
            if not lc:
                continue
            result[lc_id] += currency._convert(
                total, lc.currency_id, lc.company_id, day or fields.Date.context_today(self)
            )
        return result

    @api.depends("discrepancy_ids.resolution")
    def _compute_open_discrepancy_count(self):
        counts = dict(
            self.env["sales.letter.of.credit.discrepancy"]._read_group(
                [("letter_of_credit_id", "in", self.ids), ("resolution", "=", False)],
                ["letter_of_credit_id"],
                ["__count"],
            )
        )
        for lc in self:
            lc.open_discrepancy_count = counts.get(lc, 0)

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("amount", "tolerance", "presentation_days")
    def _check_amounts(self):
        for lc in self:
            if float_compare(lc.amount, 0.0, precision_rounding=lc.currency_id.rounding) < 0:
                raise ValidationError(
                    _(
                        "The amount of letter of credit %(lc)s cannot be negative.",
                        lc=lc.name,
                    )
                )
            if not 0.0 <= lc.tolerance <= 100.0:
                raise ValidationError(
                    _(
                        "The tolerance of letter of credit %(lc)s is a percentage between 0 and "
                        "100 (e.g. 10 for +10%%), not %(tolerance)s.",
                        lc=lc.name,
                        tolerance=lc.tolerance,
                    )
                )
            if lc.presentation_days < 0:
                raise ValidationError(
                    _(
                        "The presentation period of letter of credit %(lc)s is a number of days "
                        "after shipment: it cannot be negative.",
                        lc=lc.name,
                    )
                )

    @api.constrains("date_issue", "date_expiry", "date_latest_shipment")
    def _check_dates(self):
        for lc in self:
            if lc.date_issue and lc.date_expiry and lc.date_expiry < lc.date_issue:
                raise ValidationError(
                    _(
                        "Letter of credit %(lc)s expires (%(expiry)s) before it is issued "
                        "(%(issue)s): check both dates.",
                        lc=lc.name,
                        expiry=format_date(self.env, lc.date_expiry),
                        issue=format_date(self.env, lc.date_issue),
                    )
                )
            if (
                lc.date_latest_shipment
                and lc.date_expiry
                and lc.date_latest_shipment > lc.date_expiry
            ):
                raise ValidationError(
                    _(
                        "The latest shipment date of letter of credit %(lc)s (%(shipment)s) is "
                        "after its expiry date (%(expiry)s).",
                        lc=lc.name,
                        shipment=format_date(self.env, lc.date_latest_shipment),
                        expiry=format_date(self.env, lc.date_expiry),
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_server_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_server_fields(vals)
        amended = self.filtered(lambda lc: lc.state != "draft")
        changed = [f for f in AMENDABLE_FIELDS if f in vals]
        old_values = (
            {lc: {f: lc._get_amendment_value(f) for f in changed} for lc in amended}
            if changed
            else {}
        )
        res = super().write(vals)
        if old_values:
            self._log_amendments(old_values)
        if DEADLINE_FIELDS & vals.keys():
            # sudo: the reminder bookkeeping is the server's: a new deadline gets a new reminder
            self.sudo().filtered("presentation_reminded").presentation_reminded = False
        return res

    def _get_amendment_value(self, field_name):
        """A term as the amendment log shows it (text in the user's language)."""
        self.ensure_one()
        field = self._fields[field_name]
        value = self[field_name]
        if field.type == "many2one":
            return value.display_name or ""
        if field.type == "date":
            return format_date(self.env, value) if value else ""
        if field.type == "boolean":
            return _("Yes") if value else _("No")
        if field.type == "monetary":
            return formatLang(self.env, value, currency_obj=self.currency_id)
        return str(value)

    def _log_amendments(self, old_values):
        """One amendment per changed term (old and new value) on letters of credit that are no
        longer drafts."""
        today = fields.Date.context_today(self)
        values = []
        for lc, olds in old_values.items():
            for field_name, old in olds.items():
                new = lc._get_amendment_value(field_name)
                if new != old:
                    values.append(
                        {
                            "letter_of_credit_id": lc.id,
                            "date": today,
                            "field_name": field_name,
                            "old_value": old,
                            "new_value": new,
                        }
                    )
        if values:
            self.env["sales.letter.of.credit.amendment"].create(values)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(lc.state != "draft" for lc in self):
            raise UserError(
                _("Only draft letters of credit can be deleted: close the others instead.")
            )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda lc: lc.state not in allowed)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                _(
                    "%(action)s is not possible for %(lcs)s (state %(state)s).",
                    action=action,
                    lcs=", ".join(wrong.mapped("name")),
                    state=labels[wrong[0].state],
                )
            )

    def _write_state(self, state):
        """The state changes only through the buttons (and the expiry cron)."""
        self.check_access("write")
        # sudo: state is a server field (see _server_fields); access checked above, the
        # chatter still shows the user as author (sudo keeps the uid)
        self.sudo().write({"state": state})

    def action_receive(self):
        self._check_state(("draft",), _("Marking as received"))
        self._write_state("received")
        return True

    def action_confirm(self):
        self._check_state(("draft", "received"), _("Confirming"))
        self._write_state("confirmed")
        return True

    def action_mark_used(self):
        self._check_state(LC_OPEN_STATES, _("Marking as used"))
        self._write_state("used")
        return True

    def action_close(self):
        self._check_state(("received", "confirmed", "used", "expired"), _("Closing"))
        self._write_state("closed")
        return True

    def action_reset_draft(self):
        self._check_state(("received", "confirmed", "closed"), _("Resetting to draft"))
        self._write_state("draft")
        return True

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("letter_of_credit_id", "=", self.id)]
        action["context"] = {
            "default_letter_of_credit_id": self.id,
            "default_partner_id": self.partner_id.id,
        }
        return action

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _schedule_overdrawn_activities(self, orders):
        """An activity for the coordinator of each letter of credit that ``orders`` overdraw."""
        overdrawn = self.filtered(
            lambda lc: float_compare(
                lc.amount_available, 0.0, precision_rounding=lc.currency_id.rounding
            )
            < 0
        )
        activity_type = self.env.ref("sales_support.mail_activity_type_lc_warning")
        for lc in overdrawn:
            user = lc.coordinator_id or lc.user_id
            names = ", ".join(
                orders.filtered(lambda o, lc=lc: o.letter_of_credit_id == lc).mapped("name")
            )
            lc.activity_schedule(
                activity_type_id=activity_type.id,
                user_id=user.id or self.env.uid,
                summary=_("Letter of credit overdrawn"),
                note=_(
                    "Orders %(orders)s draw more than letter of credit %(lc)s allows: "
                    "%(available)s available. Ask the customer for an amendment.",
                    orders=names,
                    lc=lc.name,
                    available=formatLang(
                        self.env, lc.amount_available, currency_obj=lc.currency_id
                    ),
                ),
            )
        return overdrawn

    @api.model
    def _get_order_warnings(self, orders):
        """{order: warning text} for ``orders`` with a letter of credit: delivery planned after
        the latest shipment date, orders (the quotations among ``orders`` included) above the
        amount with tolerance, letter of credit not open. One grouped query for all."""
        with_lc = orders.filtered("letter_of_credit_id")
        used = with_lc.letter_of_credit_id._get_amounts_used(extra_orders=with_lc)
        return {
            order: order.letter_of_credit_id._get_order_warning(order, used) for order in with_lc
        }

    def _get_order_warning(self, order, used):
        self.ensure_one()
        warnings = []
        if self.state not in LC_OPEN_STATES and order.state != "sale":
            labels = dict(self._fields["state"]._description_selection(self.env))
            warnings.append(
                _("Letter of credit %(lc)s is %(state)s.", lc=self.name, state=labels[self.state])
            )
        planned = order.commitment_date or order.expected_date
        if planned and self.date_latest_shipment and planned.date() > self.date_latest_shipment:
            warnings.append(
                _(
                    "Delivery planned on %(planned)s, after the latest shipment date of letter "
                    "of credit %(lc)s (%(latest)s).",
                    planned=format_date(self.env, planned.date()),
                    lc=self.name,
                    latest=format_date(self.env, self.date_latest_shipment),
                )
            )
        available = self.amount_max - used.get(self.id, 0.0)
        if float_compare(available, 0.0, precision_rounding=self.currency_id.rounding) < 0:
            warnings.append(
                _(
                    "The orders of letter of credit %(lc)s exceed its amount with tolerance "
                    "(%(max)s) by %(over)s.",
                    lc=self.name,
                    max=formatLang(self.env, self.amount_max, currency_obj=self.currency_id),
                    over=formatLang(self.env, -available, currency_obj=self.currency_id),
                )
            )
        return "\n".join(warnings) or False

    def _get_picking_warning(self, picking):
        """Warning for an outgoing transfer scheduled after the latest shipment date."""
        self.ensure_one()
        late = (
            self.date_latest_shipment
            and picking.picking_type_code == "outgoing"
            and picking.state not in ("done", "cancel")
            and picking.scheduled_date
            and picking.scheduled_date.date() > self.date_latest_shipment
        )
        if not late:
            return False
        return _(
            "Scheduled on %(scheduled)s, after the latest shipment date of letter of credit "
            "%(lc)s (%(latest)s).",
            scheduled=format_date(self.env, picking.scheduled_date.date()),
            lc=self.name,
            latest=format_date(self.env, self.date_latest_shipment),
        )

    # ------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------
    @api.model
    def _cron_letter_of_credit(self):
        """Daily: letters of credit past their expiry date become expired; the coordinator gets
        an activity when a presentation deadline is at most PRESENTATION_REMINDER_DAYS away."""
        today = fields.Date.context_today(self)
        expired = self.search(
            [
                ("state", "in", ("draft", "received", "confirmed", "used")),
                ("date_expiry", "<", today),
            ]
        )
        if expired:
            # sudo: the state is a server field; the cron stamps it (see _write_state)
            expired.sudo().write({"state": "expired"})
        coming = self.search(
            [
                ("state", "in", ("received", "confirmed", "used")),
                ("presentation_reminded", "=", False),
                ("date_presentation_deadline", ">=", today),
                (
                    "date_presentation_deadline",
                    "<=",
                    today + timedelta(days=PRESENTATION_REMINDER_DAYS),
                ),
            ]
        )
        reminded = self.env["sales.support.late.activity"]._schedule(
            coming,
            self.env.ref("sales_support.mail_activity_type_lc_warning"),
            lambda lc: lc.coordinator_id or lc.user_id,
            lambda lc, user: lc._prepare_presentation_texts(user),
        )
        # sudo: the reminder bookkeeping is the server's
        coming.sudo().write({"presentation_reminded": True})
        return expired, reminded

    def _prepare_presentation_texts(self, user):
        self.ensure_one()
        env = self.with_context(lang=user.lang or self.env.lang).env
        summary = env._("Present the documents of %(lc)s", lc=self.name)
        note = env._(
            "The documents of letter of credit %(lc)s (%(applicant)s) must reach the bank by "
            "%(deadline)s.",
            lc=self.name,
            applicant=self.partner_id.display_name,
            deadline=format_date(env, self.date_presentation_deadline),
        )
        return summary, Markup("<p>%s</p>") % note


class SalesLetterOfCreditAmendment(models.Model):
    _name = "sales.letter.of.credit.amendment"
    _description = "Letter of Credit Amendment"
    _inherit = ["sales.support.input.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    letter_of_credit_id = fields.Many2one(
        "sales.letter.of.credit",
        string="Letter of Credit",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="letter_of_credit_id.company_id", store=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    field_name = fields.Selection(
        selection="_selection_field_name",
        string="Term Changed",
        help="Empty for an amendment that changes a clause not kept as a field.",
    )
    old_value = fields.Char()
    new_value = fields.Char()
    note = fields.Text(help="What the bank changed, its reference.")

    @api.model
    def _selection_field_name(self):
        lc_fields = self.env["sales.letter.of.credit"]._fields
        return [
            (name, lc_fields[name].get_description(self.env)["string"]) for name in AMENDABLE_FIELDS
        ]

    @api.model_create_multi
    def create(self, vals_list):
        amendments = super().create(vals_list)
        labels = dict(self._fields["field_name"]._description_selection(self.env))
        for amendment in amendments:
            lc = amendment.letter_of_credit_id
            body = _(
                "Amendment of %(date)s: %(term)s %(old)s → %(new)s %(note)s",
                date=format_date(self.env, amendment.date),
                term=labels.get(amendment.field_name) or _("clause"),
                old=amendment.old_value or "-",
                new=amendment.new_value or "-",
                note=amendment.note or "",
            )
            lc.message_post(body=body, subtype_xmlid="mail.mt_note")
        return amendments


DISCREPANCY_RESOLUTIONS = [
    ("waived", "Waived by the Applicant"),
    ("corrected", "Corrected"),
    ("refused", "Refused"),
]


class SalesLetterOfCreditDiscrepancy(models.Model):
    _name = "sales.letter.of.credit.discrepancy"
    _description = "Letter of Credit Discrepancy"
    _inherit = ["sales.support.input.mixin"]
    _order = "date_found desc, id desc"
    _check_company_auto = True

    letter_of_credit_id = fields.Many2one(
        "sales.letter.of.credit",
        string="Letter of Credit",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="letter_of_credit_id.company_id", store=True, index=True)
    name = fields.Char(string="Description", required=True)
    date_found = fields.Date(string="Found On", required=True, default=fields.Date.context_today)
    resolution = fields.Selection(DISCREPANCY_RESOLUTIONS)
    date_resolved = fields.Date(string="Resolved On")
    note = fields.Text()

    @api.constrains("resolution", "date_found", "date_resolved")
    def _check_resolution(self):
        for discrepancy in self:
            if discrepancy.date_resolved and discrepancy.date_resolved < discrepancy.date_found:
                raise ValidationError(
                    _(
                        "Discrepancy '%(name)s' cannot be resolved before it was found.",
                        name=discrepancy.name,
                    )
                )
            if discrepancy.date_resolved and not discrepancy.resolution:
                raise ValidationError(
                    _(
                        "Say how discrepancy '%(name)s' was resolved (waived by the applicant, "
                        "corrected or refused).",
                        name=discrepancy.name,
                    )
                )

    @api.onchange("resolution")
    def _onchange_resolution(self):
        if self.resolution and not self.date_resolved:
            self.date_resolved = fields.Date.context_today(self)
