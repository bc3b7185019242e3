from odoo import models
from odoo.tools import create_index


class SalesSupportRequest(models.Model):
    _inherit = "sales.support.request"

    # What moves the request's figures from one period or company to another: the nightly KPI
    # refresh sees the new one in the write date, not the old one.
    _O2C_KPI_MOVING_FIELDS = frozenset({"company_id", "date_received"})

    def init(self):
        res = super().init()
        # The KPI refresh reads the requests answered and done in a date range: an incremental
        # refresh of a month reads a month, not the whole table.
        # The incremental refresh looks for the requests written since its last run. (Unlike
        # orders, nearly every request write changes an indexed column anyway: state, dates
        # of response and resolution, breach flags; the index costs few in-place updates.)
        for column in ("date_first_response", "date_done", "write_date"):
            create_index(
                self.env.cr,
                f"sales_support_request_o2c_kpi_{column}_idx",
                "sales_support_request",
                [column],
            )
        return res

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if self._O2C_KPI_MOVING_FIELDS.intersection(vals):
            self.env["o2c.kpi.pending.change"]._note_moved_figures("requests", self)
        return super().write(vals)

    def unlink(self):
        self.env["o2c.kpi.pending.change"]._note_moved_figures("requests", self)
        return super().unlink()
