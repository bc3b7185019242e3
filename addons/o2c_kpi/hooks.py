from odoo.tools import SQL

# The indexes the KPI engine adds to other modules' tables (see the models' init()).
FOREIGN_TABLE_INDEXES = (
    "sale_order_o2c_kpi_rating_to_request_idx",
    "sale_order_o2c_kpi_date_o2c_entered_idx",
    "sale_order_o2c_kpi_date_o2c_shipped_idx",
    "sale_order_o2c_kpi_date_o2c_paid_idx",
    "sale_order_o2c_kpi_customer_orders_idx",
    "sale_order_o2c_kpi_not_shipped_idx",
    "sales_support_request_o2c_kpi_date_first_response_idx",
    "sales_support_request_o2c_kpi_date_done_idx",
    "sales_support_request_o2c_kpi_write_date_idx",
    "sales_support_o2c_event_o2c_kpi_create_date_idx",
    "account_move_line_o2c_kpi_write_date_idx",
    "account_partial_reconcile_o2c_kpi_create_date_idx",
    "rating_rating_o2c_kpi_write_date_idx",
)


def post_init_hook(env):
    """Date the ratings given before the install (``rating.rating.date_o2c_rated``): the
    satisfaction KPIs count them from then."""
    env["rating.rating"]._o2c_kpi_date_given_ratings()


def uninstall_hook(env):
    """Drop the indexes the KPI engine added to other modules' tables (orders, requests,
    ledger events, journal items, reconciliations, ratings). Odoo drops the tables and
    columns of the models it removes, not indexes on the columns it keeps."""
    env.cr.execute(
        SQL(
            "DROP INDEX IF EXISTS %s",
            SQL(", ").join(SQL.identifier(name) for name in FOREIGN_TABLE_INDEXES),
        )
    )
