"""The figures of ratios of amounts (overdue %, DSO) carry the currency they are computed in,
as amounts do, so that group totals never mix two currencies: the figures stored before get
their company's currency (one UPDATE; later refreshes write it)."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE o2c_kpi_value figure SET currency_id = company.currency_id
          FROM o2c_kpi_definition kpi, res_company company
         WHERE kpi.id = figure.kpi_id AND kpi.category = 'money'
           AND company.id = figure.company_id AND figure.currency_id IS NULL
        """
    )
