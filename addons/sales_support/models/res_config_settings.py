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
    sales_support_credit_policy = fields.Selection(
        related="company_id.sales_support_credit_policy", readonly=False
    )
    sales_support_exposure_receivable = fields.Boolean(
        related="company_id.sales_support_exposure_receivable", readonly=False
    )
    sales_support_exposure_to_invoice = fields.Boolean(
        related="company_id.sales_support_exposure_to_invoice", readonly=False
    )
    sales_support_exposure_cheques = fields.Boolean(
        related="company_id.sales_support_exposure_cheques", readonly=False
    )
    sales_support_hold_on_bounced_cheque = fields.Boolean(
        related="company_id.sales_support_hold_on_bounced_cheque", readonly=False
    )
    sales_support_new_customer_days = fields.Integer(
        related="company_id.sales_support_new_customer_days", readonly=False
    )
    sales_support_cadence_a = fields.Integer(
        related="company_id.sales_support_cadence_a", readonly=False
    )
    sales_support_cadence_b = fields.Integer(
        related="company_id.sales_support_cadence_b", readonly=False
    )
    sales_support_cadence_c = fields.Integer(
        related="company_id.sales_support_cadence_c", readonly=False
    )
