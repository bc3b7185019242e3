from odoo import models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _get_proc_values(self, line):
        # The replacement of an exchange is not part of the order's shipment (see
        # stock.move.is_o2c_exchange). It counts in the delivered quantity only when its return
        # lowered it ("Update quantities on SO/PO", Odoo's default): the two cancel out, as in
        # Odoo. A return that kept it (a claim's exchange) gets a replacement that does not raise
        # it (sale.order.line._get_outgoing_incoming_moves). Its own mark, not ``to_refund``:
        # on a move to the customer, Odoo reads that as a refund (a negative order line).
        return {
            **super()._get_proc_values(line),
            "is_o2c_exchange": True,
            "is_o2c_exchange_counted": line.to_refund,
        }
