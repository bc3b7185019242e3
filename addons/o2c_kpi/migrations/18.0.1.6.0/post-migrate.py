"""Satisfaction counts a rating on the day its score was given (``rating.rating.date_o2c_rated``,
new), no longer on its write date, which Odoo moves when it rewrites what it stores on the
rating (the order renamed, the message made internal) or someone edits the comment. The ratings
given before: dated by their chatter message, posted when the score was first given (Odoo's
renaming or internal flag never change its date), else by their write date. Where that date is
not the write date the stored figures were computed from, both periods are noted for the next
nightly refresh (``o2c_kpi_pending_change``, one row per company). (Self-contained SQL.)"""


def migrate(cr, version):
    cr.execute(
        """
        WITH dated AS (
            UPDATE rating_rating rating
               SET date_o2c_rated = COALESCE(
                       (SELECT message.date FROM mail_message message
                         WHERE message.id = rating.message_id),
                       rating.write_date)
             WHERE rating.consumed AND rating.date_o2c_rated IS NULL
            RETURNING rating.res_model, rating.res_id, rating.write_date, rating.date_o2c_rated
        )
        -- one row per company, from its earliest rating moved (a message is dated to the
        -- second by the application, a write date to the microsecond by the database: a
        -- minute apart at least)
        INSERT INTO o2c_kpi_pending_change (company_id, date, source)
        SELECT so.company_id, MIN(LEAST(dated.write_date, dated.date_o2c_rated)), 'ratings'
          FROM dated
          JOIN sale_order so ON so.id = dated.res_id
         WHERE dated.res_model = 'sale.order'
           AND abs(extract(epoch FROM dated.date_o2c_rated - dated.write_date)) >= 60
         GROUP BY so.company_id
        """
    )
