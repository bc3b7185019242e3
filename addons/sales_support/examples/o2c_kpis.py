#!/usr/bin/env python3
"""Read Order-to-Cash KPIs per coordinator and month from the Order-to-Cash analysis.

    python o2c_kpis.py --url http://localhost:8069 --db sales_support_demo \\
        --login api --key "$ODOO_API_KEY" --since 2025-01-01

Prints (and ``main()`` returns) one row per coordinator and month of the order date: number of
orders, average hours from request to entry (processing) and from entry to shipment (delivery).
Averages skip the orders that have not reached the step (``null`` when none has).

The KPI engine (targets, scores) comes later and will have its own model; this analysis
(``sales.support.o2c.report``, one row per order) stays the source of the durations.
"""

from datetime import date

from rpc_connect import argument_parser, odoorpc_connect, output, parse_args, xmlrpc_connect

MEASURES = ["processing_hours:avg", "delivery_hours:avg", "order_count:sum"]
GROUPBY = ["coordinator_id", "date_order:month"]


def kpi_domain(since=None):
    return [("date_order", ">=", f"{since} 00:00:00")] if since else []


def kpi_rows(groups):
    """``read_group`` rows -> plain rows. The month comes from ``__range`` (the first instant of
    the month, UTC) rather than from its label, which is in the user's language."""
    rows = []
    for group in groups:
        month_range = group["__range"]["date_order:month"]
        rows.append(
            {
                "coordinator": group["coordinator_id"] and group["coordinator_id"][1],
                "coordinator_id": group["coordinator_id"] and group["coordinator_id"][0],
                "month": month_range["from"][:7] if month_range else None,
                "orders": group["order_count"],
                "processing_hours_avg": group["processing_hours"],
                "delivery_hours_avg": group["delivery_hours"],
            }
        )
    return rows


def with_xmlrpc(url, db, login, key, since=None):
    odoo = xmlrpc_connect(url, db, login, key)
    groups = odoo.call(
        "sales.support.o2c.report",
        "read_group",
        kpi_domain(since),
        MEASURES,
        GROUPBY,
        lazy=False,
        orderby="date_order:month, coordinator_id",
    )
    return kpi_rows(groups)


def with_odoorpc(url, db, login, key, since=None):
    odoo = odoorpc_connect(url, db, login, key)
    groups = odoo.env["sales.support.o2c.report"].read_group(
        kpi_domain(since), MEASURES, GROUPBY, lazy=False, orderby="date_order:month, coordinator_id"
    )
    return kpi_rows(groups)


def main(argv=None):
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        help="first order date, YYYY-MM-DD (default: every order)",
    )
    args = parse_args(parser, argv)
    run = with_odoorpc if args.client == "odoorpc" else with_xmlrpc
    return output(run(args.url, args.db, args.login, args.key, since=args.since))


if __name__ == "__main__":
    main()
