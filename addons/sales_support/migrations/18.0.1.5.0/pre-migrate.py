"""18.0.1.5.0: "Strategic" and "Marked Lost" are company-dependent, as the figures they override.

Up to 18.0.1.4.0 they were plain boolean columns of res_partner, shared by every company. Odoo 18
stores company-dependent fields as jsonb ``{"<company id>": value}`` and cannot cast a boolean to
it itself. A customer of one company keeps its flag in that company; a customer shared between
companies keeps it in every company (nobody said for which one it was meant). One rewrite of the
table for both columns."""

import logging

from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)

COLUMNS = ["is_customer_strategic", "is_customer_lost"]


def migrate(cr, version):
    columns = sql.table_columns(cr, "res_partner")
    todo = [c for c in COLUMNS if c in columns and columns[c]["udt_name"] != "jsonb"]
    if not todo:
        return  # new install, or already converted
    # a shared customer: its flag in every company (ALTER ... USING allows no sub-query)
    cr.execute("SELECT jsonb_object_agg(id::text, TRUE)::text FROM res_company")
    [every_company] = cr.fetchone()
    cr.execute(
        SQL(
            "ALTER TABLE res_partner %s",
            SQL(", ").join(
                SQL(
                    """ALTER COLUMN %(col)s DROP DEFAULT,
                       ALTER COLUMN %(col)s TYPE jsonb USING
                       CASE WHEN %(col)s THEN
                           CASE WHEN company_id IS NOT NULL
                                THEN jsonb_build_object(company_id::text, TRUE)
                                ELSE %(every)s::jsonb END
                       END""",
                    col=SQL.identifier(column),
                    every=every_company,
                )
                for column in todo
            ),
        )
    )
    _logger.info("res_partner.%s: converted to company-dependent jsonb", ", ".join(todo))
