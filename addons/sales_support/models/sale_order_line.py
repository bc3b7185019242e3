from odoo import _, api, models
from odoo.tools import float_compare, float_is_zero

from .sale_order import LINES_SYNCED_KEY

# Order-line fields whose change by a person after confirmation is an order-entry error, and its
# type.
LINE_ERROR_FIELDS = {
    "product_id": "product",
    "product_uom_qty": "quantity",
    "price_unit": "price",
    "discount": "price",
}
# Line fields that change what is left to ship or to invoice.
O2C_LINE_FIELDS = {"product_id", "product_uom_qty", "qty_delivered", "product_uom"}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _is_order_entry_line(self):
        """Lines a person enters: not sections and notes, down payments, expenses re-invoiced, nor
        lines Odoo adds itself (delivery costs, rewards: ``_is_not_sellable_line``)."""
        self.ensure_one()
        return not (
            self.display_type
            or self.is_downpayment
            or self.is_expense
            or self._is_not_sellable_line()
        )

    def _get_outgoing_incoming_moves(self, strict=True):
        """A replacement sent for an exchange whose return kept the delivered quantity (a claim's
        exchange, "Update quantities on SO/PO" off) does not raise it either: the customer got
        what the order says once, and an order invoiced on delivery stays invoiced (see
        stock.return.picking)."""
        outgoing, incoming = super()._get_outgoing_incoming_moves(strict=strict)
        return outgoing.filtered(
            lambda m: not m.is_o2c_exchange or m.is_o2c_exchange_counted
        ), incoming

    def _is_o2c_discount_line(self):
        self.ensure_one()
        return bool(self.product_id) and self.product_id == self.company_id.sale_discount_product_id

    def _get_entered_lines(self):
        """Lines of confirmed orders that a person entered, when a person is editing now."""
        lines = self.filtered(lambda line: line.state == "sale" and line._is_order_entry_line())
        if lines and self.env["sales.support.order.error"]._is_person_edit():
            return lines
        return self.browse()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._o2c_sync_orders()
        added = lines._get_entered_lines()
        if added:
            self.env["sale.order"]._log_edit_errors(
                [
                    (
                        line.order_id,
                        # a discount line (Odoo's Discount wizard) changes the price
                        "price" if line._is_o2c_discount_line() else "product",
                        None,
                        None,
                        None,
                        line,
                        self.env._(
                            "line added: %(product)s, %(qty)s %(uom)s",
                            product=line.product_id.display_name,
                            qty=line.product_uom_qty,
                            uom=line.product_uom.name,
                        ),
                    )
                    for line in added
                ]
            )
        return lines

    def _o2c_sync_orders(self):
        """Lines created or changed on their own (an external script, another module), not
        through the order: a confirmed order may have more to ship or to invoice. Skipped for
        the orders whose caller syncs them afterwards (sale.order._o2c_syncing_lines)."""
        orders = self.order_id.filtered(lambda o: o.state == "sale")
        synced = self.env.context.get(LINES_SYNCED_KEY)
        if isinstance(synced, models.BaseModel) and synced._name == "sale.order":
            orders -= synced
        orders._o2c_sync()

    def write(self, vals):
        watched = LINE_ERROR_FIELDS.keys() & vals.keys()
        if (
            "price_unit" in vals
            and "technical_price_unit" in vals
            and vals["technical_price_unit"] == vals["price_unit"]
        ):
            # the price came from Odoo's pricelist (the form's onchange recomputed it after a
            # change of product or quantity), not from a person: that change is logged on its own
            watched -= {"price_unit", "discount"}
        lines = self._get_entered_lines() if watched else self.browse()
        before = {line: {fname: line[fname] for fname in watched} for line in lines}
        res = super().write(vals)
        if before:
            self._log_entry_errors(before)
        if O2C_LINE_FIELDS & vals.keys():
            self._o2c_sync_orders()
        return res

    def _log_entry_errors(self, before):
        """Log the order-entry errors of a person's edits of confirmed lines: ``before`` holds
        the watched values of each line before the write."""
        changes = []
        for line, old_values in before.items():
            for fname, old in old_values.items():
                new = line[fname]
                if isinstance(old, float):
                    changed = float_compare(old, new, precision_digits=6) != 0
                else:
                    changed = old != new
                if not changed:
                    continue
                if fname == "product_uom_qty" and float_is_zero(new, precision_digits=6):
                    # Odoo keeps confirmed lines: setting the quantity to 0 is how a line is removed
                    changes.append(
                        (
                            line.order_id,
                            "product",
                            None,
                            None,
                            None,
                            line,
                            _(
                                "line removed: %(product)s (quantity %(old)s set to 0)",
                                product=line.product_id.display_name,
                                old=old,
                            ),
                        )
                    )
                else:
                    changes.append(
                        (
                            line.order_id,
                            LINE_ERROR_FIELDS[fname],
                            line._fields[fname],
                            old,
                            new,
                            line,
                            None,
                        )
                    )
        if changes:
            self.env["sale.order"]._log_edit_errors(changes)

    def unlink(self):
        # Odoo refuses to delete the product lines of a confirmed order (it asks to set the
        # quantity to 0); where another module allows it, the removal is logged once it is done.
        removed = [
            (
                line.order_id,
                "product",
                None,
                None,
                None,
                None,
                self.env._(
                    "line removed: %(product)s, %(qty)s %(uom)s",
                    product=line.product_id.display_name,
                    qty=line.product_uom_qty,
                    uom=line.product_uom.name,
                ),
            )
            for line in self._get_entered_lines()
        ]
        res = super().unlink()
        if removed:
            self.env["sale.order"]._log_edit_errors(removed)
        return res
