from odoo import models


class MailMessage(models.Model):
    _inherit = "mail.message"

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def unlink(self):
        # A message deleted takes its ratings with it (ON DELETE CASCADE, in SQL: no
        # rating.unlink): their satisfaction figures go at the next nightly KPI refresh.
        # Deleting the message of a score given takes the score back: not by the users it
        # measures (Odoo deletes an order's messages with the order, as superuser).
        if not self.env.su:
            # sudo: the ratings of the messages, whatever the user may read of them
            given = self.sudo().rating_ids.filtered("consumed")
            given.with_env(self.env)._check_o2c_kpi_scores_written()
        self._note_o2c_kpi_ratings()
        return super().unlink()

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _note_o2c_kpi_ratings(self):
        """Note the KPI figures of the ratings of orders given with these messages."""
        # sudo: the ratings of the messages the user may change, whatever the user may read
        # of them; only their company and date are noted
        ratings = self.sudo().rating_ids.filtered(lambda rating: rating.res_model == "sale.order")
        self.env["o2c.kpi.pending.change"]._note_moved_figures("ratings", ratings)
