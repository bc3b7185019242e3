"""18.0.1.1.0: a customer's coordinator is company-dependent.

Up to 18.0.1.0.0, ``res.partner.support_coordinator_id`` (a foreign key to res_users) and
``is_support_coordinator_manual`` were plain columns shared by every company. Odoo 18 stores
company-dependent fields as jsonb ``{"<company id>": value}`` and cannot cast an integer to jsonb
itself: convert both columns before the models are loaded, keeping each value as the value of
the partner's company (the first company for a partner shared between companies)."""

import logging

from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)

COLUMNS = {"support_coordinator_id": "int4", "is_support_coordinator_manual": "bool"}


def migrate(cr, version):
    columns = sql.table_columns(cr, "res_partner")
    cr.execute("SELECT MIN(id) FROM res_company")
    [first_company_id] = cr.fetchone()
    for column, old_type in COLUMNS.items():
        if columns.get(column, {}).get("udt_name") != old_type:
            continue  # not there yet (new install) or already jsonb
        constraint = f"res_partner_{column}_fkey"
        # the foreign key of the plain column: a company-dependent field has none
        cr.execute(
            SQL(
                "ALTER TABLE res_partner DROP CONSTRAINT IF EXISTS %s",
                SQL.identifier(constraint),
            )
        )
        cr.execute("DELETE FROM ir_model_constraint WHERE name = %s AND type = 'f'", (constraint,))
        # (PostgreSQL refuses a subquery in USING: the first company is a parameter)
        cr.execute(
            SQL(
                """ALTER TABLE res_partner ALTER COLUMN %(col)s TYPE jsonb USING
                   CASE WHEN %(col)s IS NOT NULL AND %(col)s::text NOT IN ('0', 'false') THEN
                       jsonb_build_object(COALESCE(company_id, %(first)s)::text, to_jsonb(%(col)s))
                   END""",
                col=SQL.identifier(column),
                first=first_company_id,
            )
        )
        _logger.info("res_partner.%s: converted to company-dependent jsonb", column)
