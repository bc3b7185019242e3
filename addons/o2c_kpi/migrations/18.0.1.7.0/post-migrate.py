"""Lead-to-order conversion is no longer computed per coordinator (a lead has none): the
figures stored per coordinator, all empty, go; their Records button searched the leads on a
field they lack. (Self-contained SQL.)"""


def migrate(cr, version):
    cr.execute(
        """
        DELETE FROM o2c_kpi_value
         WHERE kpi_code = 'sales_lead_conversion_pct' AND dimension = 'coordinator'
        """
    )
