"""The nightly refresh compares each order changed since its last run with the values the
figures were computed from (``o2c.kpi.order.seen``, new). Where it has run already, record
the orders not written nor given ledger events since its last run (minus its look-back of 10
minutes): the stored figures reflect their current values. The others (and any order without
a row) are measured from their earliest date when they change, as before. (Self-contained:
the columns as this version records them.)"""

from datetime import timedelta

from odoo import fields


def migrate(cr, version):
    cr.execute("SELECT value FROM ir_config_parameter WHERE key = 'o2c_kpi.refresh_watermark'")
    row = cr.fetchone()
    if not row or not row[0]:
        return
    since = fields.Datetime.to_datetime(row[0]) - timedelta(minutes=10)
    cr.execute(
        """
        INSERT INTO o2c_kpi_order_seen (
               id, order_id, company_id, fingerprint, order_create_date, date_order,
               date_request, date_entered, date_shipped, date_paid, commitment_date,
               delivery_status, has_deliveries, amount_untaxed, currency_rate)
        SELECT so.id, so.id, so.company_id,
               md5(ROW(so.company_id, so.commercial_partner_id, so.team_id, so.user_id,
                       so.coordinator_id, so.state)::text),
               so.create_date, so.date_order, so.date_o2c_request, so.date_o2c_entered,
               so.date_o2c_shipped, so.date_o2c_paid, so.commitment_date, so.delivery_status,
               so.has_o2c_deliveries, so.amount_untaxed, so.currency_rate
          FROM sale_order so
         WHERE so.write_date < %(since)s
           AND NOT EXISTS (SELECT 1 FROM sales_support_o2c_event event
                            WHERE event.order_id = so.id AND event.create_date >= %(since)s)
        ON CONFLICT (id) DO NOTHING
        """,
        {"since": since},
    )
    cr.execute("ANALYZE o2c_kpi_order_seen")
