from odoo import models


class RatingRating(models.Model):
    _inherit = "rating.rating"

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        # Satisfaction counts a rating of an order when it is written (its write date, as
        # Odoo's own satisfaction of the last days): any write moves it to today's period,
        # and its old period loses it, which no write date shows.
        self._note_o2c_kpi_figures()
        return super().write(vals)

    def unlink(self):
        # A rating deleted: its period loses it.
        self._note_o2c_kpi_figures()
        return super().unlink()

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _note_o2c_kpi_figures(self):
        """Note the KPI figures of these ratings (those of orders) as they are now."""
        self.env["o2c.kpi.pending.change"]._note_moved_figures(
            "ratings", self.filtered(lambda rating: rating.res_model == "sale.order")
        )
