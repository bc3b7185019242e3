"""18.0.1.3.0: a claim replacement that counts as delivered has its own mark.

Before, the replacement of an exchange whose return lowered the delivered quantity carried
``to_refund`` on its move to the customer; Odoo's sale_stock reads that as a refund there (a
negative order line for a move without one). Move the mark to ``is_o2c_exchange_counted``."""


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
