from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ..tools import count_related, form_action
from .sales_support_request_type import PRIORITIES

REQUEST_STATES = [
    ("new", "New"),
    ("in_progress", "In Progress"),
    ("waiting", "Waiting for Customer"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]
CHANNELS = [
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("portal", "Portal"),
    ("meeting", "Meeting"),
    ("api", "API"),
]
SLA_STATUSES = [("on_time", "On Time"), ("at_risk", "At Risk"), ("breached", "Breached")]
# Share of the SLA window after which an open deadline is "at risk".
SLA_RISK_RATIO = 0.75


class SalesSupportRequest(models.Model):
    """A customer's request handled by sales support, with its SLA in working hours.

    First response is stamped (``date_first_response``) the first time either:
    - a support user sends a message to the followers (not an internal note) on the request, or
    - the request leaves the New state (In Progress, Waiting for Customer, Done), which
      also happens when a quotation or a claim is created from it.
    """

    _name = "sales.support.request"
    _description = "Customer Request"
    _inherit = ["sales.support.sequence.mixin", "mail.thread", "mail.activity.mixin"]
    _sequence_code = "sales.support.request"
    _order = "priority desc, date_received desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "subject", "partner_id.name"]

    # ------------------------------------------------------------
    # Identification
    # ------------------------------------------------------------
    subject = fields.Char(required=True, tracking=True)
    description = fields.Html()
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, tracking=True, index=True,
        domain="[('company_id', 'in', (False, company_id))]")
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Customer", store=True, index=True)
    channel = fields.Selection(CHANNELS, required=True, default="phone", tracking=True)
    type_id = fields.Many2one(
        "sales.support.request.type", string="Type", required=True, tracking=True,
        default=lambda self: self.env.ref("sales_support.request_type_other", raise_if_not_found=False))
    priority = fields.Selection(PRIORITIES, default="1", required=True, tracking=True)
    state = fields.Selection(REQUEST_STATES, default="new", required=True, tracking=True, index=True,
                             copy=False, group_expand="_group_expand_states")
    # ------------------------------------------------------------
    # People
    # ------------------------------------------------------------
    user_id = fields.Many2one(
        "res.users", string="Salesperson", compute="_compute_user_id", store=True, readonly=False,
        precompute=True, tracking=True, index=True, domain="[('share', '=', False)]")
    coordinator_id = fields.Many2one(
        "res.users", string="Coordinator", compute="_compute_coordinator_id", store=True,
        readonly=False, precompute=True, tracking=True, index=True,
        domain="[('support_level', '!=', False)]")
    requester_id = fields.Many2one(
        "res.users", string="Requested By", default=lambda self: self.env.user,
        help="Who asked sales support: the customer's salesperson, a sales manager, or the "
             "support member who took the call.")
    # ------------------------------------------------------------
    # Dates and SLA
    # ------------------------------------------------------------
    date_received = fields.Datetime(string="Received At", required=True, default=fields.Datetime.now,
                                    index=True, tracking=True)
    date_first_response = fields.Datetime(string="First Response At", readonly=True, copy=False)
    date_done = fields.Datetime(string="Done At", readonly=True, copy=False)
    date_first_response_deadline = fields.Datetime(
        string="First Response Due", compute="_compute_sla_deadlines", store=True, index=True)
    date_resolution_deadline = fields.Datetime(
        string="Resolution Due", compute="_compute_sla_deadlines", store=True, index=True)
    date_first_response_risk = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    date_resolution_risk = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    is_first_response_breached = fields.Boolean(
        string="First Response Late", compute="_compute_sla_breached", store=True,
        help="The first response came after its deadline.")
    is_resolution_breached = fields.Boolean(
        string="Resolution Late", compute="_compute_sla_breached", store=True,
        help="The request was done after its deadline.")
    sla_status = fields.Selection(
        SLA_STATUSES, string="SLA", compute="_compute_sla_status", search="_search_sla_status")
    first_response_hours = fields.Float(
        string="First Response Time (h)", compute="_compute_durations", store=True, aggregator="avg",
        help="Wall-clock hours from reception to first response.")
    resolution_hours = fields.Float(
        string="Resolution Time (h)", compute="_compute_durations", store=True, aggregator="avg")
    sla_notified = fields.Selection(
        [("first_response", "First Response"), ("resolution", "Resolution")], copy=False, readonly=True,
        help="Last deadline for which the coordinator got a late activity.")
    # ------------------------------------------------------------
    # Links
    # ------------------------------------------------------------
    order_ids = fields.One2many("sale.order", "support_request_id", string="Orders")
    order_count = fields.Integer(compute="_compute_order_count")
    claim_ids = fields.One2many("sales.support.claim", "request_id", string="Claims")
    claim_count = fields.Integer(compute="_compute_claim_count")

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    def _group_expand_states(self, states, domain):
        return [key for key, _label in REQUEST_STATES if key != "cancel"]

    @api.depends("partner_id")
    def _compute_user_id(self):
        for request in self:
            if request.partner_id and not request.user_id:
                request.user_id = request.partner_id.commercial_partner_id.user_id or request.partner_id.user_id

    @api.depends("partner_id", "user_id")
    def _compute_coordinator_id(self):
        for request in self:
            request.coordinator_id = (
                request.partner_id.commercial_partner_id.support_coordinator_id
                or (request.user_id and request.user_id._get_effective_support_coordinator())
                or request.coordinator_id
            )

    @api.depends("date_received", "type_id", "priority", "company_id.resource_calendar_id",
                 "type_id.first_response_hours", "type_id.resolution_hours",
                 "type_id.sla_ids.first_response_hours", "type_id.sla_ids.resolution_hours")
    def _compute_sla_deadlines(self):
        for request in self:
            if not request.date_received or not request.type_id:
                request.update({
                    "date_first_response_deadline": False, "date_resolution_deadline": False,
                    "date_first_response_risk": False, "date_resolution_risk": False,
                })
                continue
            first, resolution = request.type_id._get_sla_targets(request.priority)
            calendar = request.company_id.resource_calendar_id
            received = request.date_received
            first_due = request._plan_working_hours(calendar, first, received)
            resolution_due = request._plan_working_hours(calendar, resolution, received)
            request.date_first_response_deadline = first_due
            request.date_resolution_deadline = resolution_due
            request.date_first_response_risk = received + (first_due - received) * SLA_RISK_RATIO
            request.date_resolution_risk = received + (resolution_due - received) * SLA_RISK_RATIO

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

    @api.depends("date_first_response", "date_done", "date_first_response_deadline", "date_resolution_deadline")
    def _compute_sla_breached(self):
        for request in self:
            request.is_first_response_breached = bool(
                request.date_first_response and request.date_first_response_deadline
                and request.date_first_response > request.date_first_response_deadline)
            request.is_resolution_breached = bool(
                request.date_done and request.date_resolution_deadline
                and request.date_done > request.date_resolution_deadline)

    @api.depends("date_received", "date_first_response", "date_done")
    def _compute_durations(self):
        for request in self:
            received = request.date_received
            request.first_response_hours = (
                (request.date_first_response - received).total_seconds() / 3600
                if received and request.date_first_response else 0.0)
            request.resolution_hours = (
                (request.date_done - received).total_seconds() / 3600
                if received and request.date_done else 0.0)

    @api.depends("state", "date_first_response", "date_done", "date_first_response_deadline",
                 "date_resolution_deadline", "is_first_response_breached", "is_resolution_breached")
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for request in self:
            request.sla_status = request._get_sla_status(now)

    def _get_sla_status(self, now):
        self.ensure_one()
        if self.is_first_response_breached or self.is_resolution_breached:
            return "breached"
        if self.state == "cancel":
            return "on_time"
        pending = []
        if not self.date_first_response:
            pending.append((self.date_first_response_deadline, self.date_first_response_risk))
        if not self.date_done:
            pending.append((self.date_resolution_deadline, self.date_resolution_risk))
        if any(deadline and deadline < now for deadline, _risk in pending):
            return "breached"
        if any(risk and risk < now for _deadline, risk in pending):
            return "at_risk"
        return "on_time"

    @api.model
    def _get_sla_status_domain(self, status, now):
        open_first = [("date_first_response", "=", False), ("state", "!=", "cancel")]
        open_done = [("date_done", "=", False), ("state", "!=", "cancel")]
        breached = expression.OR([
            [("is_first_response_breached", "=", True)],
            [("is_resolution_breached", "=", True)],
            expression.AND([open_first, [("date_first_response_deadline", "<", now)]]),
            expression.AND([open_done, [("date_resolution_deadline", "<", now)]]),
        ])
        at_risk = expression.AND([
            ["!"] + expression.normalize_domain(breached),
            expression.OR([
                expression.AND([open_first, [("date_first_response_risk", "<", now)]]),
                expression.AND([open_done, [("date_resolution_risk", "<", now)]]),
            ]),
        ])
        if status == "breached":
            return breached
        if status == "at_risk":
            return at_risk
        return ["!"] + expression.normalize_domain(expression.OR([breached, at_risk]))

    def _search_sla_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Filter the SLA status with =, !=, in or not in."))
        values = [value] if isinstance(value, str) else list(value or [])
        unknown = set(values) - {key for key, _label in SLA_STATUSES}
        if unknown:
            raise UserError(_("Unknown SLA status %(values)s: use on_time, at_risk or breached.",
                              values=", ".join(map(str, unknown))))
        now = fields.Datetime.now()
        domain = expression.OR([self._get_sla_status_domain(v, now) for v in values]) if values else [(0, "=", 1)]
        if operator in ("!=", "not in"):
            return ["!"] + expression.normalize_domain(domain)
        return domain

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
    @api.constrains("partner_id", "company_id")
    def _check_partner_company(self):
        for request in self:
            partner_company = request.partner_id.company_id
            if partner_company and partner_company != request.company_id:
                raise ValidationError(_(
                    "The contact %(contact)s belongs to %(other)s, not to %(company)s: choose a contact "
                    "of %(company)s or a shared one.", contact=request.partner_id.display_name,
                    other=partner_company.name, company=request.company_id.name))

    @api.constrains("coordinator_id")
    def _check_coordinator_id(self):
        for request in self.filtered("coordinator_id"):
            if not request.coordinator_id.support_level:
                raise ValidationError(_(
                    "%(user)s is in no Sales Support group and cannot coordinate request %(request)s.",
                    user=request.coordinator_id.name, request=request.name))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        requests._stamp_state_dates()
        return requests

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            self._stamp_state_dates()
        return res

    def _stamp_state_dates(self):
        now = fields.Datetime.now()
        responded = self.filtered(lambda r: r.state != "new" and not r.date_first_response)
        if responded:
            responded.write({"date_first_response": now})
        done = self.filtered(lambda r: r.state == "done" and not r.date_done)
        if done:
            done.write({"date_done": now})
        reopened = self.filtered(lambda r: r.state != "done" and r.date_done)
        if reopened:
            reopened.write({"date_done": False})

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

    def _message_post_after_hook(self, message, msg_vals):
        # First response: a support user's message to the followers (not an internal note).
        if (message.subtype_id == self.env.ref("mail.mt_comment")
                and message.author_id.user_ids.filtered(lambda u: not u.share)):
            self.filtered(lambda r: not r.date_first_response).write(
                {"date_first_response": fields.Datetime.now()})
        return super()._message_post_after_hook(message, msg_vals)

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        for request in self.filtered("partner_id"):
            request._message_add_suggested_recipient(recipients, partner=request.partner_id, reason=_("Customer"))
        return recipients

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_start(self):
        self.filtered(lambda r: r.state in ("new", "waiting")).write({"state": "in_progress"})

    def action_wait(self):
        self.filtered(lambda r: r.state in ("new", "in_progress")).write({"state": "waiting"})

    def action_done(self):
        if self.filtered(lambda r: r.state == "cancel"):
            raise UserError(_("A cancelled request cannot be done: reset it first."))
        self.write({"state": "done"})

    def action_cancel(self):
        self.write({"state": "cancel"})

    def action_reset(self):
        self.write({"state": "new"})

    def action_create_quotation(self):
        """Create a quotation for the request's customer, linked to the request."""
        self.ensure_one()
        if self.state in ("done", "cancel"):
            raise UserError(_("Request %(request)s is closed: reopen it before quoting.", request=self.name))
        order = self.env["sale.order"].create(self._prepare_quotation_values())
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
        }
        if self.user_id:
            values["user_id"] = self.user_id.id
        return values

    def action_create_claim(self):
        self.ensure_one()
        claim = self.env["sales.support.claim"].create({
            "partner_id": self.commercial_partner_id.id,
            "request_id": self.id,
            "order_id": self.order_ids[:1].id,
            "company_id": self.company_id.id,
            "description": self.description,
        })
        if self.state == "new":
            self.action_start()
        return form_action(claim)

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_support.sale_order_action_support")
        action.update(domain=[("support_request_id", "=", self.id)], context={})
        return action

    def action_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_support.sales_support_claim_action")
        action.update(domain=[("request_id", "=", self.id)], context={"default_request_id": self.id})
        return action

    # ------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------
    @api.model
    def _cron_sla_late_activities(self):
        """One activity for the coordinator per breached deadline (first response, then resolution);
        a request is never reminded twice for the same deadline."""
        now = fields.Datetime.now()
        late_first = self.search([
            ("state", "not in", ("done", "cancel")), ("date_first_response", "=", False),
            ("date_first_response_deadline", "<", now), ("sla_notified", "=", False)])
        late_done = self.search([
            ("state", "not in", ("done", "cancel")), ("date_resolution_deadline", "<", now),
            ("sla_notified", "!=", "resolution")]) - late_first
        activity_type = self.env.ref("sales_support.mail_activity_type_request_late")
        values = []
        for kind, requests in (("first_response", late_first), ("resolution", late_done)):
            for request in requests:
                label = _("First response overdue") if kind == "first_response" else _("Resolution overdue")
                deadline = (request.date_first_response_deadline if kind == "first_response"
                            else request.date_resolution_deadline)
                values.append({
                    "res_model_id": self.env["ir.model"]._get_id(self._name),
                    "res_id": request.id,
                    "activity_type_id": activity_type.id,
                    "summary": f"{label}: {request.name}",
                    "user_id": (request.coordinator_id or request.user_id or self.env.user).id,
                    "date_deadline": fields.Date.context_today(self),
                    "note": _("Due %(deadline)s (UTC).", deadline=deadline),
                })
        # quick update: no assignment e-mail per activity, the coordinator sees them in the systray
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(values)
        late_first.write({"sla_notified": "first_response"})
        late_done.write({"sla_notified": "resolution"})
        return len(values)
