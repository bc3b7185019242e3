from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesSupportRequestLine(models.Model):
    """A product the customer asked for in a request; becomes a quotation line."""

    _name = "sales.support.request.line"
    _inherit = ["sales.support.input.mixin"]
    _description = "Customer Request Line"
    _order = "request_id, sequence, id"
    _check_company_auto = True

    request_id = fields.Many2one(
        "sales.support.request", string="Request", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        check_company=True,
        domain="[('sale_ok', '=', True)]",
        help="Leave empty when the customer's wording does not match a product yet: the line "
        "becomes a note on the quotation.",
    )
    name = fields.Text(string="Description", help="What the customer asked for, in their words.")
    product_uom_qty = fields.Float(string="Quantity", default=1.0, digits="Product Unit of Measure")
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")

    @api.constrains("product_uom_qty", "product_id", "name")
    def _check_line(self):
        for line in self:
            if line.product_id and line.product_uom_qty <= 0:
                raise ValidationError(
                    _(
                        "The quantity of %(product)s asked for in %(request)s must be positive: "
                        "enter the "
                        "quantity the customer wants.",
                        product=line.product_id.display_name,
                        request=line.request_id.name,
                    )
                )
            if not line.product_id and not line.name:
                raise ValidationError(
                    _(
                        "A line of request %(request)s has neither a product nor a description: "
                        "choose "
                        "the product or describe what the customer asked for.",
                        request=line.request_id.name,
                    )
                )

    def _prepare_order_line_values(self):
        """Values of the quotation line: the product and quantity asked for, or a note with the
        customer's wording when no product is known."""
        self.ensure_one()
        if not self.product_id:
            return {"display_type": "line_note", "name": self.name, "sequence": self.sequence}
        return {
            "product_id": self.product_id.id,
            "product_uom_qty": self.product_uom_qty,
            "sequence": self.sequence,
        }
