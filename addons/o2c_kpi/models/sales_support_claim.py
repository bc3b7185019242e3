from odoo import models


class SalesSupportClaim(models.Model):
    _inherit = "sales.support.claim"

    # What moves the claim's figures from one period, company or order to another: the
    # nightly KPI refresh sees the new one in the write date, not the old one.
    _O2C_KPI_MOVING_FIELDS = frozenset({"company_id", "date_claim", "order_id"})

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if self._O2C_KPI_MOVING_FIELDS.intersection(vals):
            self.env["o2c.kpi.pending.change"]._note_moved_figures("claims", self)
        return super().write(vals)

    def unlink(self):
        self.env["o2c.kpi.pending.change"]._note_moved_figures("claims", self)
        return super().unlink()
