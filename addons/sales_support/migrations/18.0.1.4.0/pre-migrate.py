"""18.0.1.4.0: a customer's status, ABC class and contact figures are company-dependent.

Up to 18.0.1.3.0 they were plain columns of res_partner, computed for ONE company: the
partner's company, or for a partner shared between companies, the company of the nightly
computation (the company of the cron's user). Odoo 18 stores company-dependent fields as jsonb
``{"<company id>": value}`` and cannot cast a plain column to it itself: convert each column
before the models are loaded, its value becoming the value of the company it was computed for.
The next contact date is no longer stored (computed in the current company): its column goes."""

import logging

from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)

COLUMNS = [
    "customer_status",
    "customer_status_date",
    "customer_first_order_date",
    "customer_last_order_date",
    "customer_order_interval",
    "customer_revenue_12m",
    "customer_abc_class",
    "customer_last_contact_date",
    "customer_contact_reminded_date",
]


def migrate(cr, version):
    columns = sql.table_columns(cr, "res_partner")
    # the company the cron computed shared customers for: its user's company
    cr.execute(
        """SELECT u.company_id
             FROM ir_model_data d
             JOIN ir_cron c ON c.id = d.res_id
             JOIN res_users u ON u.id = c.user_id
            WHERE d.module = 'sales_support' AND d.name = 'ir_cron_customer_care'"""
    )
    row = cr.fetchone()
    if not row:
        cr.execute("SELECT MIN(id) FROM res_company")
        row = cr.fetchone()
    [cron_company_id] = row
    todo = [c for c in COLUMNS if c in columns and columns[c]["udt_name"] != "jsonb"]
    # (a column not there yet is a new install; a jsonb one is already converted)
    for column in todo:
        # the index of the plain column; Odoo creates the one of a company-dependent field
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(f"res_partner__{column}_index")))
    if todo:
        # one ALTER TABLE: the table is rewritten once, not once per column
        cr.execute(
            SQL(
                "ALTER TABLE res_partner %s",
                SQL(", ").join(
                    SQL(
                        """ALTER COLUMN %(col)s TYPE jsonb USING
                           CASE WHEN %(col)s IS NOT NULL THEN
                               jsonb_build_object(COALESCE(company_id, %(company)s)::text, %(col)s)
                           END""",
                        col=SQL.identifier(column),
                        company=cron_company_id,
                    )
                    for column in todo
                ),
            )
        )
        _logger.info("res_partner.%s: converted to company-dependent jsonb", ", ".join(todo))
    if "customer_next_contact_date" in columns:
        cr.execute("DROP INDEX IF EXISTS res_partner__customer_next_contact_date_index")
        cr.execute("ALTER TABLE res_partner DROP COLUMN customer_next_contact_date")
        _logger.info("res_partner.customer_next_contact_date: no longer stored")
