from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    o2c_kpi_rating_request = fields.Boolean(
        related="company_id.o2c_kpi_rating_request",
        readonly=False,
    )
