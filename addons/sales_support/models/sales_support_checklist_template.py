from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesSupportChecklistTemplate(models.Model):
    """A set of documents required when an order or a tender matches the conditions. Empty
    conditions match everything; filled conditions must all match."""

    _name = "sales.support.checklist.template"
    _description = "Document Checklist Template"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to apply in every company."
    )
    applies_to = fields.Selection(
        [("order", "Sale Orders"), ("tender", "Tenders")],
        required=True,
        default="order",
        index=True,
    )
    # ------------------------------------------------------------
    # Conditions
    # ------------------------------------------------------------
    is_export_only = fields.Boolean(
        string="Export Orders Only",
        help="Only when the customer's country differs from the company's (the export flag of "
        "the order).",
    )
    country_ids = fields.Many2many(
        "res.country", string="Customer Countries", help="The customer's country is one of these."
    )
    country_group_ids = fields.Many2many(
        "res.country.group",
        "sales_support_checklist_template_country_group_rel",
        string="Customer Country Groups",
        help="The customer's country belongs to one of these groups.",
    )
    excluded_country_group_ids = fields.Many2many(
        "res.country.group",
        "sales_support_checklist_template_excl_group_rel",
        string="Excluded Country Groups",
        help="The customer's country belongs to none of these groups (e.g. outside the EU).",
    )
    incoterm_ids = fields.Many2many("account.incoterms", string="Incoterms")
    payment_term_ids = fields.Many2many(
        "account.payment.term", string="Payment Terms", check_company=True
    )
    product_categ_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="At least one product of the order is in one of these categories or their "
        "subcategories.",
    )
    is_letter_of_credit_required = fields.Boolean(
        string="Letter of Credit",
        help="Only when the order is paid by a letter of credit (a letter of credit is linked).",
    )
    line_ids = fields.One2many(
        "sales.support.checklist.template.line", "template_id", string="Documents", copy=True
    )
    line_count = fields.Integer(compute="_compute_line_count")

    @api.depends("line_ids")
    def _compute_line_count(self):
        for template in self:
            template.line_count = len(template.line_ids)

    @api.constrains("applies_to", "line_ids")
    def _check_lines_blocks(self):
        for template in self:
            if template.applies_to == "order" and "submission" in template.line_ids.mapped(
                "blocks"
            ):
                raise ValidationError(
                    _(
                        "Template %(name)s applies to sale orders: its documents can block the "
                        "delivery or the invoice, not a tender submission.",
                        name=template.name,
                    )
                )
            if template.applies_to == "tender" and {"delivery", "invoicing"} & set(
                template.line_ids.mapped("blocks")
            ):
                raise ValidationError(
                    _(
                        "Template %(name)s applies to tenders: its documents can only block the "
                        "submission.",
                        name=template.name,
                    )
                )

    def _matches(self, values):
        """Whether this template applies to a record described by ``values`` (see
        ``sales.support.checklist.mixin._checklist_match_values``). In memory, no query."""
        self.ensure_one()
        if self.company_id and self.company_id != values["company"]:
            return False
        if self.is_export_only and not values.get("is_export"):
            return False
        country = values.get("country")
        if self.country_ids and country not in self.country_ids:
            return False
        if self.country_group_ids and not (
            country and country in self.country_group_ids.country_ids
        ):
            return False
        if self.excluded_country_group_ids and (
            not country or country in self.excluded_country_group_ids.country_ids
        ):
            return False
        if self.incoterm_ids and values.get("incoterm") not in self.incoterm_ids:
            return False
        if self.payment_term_ids and values.get("payment_term") not in self.payment_term_ids:
            return False
        if self.is_letter_of_credit_required and not values.get("letter_of_credit"):
            return False
        if self.product_categ_ids:
            paths = self.product_categ_ids.mapped("parent_path")
            categories = values.get("categories") or []
            if not any(
                categ.parent_path.startswith(path) for categ in categories for path in paths
            ):
                return False
        return True

    def action_apply_to_open_orders(self):
        """Apply the templates now to the open orders (quotations and orders not fully
        delivered), e.g. after creating or changing a template."""
        self.check_access("write")
        orders = self.env["sale.order"].search(
            [
                ("state", "in", ("draft", "sent", "sale")),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        orders._checklist_apply_templates()
        return True
