from odoo import api, fields, models


class SalesSupportSequenceMixin(models.AbstractModel):
    """Reference from an ``ir.sequence`` (code ``_sequence_code``) of the record's company."""

    _name = "sales.support.sequence.mixin"
    _description = "Sales Support Reference Numbering"
    _sequence_code = None

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index="trigram"
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code(self._sequence_code)
                    or "/"
                )
        return super().create(vals_list)
