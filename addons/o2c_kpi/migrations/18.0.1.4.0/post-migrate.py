"""The nightly refresh compares each order changed since its last run with the values the
figures were computed from (``o2c.kpi.order.seen``, new). Where it has run already, record
the orders not written since its last run (minus its look-back): the stored figures reflect
their current values. The others (and any order without a row) are measured from their
earliest date when they change, as before."""

from odoo import SUPERUSER_ID, api, fields

from odoo.addons.o2c_kpi.models.o2c_kpi_value import REFRESH_LOOKBACK


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    watermark = env["ir.config_parameter"].get_param("o2c_kpi.refresh_watermark")
    if watermark:
        env["o2c.kpi.order.seen"]._record(
            written_before=fields.Datetime.to_datetime(watermark) - REFRESH_LOOKBACK
        )
