"""``o2c.kpi.definition.compute_function`` becomes a Selection of the registered calculators
(it was free text): a definition naming no calculator gets the one of its category, before the
field's new type is set up (the column stays a varchar)."""

import json

CALCULATOR_OF_CATEGORY = {
    "support": "support_kpis",
    "orders": "order_kpis",
    "customers": "customer_kpis",
    "sales": "sales_kpis",
    "money": "money_kpis",
}


def migrate(cr, version):
    cr.execute(
        """
        UPDATE o2c_kpi_definition kpi
           SET compute_function = calculator.name
          FROM (SELECT * FROM jsonb_each_text(%s::jsonb)) AS calculator(category, name)
         WHERE calculator.category = kpi.category
           AND kpi.compute_function NOT IN %s
        """,
        [
            json.dumps(CALCULATOR_OF_CATEGORY),
            tuple(CALCULATOR_OF_CATEGORY.values()),
        ],
    )
