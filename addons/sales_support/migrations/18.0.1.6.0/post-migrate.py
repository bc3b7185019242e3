"""18.0.1.6.0: a request dated after the order was first sent, confirmed or entered is unknown.

Orders imported into Odoo before the install (or back-dated) were created after their order
date: their request milestone (the creation) came after their entry, and their durations from
the request were negative. Those milestones are now empty (see
``sales.support.o2c.event._get_milestones``). One statement, whatever the number of orders (the
other milestones, the stage and the deadlines do not change: these orders are past the request
step); written now, so that the nightly KPI refresh recomputes their periods."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE sale_order
           SET date_o2c_request = NULL, write_date = NOW() AT TIME ZONE 'UTC'
         WHERE date_o2c_request > LEAST(date_o2c_quotation_sent, date_o2c_customer_confirmed,
                                        date_o2c_entered)
        """
    )
