from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression

from ..tools import count_related

SUPPORT_LEVELS = [
    ("assistant", "Assistant"),
    ("coordinator", "Coordinator"),
    ("manager", "Customer Service Manager"),
]
# Levels that deal with customers: coordinators of salespeople, customers, orders, requests and
# claims, backups and assignment-rule targets. Assistants do the paperwork of the coordinators
# they assist and are never any of these.
COORDINATING_LEVELS = ("coordinator", "manager")
COORDINATOR_DOMAIN = "[('support_level', 'in', ('coordinator', 'manager'))]"
# Fields a customer-service manager may maintain on users without being a user administrator.
SUPPORT_ASSIGNMENT_FIELDS = {
    "support_coordinator_id",
    "support_backup_coordinator_id",
    "support_absence_date_from",
    "support_absence_date_to",
    "support_assisted_coordinator_ids",
}
# Writes that may take away someone's right to coordinate (archiving, groups, companies).
COORDINATING_RIGHT_FIELDS = {"active", "groups_id", "company_ids"}


class ResUsers(models.Model):
    _inherit = "res.users"

    # ------------------------------------------------------------
    # Salesperson side
    # ------------------------------------------------------------
    support_coordinator_id = fields.Many2one(
        "res.users",
        string="Support Coordinator",
        index="btree_not_null",
        domain=COORDINATOR_DOMAIN,
        help="Coordinator (or customer service manager) who serves this salesperson: their "
        "customers and orders go to this coordinator when no assignment rule matches.",
    )
    support_backup_coordinator_id = fields.Many2one(
        "res.users",
        string="Backup Coordinator",
        index="btree_not_null",
        domain=COORDINATOR_DOMAIN,
        help="Takes over this salesperson's orders and requests while the coordinator is absent, "
        "and sees the salesperson's records during that absence only.",
    )

    # ------------------------------------------------------------
    # Support staff side
    # ------------------------------------------------------------
    support_level = fields.Selection(
        SUPPORT_LEVELS,
        compute="_compute_support_level",
        store=True,
        help="Highest Sales Support group of the user.",
    )
    support_assisted_coordinator_ids = fields.Many2many(
        "res.users",
        "sales_support_assistant_coordinator_rel",
        "assistant_id",
        "coordinator_id",
        string="Assists",
        domain=COORDINATOR_DOMAIN,
        help="Coordinators whose paperwork this assistant does: the assistant reads (never "
        "writes) their orders, customers, requests, claims and order-entry errors.",
    )
    support_assistant_ids = fields.Many2many(
        "res.users",
        "sales_support_assistant_coordinator_rel",
        "coordinator_id",
        "assistant_id",
        string="Assistants",
        readonly=True,
    )
    support_salesperson_ids = fields.One2many(
        "res.users", "support_coordinator_id", string="Salespeople Served"
    )
    support_salesperson_count = fields.Integer(
        string="Salespeople Served (count)", compute="_compute_support_salesperson_count"
    )
    support_open_order_count = fields.Integer(string="Open Orders", compute="_compute_support_load")
    support_open_request_count = fields.Integer(
        string="Open Requests", compute="_compute_support_load"
    )
    support_load_status = fields.Selection(
        [("under", "Under-loaded"), ("ok", "In range"), ("over", "Over-loaded")],
        string="Load",
        compute="_compute_support_load",
        search="_search_support_load_status",
        help="Salespeople served, open orders and open requests against the company's settings "
        "(Settings > Sales Support).",
    )
    support_load_note = fields.Char(
        string="Load Details",
        compute="_compute_support_load",
        help="Why the coordinator is outside the recommended range.",
    )
    sales_support_digest_optout = fields.Boolean(
        string="No Daily Digest",
        help="Do not send me the sales support daily digest e-mail (price changes, promotions, "
        "low stock, order steps, new overdue invoices of my customers).",
    )
    support_absence_date_from = fields.Date(string="Absent From")
    support_absence_date_to = fields.Date(string="Absent Until")
    is_support_absent = fields.Boolean(
        string="Absent Today",
        compute="_compute_is_support_absent",
        search="_search_is_support_absent",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + [
            "support_coordinator_id",
            "support_backup_coordinator_id",
            "support_level",
            "support_absence_date_from",
            "support_absence_date_to",
            "is_support_absent",
            "support_assisted_coordinator_ids",
            "sales_support_digest_optout",
        ]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        # Coordinators declare their own absences.
        return super().SELF_WRITEABLE_FIELDS + [
            "support_absence_date_from",
            "support_absence_date_to",
            "sales_support_digest_optout",
        ]

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    @api.depends("groups_id")
    def _compute_support_level(self):
        groups = {
            level: self.env.ref(f"sales_support.group_support_{level}", raise_if_not_found=False)
            for level, _label in SUPPORT_LEVELS
        }
        for user in self:
            level = False
            for candidate, _label in SUPPORT_LEVELS:  # ordered from lowest to highest
                if groups[candidate] and groups[candidate] in user.groups_id:
                    level = candidate
            user.support_level = level

    @api.depends("support_salesperson_ids")
    def _compute_support_salesperson_count(self):
        counts = count_related(self, "res.users", "support_coordinator_id")
        for user in self:
            user.support_salesperson_count = counts.get(user._origin, 0)

    def _get_support_open_counts(self):
        """({user: open orders}, {user: open requests}) coordinated by ``self`` in the companies
        the current user works in (the company switcher), in two queries."""
        companies = self.env.companies.ids
        # sudo: the coordinators overview shows every coordinator's workload (counts only), while
        # record rules would let a coordinator count their own records only. The company filter
        # keeps the counts inside the companies the current user works in.
        Order = self.env["sale.order"].sudo()
        orders = dict(
            Order._read_group(
                expression.AND(
                    [
                        [("coordinator_id", "in", self.ids), ("company_id", "in", companies)],
                        Order._get_support_open_orders_domain(),
                    ]
                ),
                ["coordinator_id"],
                ["__count"],
            )
        )
        requests = dict(
            self.env["sales.support.request"]
            .sudo()
            ._read_group(
                [
                    ("coordinator_id", "in", self.ids),
                    ("company_id", "in", companies),
                    ("state", "not in", ("done", "cancel")),
                ],
                ["coordinator_id"],
                ["__count"],
            )
        )
        return (
            {user.id: count for user, count in orders.items()},
            {user.id: count for user, count in requests.items()},
        )

    @api.depends(
        "support_level",
        "support_salesperson_ids",
        "company_id.support_min_salespersons",
        "company_id.support_max_salespersons",
        "company_id.support_max_open_orders",
        "company_id.support_max_open_requests",
    )
    @api.depends_context("allowed_company_ids")
    def _compute_support_load(self):
        order_counts, request_counts = self._get_support_open_counts()
        for user in self:
            order_count = order_counts.get(user._origin.id, 0)
            request_count = request_counts.get(user._origin.id, 0)
            user.support_open_order_count = order_count
            user.support_open_request_count = request_count
            user.support_load_status, user.support_load_note = user._get_support_load(
                len(user.support_salesperson_ids), order_count, request_count
            )

    def _get_support_load(self, salespeople, orders, requests):
        """(status, explanation) of a coordinator serving ``salespeople`` salespeople with
        ``orders`` open orders and ``requests`` open requests, against their company's settings."""
        self.ensure_one()
        if self.support_level not in COORDINATING_LEVELS:
            return False, False  # assistants serve nobody
        if self.support_level == "manager" and not (salespeople or orders or requests):
            return False, False  # managers need not serve anybody
        company = self.company_id
        over = []
        if salespeople > company.support_max_salespersons:
            over.append(
                _(
                    "%(count)s salespeople (maximum %(max)s)",
                    count=salespeople,
                    max=company.support_max_salespersons,
                )
            )
        if company.support_max_open_orders and orders > company.support_max_open_orders:
            over.append(
                _(
                    "%(count)s open orders (maximum %(max)s)",
                    count=orders,
                    max=company.support_max_open_orders,
                )
            )
        if company.support_max_open_requests and requests > company.support_max_open_requests:
            over.append(
                _(
                    "%(count)s open requests (maximum %(max)s)",
                    count=requests,
                    max=company.support_max_open_requests,
                )
            )
        if over:
            return "over", "; ".join(over)
        if salespeople < company.support_min_salespersons:
            return "under", _(
                "%(count)s salespeople (minimum %(min)s)",
                count=salespeople,
                min=company.support_min_salespersons,
            )
        return "ok", False

    def _search_support_load_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise ValidationError(_("The 'Load' filter only supports =, !=, in and not in."))
        values = {value} if operator in ("=", "!=") else set(value)
        # A handful of support staff: compute their load and search by id.
        staff = self.search([("support_level", "in", COORDINATING_LEVELS)])
        matching = staff.filtered(lambda u: u.support_load_status in values)
        if operator in ("=", "in"):
            return [("id", "in", matching.ids)]
        return [("id", "not in", matching.ids)]

    @api.depends("support_absence_date_from", "support_absence_date_to")
    @api.depends_context("tz")
    def _compute_is_support_absent(self):
        today = fields.Date.context_today(self)
        for user in self:
            user.is_support_absent = user._is_support_absent_on(today)

    def _search_is_support_absent(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(_("The 'Absent Today' filter only supports = True or = False."))
        today = fields.Date.context_today(self)
        absent = [
            ("support_absence_date_from", "!=", False),
            ("support_absence_date_from", "<=", today),
            "|",
            ("support_absence_date_to", "=", False),
            ("support_absence_date_to", ">=", today),
        ]
        if (operator == "=") == value:
            return absent
        return ["!", *expression.normalize_domain(absent)]

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("support_coordinator_id", "support_backup_coordinator_id")
    def _check_support_coordinator(self):
        for user in self:
            for field_name in ("support_coordinator_id", "support_backup_coordinator_id"):
                coordinator = user[field_name]
                if not coordinator:
                    continue
                label = user._fields[field_name].get_description(self.env)["string"]
                if coordinator == user:
                    raise ValidationError(
                        _(
                            "%(user)s cannot be their own %(role)s: choose another coordinator.",
                            user=user.name,
                            role=label,
                        )
                    )
                coordinator._check_can_serve(
                    _("the %(role)s of %(user)s", role=label, user=user.name)
                )
            if (
                user.support_coordinator_id
                and user.support_coordinator_id == user.support_backup_coordinator_id
            ):
                raise ValidationError(
                    _(
                        "The backup coordinator of %(user)s must be someone else than their "
                        "coordinator "
                        "%(coordinator)s.",
                        user=user.name,
                        coordinator=user.support_coordinator_id.name,
                    )
                )

    @api.constrains("support_assisted_coordinator_ids")
    def _check_support_assisted_coordinators(self):
        for user in self.filtered("support_assisted_coordinator_ids"):
            if user.support_level != "assistant":
                raise ValidationError(
                    _(
                        "Only assistants assist coordinators, and %(user)s is not an assistant: "
                        "give "
                        "them the Assistant role of Sales Support first, or clear 'Assists'.",
                        user=user.name,
                    )
                )
            for coordinator in user.support_assisted_coordinator_ids:
                if coordinator.support_level not in COORDINATING_LEVELS:
                    raise ValidationError(
                        _(
                            "%(assistant)s can only assist coordinators and customer service "
                            "managers; "
                            "%(user)s is neither.",
                            assistant=user.name,
                            user=coordinator.name,
                        )
                    )

    def _check_can_serve(self, role):
        """Refuse ``self`` as ``role`` (a phrase such as "the coordinator of order S00042") unless
        they are an active coordinator or customer service manager."""
        self.ensure_one()
        if self.support_level == "assistant":
            raise ValidationError(
                _(
                    "%(user)s is an assistant and cannot be %(role)s: assistants do the paperwork "
                    "of "
                    "the coordinators they assist and do not deal with customers. Choose a "
                    "coordinator "
                    "or a customer service manager.",
                    user=self.name,
                    role=role,
                )
            )
        if self.support_level not in COORDINATING_LEVELS:
            raise ValidationError(
                _(
                    "%(user)s is in no Sales Support group and cannot be %(role)s: give them the "
                    "Coordinator or Customer Service Manager role of Sales Support under Settings "
                    "> "
                    "Users first, or choose another coordinator.",
                    user=self.name,
                    role=role,
                )
            )
        if not self.active:
            raise ValidationError(
                _(
                    "%(user)s is archived and cannot be %(role)s: choose an active coordinator.",
                    user=self.name,
                    role=role,
                )
            )

    def _check_can_coordinate(self, company, role):
        """Refuse ``self`` as ``role`` (the coordinator of a request or claim) of a record of
        ``company``: the checks of :meth:`_check_can_serve`, and they must work for ``company``
        (the same rules as the coordinator of an order)."""
        self.ensure_one()
        self._check_can_serve(role)
        if company and company not in self.company_ids:
            raise ValidationError(
                _(
                    "%(user)s does not work for %(company)s and cannot be %(role)s: choose a "
                    "coordinator of that company.",
                    user=self.name,
                    company=company.name,
                    role=role,
                )
            )

    @api.constrains("support_absence_date_from", "support_absence_date_to")
    def _check_support_absence(self):
        for user in self:
            if user.support_absence_date_to and not user.support_absence_date_from:
                raise ValidationError(
                    _(
                        "The absence of %(user)s has an end date but no start date: enter when it "
                        "starts.",
                        user=user.name,
                    )
                )
            if (
                user.support_absence_date_from
                and user.support_absence_date_to
                and user.support_absence_date_from > user.support_absence_date_to
            ):
                raise ValidationError(
                    _(
                        "The absence of %(user)s ends (%(end)s) before it starts (%(start)s): fix "
                        "the dates.",
                        user=user.name,
                        start=user.support_absence_date_from,
                        end=user.support_absence_date_to,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._set_support_home_action()
        return users

    def write(self, vals):
        rights_may_change = bool(
            COORDINATING_RIGHT_FIELDS & vals.keys()
            or any(key.startswith(("in_group_", "sel_groups_")) for key in vals)
        )
        could_coordinate = (
            self.filtered(lambda u: u._can_coordinate_for()) if rights_may_change else None
        )
        without_level = self.filtered(lambda u: not u.support_level) if rights_may_change else None
        if (
            vals
            and set(vals) <= SUPPORT_ASSIGNMENT_FIELDS
            and not self.env.su
            and not self.env.user.has_group("base.group_erp_manager")
            and self.env.user._can_assign_support()
        ):
            foreign = self.filtered(lambda u: not (u.company_ids & self.env.user.company_ids))
            if foreign:
                raise AccessError(
                    _(
                        "You can only assign coordinators to users of your companies (not "
                        "%(users)s).",
                        users=", ".join(foreign.mapped("name")),
                    )
                )
            # sudo: res.users is writable by user administrators only; customer-service managers
            # may maintain the coordinator assignment fields above, and nothing else.
            res = super(ResUsers, self.sudo()).write(vals)
        else:
            res = super().write(vals)
        if rights_may_change:
            without_level._set_support_home_action()
            could_coordinate._release_support_assignments()
        return res

    def _set_support_home_action(self):
        """Support staff land in Sales Support after login, unless they already have a home
        action."""
        newcomers = self.filtered(lambda u: u.support_level and not u.share and not u.action_id)
        action = self.env.ref("sales_support.sale_order_action_support", raise_if_not_found=False)
        if newcomers and action:
            # sudo: the home action is set by the system when a support role is given, whoever
            # gives it (a customer-service manager may not write users' other fields).
            newcomers.sudo().write({"action_id": action.id})

    def _release_support_assignments(self):
        """``self`` may have lost the right to coordinate some records (archived, role removed,
        company removed): their open orders and customers of those companies go back to the
        assignment rules, manual choices included."""
        lost = self.filtered(lambda u: not u._can_coordinate_for())
        partial = self - lost  # still coordinators, maybe not for every company any more
        Order = self.env["sale.order"].sudo()
        orders = Order.search(
            expression.AND(
                [[("coordinator_id", "in", self.ids)], Order._get_support_open_orders_domain()]
            )
        )
        orders = orders.filtered(
            lambda o: o.coordinator_id in lost
            or (
                o.coordinator_id in partial
                and not o.coordinator_id._can_coordinate_for(o.company_id)
            )
        )
        if orders:
            # sudo: the manual flag is server bookkeeping (sale.order O2C_PROTECTED_FIELDS)
            orders.sudo().with_context(sales_support_auto_assign=True).write(
                {"is_coordinator_manual": False}
            )
            orders._apply_support_assignment()
        self.env["res.partner"]._release_support_coordinators(self)

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _can_coordinate_for(self, company=None):
        """Whether ``self`` may be assigned records (of ``company``): an active coordinator or
        customer service manager who works for that company."""
        if not self:
            return False
        self.ensure_one()
        return bool(
            self.active
            and self.support_level in COORDINATING_LEVELS
            and (not company or company in self.company_ids)
        )

    def _get_effective_support_coordinator(self, day=None, company=None, absence=True):
        """Coordinator who serves salesperson ``self`` on ``day`` for ``company`` (default: the
        current company): the coordinator, or the backup while the coordinator is absent (the
        coordinator again if there is no usable backup). Archived people, assistants and people
        who do not work for the company are passed over. ``absence=False`` ignores absences (the
        regular coordinator, e.g. of a customer)."""
        self.ensure_one()
        company = company or self.env.company
        coordinator, backup = self.support_coordinator_id, self.support_backup_coordinator_id
        absent = absence and coordinator._is_support_absent_on(
            day or fields.Date.context_today(self)
        )
        for candidate in (backup, coordinator) if absent else (coordinator, backup):
            if candidate._can_coordinate_for(company):
                return candidate
        return self.browse()

    def _is_support_absent_on(self, day):
        if not self:
            return False
        self.ensure_one()
        return bool(
            self.support_absence_date_from
            and self.support_absence_date_from <= day
            and (not self.support_absence_date_to or day <= self.support_absence_date_to)
        )

    def action_open_support_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sale_order_action_support"
        )
        action["domain"] = [("coordinator_id", "=", self.id)]
        action["context"] = {"search_default_open": 1}
        action["display_name"] = _("Orders of %(coordinator)s", coordinator=self.name)
        return action

    def action_open_support_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sales_support_request_action"
        )
        action["domain"] = [
            ("coordinator_id", "=", self.id),
            ("state", "not in", ("done", "cancel")),
        ]
        action["context"] = {}
        action["display_name"] = _("Open requests of %(coordinator)s", coordinator=self.name)
        return action

    def action_open_support_salespersons(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Salespeople served by %(coordinator)s", coordinator=self.name),
            "res_model": "res.users",
            "view_mode": "list,form",
            "views": [
                (self.env.ref("sales_support.res_users_view_list_salesperson").id, "list"),
                (False, "form"),
            ],
            "domain": [("support_coordinator_id", "=", self.id)],
            "context": {"support_can_assign": self.env.user._can_assign_support()},
        }

    def _can_assign_support(self):
        """Whether ``self`` (one user) may set who serves whom on users without being a user
        administrator: customer-service managers and sales managers."""
        self.ensure_one()
        return self.has_group("sales_support.group_support_manager") or self.has_group(
            "sales_team.group_sale_manager"
        )
