from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    support_min_salespersons = fields.Integer(
        related="company_id.support_min_salespersons", readonly=False
    )
    support_max_salespersons = fields.Integer(
        related="company_id.support_max_salespersons", readonly=False
    )
    support_max_open_orders = fields.Integer(
        related="company_id.support_max_open_orders", readonly=False
    )
    support_max_open_requests = fields.Integer(
        related="company_id.support_max_open_requests", readonly=False
    )
    support_request_alias_contact = fields.Selection(
        related="company_id.support_request_alias_contact", readonly=False
    )
    support_replacement_window_days = fields.Integer(
        related="company_id.support_replacement_window_days", readonly=False
    )
    support_claim_post_credit_note = fields.Boolean(
        related="company_id.support_claim_post_credit_note", readonly=False
    )
