from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_datetime

from odoo.addons.mail.tools.alias_error import AliasError

from ..tools import count_related, form_action, format_delay
from .sales_support_request_type import PRIORITIES

REQUEST_STATES = [
    ("new", "New"),
    ("in_progress", "In Progress"),
    ("waiting", "Waiting for Customer"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]
CLOSED_STATES = ("done", "cancel")
CHANNELS = [
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("portal", "Portal"),
    ("meeting", "Meeting"),
    ("api", "API"),
]
SLA_STATUSES = [("on_time", "On Time"), ("at_risk", "At Risk"), ("breached", "Breached")]
SLA_WARNINGS = [("at_risk", "At Risk"), ("breached", "Breached")]
# Share of a deadline's WORKING hours after which it is "at risk" (3 h of a 4 h target).
SLA_RISK_RATIO = 0.75
SLA_DEADLINE_FIELDS = (
    "date_first_response_deadline",
    "date_resolution_deadline",
    "date_first_response_risk",
    "date_resolution_risk",
)
SLA_STATUS_FIELDS = ("sla_status", "is_first_response_breached", "is_resolution_breached")
# Written by the server only (stamps, SLA clock, figures that feed the KPIs): users and RPC
# scripts may read them, never write them.
SERVER_FIELDS = frozenset(
    (
        "date_first_response",
        "date_done",
        "sla_consumed_hours",
        "date_sla_resumed",
        "date_sla_paused",
        "first_response_hours",
        "resolution_hours",
        "sla_first_response_notified",
        "sla_resolution_notified",
        "date_next_deadline",
        *SLA_DEADLINE_FIELDS,
        *SLA_STATUS_FIELDS,
    )
)


class SalesSupportRequest(models.Model):
    """A customer's request handled by sales support, with its SLA in working hours.

    First response is stamped (``date_first_response``) the first time either:
    - a support user sends a message to the followers (not an internal note) on the request, or
    - the request leaves the New state (In Progress, Waiting for Customer, Done), which
      also happens when a quotation or a claim is created from it.

    The resolution clock pauses while the request waits for the customer: the working hours used
    so far are kept (``sla_consumed_hours``) and, on resume, the resolution deadline is planned
    again from the resume with the working hours left.
    """

    _name = "sales.support.request"
    _description = "Customer Request"
    _inherit = [
        "sales.support.input.mixin",
        "sales.support.sequence.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _sequence_code = "sales.support.request"
    _server_fields = tuple(sorted(SERVER_FIELDS))
    _order = "priority desc, date_received desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "subject", "partner_id.name"]

    # ------------------------------------------------------------
    # Identification
    # ------------------------------------------------------------
    subject = fields.Char(required=True, tracking=True)
    description = fields.Html()
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        required=True,
        tracking=True,
        index=True,
        domain="[('company_id', 'in', (False, company_id))]",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Customer", store=True, index=True
    )
    channel = fields.Selection(CHANNELS, required=True, default="phone", tracking=True)
    type_id = fields.Many2one(
        "sales.support.request.type",
        string="Type",
        required=True,
        tracking=True,
        default=lambda self: self.env["sales.support.request.type"]._get_default_type(),
    )
    is_quotation_request = fields.Boolean(related="type_id.is_quotation_request")
    priority = fields.Selection(PRIORITIES, default="1", required=True, tracking=True)
    state = fields.Selection(
        REQUEST_STATES,
        default="new",
        required=True,
        tracking=True,
        index=True,
        copy=False,
        group_expand="_group_expand_states",
    )
    line_ids = fields.One2many(
        "sales.support.request.line", "request_id", string="Products Asked For", copy=True
    )
    # ------------------------------------------------------------
    # People
    # ------------------------------------------------------------
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        index=True,
        domain="[('share', '=', False)]",
        help="The contact's salesperson; follows the contact when it changes. Set by hand to "
        "override.",
    )
    coordinator_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        compute="_compute_coordinator_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        index=True,
        domain="[('support_level', 'in', ('coordinator', 'manager')), "
        "('company_ids', 'in', company_id)]",
        help="The customer's coordinator, else the salesperson's; follows the contact when it "
        "changes. Set by hand to override.",
    )
    requester_id = fields.Many2one(
        "res.users",
        string="Requested By",
        default=lambda self: self.env.user,
        help="Who asked sales support: the customer's salesperson, a sales manager, or the "
        "support member who took the call.",
    )
    # ------------------------------------------------------------
    # Dates and SLA (working hours of the company's calendar)
    # ------------------------------------------------------------
    date_received = fields.Datetime(
        string="Received At", required=True, default=fields.Datetime.now, index=True, tracking=True
    )
    date_first_response = fields.Datetime(string="First Response At", readonly=True, copy=False)
    date_done = fields.Datetime(string="Done At", readonly=True, copy=False)
    sla_consumed_hours = fields.Float(
        string="Working Hours Used",
        readonly=True,
        copy=False,
        help="Working hours the resolution clock ran before it was last paused (waiting for the "
        "customer); they are kept when the clock resumes.",
    )
    date_sla_resumed = fields.Datetime(
        string="Clock Resumed At",
        readonly=True,
        copy=False,
        help="When the resolution clock last restarted after waiting for the customer.",
    )
    date_sla_paused = fields.Datetime(
        string="Clock Paused Since",
        readonly=True,
        copy=False,
        help="Set while the request waits for the customer: the resolution clock is stopped.",
    )
    date_first_response_deadline = fields.Datetime(
        string="First Response Due", compute="_compute_sla_deadlines", store=True, index=True
    )
    date_resolution_deadline = fields.Datetime(
        string="Resolution Due", compute="_compute_sla_deadlines", store=True, index=True
    )
    date_first_response_risk = fields.Datetime(
        string="First Response at Risk From",
        compute="_compute_sla_deadlines",
        store=True,
        help="When 75 % of the working hours allowed for the first response are used.",
    )
    date_resolution_risk = fields.Datetime(
        string="Resolution at Risk From",
        compute="_compute_sla_deadlines",
        store=True,
        help="When 75 % of the working hours allowed for the resolution are used.",
    )
    date_next_deadline = fields.Datetime(
        string="Next Deadline",
        compute="_compute_date_next_deadline",
        store=True,
        index=True,
        help="The first-response deadline until the customer got an answer, then the resolution "
        "deadline; empty while waiting for the customer and once closed.",
    )
    sla_time_left = fields.Char(string="Time Left", compute="_compute_sla_time_left")
    is_first_response_breached = fields.Boolean(
        string="First Response Late",
        compute="_compute_sla_status",
        store=True,
        help="The first-response deadline passed before the customer got an answer.",
    )
    is_resolution_breached = fields.Boolean(
        string="Resolution Late",
        compute="_compute_sla_status",
        store=True,
        help="The resolution deadline passed before the request was done.",
    )
    sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA Status",
        compute="_compute_sla_status",
        store=True,
        index=True,
        help="Kept current by a scheduled action as time passes: at risk once 75 % of the working "
        "hours of a pending deadline are used, breached once a deadline passed.",
    )
    first_response_hours = fields.Float(
        string="First Response Time (working h)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Working hours from reception to first response; empty until the first response "
        "(averages skip requests not answered yet).",
    )
    resolution_hours = fields.Float(
        string="Resolution Time (working h)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Working hours from reception to done, without the time spent waiting for the "
        "customer; empty until done.",
    )
    sla_first_response_notified = fields.Selection(
        SLA_WARNINGS,
        string="First Response Warning",
        readonly=True,
        copy=False,
        help="Last warning the coordinator got about the first-response deadline.",
    )
    sla_resolution_notified = fields.Selection(
        SLA_WARNINGS,
        string="Resolution Warning",
        readonly=True,
        copy=False,
        help="Last warning the coordinator got about the resolution deadline.",
    )
    # ------------------------------------------------------------
    # Links
    # ------------------------------------------------------------
    order_ids = fields.One2many("sale.order", "support_request_id", string="Orders")
    order_count = fields.Integer(compute="_compute_order_count")
    claim_ids = fields.One2many("sales.support.claim", "request_id", string="Claims")
    claim_count = fields.Integer(compute="_compute_claim_count")

    def init(self):
        # Durations of milestones not reached are NULL (averages skip them), never 0.0.
        self.env.cr.execute(
            SQL("""
            UPDATE sales_support_request
               SET first_response_hours = CASE WHEN date_first_response IS NULL THEN NULL
                                               ELSE first_response_hours END,
                   resolution_hours = CASE WHEN date_done IS NULL THEN NULL
                                           ELSE resolution_hours END
             WHERE (date_first_response IS NULL AND first_response_hours IS NOT NULL)
                OR (date_done IS NULL AND resolution_hours IS NOT NULL)
        """)
        )

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    def _group_expand_states(self, states, domain):
        return [key for key, _label in REQUEST_STATES if key != "cancel"]

    @api.depends("partner_id")
    def _compute_user_id(self):
        for request in self:
            partner = request.partner_id
            request.user_id = (
                partner.commercial_partner_id.user_id or partner.user_id or request.user_id
            )

    @api.depends("partner_id", "user_id", "company_id")
    def _compute_coordinator_id(self):
        for request in self:
            # the one chosen before stays only while it may still coordinate the request (its
            # company may have changed, the user been archived or made an assistant)
            current = request.coordinator_id
            request.coordinator_id = request._get_default_coordinator() or (
                current if current._can_coordinate_for(request.company_id) else False
            )

    def _get_default_coordinator(self):
        """The customer's coordinator, else the salesperson's (or their backup while absent);
        archived users and people who do not work for the request's company are passed over."""
        self.ensure_one()
        # the one order of precedence of orders, requests and claims (assignment rules' model)
        return self.env["sales.support.assignment.rule"]._get_coordinator_for(
            self.partner_id, self.user_id, self.company_id
        )

    @api.depends(
        "date_received",
        "type_id",
        "priority",
        "state",
        "company_id.resource_calendar_id",
        "date_sla_resumed",
        "date_sla_paused",
        "sla_consumed_hours",
        "type_id.first_response_hours",
        "type_id.resolution_hours",
        "type_id.sla_ids.priority",
        "type_id.sla_ids.first_response_hours",
        "type_id.sla_ids.resolution_hours",
    )
    def _compute_sla_deadlines(self):
        for request in self:
            if request.date_first_response_deadline and (
                request.state in CLOSED_STATES or request.date_sla_paused
            ):
                # Closed requests keep the deadlines they were measured against; paused ones
                # are planned again when the clock resumes.
                continue
            if not request.date_received or not request.type_id:
                request.update(dict.fromkeys(SLA_DEADLINE_FIELDS, False))
                continue
            first, resolution = request.type_id._get_sla_targets(request.priority)
            calendar = request.company_id.resource_calendar_id
            received = request.date_received
            start = request.date_sla_resumed or received
            consumed = request.sla_consumed_hours
            request.update(
                {
                    "date_first_response_deadline": self._plan_working_hours(
                        calendar, first, received
                    ),
                    "date_first_response_risk": self._plan_working_hours(
                        calendar, first * SLA_RISK_RATIO, received
                    ),
                    "date_resolution_deadline": self._plan_working_hours(
                        calendar, max(resolution - consumed, 0), start
                    ),
                    "date_resolution_risk": self._plan_working_hours(
                        calendar, max(resolution * SLA_RISK_RATIO - consumed, 0), start
                    ),
                }
            )

    @api.model
    def _plan_working_hours(self, calendar, hours, start):
        """``start`` + ``hours`` working hours of ``calendar`` (public holidays included), as a
        naive UTC datetime; wall-clock hours without a calendar."""
        if not hours:
            return start
        if calendar:
            planned = calendar.plan_hours(hours, start, compute_leaves=True)
            if planned:
                return planned.replace(tzinfo=None) if planned.tzinfo else planned
        return start + timedelta(hours=hours)

    @api.model
    def _working_hours_between(self, calendar, start, end):
        """Working hours of ``calendar`` between two naive UTC datetimes (wall-clock hours
        without a calendar)."""
        if not start or not end or end <= start:
            return 0.0
        if calendar:
            return calendar.get_work_hours_count(start, end, compute_leaves=True)
        return (end - start).total_seconds() / 3600

    @api.depends(
        "state",
        "date_first_response",
        "date_done",
        "date_sla_paused",
        "date_first_response_deadline",
        "date_resolution_deadline",
        "date_first_response_risk",
        "date_resolution_risk",
    )
    def _compute_sla_status(self):
        """Time-dependent: computed on every change, and stamped again by the cron as time passes
        (``_refresh_sla_status``)."""
        now = fields.Datetime.now()
        for request in self:
            request.update(request._get_sla_status_values(now))

    def _get_sla_status_values(self, now):
        self.ensure_one()
        is_open = self.state not in CLOSED_STATES
        paused = self.date_sla_paused
        first_due, resolution_due = self.date_first_response_deadline, self.date_resolution_deadline
        first_late = bool(
            first_due
            and (
                self.date_first_response > first_due
                if self.date_first_response
                else is_open and now > first_due
            )
        )
        if not resolution_due:
            resolution_late = False
        elif self.date_done:
            resolution_late = self.date_done > resolution_due
        elif not is_open:
            resolution_late = False
        else:
            # a paused clock is late only if the deadline had passed before the pause
            resolution_late = (paused or now) > resolution_due
        if first_late or resolution_late:
            status = "breached"
        elif (
            is_open
            and not paused
            and (
                (
                    not self.date_first_response
                    and self.date_first_response_risk
                    and now >= self.date_first_response_risk
                )
                or (self.date_resolution_risk and now >= self.date_resolution_risk)
            )
        ):
            status = "at_risk"
        else:
            status = "on_time"
        return {
            "sla_status": status,
            "is_first_response_breached": first_late,
            "is_resolution_breached": resolution_late,
        }

    @api.depends(
        "state",
        "date_first_response",
        "date_sla_paused",
        "date_first_response_deadline",
        "date_resolution_deadline",
    )
    def _compute_date_next_deadline(self):
        for request in self:
            if request.state in CLOSED_STATES or request.date_sla_paused:
                request.date_next_deadline = False
            elif not request.date_first_response:
                request.date_next_deadline = request.date_first_response_deadline
            else:
                request.date_next_deadline = request.date_resolution_deadline

    @api.depends("date_next_deadline", "date_sla_paused")
    def _compute_sla_time_left(self):
        now = fields.Datetime.now()
        for request in self:
            if request.date_sla_paused and request.state not in CLOSED_STATES:
                request.sla_time_left = _("Paused")
            elif not request.date_next_deadline:
                request.sla_time_left = False
            elif request.date_next_deadline >= now:
                request.sla_time_left = _(
                    "%(duration)s left",
                    duration=self._format_duration(request.date_next_deadline - now),
                )
            else:
                request.sla_time_left = _(
                    "Late by %(duration)s",
                    duration=self._format_duration(now - request.date_next_deadline),
                )

    @api.model
    def _format_duration(self, delta):
        """'2 d 3 h', '3 h 20 min', '12 min' (wall-clock), in the environment's language."""
        return format_delay(self.env, delta)

    def _compute_order_count(self):
        counts = count_related(self, "sale.order", "support_request_id")
        for request in self:
            request.order_count = counts.get(request, 0)

    def _compute_claim_count(self):
        counts = count_related(self, "sales.support.claim", "request_id")
        for request in self:
            request.claim_count = counts.get(request, 0)

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("subject", "date_received")
    def _check_subject_and_reception(self):
        latest = fields.Datetime.now() + timedelta(days=1)
        for request in self:
            if not (request.subject or "").strip():
                raise ValidationError(
                    _("Give the request a subject: what does the customer ask for?")
                )
            if request.date_received and request.date_received > latest:
                raise ValidationError(
                    _(
                        "Request %(request)s is received in the future (%(date)s): enter when it "
                        "was "
                        "received (UTC), today at the latest.",
                        request=request.name or request.subject,
                        date=request.date_received,
                    )
                )

    @api.constrains("partner_id", "company_id")
    def _check_partner_company(self):
        for request in self:
            partner_company = request.partner_id.company_id
            if partner_company and partner_company != request.company_id:
                raise ValidationError(
                    _(
                        "The contact %(contact)s belongs to %(other)s, not to %(company)s: "
                        "choose a contact "
                        "of %(company)s or a shared one.",
                        contact=request.partner_id.display_name,
                        other=partner_company.name,
                        company=request.company_id.name,
                    )
                )

    @api.constrains("coordinator_id", "company_id")
    def _check_coordinator_id(self):
        """The same rules as an order's coordinator: an active coordinator or customer service
        manager (not an assistant) who works for the request's company."""
        for request in self.filtered("coordinator_id"):
            request.coordinator_id._check_can_coordinate(
                request.company_id,
                _("the coordinator of request %(request)s", request=request.name),
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    def _check_server_fields(self, vals):
        # same contract as the mixin's (the values of a create/write), with the request's message
        forged = set(self._server_fields).intersection(vals)
        if forged and not self.env.su:
            labels = ", ".join(sorted(self._fields[fname].string for fname in forged))
            raise UserError(
                _(
                    "%(fields)s are set by the system as the request goes through its steps and "
                    "cannot "
                    "be written: use the request's buttons (Start, Wait for Customer, Done) or "
                    "send the "
                    "customer a message.",
                    fields=labels,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_server_fields(vals)
        requests = super().create(vals_list)
        requests.filtered(lambda r: r.state == "waiting")._sla_pause()
        requests._stamp_state_dates()
        requests.filtered(lambda r: r.date_first_response or r.date_done)._store_sla_durations()
        return requests

    def write(self, vals):
        self._check_server_fields(vals)
        self._check_date_received_kept(vals)
        resuming = pausing = self.browse()
        if "state" in vals:
            new_state = vals["state"]
            resuming = self.filtered(lambda r: r.state == "waiting" and new_state != "waiting")
            pausing = self.filtered(lambda r: r.state != "waiting" and new_state == "waiting")
            # Restart the clock before leaving "waiting", so that a request closed from there
            # is measured against its moved deadline (closed requests keep their deadlines).
            resuming._sla_resume()
        res = super().write(vals)
        if "state" in vals:
            pausing._sla_pause()
            self._stamp_state_dates()
        if {"date_received", "date_first_response", "date_done"}.intersection(vals):
            self._store_sla_durations()
        return res

    def _check_date_received_kept(self, vals):
        """When a request arrived is set at its creation (by hand for a call taken earlier, by
        the mail gateway, by a script); afterwards only the server may move it: its SLA clock
        and its place in the figures start there."""
        if "date_received" not in vals or self.env.su:
            return
        try:
            received = fields.Datetime.to_datetime(vals["date_received"])
        except (TypeError, ValueError):
            return  # the input checks (sales.support.input.mixin) say what to send
        changed = self.filtered(lambda r: r.date_received != received)
        if changed:
            raise UserError(
                _(
                    "When request %(requests)s was received is set when it is created and "
                    "cannot be changed afterwards (its SLA clock starts there). Cancel it and "
                    "create a new one if it was entered wrongly.",
                    requests=", ".join(changed.mapped("name")),
                )
            )

    def _sla_pause(self):
        """Stop the resolution clock: keep the working hours used so far."""
        now = fields.Datetime.now()
        for request in self.filtered(lambda r: not r.date_sla_paused):
            used = self._working_hours_between(
                request.company_id.resource_calendar_id,
                request.date_sla_resumed or request.date_received,
                now,
            )
            # sudo: the SLA clock is server-written (SERVER_FIELDS); the user only changed the state
            request.sudo().write(
                {
                    "date_sla_paused": now,
                    "sla_consumed_hours": request.sla_consumed_hours + used,
                }
            )

    def _sla_resume(self):
        """Restart the resolution clock: its deadline moves on by the working hours paused."""
        paused = self.filtered("date_sla_paused")
        if not paused:
            return
        # sudo: the SLA clock is server-written (SERVER_FIELDS); the user only changed the state
        paused.sudo().write({"date_sla_resumed": fields.Datetime.now(), "date_sla_paused": False})
        paused._recompute_recordset(SLA_DEADLINE_FIELDS)

    def _stamp_state_dates(self):
        now = fields.Datetime.now()
        # sudo: milestones are server-written (SERVER_FIELDS); the user only changed the state
        responded = self.filtered(lambda r: r.state != "new" and not r.date_first_response)
        if responded:
            responded.sudo().write({"date_first_response": now})
        done = self.filtered(lambda r: r.state == "done" and not r.date_done)
        if done:
            done.sudo().write({"date_done": now})
        reopened = self.filtered(lambda r: r.state != "done" and r.date_done)
        if reopened:
            reopened.sudo().write({"date_done": False})

    def _store_sla_durations(self):
        """Working hours to first response and to resolution (paused time excluded), NULL while
        not reached: written by SQL because a stored Float writes 0.0 for "no value", which
        averages would count."""
        if not self:
            return
        rows = []
        for request in self:
            calendar = request.company_id.resource_calendar_id
            first = resolution = None
            if request.date_first_response:
                first = self._working_hours_between(
                    calendar, request.date_received, request.date_first_response
                )
            if request.date_done:
                resolution = request.sla_consumed_hours + self._working_hours_between(
                    calendar,
                    request.date_sla_resumed or request.date_received,
                    request.date_sla_paused or request.date_done,
                )
            rows.append(SQL("(%s, %s::float8, %s::float8)", request.id, first, resolution))
        self.env.execute_query(
            SQL(
                """
            UPDATE sales_support_request AS request
               SET first_response_hours = v.first_response, resolution_hours = v.resolution
              FROM (VALUES %s) AS v(id, first_response, resolution)
             WHERE request.id = v.id
        """,
                SQL(", ").join(rows),
            )
        )
        self.invalidate_recordset(["first_response_hours", "resolution_hours"])

    # ------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A mail to the alias becomes a request of the sender (channel e-mail)."""
        values = {
            "subject": msg_dict.get("subject") or _("No subject"),
            "description": msg_dict.get("body"),
            "channel": "email",
            **(custom_values or {}),
        }
        author = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if not author and msg_dict.get("email_from"):
            author = self.env["res.partner"].find_or_create(msg_dict["email_from"])
        values.setdefault("partner_id", author.id)
        # The request's requester is the alias' owner (OdooBot), not the external sender.
        values.setdefault("requester_id", False)
        return super().message_new(msg_dict, custom_values=values)

    def _alias_get_error(self, message, message_dict, alias):
        """Who may create requests by e-mail: the company setting "Requests by e-mail from"
        (everyone, known contacts, customers only); others get the alias' polite bounce.
        Replies on an existing request (``self`` set) are not filtered."""
        error = super()._alias_get_error(message, message_dict, alias)
        if error or self:
            return error
        policy = self.env.company.support_request_alias_contact or "everyone"
        author = self.env["res.partner"].browse(message_dict.get("author_id")).exists()
        if policy == "partners" and not author:
            return AliasError("error_partners_no_partner", _("restricted to known contacts"))
        if policy == "customers" and not (author and self._is_customer_contact(author)):
            return AliasError(
                "error_support_not_customer", _("restricted to the contacts of customers")
            )
        return False

    @api.model
    def _is_customer_contact(self, partner):
        """A contact of a customer: its company has a salesperson or a coordinator, or bought."""
        customer = partner.commercial_partner_id
        return bool(customer.user_id or customer.support_coordinator_id or customer.customer_rank)

    def _message_post_after_hook(self, message, msg_vals):
        # First response: a support user's message to the followers (not an internal note).
        if message.subtype_id == self.env.ref(
            "mail.mt_comment"
        ) and message.author_id.user_ids.filtered(lambda u: not u.share):
            waiting = self.filtered(lambda r: not r.date_first_response)
            if waiting:
                # sudo: the first response is server-written (SERVER_FIELDS); the user posted
                waiting.sudo().write({"date_first_response": fields.Datetime.now()})
        return super()._message_post_after_hook(message, msg_vals)

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        for request in self.filtered("partner_id"):
            request._message_add_suggested_recipient(
                recipients, partner=request.partner_id, reason=_("Customer")
            )
        return recipients

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_start(self):
        """Start (from New) or resume (from Waiting for Customer)."""
        self.filtered(lambda r: r.state in ("new", "waiting")).write({"state": "in_progress"})
        return True

    def action_wait(self):
        self.filtered(lambda r: r.state in ("new", "in_progress")).write({"state": "waiting"})
        return True

    def action_done(self):
        if self.filtered(lambda r: r.state == "cancel"):
            raise UserError(_("A cancelled request cannot be done: reopen it first."))
        self.filtered(lambda r: r.state != "done").write({"state": "done"})
        return True

    def action_cancel(self):
        self.filtered(lambda r: r.state not in CLOSED_STATES).write({"state": "cancel"})
        return True

    def action_reset(self):
        self.filtered(lambda r: r.state in CLOSED_STATES).write({"state": "new"})
        return True

    def action_create_quotation(self):
        """Create a quotation for the request's customer, linked to the request, with the products
        asked for; the customer's text goes to the quotation's chatter as an internal note."""
        self.ensure_one()
        if self.state in CLOSED_STATES:
            raise UserError(
                _("Request %(request)s is closed: reopen it before quoting.", request=self.name)
            )
        if not self.env["sale.order"].has_access("create"):
            raise AccessError(
                _(
                    "Only salespeople and coordinators prepare quotations: ask %(who)s to quote "
                    "request "
                    "%(request)s.",
                    who=(self.coordinator_id or self.user_id).name or _("a coordinator"),
                    request=self.name,
                )
            )
        order = self.env["sale.order"].create(self._prepare_quotation_values())
        order.message_post(body=self._get_quotation_note(), subtype_xmlid="mail.mt_note")
        if self.state == "new":
            self.action_start()
        return form_action(order)

    def _prepare_quotation_values(self):
        self.ensure_one()
        values = {
            "partner_id": self.commercial_partner_id.id,
            "support_request_id": self.id,
            "origin": self.name,
            "company_id": self.company_id.id,
            "order_line": [
                Command.create(line._prepare_order_line_values())
                for line in self.line_ids
                if line.product_id or line.name
            ],
        }
        if self.user_id:
            values["user_id"] = self.user_id.id
        return values

    def _get_quotation_note(self):
        self.ensure_one()
        note = Markup("<p>%s</p>") % _(
            "Customer request %(request)s: %(subject)s", request=self.name, subject=self.subject
        )
        if self.description:
            note += self.description
        return note

    def action_create_claim(self):
        self.ensure_one()
        if self.state in CLOSED_STATES:
            raise UserError(
                _(
                    "Request %(request)s is closed: reopen it before opening a claim.",
                    request=self.name,
                )
            )
        if not self.env["sales.support.claim"].has_access("create"):
            raise AccessError(
                _(
                    "Only coordinators and salespeople open claims: ask %(who)s to open one for "
                    "request "
                    "%(request)s.",
                    who=(self.coordinator_id or self.user_id).name or _("a coordinator"),
                    request=self.name,
                )
            )
        claim = self.env["sales.support.claim"].create(
            {
                "partner_id": self.commercial_partner_id.id,
                "request_id": self.id,
                "order_id": self.order_ids[:1].id,
                "company_id": self.company_id.id,
                "description": self.description,
            }
        )
        if self.state == "new":
            self.action_start()
        return form_action(claim)

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sale_order_action_support"
        )
        action.update(domain=[("support_request_id", "=", self.id)], context={})
        return action

    def action_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sales_support_claim_action"
        )
        action.update(
            domain=[("request_id", "=", self.id)], context={"default_request_id": self.id}
        )
        return action

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _on_quotation_sent(self):
        """Called when a quotation linked to these requests is sent: quotation requests are then
        answered, and are closed as done with a note naming the quotation."""
        to_close = self.filtered(
            lambda r: r.state not in CLOSED_STATES and r.type_id.is_quotation_request
        )
        # sudo: closing follows from sending the quotation, which the user may do; the request
        # may belong to a coordinator whose requests the sender cannot write.
        for request in to_close.sudo():
            sent = request.order_ids.filtered(lambda o: o.state == "sent")
            request.message_post(
                body=_(
                    "Quotation %(orders)s sent to the customer: request closed.",
                    orders=", ".join(sent.mapped("name")) or "-",
                ),
                subtype_xmlid="mail.mt_note",
            )
        to_close.sudo().action_done()

    # ------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------
    @api.model
    def _refresh_sla_status(self, now=None):
        """Stamp the SLA status of open requests whose at-risk moment or deadline has passed
        since it was last computed (one search, one batched write)."""
        now = now or fields.Datetime.now()
        first_pending = [("date_first_response", "=", False)]
        resolution_pending = [("date_done", "=", False)]
        risk_passed = expression.OR(
            [
                expression.AND([first_pending, [("date_first_response_risk", "<=", now)]]),
                expression.AND([resolution_pending, [("date_resolution_risk", "<=", now)]]),
            ]
        )
        deadline_passed = expression.OR(
            [
                expression.AND([first_pending, [("date_first_response_deadline", "<", now)]]),
                expression.AND([resolution_pending, [("date_resolution_deadline", "<", now)]]),
            ]
        )
        stale = self.search(
            expression.AND(
                [
                    [("state", "not in", CLOSED_STATES), ("date_sla_paused", "=", False)],
                    expression.OR(
                        [
                            expression.AND([[("sla_status", "=", "on_time")], risk_passed]),
                            expression.AND([[("sla_status", "!=", "breached")], deadline_passed]),
                        ]
                    ),
                ]
            )
        )
        for fname in SLA_STATUS_FIELDS:
            self.env.add_to_compute(self._fields[fname], stale)
        stale._recompute_recordset(SLA_STATUS_FIELDS)
        return stale

    @api.model
    def _cron_sla_late_activities(self):
        """Warn coordinators before and after a breach: one activity when a deadline (first
        response, resolution) becomes at risk, one when it passes; each once per request and
        deadline. Bounded in queries: one search and one batched create per kind of warning."""
        now = fields.Datetime.now()
        self._refresh_sla_status(now)
        running = [("state", "not in", CLOSED_STATES), ("date_sla_paused", "=", False)]
        checks = [
            (
                "first_response",
                "breached",
                [
                    ("date_first_response", "=", False),
                    ("date_first_response_deadline", "<", now),
                    ("sla_first_response_notified", "!=", "breached"),
                ],
            ),
            (
                "first_response",
                "at_risk",
                [
                    ("date_first_response", "=", False),
                    ("date_first_response_risk", "<=", now),
                    ("date_first_response_deadline", ">=", now),
                    ("sla_first_response_notified", "=", False),
                ],
            ),
            (
                "resolution",
                "breached",
                [
                    ("date_done", "=", False),
                    ("date_resolution_deadline", "<", now),
                    ("sla_resolution_notified", "!=", "breached"),
                ],
            ),
            (
                "resolution",
                "at_risk",
                [
                    ("date_done", "=", False),
                    ("date_resolution_risk", "<=", now),
                    ("date_resolution_deadline", ">=", now),
                    ("sla_resolution_notified", "=", False),
                ],
            ),
        ]
        activity_types = {
            "at_risk": self.env.ref("sales_support.mail_activity_type_request_at_risk"),
            "breached": self.env.ref("sales_support.mail_activity_type_request_late"),
        }
        count = 0
        for deadline, level, domain in checks:
            warned = self.env["sales.support.late.activity"]._schedule(
                self.search(running + domain),
                activity_types[level],
                lambda request: request._get_sla_warning_user(),
                lambda request, user, deadline=deadline, level=level: request.with_context(
                    lang=user.lang, tz=user.tz
                )._get_sla_activity_texts(deadline, level, user),
            )
            # sudo: warnings are server-written (SERVER_FIELDS)
            warned.sudo().write({f"sla_{deadline}_notified": level})
            count += len(warned)
        return count

    def _get_sla_warning_user(self):
        self.ensure_one()
        for user in (self.coordinator_id, self.user_id, self.requester_id):
            if user and user.active and not user.share:
                return user
        return self.env["res.users"]

    def _get_sla_activity_texts(self, deadline, level, user):
        """Activity warning ``user`` that ``deadline`` ("first_response"/"resolution") of this
        request is ``level`` ("at_risk"/"breached"), in the user's language and time zone."""
        self.ensure_one()
        due = (
            self.date_first_response_deadline
            if deadline == "first_response"
            else self.date_resolution_deadline
        )
        due_text = format_datetime(
            self.env, due, tz=user.tz or "UTC", dt_format="short", lang_code=user.lang
        )
        now = fields.Datetime.now()
        if deadline == "first_response":
            if level == "at_risk":
                summary = _("First response due soon: %(request)s", request=self.name)
                note = _(
                    "The customer expects an answer by %(due)s (%(left)s left): reply to them "
                    "from the request (Send message) or start it.",
                    due=due_text,
                    left=self._format_duration(due - now),
                )
            else:
                summary = _("First response overdue: %(request)s", request=self.name)
                note = _(
                    "The customer expected an answer by %(due)s (late by %(late)s): reply to "
                    "them now from the request (Send message).",
                    due=due_text,
                    late=self._format_duration(now - due),
                )
        elif level == "at_risk":
            summary = _("Resolution due soon: %(request)s", request=self.name)
            note = _(
                "The request must be resolved by %(due)s (%(left)s left): finish it, or set it "
                "to Waiting for Customer if you need something from them.",
                due=due_text,
                left=self._format_duration(due - now),
            )
        else:
            summary = _("Resolution overdue: %(request)s", request=self.name)
            note = _(
                "The request had to be resolved by %(due)s (late by %(late)s): finish it or "
                "tell the customer when it will be.",
                due=due_text,
                late=self._format_duration(now - due),
            )
        return summary, Markup("<p>%s</p>") % note
