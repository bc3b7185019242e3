from odoo import models


class MailMessage(models.Model):
    _inherit = "mail.message"

    def unlink(self):
        # A message deleted takes its ratings with it (ON DELETE CASCADE, in SQL: no
        # rating.unlink): their satisfaction figures go at the next nightly KPI refresh.
        # sudo: the ratings of the messages the user may delete, whatever the user may read
        # of them; only their company and date are noted.
        ratings = self.sudo().rating_ids.filtered(lambda rating: rating.res_model == "sale.order")
        self.env["o2c.kpi.pending.change"]._note_moved_figures("ratings", ratings)
        return super().unlink()
