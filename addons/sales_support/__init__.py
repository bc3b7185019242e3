from odoo.tools import SQL

from . import models


def _post_init_hook(env):
    """Back-fill the Order-to-Cash milestones of orders that exist before the install, from what
    Odoo already knows (order date, signature), then let the ORM compute stages and durations."""
    env.cr.execute(SQL("""
        UPDATE sale_order SET date_o2c_request = create_date WHERE support_request_id IS NULL
    """))
    env.cr.execute(SQL("""
        UPDATE sale_order
           SET date_o2c_entered = date_order,
               date_o2c_customer_confirmed = COALESCE(signed_on, date_order),
               order_entry_user_id = user_id
         WHERE state = 'sale' AND date_o2c_entered IS NULL
    """))
    env.cr.execute(SQL("""
        UPDATE sale_order SET date_o2c_quotation_sent = date_order
         WHERE state = 'sent' AND date_o2c_quotation_sent IS NULL
    """))
    orders = env["sale.order"].search([])
    orders.invalidate_recordset()
    for fname in ("o2c_stage", "o2c_next_step", "date_o2c_next_deadline", "o2c_cycle_hours",
                  "o2c_processing_hours", "o2c_entry_hours", "o2c_confirmation_hours"):
        env.add_to_compute(orders._fields[fname], orders)
    orders._recompute_recordset()
