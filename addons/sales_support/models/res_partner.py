from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# Partner fields the assignment rules of a customer read: changing one re-assigns the customer.
SUPPORT_FACT_FIELDS = {"user_id", "country_id", "state_id", "company_id", "is_company", "parent_id"}


class ResPartner(models.Model):
    """Each customer has one coordinator per company that sells to it.

    A partner of a company has a coordinator in that company only; a partner shared between
    companies (no company) has one per company, set by that company's rules and people: the
    values are company-dependent, read and searched in the current company."""

    _inherit = "res.partner"

    support_coordinator_id = fields.Many2one(
        "res.users",
        string="Support Coordinator",
        company_dependent=True,
        tracking=True,
        domain="[('support_level', 'in', ('coordinator', 'manager')), "
        "('company_ids', 'in', company_id or current_company_id)]",
        help="Coordinator serving this customer in the current company: chosen by hand, else "
        "from the company's assignment rules, else the salesperson's coordinator. Contacts "
        "follow their company. Clear it to go back to the rules.",
    )
    is_support_coordinator_manual = fields.Boolean(
        string="Coordinator Set by Hand",
        company_dependent=True,
        readonly=True,
        help="The coordinator was chosen by hand for the current company: the rules keep it.",
    )

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("support_coordinator_id")
    def _check_support_coordinator_id(self):
        for partner in self.filtered("support_coordinator_id"):
            coordinator = partner.support_coordinator_id
            coordinator._check_can_serve(
                _("the coordinator of %(customer)s", customer=partner.display_name)
            )
            company = partner.company_id or self.env.company
            if company not in coordinator.company_ids:
                raise ValidationError(
                    _(
                        "%(coordinator)s does not work for %(company)s and cannot serve "
                        "%(customer)s there: choose a coordinator of that company.",
                        coordinator=coordinator.name,
                        company=company.name,
                        customer=partner.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if not self.env.context.get("sales_support_auto_assign"):
            chosen = self.browse(
                [
                    p.id
                    for p, vals in zip(partners, vals_list, strict=False)
                    if vals.get("support_coordinator_id")
                ]
            )
            chosen._flag_manual_support_coordinator()
            partners._sync_support_coordinators()
        return partners

    def write(self, vals):
        if "support_coordinator_id" in vals and not self.env.context.get(
            "sales_support_auto_assign"
        ):
            vals = dict(vals)
            coordinator_id = vals.pop("support_coordinator_id")
            res = super().write(vals) if vals else True
            # The value is the coordinator of the partner's company (of the current company for a
            # shared partner), whatever company the user has switched to.
            by_company = defaultdict(lambda: self.browse())
            for partner in self:
                by_company[partner.company_id or self.env.company] |= partner
            for company, partners in by_company.items():
                partners = partners.with_company(company)
                super(ResPartner, partners).write({"support_coordinator_id": coordinator_id})
                partners._flag_manual_support_coordinator()
        else:
            res = super().write(vals)
        if SUPPORT_FACT_FIELDS & vals.keys() and not self.env.context.get(
            "sales_support_auto_assign"
        ):
            # sudo: the contacts follow, also those the user cannot read
            self.sudo().search([("id", "child_of", self.ids)])._sync_support_coordinators()
        return res

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _get_support_companies(self, companies, all_companies):
        """Companies whose coordinator ``self`` (one partner) needs, among ``companies`` (all
        companies when empty): its company, or every one for a shared partner."""
        self.ensure_one()
        if self.company_id:
            return (
                self.company_id
                if not companies or self.company_id in companies
                else self.company_id.browse()
            )
        return companies or all_companies

    def _flag_manual_support_coordinator(self):
        """After an explicit choice of the coordinator in the current company: a value other than
        the rules' is kept as a manual choice; an empty value goes back to the rules. Contacts
        follow their company."""
        company = self.env.company
        customers = self.filtered(lambda p: p.is_company or not p.parent_id)
        expected = self.env["sales.support.assignment.rule"]._get_partner_coordinators(
            customers, company
        )
        # sudo: the manual flag is kept by the system (readonly for users)
        auto = customers.sudo().with_company(company).with_context(sales_support_auto_assign=True)
        todo = defaultdict(list)  # values -> partner ids
        for partner in auto:
            rules_value = expected[partner]
            if not partner.support_coordinator_id:
                todo[rules_value.id, False].append(partner.id)
            else:
                todo[None, partner.support_coordinator_id != rules_value].append(partner.id)
        for (coordinator_id, manual), ids in todo.items():
            values = {"is_support_coordinator_manual": manual}
            if coordinator_id is not None:  # None: keep the chosen coordinator
                values["support_coordinator_id"] = coordinator_id
            auto.browse(ids).write(values)
        # sudo: the contacts follow, also those the user cannot read
        children = self.sudo().search(
            [("id", "child_of", customers.ids), ("id", "not in", customers.ids)]
        )
        children._sync_support_coordinators(company)

    def _sync_support_coordinators(self, companies=None):
        """Store the coordinator of each partner of ``self`` in each company that needs one
        (``companies`` only, when given): customers get the assignment rules' coordinator (a
        choice by hand is kept while its coordinator may serve that company), contacts their
        company's, colleagues and pure suppliers (a supplier rank, no customer rank, no sale
        order) none. Writes only what changes, grouped by coordinator."""
        if not self:
            return
        # sudo: coordinators are maintained by the system for every company serving the partner,
        # whoever edits it; context: these writes are not choices by hand.
        partners = self.sudo().with_context(sales_support_auto_assign=True, tracking_disable=True)
        Rule = self.env["sales.support.assignment.rule"]
        # colleagues and the companies' own partners are nobody's customers
        company_partners = (
            self.env["res.company"].sudo().with_context(active_test=False).search([]).partner_id
        )
        colleagues = partners.filtered(lambda p: not p.partner_share or p in company_partners)
        # pure suppliers (never sold to) are nobody's customers either
        suppliers = partners.filtered(lambda p: p.supplier_rank and not p.customer_rank)
        if suppliers:
            sold_to = {
                partner.id
                for [partner] in self.env["sale.order"]
                .sudo()
                ._read_group([("partner_id", "in", suppliers.ids)], ["partner_id"])
            }
            colleagues |= suppliers.filtered(lambda p: p.id not in sold_to)
        customers = partners.filtered(lambda p: p.is_company or not p.parent_id) - colleagues
        contacts = partners - customers - colleagues
        # sudo: a shared customer is served in every company, including those the user cannot open
        all_companies = self.env["res.company"].sudo().search([])
        per_company = defaultdict(lambda: partners.browse())
        for partner in partners:
            for company in partner._get_support_companies(companies, all_companies):
                per_company[company] |= partner
        for company, in_company in per_company.items():
            in_company = in_company.with_company(company)
            todo = defaultdict(list)  # (coordinator, manual) -> partner ids
            company_customers = in_company & customers
            manual = company_customers.filtered(
                lambda p, company=company: p.is_support_coordinator_manual
                and p.support_coordinator_id._can_coordinate_for(company)
            )
            expected = Rule._get_partner_coordinators(company_customers - manual, company)
            for partner in company_customers - manual:
                if (
                    partner.support_coordinator_id != expected[partner]
                    or partner.is_support_coordinator_manual
                ):
                    todo[expected[partner].id, False].append(partner.id)
            for (coordinator_id, _flag), ids in todo.items():
                self._store_support_coordinator(company, ids, coordinator_id)
            todo.clear()
            for partner in in_company & contacts:
                value = partner.commercial_partner_id.support_coordinator_id
                if partner.support_coordinator_id != value or partner.is_support_coordinator_manual:
                    todo[value.id, False].append(partner.id)
            for partner in (in_company & colleagues).filtered("support_coordinator_id"):
                todo[False, False].append(partner.id)
            for (coordinator_id, _flag), ids in todo.items():
                self._store_support_coordinator(company, ids, coordinator_id)

    @api.model
    def _store_support_coordinator(self, company, ids, coordinator_id=None, keep_coordinator=False):
        """Set, in ``company``, the coordinator of partners ``ids`` (rules' value: not by hand).

        One SQL update of the company's key in the two jsonb columns: the ORM's write of a
        partner re-syncs its contacts one by one (``_fields_sync``), which a batch of thousands
        cannot afford, and a system re-assignment is no edit of the customer (no write_date, no
        tracking, as for orders re-assigned in batch)."""
        if not ids:
            return
        fnames = ["support_coordinator_id", "is_support_coordinator_manual"]
        self.flush_model(fnames)
        key = str(company.id)
        assignments = [
            SQL(
                "is_support_coordinator_manual = "
                "COALESCE(is_support_coordinator_manual, '{}'::jsonb) "
                "|| jsonb_build_object(%s::text, false)",
                key,
            )
        ]
        if not keep_coordinator:
            assignments.append(
                SQL(
                    "support_coordinator_id = COALESCE(support_coordinator_id, '{}'::jsonb) "
                    "|| jsonb_build_object(%s::text, %s::int4)",
                    key,
                    coordinator_id or None,
                )
            )
        self.env.cr.execute(
            SQL("UPDATE res_partner SET %s WHERE id IN %s", SQL(", ").join(assignments), tuple(ids))
        )
        self.browse(ids).invalidate_recordset(fnames)

    @api.model
    def _release_support_coordinators(self, users):
        """``users`` may no longer serve some customers (archived, role or company removed): those
        customers and their contacts go back to the rules in the companies concerned."""
        if not users:
            return
        # sudo: see _sync_support_coordinators
        for company in self.env["res.company"].sudo().search([]):
            unable = users.filtered(lambda u, company=company: not u._can_coordinate_for(company))
            if not unable:
                continue
            Partner = self.sudo().with_company(company).with_context(sales_support_auto_assign=True)
            served = Partner.search([("support_coordinator_id", "in", unable.ids)])
            if served:
                self._store_support_coordinator(company, served.ids, keep_coordinator=True)
                served._sync_support_coordinators(company)
