from odoo import models
from odoo.tools import create_index


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def init(self):
        res = super().init()
        # The incremental KPI refresh looks for the journal items written since its last run
        # (posted, reset to draft or cancelled since): a range on this index, not a read of
        # every receivable item each night. The writes that matter (posting, resetting,
        # reconciling) already change indexed columns (parent_state, reconciled,
        # amount_residual, matching_number): they were never in-place (HOT) updates, so this
        # index only adds its own entry.
        create_index(
            self.env.cr,
            "account_move_line_o2c_kpi_write_date_idx",
            self._table,
            ["write_date"],
        )
        return res
