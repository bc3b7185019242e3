"""Satisfaction counts a rating on the date its score was given (``rating.rating.o2c_rated_on``,
new), no longer on its write date, which Odoo moves when it rewrites what it stores on the
rating (the order renamed, the message made internal). The ratings given before: dated by
their write date, the date their figures were computed from. (Self-contained SQL.)"""


def migrate(cr, version):
    cr.execute(
        "UPDATE rating_rating SET o2c_rated_on = write_date"
        " WHERE consumed AND o2c_rated_on IS NULL"
    )
