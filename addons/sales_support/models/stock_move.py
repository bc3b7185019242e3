from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    is_o2c_exchange = fields.Boolean(
        string="Claim Replacement",
        readonly=True,
        copy=False,
        help="Replacement sent after a return ('Exchange' in the return wizard): not part of the "
        "order's shipment.",
    )

    def _action_assign(self, force_qty=False):
        res = super()._action_assign(force_qty=force_qty)
        self._o2c_sync_orders()
        return res

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        moves._o2c_sync_orders()
        return moves

    def _o2c_sync_orders(self):
        """Reservation and new deliveries change "goods ready" and "shipped" of the orders."""
        # sudo: reservations are made by warehouse users and the scheduler; only the link is read
        orders = self.sudo().filtered(lambda m: m.picking_code == "outgoing").sale_line_id.order_id
        if orders:
            orders._o2c_sync()
