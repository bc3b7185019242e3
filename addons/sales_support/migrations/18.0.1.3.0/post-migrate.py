"""18.0.1.3.0

- A claim replacement that counts as delivered has its own mark. Before, the replacement of an
  exchange whose return lowered the delivered quantity carried ``to_refund`` on its move to the
  customer; Odoo's sale_stock reads that as a refund there (a negative order line for a move
  without one). Move the mark to ``is_o2c_exchange_counted``.
- The late-step reminder mark is now cleared when the order moves to another step: clear the
  marks left from before, so that a step reached again is reminded again.
- The payment step is due at the end of the due day in the company's time zone (was UTC):
  recompute the deadlines of the orders waiting for payment.
- Ledger descriptions are now a translated field: Odoo converted the column, keeping each
  existing text as the English one (events recorded before keep the language they were
  recorded in)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    cr.execute("""
        UPDATE stock_move m
           SET is_o2c_exchange_counted = TRUE,
               to_refund = FALSE
          FROM stock_location dest
         WHERE dest.id = m.location_dest_id
           AND dest.usage = 'customer'
           AND m.is_o2c_exchange
           AND m.to_refund
    """)
    cr.execute("""
        UPDATE sale_order
           SET o2c_late_notified_step = NULL
         WHERE o2c_late_notified_step IS NOT NULL
           AND o2c_late_notified_step IS DISTINCT FROM o2c_next_step
    """)
    env = api.Environment(cr, SUPERUSER_ID, {})
    Order = env["sale.order"]
    waiting = Order.search([("o2c_next_step", "=", "paid")])
    env.add_to_compute(Order._fields["date_o2c_next_deadline"], waiting)
    Order.flush_model(["date_o2c_next_deadline"])
