from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare


class SalesSupportClaimLine(models.Model):
    """A claimed product: quantity and unit price, in the claim's currency (the invoice's).

    The unit price is the price invoiced for the product (after discount, before tax), else the
    order's; it may be lowered (a price error credits the difference), never raised above it."""

    _name = "sales.support.claim.line"
    _inherit = ["sales.support.input.mixin"]
    _description = "Claimed Product"

    claim_id = fields.Many2one("sales.support.claim", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="claim_id.company_id", store=True)
    currency_id = fields.Many2one(related="claim_id.currency_id")
    order_line_id = fields.Many2one(
        "sale.order.line",
        string="Order Line",
        domain="[('order_id', '=', parent.order_id), ('display_type', '=', False)]",
    )
    product_id = fields.Many2one(
        "product.product",
        required=True,
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    quantity = fields.Float(
        default=1.0,
        required=True,
        digits="Product Unit of Measure",
        help="In the line's unit. Lines left at 0 are dropped when the claim is saved.",
    )
    product_uom_category_id = fields.Many2one(related="product_id.uom_id.category_id")
    product_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        compute="_compute_product_uom_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('category_id', '=', product_uom_category_id)]",
        help="Unit of the claimed quantity and price: the order line's, else the product's. "
        "Caps (delivered, invoiced) and credit notes convert it.",
    )
    price_unit = fields.Float(
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        digits="Product Price",
        help="Unit price to credit: the invoiced price (after discount, before tax) "
        "unless lowered for a partial credit.",
    )
    amount = fields.Monetary(compute="_compute_amount", store=True, currency_field="currency_id")

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self.env["sales.support.claim"].browse(
            {vals["claim_id"] for vals in vals_list if vals.get("claim_id")}
        )._check_lines_editable()
        return super().create(vals_list)

    def write(self, vals):
        claims = self.claim_id
        if vals.get("claim_id"):
            claims |= claims.browse(vals["claim_id"])
        claims._check_lines_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_if_claim_open(self):
        self.claim_id._check_lines_editable()

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    @api.depends("order_line_id")
    def _compute_product_id(self):
        for line in self:
            line.product_id = line.order_line_id.product_id or line.product_id

    @api.depends("order_line_id", "product_id")
    def _compute_product_uom_id(self):
        for line in self:
            uom = line.order_line_id.product_uom or line.product_id.uom_id
            # a unit chosen by hand (same category) is kept
            if not line.product_uom_id or line.product_uom_id.category_id != uom.category_id:
                line.product_uom_id = uom

    @api.depends(
        "order_line_id", "product_id", "product_uom_id", "claim_id.invoice_id", "claim_id.order_id"
    )
    def _compute_price_unit(self):
        for line in self:
            price = line._get_invoiced_price()
            line.price_unit = (line.price_unit or 0.0) if price is None else price

    @api.depends("quantity", "price_unit")
    def _compute_amount(self):
        for line in self:
            line.amount = line.quantity * line.price_unit

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains(
        "quantity", "price_unit", "order_line_id", "product_id", "product_uom_id", "claim_id"
    )
    def _check_quantity(self):
        for line in self:
            if line.product_uom_id and line.product_uom_id.category_id != (
                line.product_id.uom_id.category_id
            ):
                raise ValidationError(
                    _(
                        "%(uom)s is not a unit of %(product)s: choose a unit of the category "
                        "%(category)s.",
                        uom=line.product_uom_id.name,
                        product=line.product_id.display_name,
                        category=line.product_id.uom_id.category_id.name,
                    )
                )
            if float_compare(line.quantity, 0.0, precision_digits=6) < 0:
                raise ValidationError(
                    _(
                        "The claimed quantity of %(product)s must be positive (got %(qty)s).",
                        product=line.product_id.display_name,
                        qty=line.quantity,
                    )
                )
            if line.price_unit < 0:
                raise ValidationError(
                    _(
                        "The claimed unit price of %(product)s cannot be negative.",
                        product=line.product_id.display_name,
                    )
                )
            if line.order_line_id and line.order_line_id.order_id != line.claim_id.order_id:
                raise ValidationError(
                    _(
                        "The claimed line %(line)s is not a line of the claim's order.",
                        line=line.order_line_id.display_name,
                    )
                )
            invoiced = line._get_invoiced_price()
            if (
                invoiced is not None
                and line.currency_id.compare_amounts(line.price_unit, invoiced) > 0
            ):
                raise ValidationError(
                    _(
                        "The claimed unit price of %(product)s (%(price)s) is above the price "
                        "invoiced "
                        "(%(invoiced)s): at most the invoiced price can be credited.",
                        product=line.product_id.display_name,
                        price=line.price_unit,
                        invoiced=invoiced,
                    )
                )
        self.claim_id._check_claimed_quantities()

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _get_invoice_lines(self):
        """Product lines of the claim's invoice for this claimed product (of its order line when
        set). Read as superuser: only prices and quantities are used, whoever records the claim."""
        self.ensure_one()
        invoice = self.claim_id.invoice_id.sudo()
        lines = invoice.invoice_line_ids.filtered(
            lambda line: line.display_type == "product" and line.product_id == self.product_id
        )
        if self.order_line_id:
            lines = lines.filtered(lambda line: self.order_line_id in line.sale_line_ids) or lines
        return lines

    def _get_invoiced_price(self):
        """Net unit price invoiced for the product (claim's invoice, else its order line or the
        order's line for the product), in the claim's currency; None when there is none."""
        self.ensure_one()
        invoice_lines = self._get_invoice_lines()
        uom = self.product_uom_id or self.product_id.uom_id
        if invoice_lines:
            line = invoice_lines[0]
            price = line.price_unit * (1 - (line.discount or 0.0) / 100.0)
            return self._price_in_uom(price, line.product_uom_id, uom)
        order_line = (
            self.order_line_id
            or self.claim_id.order_id.order_line.filtered(
                lambda line: line.product_id == self.product_id and not line.display_type
            )[:1]
        )
        if order_line and self.product_id:
            order_line = order_line.sudo()
            return self._price_in_uom(order_line.price_reduce_taxexcl, order_line.product_uom, uom)
        return None

    @staticmethod
    def _price_in_uom(price, from_uom, to_uom):
        """A unit price per ``from_uom`` as a price per ``to_uom`` (same category)."""
        if from_uom and to_uom and from_uom != to_uom:
            return from_uom._compute_price(price, to_uom)
        return price

    def _get_product_quantity(self):
        """The claimed quantity in the product's unit (caps and credit notes compare in it)."""
        self.ensure_one()
        uom = self.product_uom_id
        if uom and uom != self.product_id.uom_id:
            return uom._compute_quantity(self.quantity, self.product_id.uom_id, round=False)
        return self.quantity
