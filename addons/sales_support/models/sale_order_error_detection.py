"""Automatic order-entry error logging on sale.order: edits after confirmation, and orders
cancelled and replaced by a copy."""
from odoo import _, api, fields, models
from odoo.tools import float_compare

# Order fields whose change after confirmation is an order-entry error, and its type.
ORDER_ERROR_FIELDS = {
    "partner_shipping_id": "address",
    "partner_invoice_id": "address",
    "payment_term_id": "terms",
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for order, vals in zip(self, vals_list):
            vals.setdefault("origin_order_id", order.id)
        return vals_list

    def write(self, vals):
        watched = ORDER_ERROR_FIELDS.keys() & vals.keys()
        if not watched or self.env.context.get("sales_support_no_error_log"):
            return super().write(vals)
        before = {order: {f: order[f] for f in watched} for order in self if order.state == "sale"}
        res = super().write(vals)
        changes = [
            (order, ORDER_ERROR_FIELDS[fname], order._fields[fname], old, order[fname], None)
            for order, old_values in before.items()
            for fname, old in old_values.items()
            if order[fname] != old
        ]
        if changes:
            self._log_edit_errors(changes)
        return res

    def action_confirm(self):
        res = super().action_confirm()
        replacements = self.filtered(lambda o: o.origin_order_id.state == "cancel"
                                     and o.origin_order_id.date_o2c_entered)
        if replacements:
            replacements._log_replacement_errors()
        return res

    def _action_cancel(self):
        entered = self.filtered(lambda o: o.date_o2c_entered)
        res = super()._action_cancel()
        if entered:
            copies = self.search([("origin_order_id", "in", entered.ids), ("state", "=", "sale")])
            copies._log_replacement_errors()
        return res

    # ------------------------------------------------------------
    # Logging
    # ------------------------------------------------------------
    @api.model
    def _log_edit_errors(self, changes):
        """Log one error per (order, type) from ``changes``: tuples of (order, error type, field,
        old value, new value, order line or None)."""
        grouped = {}
        for order, error_type, field, old, new, line in changes:
            what = field.get_description(self.env)["string"]
            if line:
                what = f"{line.product_id.display_name or line.name}: {what}"
            old_txt = old.display_name if isinstance(old, models.BaseModel) else old
            new_txt = new.display_name if isinstance(new, models.BaseModel) else new
            grouped.setdefault((order, error_type), []).append(
                _("%(what)s changed from %(old)s to %(new)s", what=what, old=old_txt or "-", new=new_txt or "-"))
        now = fields.Datetime.now()
        # sudo: the system logs the error for whoever edits the order (salespeople and
        # coordinators may not create error records themselves).
        self.env["sales.support.order.error"].sudo().create([{
            "order_id": order.id,
            "responsible_user_id": (order.order_entry_user_id or order.user_id or self.env.user).id,
            "error_type": error_type,
            "found_by": "internal",
            "date_found": now,
            "origin": "edit",
            "description": _("Edited after confirmation by %(user)s: %(changes)s",
                             user=self.env.user.name, changes="; ".join(lines)),
        } for (order, error_type), lines in grouped.items()])

    def _log_replacement_errors(self):
        """``self`` are confirmed copies of cancelled orders: log on the cancelled order what the
        copy corrected (product, quantity, price, address, terms), or a duplicate entry."""
        Error = self.env["sales.support.order.error"]
        already = Error.sudo().search([("origin", "=", "replacement"),
                                       ("order_id", "in", self.origin_order_id.ids)]).order_id
        values = []
        for copy in self:
            original = copy.origin_order_id
            if original in already:
                continue
            error_types = original._diff_error_types(copy) or ["duplicate"]
            for error_type in error_types:
                values.append({
                    "order_id": original.id,
                    "replacement_order_id": copy.id,
                    "responsible_user_id": (original.order_entry_user_id or original.user_id or self.env.user).id,
                    "error_type": error_type,
                    "found_by": "internal",
                    "origin": "replacement",
                    "description": _("%(original)s was cancelled and replaced by %(copy)s.",
                                     original=original.name, copy=copy.name),
                })
        # sudo: see _log_edit_errors
        Error.sudo().create(values)

    def _diff_error_types(self, other):
        """Error types that tell ``self`` from ``other`` (its corrected copy)."""
        self.ensure_one()

        def lines_of(order):
            return {
                line.product_id: line
                for line in order.order_line
                if not line.display_type and not line.is_downpayment
            }
        mine, theirs = lines_of(self), lines_of(other)
        types = []
        if set(mine) != set(theirs):
            types.append("product")
        common = set(mine) & set(theirs)
        if any(float_compare(mine[p].product_uom_qty, theirs[p].product_uom_qty, precision_digits=6)
               for p in common):
            types.append("quantity")
        if any(float_compare(mine[p].price_unit, theirs[p].price_unit, precision_digits=6)
               or float_compare(mine[p].discount, theirs[p].discount, precision_digits=6) for p in common):
            types.append("price")
        if (self.partner_shipping_id, self.partner_invoice_id) != (other.partner_shipping_id, other.partner_invoice_id):
            types.append("address")
        if self.payment_term_id != other.payment_term_id:
            types.append("terms")
        return types
