"""18.0.1.6.0: an order's request is received no later than the first step after it.

Orders imported before the install (or back-dated demo orders) were created after their order
date: their request milestone (the creation) came after their entry, and their processing time
was negative. Recompute the milestones of those orders, and what follows from them (durations,
planned dates, stage and deadline), with the ORM."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    cr.execute(
        """
        SELECT id FROM sale_order
         WHERE date_o2c_request > LEAST(date_o2c_quotation_sent, date_o2c_customer_confirmed,
                                        date_o2c_entered, date_o2c_goods_ready,
                                        date_o2c_shipped, date_o2c_invoiced, date_o2c_paid)
        """
    )
    ids = [row[0] for row in cr.fetchall()]
    if not ids:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Order = env["sale.order"]
    orders = Order.browse(ids)
    # the milestones (one compute for all of them), then every stored field computed from
    # them, recomputed after (their dependencies are the milestones)
    env.add_to_compute(Order._fields["date_o2c_request"], orders)
    Order.flush_model()
    dependents = [
        field
        for field in Order._fields.values()
        if field.store
        and field.compute
        and field.name.startswith(("date_o2c_planned_", "o2c_", "date_o2c_next_deadline"))
    ]
    for field in dependents:
        env.add_to_compute(field, orders)
    Order.flush_model()
    # written now: the nightly KPI refresh (o2c_kpi) recomputes their periods
    cr.execute(
        "UPDATE sale_order SET write_date = NOW() AT TIME ZONE 'UTC' WHERE id = ANY(%s)", [ids]
    )
