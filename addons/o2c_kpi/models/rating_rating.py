from odoo import models


class RatingRating(models.Model):
    _inherit = "rating.rating"

    def write(self, vals):
        # Satisfaction counts a rating of an order when it is written (its write date): any
        # write moves it to today's period, and its old period loses it, which no write date
        # shows.
        self.env["o2c.kpi.pending.change"]._note_moved_figures(
            "ratings", self.filtered(lambda rating: rating.res_model == "sale.order")
        )
        return super().write(vals)

    def unlink(self):
        self.env["o2c.kpi.pending.change"]._note_moved_figures(
            "ratings", self.filtered(lambda rating: rating.res_model == "sale.order")
        )
        return super().unlink()
