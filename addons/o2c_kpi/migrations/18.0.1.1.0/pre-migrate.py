"""``o2c.kpi.definition.compute_function`` becomes a Selection of the registered calculators
(it was free text): a definition naming no calculator gets the one of its category, before the
field's new type is set up (the column stays a varchar).

``sale.order.commercial_partner_id`` (stored related) is filled here in one UPDATE rather than
computed by the ORM order by order."""

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
    cr.execute("ALTER TABLE sale_order ADD COLUMN IF NOT EXISTS commercial_partner_id int4")
    cr.execute(
        """
        UPDATE sale_order so SET commercial_partner_id = partner.commercial_partner_id
          FROM res_partner partner
         WHERE partner.id = so.partner_id
           AND so.commercial_partner_id IS DISTINCT FROM partner.commercial_partner_id
        """
    )
