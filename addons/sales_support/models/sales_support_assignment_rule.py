from collections import defaultdict

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError


class SalesSupportAssignmentRule(models.Model):
    """Decides which support coordinator serves an order or a customer.

    Rules are tried by sequence within the record's company; the first rule whose every set
    criterion matches wins. Rules whose coordinator is absent today are skipped. Without a
    matching rule, the salesperson's coordinator serves (their backup while they are absent).
    """

    _name = "sales.support.assignment.rule"
    _description = "Sales Support Assignment Rule"
    _order = "sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------
    name = fields.Char(compute="_compute_name", store=True, readonly=False, precompute=True,
                       required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company)
    # criteria
    salesperson_id = fields.Many2one(
        "res.users", string="Salesperson", check_company=True,
        domain="[('share', '=', False)]")
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    country_id = fields.Many2one("res.country", string="Customer Country")
    country_group_id = fields.Many2one("res.country.group", string="Customer Country Group")
    state_id = fields.Many2one(
        "res.country.state", string="Customer State",
        domain="[('country_id', '=?', country_id)]")
    product_categ_id = fields.Many2one(
        "product.category", string="Product Category",
        help="Matches orders with at least one line in this category or one of its subcategories. "
             "A rule with a product category never matches a customer.")
    # result
    coordinator_id = fields.Many2one(
        "res.users", string="Coordinator", required=True, index=True,
        domain="[('support_level', '!=', False), ('company_ids', 'in', company_id)]")

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    @api.depends("salesperson_id", "team_id", "country_id", "country_group_id", "state_id",
                 "product_categ_id", "coordinator_id")
    def _compute_name(self):
        for rule in self:
            criteria = [
                rule[fname].display_name
                for fname in ("salesperson_id", "team_id", "country_id", "country_group_id",
                              "state_id", "product_categ_id")
                if rule[fname]
            ]
            rule.name = _("%(criteria)s → %(coordinator)s",
                          criteria=" + ".join(criteria) or _("Anything"),
                          coordinator=rule.coordinator_id.name or "?")

    # ------------------------------------------------------------
    # Constraints and CRUD
    # ------------------------------------------------------------
    @api.constrains("coordinator_id", "company_id")
    def _check_coordinator(self):
        for rule in self:
            if not rule.coordinator_id.support_level:
                raise ValidationError(_(
                    "%(coordinator)s is in no Sales Support group and cannot receive assignments: "
                    "give them a Sales Support role first, or choose another coordinator.",
                    coordinator=rule.coordinator_id.name))
            if rule.company_id not in rule.coordinator_id.company_ids:
                raise ValidationError(_(
                    "%(coordinator)s does not work for %(company)s: choose a coordinator of that company.",
                    coordinator=rule.coordinator_id.name, company=rule.company_id.name))

    @api.constrains("country_id", "state_id")
    def _check_state_country(self):
        for rule in self:
            if rule.state_id and rule.country_id and rule.state_id.country_id != rule.country_id:
                raise ValidationError(_(
                    "The state %(state)s is not in %(country)s: choose a state of that country or "
                    "clear the country.", state=rule.state_id.name, country=rule.country_id.name))

    @api.model
    def _check_coordinator_given(self, vals):
        if "coordinator_id" in vals and not vals["coordinator_id"]:
            raise ValidationError(_(
                "An assignment rule needs a coordinator: choose the support staff member who "
                "receives the matching orders and customers."))

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
            raise AccessError(_("Only customer-service managers can re-apply the assignment rules to "
                                "every open order; select orders and use Re-apply Assignment Rules instead."))
        orders = self.env["sale.order"].search(self.env["sale.order"]._get_support_open_orders_domain())
        changed = orders._apply_support_assignment()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(changed)s of %(total)s open orders got a new coordinator.",
                             changed=changed, total=len(orders)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------
    # Matching engine
    # ------------------------------------------------------------
    @api.model
    def _get_active_rules(self, companies):
        return self.browse(self._get_active_rule_ids(tuple(sorted(companies.ids))))

    @api.model
    @tools.ormcache("company_ids")
    def _get_active_rule_ids(self, company_ids):
        # sudo: rules apply to every order and customer of their company, whoever creates them;
        # only ids are cached, the records are read with the caller's environment.
        return tuple(self.sudo().search([("company_id", "in", list(company_ids))]).ids)

    @api.model
    def _order_facts(self, order):
        customer = order.partner_id.commercial_partner_id
        return {
            "company": order.company_id,
            "salesperson": order.user_id,
            "team": order.team_id,
            "country": order.partner_id.country_id or customer.country_id,
            "state": order.partner_id.state_id or customer.state_id,
            "categ_paths": {line.product_id.categ_id.parent_path
                            for line in order.order_line if line.product_id.categ_id},
        }

    @api.model
    def _partner_facts(self, partner):
        return {
            "company": partner.company_id,
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
            if not facts["categ_paths"] or not any(path.startswith(prefix) for path in facts["categ_paths"]):
                return False
        return True

    def _first_match(self, facts, day):
        """First rule of ``self`` (sorted, one company) matching ``facts``, skipping rules whose
        coordinator is absent on ``day``."""
        for rule in self:
            if rule._matches(facts) and not rule.coordinator_id._is_support_absent_on(day):
                return rule
        return self.browse()

    def _match_records(self, records, facts_getter):
        """Map each record to its first matching rule (or an empty recordset), in batch:
        one search for the rules, the records' data through the ORM's prefetching."""
        day = fields.Date.context_today(self)
        companies = records.company_id | self.env.company
        rules = self._get_active_rules(companies)
        rules_by_company = defaultdict(lambda: self.browse())
        for rule in rules:
            rules_by_company[rule.company_id] |= rule
        result = {}
        for record in records:
            facts = facts_getter(record)
            company = facts["company"] or self.env.company
            result[record] = rules_by_company[company]._first_match(facts, day)
        return result

    def _match_orders(self, orders):
        return self._match_records(orders, self._order_facts)

    def _match_partners(self, partners):
        return self._match_records(partners, self._partner_facts)

    @api.model
    def _resolve_coordinators(self, matches, salesperson_getter):
        """Coordinator for each record of ``matches`` (record -> rule): the rule's coordinator,
        else the salesperson's coordinator (backup while absent), if they work for the record's
        company."""
        day = fields.Date.context_today(self)
        result = {}
        for record, rule in matches.items():
            if rule:
                result[record] = rule.coordinator_id
            else:
                salesperson = salesperson_getter(record)
                result[record] = (
                    salesperson._get_effective_support_coordinator(day, record.company_id or self.env.company)
                    if salesperson else self.env["res.users"])
        return result

    @api.model
    def _get_order_coordinators(self, orders):
        return self._resolve_coordinators(self._match_orders(orders), lambda o: o.user_id)

    @api.model
    def _get_partner_coordinators(self, partners):
        return self._resolve_coordinators(self._match_partners(partners), lambda p: p.user_id)

    # ------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------
    @api.model
    def _cron_apply_assignment_rules(self):
        """Daily: re-apply the rules to open orders and customers, so that a backup takes over
        when an absence starts and hands back when it ends. Manual overrides are kept."""
        orders = self.env["sale.order"].search(self.env["sale.order"]._get_support_open_orders_domain())
        changed = orders._apply_support_assignment()
        partners = self.env["res.partner"].search([("is_support_coordinator_manual", "=", False)])
        self.env.add_to_compute(self.env["res.partner"]._fields["support_coordinator_id"], partners)
        partners.flush_recordset(["support_coordinator_id"])
        return changed
