from odoo import models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _get_proc_values(self, line):
        # The replacement of an exchange is not part of the order's shipment (see
        # stock.move.is_o2c_exchange).
        return {**super()._get_proc_values(line), "is_o2c_exchange": True}
