from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesSupportClaimLine(models.Model):
    _name = "sales.support.claim.line"
    _description = "Claimed Product"

    claim_id = fields.Many2one("sales.support.claim", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="claim_id.company_id", store=True)
    currency_id = fields.Many2one(related="claim_id.currency_id")
    order_line_id = fields.Many2one(
        "sale.order.line", string="Order Line",
        domain="[('order_id', '=', parent.order_id), ('display_type', '=', False)]")
    product_id = fields.Many2one("product.product", required=True, compute="_compute_from_order_line",
                                 store=True, readonly=False, precompute=True)
    quantity = fields.Float(default=1.0, required=True, digits="Product Unit of Measure")
    price_unit = fields.Float(compute="_compute_from_order_line", store=True, readonly=False, precompute=True,
                              digits="Product Price")
    amount = fields.Monetary(compute="_compute_amount", store=True, currency_field="currency_id")

    @api.depends("order_line_id")
    def _compute_from_order_line(self):
        for line in self:
            if line.order_line_id:
                line.product_id = line.order_line_id.product_id
                line.price_unit = line.order_line_id.price_unit
            elif not line.price_unit and line.product_id:
                line.price_unit = line.product_id.lst_price

    @api.depends("quantity", "price_unit")
    def _compute_amount(self):
        for line in self:
            line.amount = line.quantity * line.price_unit

    @api.constrains("quantity", "order_line_id", "claim_id")
    def _check_quantity(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(_(
                    "The claimed quantity of %(product)s must be positive (got %(qty)s).",
                    product=line.product_id.display_name, qty=line.quantity))
            if line.order_line_id and line.order_line_id.order_id != line.claim_id.order_id:
                raise ValidationError(_("The claimed line %(line)s is not a line of the claim's order.",
                                        line=line.order_line_id.display_name))
