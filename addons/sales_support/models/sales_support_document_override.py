from odoo import fields, models

from .sales_support_checklist_mixin import BLOCKS


class SalesSupportDocumentOverride(models.Model):
    """A support manager let a step go on although documents were missing (append-only: created
    by the override wizard, read by everyone who reads the record)."""

    _name = "sales.support.document.override"
    _description = "Missing Documents Override"
    _order = "create_date desc, id desc"

    res_model = fields.Char(string="Model", required=True, index=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record", model_field="res_model", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    block = fields.Selection(BLOCKS, string="Step Allowed", required=True, readonly=True)
    reason = fields.Text(required=True, readonly=True)
    missing_documents = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", string="Overridden By", required=True, readonly=True)
