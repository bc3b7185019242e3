from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

ERROR_TYPES = [
    ("product", "Product"),
    ("quantity", "Quantity"),
    ("price", "Price"),
    ("address", "Address"),
    ("terms", "Terms"),
    ("duplicate", "Duplicate"),
]


class SalesSupportOrderError(models.Model):
    """An order-entry error: logged by hand, from a claim, or detected when a confirmed order is
    edited or cancelled and replaced by a copy."""

    _name = "sales.support.order.error"
    _description = "Order-Entry Error"
    _inherit = ["mail.thread"]
    _order = "date_found desc, id desc"
    _check_company_auto = True

    order_id = fields.Many2one("sale.order", string="Order", required=True, index=True, ondelete="cascade",
                               check_company=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer", store=True)
    coordinator_id = fields.Many2one(related="order_id.coordinator_id", store=True, index=True)
    user_id = fields.Many2one(related="order_id.user_id", string="Salesperson", store=True, index=True)
    responsible_user_id = fields.Many2one("res.users", string="Responsible", required=True, index=True,
                                          tracking=True)
    error_type = fields.Selection(ERROR_TYPES, required=True, tracking=True)
    found_by = fields.Selection([("internal", "Internal"), ("customer", "Customer")], required=True,
                                default="internal", tracking=True)
    date_found = fields.Datetime(string="Found At", required=True, default=fields.Datetime.now, index=True)
    cost = fields.Monetary(currency_field="currency_id", tracking=True,
                           help="What the error cost (freight, credit, write-off).")
    description = fields.Text()
    origin = fields.Selection(
        [("manual", "Logged by Hand"), ("claim", "From a Claim"),
         ("edit", "Edited after Confirmation"), ("replacement", "Cancelled and Replaced")],
        required=True, default="manual", readonly=True)
    claim_id = fields.Many2one("sales.support.claim", string="Claim", index="btree_not_null",
                               check_company=True)
    replacement_order_id = fields.Many2one("sale.order", string="Replaced By", readonly=True)

    @api.depends("order_id", "error_type")
    def _compute_display_name(self):
        labels = dict(ERROR_TYPES)
        for error in self:
            error.display_name = f"{error.order_id.name or ''} · {labels.get(error.error_type, '')}"

    @api.constrains("cost")
    def _check_cost(self):
        for error in self:
            if error.cost < 0:
                raise ValidationError(_("The cost of an order-entry error cannot be negative."))
