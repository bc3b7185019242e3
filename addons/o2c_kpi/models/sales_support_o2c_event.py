from odoo import models
from odoo.tools import create_index


class SalesSupportO2cEvent(models.Model):
    _inherit = "sales.support.o2c.event"

    def init(self):
        res = super().init()
        # The incremental KPI refresh finds the orders given events since its last run by
        # their creation: the ledger is append-only, so this index costs its inserts only.
        create_index(
            self.env.cr,
            "sales_support_o2c_event_o2c_kpi_create_date_idx",
            self._table,
            ["create_date"],
        )
        return res
