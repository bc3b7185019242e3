import json
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression

# Records re-assigned per call of the daily cron; Odoo calls it again while some remain.
ASSIGNMENT_BATCH_SIZE = 1000
# Where the daily cron remembers how far it got: "<lastcall>|<phase>|<last id>".
CRON_CURSOR_PARAM = "sales_support.assignment_cron_cursor"
# Companies whose rules were deleted, and when: {"<company id>": "<datetime>"}.
DELETED_RULES_PARAM = "sales_support.assignment_rules_deleted"


class SalesSupportAssignmentRule(models.Model):
    """Decides which coordinator serves an order, a customer, a request or a claim.

    One order of precedence (``_get_coordinator_for``), for the record's company:

    1. the coordinator chosen by hand on the order;
    2. the coordinator chosen by hand on the customer (for that company);
    3. the first rule (by sequence) of the company whose every set criterion matches, skipping
       rules whose coordinator is absent today;
    4. the salesperson's coordinator, or their backup while the coordinator is absent.

    At every level, archived people, assistants and people who do not work for the record's
    company are passed over. A customer's own stored coordinator is levels 2-4 without absences
    (a customer keeps their coordinator during holidays; their new orders go to the backup).
    """

    _name = "sales.support.assignment.rule"
    _inherit = ["sales.support.input.mixin"]
    _description = "Sales Support Assignment Rule"
    _order = "sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------
    name = fields.Char(
        compute="_compute_name", store=True, readonly=False, precompute=True, required=True
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # criteria
    salesperson_id = fields.Many2one(
        "res.users", string="Salesperson", check_company=True, domain="[('share', '=', False)]"
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    country_id = fields.Many2one("res.country", string="Customer Country")
    country_group_id = fields.Many2one("res.country.group", string="Customer Country Group")
    state_id = fields.Many2one(
        "res.country.state", string="Customer State", domain="[('country_id', '=?', country_id)]"
    )
    product_categ_id = fields.Many2one(
        "product.category",
        string="Product Category",
        help="Matches orders with at least one line in this category or one of its subcategories. "
        "A rule with a product category never matches a customer.",
    )
    # result
    coordinator_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        required=True,
        index=True,
        domain="[('support_level', 'in', ('coordinator', 'manager')), "
        "('company_ids', 'in', company_id)]",
        help="Coordinator or customer service manager who receives the matching orders and "
        "customers (assistants never do).",
    )

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    @api.depends(
        "salesperson_id",
        "team_id",
        "country_id",
        "country_group_id",
        "state_id",
        "product_categ_id",
        "coordinator_id",
    )
    def _compute_name(self):
        for rule in self:
            criteria = [
                rule[fname].display_name
                for fname in (
                    "salesperson_id",
                    "team_id",
                    "country_id",
                    "country_group_id",
                    "state_id",
                    "product_categ_id",
                )
                if rule[fname]
            ]
            rule.name = _(
                "%(criteria)s → %(coordinator)s",
                criteria=" + ".join(criteria) or _("Anything"),
                coordinator=rule.coordinator_id.name or "?",
            )

    # ------------------------------------------------------------
    # Constraints and CRUD
    # ------------------------------------------------------------
    @api.constrains("coordinator_id", "company_id")
    def _check_coordinator(self):
        for rule in self:
            rule.coordinator_id._check_can_serve(_("the target of an assignment rule"))
            if rule.company_id not in rule.coordinator_id.company_ids:
                raise ValidationError(
                    _(
                        "%(coordinator)s does not work for %(company)s: choose a coordinator of "
                        "that company.",
                        coordinator=rule.coordinator_id.name,
                        company=rule.company_id.name,
                    )
                )

    @api.constrains("country_id", "state_id")
    def _check_state_country(self):
        for rule in self:
            if rule.state_id and rule.country_id and rule.state_id.country_id != rule.country_id:
                raise ValidationError(
                    _(
                        "The state %(state)s is not in %(country)s: choose a state of that country "
                        "or "
                        "clear the country.",
                        state=rule.state_id.name,
                        country=rule.country_id.name,
                    )
                )

    @api.model
    def _check_coordinator_given(self, vals):
        if "coordinator_id" in vals and not vals["coordinator_id"]:
            raise ValidationError(
                _(
                    "An assignment rule needs a coordinator: choose the coordinator who receives "
                    "the "
                    "matching orders and customers."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_coordinator_given({"coordinator_id": False, **vals})
        self.env.registry.clear_cache()  # _get_active_rule_ids
        return super().create(vals_list)

    def write(self, vals):
        self._check_coordinator_given(vals)
        if {"active", "company_id", "sequence"} & set(vals):
            self.env.registry.clear_cache()  # _get_active_rule_ids
        return super().write(vals)

    def unlink(self):
        # The daily re-assignment finds edited rules by their write_date; deleted ones leave this.
        param = self.env["ir.config_parameter"].sudo()
        deleted = json.loads(param.get_param(DELETED_RULES_PARAM) or "{}")
        now = fields.Datetime.to_string(fields.Datetime.now())
        deleted.update({str(company_id): now for company_id in self.company_id.ids})
        param.set_param(DELETED_RULES_PARAM, json.dumps(deleted))
        self.env.registry.clear_cache()  # _get_active_rule_ids
        return super().unlink()

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    @api.model
    def action_reapply_open_orders(self):
        """Re-apply the rules to every open order of the current companies (manual overrides
        are kept). Returns the number of orders whose coordinator changed."""
        if not self.env.user.has_group("sales_support.group_support_manager"):
            raise AccessError(
                _(
                    "Only customer-service managers can re-apply the assignment rules to "
                    "every open order; select orders and use Re-apply Assignment Rules instead."
                )
            )
        orders = self.env["sale.order"].search(
            self.env["sale.order"]._get_support_open_orders_domain()
        )
        changed = orders._apply_support_assignment()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _(
                    "%(changed)s of %(total)s open orders got a new coordinator.",
                    changed=changed,
                    total=len(orders),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------
    # Matching engine
    # ------------------------------------------------------------
    @api.model
    def _get_active_rules(self, companies):
        # sudo: rules apply to every order and customer of their company, whoever creates them;
        # they only decide which coordinator is assigned.
        return self.sudo().browse(self._get_active_rule_ids(tuple(sorted(companies.ids))))

    @api.model
    @tools.ormcache("company_ids")
    def _get_active_rule_ids(self, company_ids):
        # active_test forced: the cache is shared by every caller, whatever their context
        rules = self.sudo().with_context(active_test=True)
        return tuple(rules.search([("company_id", "in", list(company_ids))]).ids)

    @api.model
    def _order_facts(self, order):
        customer = order.partner_id.commercial_partner_id
        return {
            "company": order.company_id or self.env.company,
            "customer": customer,
            "salesperson": order.user_id,
            "team": order.team_id,
            "country": order.partner_id.country_id or customer.country_id,
            "state": order.partner_id.state_id or customer.state_id,
            "categ_paths": {
                line.product_id.categ_id.parent_path
                for line in order.order_line
                if line.product_id.categ_id
            },
        }

    @api.model
    def _partner_facts(self, partner, company):
        return {
            "company": company,
            "customer": None,  # a customer's own choice by hand is handled by the customer
            "salesperson": partner.user_id,
            "team": partner.user_id.sale_team_id,  # partners have no team without crm
            "country": partner.country_id,
            "state": partner.state_id,
            "categ_paths": None,  # customers have no product category
        }

    def _matches(self, facts):
        self.ensure_one()
        if self.salesperson_id and self.salesperson_id != facts["salesperson"]:
            return False
        if self.team_id and self.team_id != facts["team"]:
            return False
        if self.country_id and self.country_id != facts["country"]:
            return False
        if self.country_group_id and facts["country"] not in self.country_group_id.country_ids:
            return False
        if self.state_id and self.state_id != facts["state"]:
            return False
        if self.product_categ_id:
            prefix = self.product_categ_id.parent_path
            if not facts["categ_paths"] or not any(
                path.startswith(prefix) for path in facts["categ_paths"]
            ):
                return False
        return True

    def _first_match(self, facts, day):
        """First rule of ``self`` (sorted, one company) matching ``facts`` whose coordinator may
        serve the company, skipping rules whose coordinator is absent on ``day`` (if given)."""
        for rule in self:
            coordinator = rule.coordinator_id
            if not coordinator._can_coordinate_for(rule.company_id):
                continue
            if day and coordinator._is_support_absent_on(day):
                continue
            if rule._matches(facts):
                return rule
        return self.browse()

    @api.model
    def _resolve_coordinators(self, facts_by_key, day):
        """{key: coordinator} for {key: facts}: levels 2-4 of the order of precedence (see the
        class). ``day``: today for orders and requests (absences count), None for customers."""
        Users = self.env["res.users"]
        companies = self.env["res.company"].browse(
            list({facts["company"].id for facts in facts_by_key.values()})
        )
        rules_by_company = defaultdict(lambda: self.sudo().browse())
        for rule in self._get_active_rules(companies):
            rules_by_company[rule.company_id.id] |= rule
        result = {}
        for key, facts in facts_by_key.items():
            company = facts["company"]
            coordinator = Users
            if facts["customer"]:
                # sudo: the customer's choice for the record's company, which the user may not
                # have switched to
                customer = facts["customer"].sudo().with_company(company)
                if (
                    customer.is_support_coordinator_manual
                    and customer.support_coordinator_id._can_coordinate_for(company)
                ):
                    coordinator = customer.support_coordinator_id
            if not coordinator:
                coordinator = rules_by_company[company.id]._first_match(facts, day).coordinator_id
            if not coordinator and facts["salesperson"]:
                coordinator = facts["salesperson"]._get_effective_support_coordinator(
                    day, company, absence=bool(day)
                )
            result[key] = Users.browse(coordinator.id)
        return result

    @api.model
    def _get_order_coordinators(self, orders):
        """{order: coordinator the rules give} (levels 2-4: a choice by hand on the order is the
        caller's business)."""
        day = fields.Date.context_today(self)
        return self._resolve_coordinators(
            {order: self._order_facts(order) for order in orders}, day
        )

    @api.model
    def _get_partner_coordinators(self, partners, company):
        """{partner: coordinator the rules give in ``company``} for customers (levels 3-4, no
        absences)."""
        return self._resolve_coordinators(
            {partner: self._partner_facts(partner, company) for partner in partners}, None
        )

    @api.model
    def _get_coordinator_for(self, partner, salesperson, company, order=None):
        """The coordinator of a record of ``company`` for customer ``partner`` sold by
        ``salesperson`` (``order``: the order, when the record is or has one), following the one
        order of precedence of this model (see the class). Requests and claims call it with their
        contact and salesperson; orders with themselves."""
        if order:
            if order.is_coordinator_manual and order.coordinator_id._can_coordinate_for(
                order.company_id
            ):
                return order.coordinator_id
            return self._get_order_coordinators(order)[order]
        company = company or self.env.company
        customer = partner.commercial_partner_id
        facts = {**self._partner_facts(customer, company), "customer": customer or None}
        if salesperson is not None:
            facts.update(salesperson=salesperson, team=salesperson.sale_team_id)
        return self._resolve_coordinators({0: facts}, fields.Date.context_today(self))[0]

    # ------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------
    @api.model
    def _cron_apply_assignment_rules(self, batch_size=ASSIGNMENT_BATCH_SIZE):
        """Daily: re-apply the rules to what changed since the last run (the cron's ``lastcall``,
        else one day): open orders and customers of companies whose rules were edited or
        deleted, and those of people who were edited or whose absence started or ended (the
        backup takes over, then hands back). Choices by hand are kept.

        In batches of ``batch_size`` records, each with a fixed number of queries: inside the
        cron, one batch per call and Odoo calls again while ``_notify_progress`` reports some
        remaining (the position is kept in a system parameter, so a crash resumes); called
        directly (a button, the demo data, a test), every batch runs."""
        now = fields.Datetime.now()
        since = self.env.context.get("lastcall") or now - timedelta(days=1)
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        param = self.env["ir.config_parameter"].sudo()
        stamp = fields.Datetime.to_string(since)
        saved = (param.get_param(CRON_CURSOR_PARAM) or "").split("|")
        phase, last_id = (
            (saved[1], int(saved[2])) if len(saved) == 3 and saved[0] == stamp else ("orders", 0)
        )
        done_total = 0
        while True:
            scope = self._get_reassignment_scope(since)
            done, remaining, phase, last_id = self._reassign_batch(
                scope, phase, last_id, batch_size
            )
            done_total += done
            if not remaining:
                param.set_param(CRON_CURSOR_PARAM, False)
                self.env["ir.cron"]._notify_progress(done=done, remaining=0)
                return done_total
            param.set_param(CRON_CURSOR_PARAM, f"{stamp}|{phase}|{last_id}")
            if in_cron:
                self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
                return done_total

    @api.model
    def _get_reassignment_scope(self, since):
        """What changed since ``since``: {"people": users edited or whose absence starts or
        ends, "companies": companies whose rules were edited or deleted, "since": since}."""
        today = fields.Date.context_today(self)
        since_day = fields.Date.context_today(self, since) - timedelta(days=1)
        # sudo + archived: the cron sees every user and rule, including archived ones
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        boundary = Users.search(
            [
                "|",
                "&",
                ("support_absence_date_from", ">=", since_day),
                ("support_absence_date_from", "<=", today),
                "&",
                ("support_absence_date_to", ">=", since_day - timedelta(days=1)),
                ("support_absence_date_to", "<", today),
            ]
        )
        edited = Users.search([("write_date", ">=", since)])
        rules = (
            self.sudo()
            .with_context(active_test=False)
            .search(["|", ("write_date", ">=", since), ("coordinator_id", "in", boundary.ids)])
        )
        deleted = json.loads(
            self.env["ir.config_parameter"].sudo().get_param(DELETED_RULES_PARAM) or "{}"
        )
        deleted_companies = {
            int(cid) for cid, when in deleted.items() if fields.Datetime.to_datetime(when) >= since
        }
        return {
            "people": (boundary | edited).ids,
            "companies": sorted(set(rules.company_id.ids) | deleted_companies),
            "since": since,
        }

    @api.model
    def _get_reassignment_domains(self, scope):
        """(open orders domain, customers domain) of what ``scope`` may have changed."""
        people, companies = scope["people"], scope["companies"]
        Order = self.env["sale.order"]
        order_parts = [[("partner_id.commercial_partner_id.write_date", ">=", scope["since"])]]
        partner_parts = []
        if companies:
            order_parts.append([("company_id", "in", companies)])
            partner_parts.append([("company_id", "in", [*companies, False])])
        if people:
            order_parts += [
                [("user_id", "in", people)],
                [("coordinator_id", "in", people)],
                [("user_id.support_coordinator_id", "in", people)],
                [("user_id.support_backup_coordinator_id", "in", people)],
            ]
            partner_parts.append([("user_id", "in", people)])
        orders = expression.AND(
            [
                Order._get_support_open_orders_domain(),
                [("is_coordinator_manual", "=", False)],
                expression.OR(order_parts),
            ]
        )
        customers = (
            expression.AND(
                [
                    ["|", ("is_company", "=", True), ("parent_id", "=", False)],
                    expression.OR(partner_parts),
                ]
            )
            if partner_parts
            else expression.FALSE_DOMAIN
        )
        return orders, customers

    @api.model
    def _reassign_batch(self, scope, phase, last_id, batch_size):
        """Re-assign the next ``batch_size`` records of ``scope`` after ``last_id`` in ``phase``
        ("orders", then "customers"). Returns (done, remaining, phase, last id)."""
        order_domain, customer_domain = self._get_reassignment_domains(scope)
        # sudo: the cron re-assigns every company's records
        Order = self.env["sale.order"].sudo()
        Partner = self.env["res.partner"].sudo()
        if phase == "orders":
            orders = Order.search(
                [*order_domain, ("id", ">", last_id)], order="id", limit=batch_size
            )
            if orders:
                orders._apply_support_assignment()
                last_id = orders[-1].id
                remaining = Order.search_count(
                    [*order_domain, ("id", ">", last_id)]
                ) + Partner.search_count(customer_domain)
                return len(orders), remaining, phase, last_id
            phase, last_id = "customers", 0
        customers = Partner.search(
            [*customer_domain, ("id", ">", last_id)], order="id", limit=batch_size
        )
        if not customers:
            return 0, 0, phase, last_id
        Partner.search([("id", "child_of", customers.ids)])._sync_support_coordinators()
        last_id = customers[-1].id
        return (
            len(customers),
            Partner.search_count([*customer_domain, ("id", ">", last_id)]),
            phase,
            last_id,
        )
