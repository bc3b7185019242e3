from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, create_index

# What a write can change of a rating's satisfaction figures: its score, whether it was
# given, its date and its order.
O2C_KPI_RATING_FIELDS = {
    "rating",
    "consumed",
    "date_o2c_rated",
    "res_model",
    "res_model_id",
    "res_id",
}
# Of those, what gives, changes or takes back the customer's answer on an order.
O2C_KPI_SCORE_FIELDS = O2C_KPI_RATING_FIELDS - {"date_o2c_rated"}


class RatingRating(models.Model):
    _inherit = "rating.rating"

    # The date of the satisfaction KPIs: when the customer gave the score. Odoo dates a rating
    # by its write date, which moves whenever Odoo rewrites what it stores on the rating (the
    # order renamed, the message made internal) or someone edits the comment.
    date_o2c_rated = fields.Datetime(
        string="Rated On",
        readonly=True,
        copy=False,
        index=True,
        help="When the customer gave this rating's score (a score given again dates it "
        "anew). The customer satisfaction KPIs count the rating on this date.",
    )

    def init(self):
        res = super().init()
        # The nightly KPI refresh finds the ratings of orders written since its last run.
        create_index(
            self.env.cr,
            "rating_rating_o2c_kpi_write_date_idx",
            "rating_rating",
            ["write_date"],
            where="res_model = 'sale.order'",
        )
        return res

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_o2c_kpi_date_written(vals_list)
        now = self.env.cr.now()
        for vals in vals_list:
            if vals.get("consumed") and not vals.get("date_o2c_rated"):
                vals["date_o2c_rated"] = now
        ratings = super().create(vals_list)
        ratings._check_o2c_kpi_ratings_created()
        return ratings

    def write(self, vals):
        self._check_o2c_kpi_date_written([vals])
        # (a rating given with a message goes with it, ON DELETE CASCADE: linking it to
        # another message is taking it back too; Odoo links it as superuser)
        scores_written = bool(O2C_KPI_SCORE_FIELDS & vals.keys()) or (
            "message_id" in vals and not self.env.su
        )
        if scores_written:
            # the ratings of orders before the write (a score changed, taken back, moved away)
            self._check_o2c_kpi_scores_written()
        rescored = self.browse()
        if "date_o2c_rated" not in vals:
            if "consumed" in vals and not vals["consumed"]:
                # a rating asked again (reset): not given any more
                vals = {**vals, "date_o2c_rated": False}
            elif vals.get("consumed") or "rating" in vals:
                # a score given (the rating link), or a given score changed: rated now; the
                # same score given again (the customer adding a comment on the rating page)
                # keeps the day it was given
                rescored = self.filtered(
                    lambda rating: (vals.get("consumed") or rating.consumed)
                    and (
                        not rating.consumed
                        or not rating.date_o2c_rated
                        or ("rating" in vals and rating._o2c_kpi_differs("rating", vals["rating"]))
                    )
                )
        # A score given again with another value moves the rating to today's period, and
        # its old period loses it; a rating moved to another order or date leaves the old
        # one's figures: the nightly refresh finds the ratings written or given since, not
        # the old figures. Other writes (a comment, the name Odoo stores) move nothing.
        written = O2C_KPI_RATING_FIELDS & vals.keys()
        if written:
            self.filtered(
                lambda rating: any(rating._o2c_kpi_differs(fname, vals[fname]) for fname in written)
            )._note_o2c_kpi_figures()
        res = super().write(vals)
        if scores_written:
            # ... and after it (a rating of another app moved to an order with its score)
            self._check_o2c_kpi_scores_written()
        if rescored:
            super(RatingRating, rescored).write({"date_o2c_rated": self.env.cr.now()})
        return res

    def unlink(self):
        # A rating deleted: its period loses it.
        self._note_o2c_kpi_figures()
        return super().unlink()

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _check_o2c_kpi_date_written(self, vals_list):
        """The date a rating was given feeds the satisfaction KPIs: it is set when the
        customer gives the score, never by a user (imports of history run as superuser)."""
        if not self.env.su and any("date_o2c_rated" in vals for vals in vals_list):
            raise UserError(
                _(
                    "The date a rating was given (Rated On) is set when the customer gives "
                    "the score; it cannot be written. Leave it out of the values."
                )
            )

    def _o2c_kpi_differs(self, fname, value):
        """Whether ``value`` (as written: an id, a number as a string...) differs from this
        rating's value of ``fname``."""
        self.ensure_one()
        field = self._fields[fname]
        return field.convert_to_cache(self[fname], self) != field.convert_to_cache(value, self)

    def _get_o2c_kpi_orders(self):
        """The orders of these ratings (those of orders)."""
        # sudo: whose figures the ratings make, whatever orders the user may read
        return (
            self.env["sale.order"]
            .sudo()
            .browse(self.filtered(lambda rating: rating.res_model == "sale.order").mapped("res_id"))
            .exists()
        )

    @api.model
    def _o2c_kpi_may_record_scores(self, orders):
        """Whether the current user may give, change or take back by hand the scores of the
        ratings of ``orders``: the superuser (scripts, crons), and the KPI managers (the
        customer-service manager, sales administrators), who record a score the customer
        gave another way, except on the orders they sell or coordinate (their own figures).
        Not the salespeople, coordinators and assistants whose satisfaction figures the
        scores make: Odoo lets any employee write ratings."""
        user = self.env.user
        if user._is_superuser():
            return True
        if not user.has_group("o2c_kpi.group_o2c_kpi_manager"):
            return False
        return user not in orders.sudo().user_id | orders.sudo().coordinator_id

    @api.model
    def _o2c_kpi_answers_as_customer(self):
        """Whether this is the rating page answering for the customer: it writes the rating
        as superuser, for the visitor following the link (the public user, or a portal
        user logged in). An employee logged in is not answering as the customer."""
        return self.env.su and self.env.user.share

    @api.model
    def _check_o2c_kpi_score_posted(self, orders):
        """Refuse a score posted with a message on ``orders`` (``message_post`` with a
        ``rating_value``: Odoo creates that rating as superuser) to a user who may not record
        one; the user is the one logged in, whatever superuser mode the caller runs in."""
        if not self._o2c_kpi_may_record_scores(orders):
            raise UserError(self._get_o2c_kpi_score_refused_message())

    def _check_o2c_kpi_scores_written(self):
        """Refuse giving, changing or taking back the score of these ratings (their score,
        whether it was given, their order or message), for those of orders, to the users
        the satisfaction KPIs measure (see :meth:`_o2c_kpi_may_record_scores`)."""
        if self._o2c_kpi_answers_as_customer():
            return
        orders = self._get_o2c_kpi_orders()
        if orders and not self._o2c_kpi_may_record_scores(orders):
            raise UserError(self._get_o2c_kpi_score_refused_message())

    def _check_o2c_kpi_ratings_created(self):
        """Ratings of orders are asked for by the rating e-mail, which creates them as
        superuser: an employee who is not a KPI manager creates none by hand (its link would
        let them answer as the customer), nor one with a score."""
        if self._o2c_kpi_answers_as_customer():
            return
        orders = self._get_o2c_kpi_orders()
        if not orders or self._o2c_kpi_may_record_scores(orders):
            return
        if not self.env.su:
            raise UserError(
                _(
                    "Ratings of orders are asked for by the rating e-mail sent after the "
                    "delivery; only a KPI manager (the customer-service manager, a sales "
                    "administrator) creates one by hand."
                )
            )
        if any(
            rating.consumed or rating.rating for rating in self if rating.res_model == "sale.order"
        ):
            raise UserError(self._get_o2c_kpi_score_refused_message())

    @api.model
    def _get_o2c_kpi_score_refused_message(self):
        return _(
            "Only the customer rates an order, through the link of the rating e-mail. A KPI "
            "manager (the customer-service manager, a sales administrator) who neither sells "
            "nor coordinates the order records a score the customer gave another way, such "
            "as by phone: ask one of them."
        )

    def _note_o2c_kpi_figures(self):
        """Note the KPI figures of these ratings (those of orders) as they are now."""
        self.env["o2c.kpi.pending.change"]._note_moved_figures(
            "ratings", self.filtered(lambda rating: rating.res_model == "sale.order")
        )

    @api.model
    def _o2c_kpi_date_given_ratings(self):
        """Date the ratings given before the KPI engine knew when (installed on a database
        with ratings): by their chatter message, posted when the score was first given
        (Odoo's renaming or internal flag never change its date), else by their write date.
        One statement; no figure exists yet to recompute (see migration 18.0.1.6.0 for an
        update)."""
        self.flush_model(["consumed", "date_o2c_rated", "message_id"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE rating_rating rating
                   SET date_o2c_rated = COALESCE(
                           (SELECT message.date FROM mail_message message
                             WHERE message.id = rating.message_id),
                           rating.write_date)
                 WHERE rating.consumed AND rating.date_o2c_rated IS NULL
                """
            )
        )
        self.invalidate_model(["date_o2c_rated"])
