from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression

from ..tools import count_related

SUPPORT_LEVELS = [
    ("assistant", "Assistant"),
    ("coordinator", "Coordinator"),
    ("manager", "Customer Service Manager"),
]
# Fields a customer-service manager may maintain on users without being a user administrator.
SUPPORT_ASSIGNMENT_FIELDS = {
    "support_coordinator_id",
    "support_backup_coordinator_id",
    "support_absence_date_from",
    "support_absence_date_to",
}


class ResUsers(models.Model):
    _inherit = "res.users"

    # ------------------------------------------------------------
    # Salesperson side
    # ------------------------------------------------------------
    support_coordinator_id = fields.Many2one(
        "res.users", string="Support Coordinator", index="btree_not_null",
        domain="[('support_level', '!=', False)]",
        help="Sales-support staff member who serves this salesperson: their customers and "
             "orders are assigned to this coordinator when no assignment rule matches.")
    support_backup_coordinator_id = fields.Many2one(
        "res.users", string="Backup Coordinator", index="btree_not_null",
        domain="[('support_level', '!=', False)]",
        help="Takes over this salesperson's new customers and orders while the coordinator is absent.")

    # ------------------------------------------------------------
    # Coordinator side
    # ------------------------------------------------------------
    support_level = fields.Selection(
        SUPPORT_LEVELS, string="Support Level", compute="_compute_support_level", store=True,
        help="Highest Sales Support group of the user.")
    support_salesperson_ids = fields.One2many(
        "res.users", "support_coordinator_id", string="Salespeople Served")
    support_salesperson_count = fields.Integer(
        string="Salespeople Served (count)", compute="_compute_support_salesperson_count")
    support_load_status = fields.Selection(
        [("under", "Under-loaded"), ("ok", "In range"), ("over", "Over-loaded")],
        string="Load", compute="_compute_support_load_status", store=True,
        help="Whether the number of salespeople served is within the company's recommended range.")
    support_absence_date_from = fields.Date(string="Absent From")
    support_absence_date_to = fields.Date(string="Absent Until")
    is_support_absent = fields.Boolean(
        string="Absent Today", compute="_compute_is_support_absent",
        search="_search_is_support_absent")
    support_open_order_count = fields.Integer(
        string="Open Orders", compute="_compute_support_open_order_count")

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + [
            "support_coordinator_id", "support_backup_coordinator_id", "support_level",
            "support_absence_date_from", "support_absence_date_to", "is_support_absent",
        ]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        # Coordinators declare their own absences.
        return super().SELF_WRITEABLE_FIELDS + ["support_absence_date_from", "support_absence_date_to"]

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

    @api.depends("support_level", "support_salesperson_ids", "support_salesperson_ids.active",
                 "company_id.support_min_salespersons", "company_id.support_max_salespersons")
    def _compute_support_load_status(self):
        for user in self:
            if not user.support_level:
                user.support_load_status = False
                continue
            count = len(user.support_salesperson_ids)
            company = user.company_id
            if user.support_level == "manager" and not count:
                user.support_load_status = False  # managers need not serve salespeople
                continue
            if count < company.support_min_salespersons:
                user.support_load_status = "under"
            elif count > company.support_max_salespersons:
                user.support_load_status = "over"
            else:
                user.support_load_status = "ok"

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
            "|", ("support_absence_date_to", "=", False), ("support_absence_date_to", ">=", today),
        ]
        if (operator == "=") == value:
            return absent
        return ["!", *expression.normalize_domain(absent)]

    def _compute_support_open_order_count(self):
        # sudo: the coordinators overview shows every coordinator's workload (a count only),
        # while record rules would only let a coordinator count their own orders.
        counts = dict(self.env["sale.order"].sudo()._read_group(
            expression.AND([
                [("coordinator_id", "in", self.ids)],
                self.env["sale.order"]._get_support_open_orders_domain(),
            ]),
            ["coordinator_id"], ["__count"]))
        for user in self:
            user.support_open_order_count = counts.get(user._origin.sudo(), 0)

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
                    raise ValidationError(_(
                        "%(user)s cannot be their own %(role)s: choose another support staff member.",
                        user=user.name, role=label))
                if not coordinator.support_level:
                    raise ValidationError(_(
                        "%(coordinator)s is in no Sales Support group and cannot be the %(role)s of "
                        "%(user)s: give them the Assistant, Coordinator or Customer Service Manager "
                        "role under Settings > Users first, or choose another coordinator.",
                        coordinator=coordinator.name, role=label, user=user.name))
            if user.support_coordinator_id and \
                    user.support_coordinator_id == user.support_backup_coordinator_id:
                raise ValidationError(_(
                    "The backup coordinator of %(user)s must be someone else than their coordinator "
                    "%(coordinator)s.", user=user.name, coordinator=user.support_coordinator_id.name))

    @api.constrains("support_absence_date_from", "support_absence_date_to")
    def _check_support_absence(self):
        for user in self:
            if user.support_absence_date_to and not user.support_absence_date_from:
                raise ValidationError(_(
                    "The absence of %(user)s has an end date but no start date: enter when it starts.",
                    user=user.name))
            if user.support_absence_date_from and user.support_absence_date_to \
                    and user.support_absence_date_from > user.support_absence_date_to:
                raise ValidationError(_(
                    "The absence of %(user)s ends (%(end)s) before it starts (%(start)s): fix the dates.",
                    user=user.name, start=user.support_absence_date_from,
                    end=user.support_absence_date_to))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    def write(self, vals):
        if (vals and set(vals) <= SUPPORT_ASSIGNMENT_FIELDS and not self.env.su
                and not self.env.user.has_group("base.group_erp_manager")
                and self.env.user.has_group("sales_support.group_support_manager")):
            foreign = self.filtered(lambda u: not (u.company_ids & self.env.user.company_ids))
            if foreign:
                raise AccessError(_(
                    "You can only assign coordinators to users of your companies (not %(users)s).",
                    users=", ".join(foreign.mapped("name"))))
            # sudo: res.users is writable by user administrators only; customer-service managers
            # may maintain the coordinator assignment fields above, and nothing else.
            return super(ResUsers, self.sudo()).write(vals)
        return super().write(vals)

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _get_effective_support_coordinator(self, day=None, company=None):
        """Coordinator who serves salesperson ``self`` on ``day`` (for ``company``): the coordinator,
        or the backup while the coordinator is absent (the coordinator again if there is no backup).
        Someone who does not work for ``company`` is passed over."""
        self.ensure_one()
        day = day or fields.Date.context_today(self)
        coordinator, backup = self.support_coordinator_id, self.support_backup_coordinator_id
        candidates = (backup, coordinator) if coordinator._is_support_absent_on(day) else (coordinator, backup)
        for candidate in candidates:
            if candidate and (not company or company in candidate.company_ids):
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
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_support.sale_order_action_support")
        action["domain"] = [("coordinator_id", "=", self.id)]
        action["context"] = {"search_default_open": 1}
        action["display_name"] = _("Orders of %(coordinator)s", coordinator=self.name)
        return action

    def action_open_support_salespersons(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Salespeople served by %(coordinator)s", coordinator=self.name),
            "res_model": "res.users",
            "view_mode": "list,form",
            "views": [(self.env.ref("sales_support.res_users_view_list_salesperson").id, "list"),
                      (False, "form")],
            "domain": [("support_coordinator_id", "=", self.id)],
        }
