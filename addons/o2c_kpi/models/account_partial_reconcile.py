from odoo import models
from odoo.tools import create_index


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def init(self):
        res = super().init()
        # The incremental KPI refresh looks for the reconciliations made since its last run
        # (rows only created and deleted: the index costs no in-place update).
        create_index(
            self.env.cr,
            "account_partial_reconcile_o2c_kpi_create_date_idx",
            self._table,
            ["create_date"],
        )
        return res
