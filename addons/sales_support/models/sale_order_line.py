from odoo import models
from odoo.tools import float_compare

# Order-line fields whose change after confirmation is an order-entry error, and its type.
LINE_ERROR_FIELDS = {
    "product_id": "product",
    "product_uom_qty": "quantity",
    "price_unit": "price",
    "discount": "price",
}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def write(self, vals):
        watched = LINE_ERROR_FIELDS.keys() & vals.keys()
        if not watched or self.env.context.get("sales_support_no_error_log"):
            return super().write(vals)
        before = {
            line: {fname: line[fname] for fname in watched}
            for line in self
            if line.order_id.state == "sale" and not line.display_type and not line.is_downpayment
        }
        res = super().write(vals)
        changes = []
        for line, old_values in before.items():
            for fname, old in old_values.items():
                new = line[fname]
                if isinstance(old, float):
                    changed = float_compare(old, new, precision_digits=6) != 0
                else:
                    changed = old != new
                if changed:
                    changes.append((line.order_id, LINE_ERROR_FIELDS[fname], line._fields[fname], old, new, line))
        if changes:
            self.env["sale.order"]._log_edit_errors(changes)
        return res
