#!/usr/bin/env python3
"""Read the KPI figures of a sales team, a salesperson or a coordinator for some months.

    python kpi_figures.py --url http://localhost:8069 --db sales_support_demo \\
        --login api --key "$ODOO_API_KEY" --month 2026-10 --team "Europe"
    python kpi_figures.py ... --month 2026-10 --salesperson "Marc Demo"

Prints (and ``main()`` returns) one row per KPI and month: its code, name, unit, value (``false``
when there was no data: a step not reached is missing, never 0), numerator, denominator and
currency (amounts are in the company's currency). Needs the o2c_kpi addon: it reads the stored
snapshots with ``o2c.kpi.value.get_kpis`` (a read-only method: a replica can answer it).
"""

from datetime import date

from rpc_connect import argument_parser, odoorpc_connect, output, parse_args, xmlrpc_connect


def month_bounds(month):
    """'2026-10' -> ('2026-10-01', '2026-10-31')."""
    start = date.fromisoformat(f"{month}-01")
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start.isoformat(), date.fromordinal(following.toordinal() - 1).isoformat()


def with_xmlrpc(url, db, login, key, month, team=None, salesperson=None):
    odoo = xmlrpc_connect(url, db, login, key)
    dimension = {}
    if team:
        [team_id] = odoo.call("crm.team", "search", [("name", "=", team)], limit=1)
        dimension["team_id"] = team_id
    if salesperson:
        [user_id] = odoo.call("res.users", "search", [("name", "=", salesperson)], limit=1)
        dimension["user_id"] = user_id
    date_from, date_to = month_bounds(month)
    return odoo.call("o2c.kpi.value", "get_kpis", date_from, date_to, "month", **dimension)


def with_odoorpc(url, db, login, key, month, team=None, salesperson=None):
    odoo = odoorpc_connect(url, db, login, key)
    dimension = {}
    if team:
        dimension["team_id"] = odoo.env["crm.team"].search([("name", "=", team)], limit=1)[0]
    if salesperson:
        dimension["user_id"] = odoo.env["res.users"].search([("name", "=", salesperson)], limit=1)[
            0
        ]
    date_from, date_to = month_bounds(month)
    return odoo.execute_kw("o2c.kpi.value", "get_kpis", [date_from, date_to, "month"], dimension)


def main(argv=None):
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--month", required=True, help="YYYY-MM")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--team", help="sales team name (default: the company's figures)")
    group.add_argument("--salesperson", help="salesperson (user) name")
    args = parse_args(parser, argv)
    run = with_odoorpc if args.client == "odoorpc" else with_xmlrpc
    return output(
        run(
            args.url,
            args.db,
            args.login,
            args.key,
            args.month,
            team=args.team,
            salesperson=args.salesperson,
        )
    )


if __name__ == "__main__":
    main()
