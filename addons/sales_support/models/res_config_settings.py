from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    support_min_salespersons = fields.Integer(
        related="company_id.support_min_salespersons", readonly=False)
    support_max_salespersons = fields.Integer(
        related="company_id.support_max_salespersons", readonly=False)
