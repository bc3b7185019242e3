from odoo import api, fields, models
from odoo.tools import SQL

# What a write can change of a rating's satisfaction figures: its score, whether it was
# given, its date and its order.
O2C_KPI_RATING_FIELDS = {
    "rating",
    "consumed",
    "o2c_rated_on",
    "res_model",
    "res_model_id",
    "res_id",
}


class RatingRating(models.Model):
    _inherit = "rating.rating"

    # The date of the satisfaction KPIs: when the customer gave the score. Odoo dates a rating
    # by its write date, which moves whenever Odoo rewrites what it stores on the rating (the
    # order renamed, the message made internal) or someone edits the comment.
    o2c_rated_on = fields.Datetime(
        string="Rated On",
        readonly=True,
        copy=False,
        index=True,
        help="When the customer last gave this rating's score (the date the satisfaction "
        "KPIs count it on).",
    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("consumed") and not vals.get("o2c_rated_on"):
                vals["o2c_rated_on"] = now
        return super().create(vals_list)

    def write(self, vals):
        if "o2c_rated_on" not in vals and ("rating" in vals or "consumed" in vals):
            if "consumed" in vals and not vals["consumed"]:
                # a rating asked again (reset): not given any more
                vals = {**vals, "o2c_rated_on": False}
            else:
                # a score given (the rating link), or given again: rated now
                vals = {**vals, "o2c_rated_on": fields.Datetime.now()}
        # A score given again moves the rating to today's period, and its old period loses
        # it; a rating moved to another order leaves the old order's company and period:
        # the nightly refresh finds the ratings given since, not the old figures. Other
        # writes (a comment, the name Odoo stores) move nothing.
        if O2C_KPI_RATING_FIELDS & vals.keys():
            self._note_o2c_kpi_figures()
        res = super().write(vals)
        if {"res_model", "res_model_id", "res_id"} & vals.keys():
            # ... and the new order's (given before the nightly refresh's last run)
            self._note_o2c_kpi_figures()
        return res

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

    @api.model
    def _o2c_kpi_date_given_ratings(self):
        """Date the ratings given before the KPI engine knew when (installed on a database
        with ratings, or updated from a version dating them by their write date): by their
        write date, the best date they have. One statement."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE rating_rating SET o2c_rated_on = write_date
                 WHERE consumed AND o2c_rated_on IS NULL
                """
            )
        )
        self.invalidate_model(["o2c_rated_on"])
