from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    support_min_salespersons = fields.Integer(
        string="Minimum Salespeople per Coordinator", default=4,
        help="Coordinators serving fewer salespeople than this are flagged as under-loaded.")
    support_max_salespersons = fields.Integer(
        string="Maximum Salespeople per Coordinator", default=8,
        help="Coordinators serving more salespeople than this are flagged as over-loaded.")

    @api.constrains("support_min_salespersons", "support_max_salespersons")
    def _check_support_salesperson_range(self):
        for company in self:
            if company.support_min_salespersons < 0:
                raise ValidationError(_(
                    "The minimum number of salespeople per coordinator of %(company)s cannot be "
                    "negative: enter 0 or more.", company=company.name))
            if company.support_min_salespersons > company.support_max_salespersons:
                raise ValidationError(_(
                    "The recommended range of salespeople per coordinator of %(company)s is "
                    "invalid: the minimum (%(min)s) is greater than the maximum (%(max)s). "
                    "Lower the minimum or raise the maximum.",
                    company=company.name,
                    min=company.support_min_salespersons,
                    max=company.support_max_salespersons))
