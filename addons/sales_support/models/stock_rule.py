from odoo import models


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _get_custom_move_fields(self):
        # Procurement values of a claim exchange mark the replacement moves (see
        # stock.return.picking).
        return super()._get_custom_move_fields() + [
            "is_o2c_exchange",
            "is_o2c_exchange_counted",
        ]
