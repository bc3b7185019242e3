from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    support_coordinator_id = fields.Many2one(
        "res.users", string="Support Coordinator",
        compute="_compute_support_coordinator_id", store=True, readonly=False, recursive=True,
        index="btree_not_null", tracking=True,
        domain="[('support_level', '!=', False)]",
        help="Sales-support staff member serving this customer, from the assignment rules (else the "
             "salesperson's coordinator). Contacts follow their company. Clear it to go back to the rules.")
    is_support_coordinator_manual = fields.Boolean(
        string="Coordinator Set by Hand", readonly=True, copy=False)

    @api.depends("user_id", "country_id", "state_id", "company_id", "is_company",
                 "parent_id.support_coordinator_id", "partner_share")
    def _compute_support_coordinator_id(self):
        auto = self.filtered(lambda p: not p.is_support_coordinator_manual)
        # Internal users' own partners are colleagues, not customers.
        colleagues = auto.filtered(lambda p: not p.partner_share)
        contacts = auto.filtered(lambda p: p.parent_id and not p.is_company) - colleagues
        customers = auto - contacts - colleagues
        coordinators = self.env["sales.support.assignment.rule"]._get_partner_coordinators(customers)
        for partner in customers:
            partner.support_coordinator_id = coordinators[partner]
        for partner in contacts:
            partner.support_coordinator_id = partner.parent_id.support_coordinator_id
        colleagues.support_coordinator_id = False

    @api.constrains("support_coordinator_id")
    def _check_support_coordinator_id(self):
        for partner in self.filtered("support_coordinator_id"):
            if not partner.support_coordinator_id.support_level:
                raise ValidationError(_(
                    "%(coordinator)s is in no Sales Support group and cannot serve %(customer)s: "
                    "give them a Sales Support role first, or choose another coordinator.",
                    coordinator=partner.support_coordinator_id.name, customer=partner.display_name))

    def write(self, vals):
        res = super().write(vals)
        if "support_coordinator_id" in vals and not self.env.context.get("sales_support_auto_assign"):
            companies = self.filtered(lambda p: p.is_company or not p.parent_id)
            expected = self.env["sales.support.assignment.rule"]._get_partner_coordinators(companies)
            manual = companies.filtered(
                lambda p: p.support_coordinator_id and p.support_coordinator_id != expected[p])
            ctx = self.with_context(sales_support_auto_assign=True)
            ctx.browse(manual.ids).write({"is_support_coordinator_manual": True})
            back_to_rules = (companies - manual).filtered("is_support_coordinator_manual")
            back_to_rules_env = ctx.browse(back_to_rules.ids)
            back_to_rules_env.write({"is_support_coordinator_manual": False})
            cleared = (companies - manual).filtered(lambda p: not p.support_coordinator_id)
            for partner in ctx.browse(cleared.ids):
                partner.support_coordinator_id = expected[partner]
        return res
