from odoo import api, fields, models

CATEGORIES = [
    ("trade", "Trade"),
    ("customs", "Customs"),
    ("finance", "Finance"),
    ("tender", "Tender"),
]


class SalesSupportDocumentType(models.Model):
    _name = "sales.support.document.type"
    _description = "Document Type"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Short code, unique per company (or among the types shared by all companies).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the type with every company."
    )
    category = fields.Selection(CATEGORIES, required=True, default="trade")
    is_original_required = fields.Boolean(
        string="Original Must Return",
        help="A signed original (delivery note, bill of lading...) comes back from the customer "
        "or the bank: once sent, the document stays on the 'still out' list until returned.",
    )
    description = fields.Text(translate=True)

    _sql_constraints = [
        (
            "code_company_uniq",
            "UNIQUE NULLS NOT DISTINCT (code, company_id)",
            "A document type code must be unique per company.",
        ),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for doc_type in self:
            doc_type.display_name = (
                f"[{doc_type.code}] {doc_type.name}" if doc_type.code else doc_type.name
            )
