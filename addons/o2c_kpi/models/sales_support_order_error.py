from odoo import models


class SalesSupportOrderError(models.Model):
    _inherit = "sales.support.order.error"

    # What moves the error's figures from one period or order to another (its company is its
    # order's): the nightly KPI refresh sees the new one in the write date, not the old one.
    _O2C_KPI_MOVING_FIELDS = frozenset({"order_id", "date_found"})

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if self._O2C_KPI_MOVING_FIELDS.intersection(vals):
            self.env["o2c.kpi.pending.change"]._note_moved_figures("errors", self)
        return super().write(vals)

    def unlink(self):
        self.env["o2c.kpi.pending.change"]._note_moved_figures("errors", self)
        return super().unlink()
