#!/usr/bin/env python3
"""List the late orders of a coordinator: orders whose next Order-to-Cash step is past due.

    python late_orders.py --url http://localhost:8069 --db sales_support_demo \\
        --login api --key "$ODOO_API_KEY" --coordinator coordinator

Without ``--coordinator``, the logged-in user's own late orders (a coordinator's script run with
the coordinator's own key). Prints (and ``main()`` returns) the orders, the most overdue first:
next step, when it was due (UTC) and how late ("late by 3 d 4 h" in the user's language).
"""

from rpc_connect import argument_parser, odoorpc_connect, output, parse_args, xmlrpc_connect

ORDER_FIELDS = [
    "name",
    "partner_id",
    "user_id",
    "coordinator_id",
    "o2c_stage",
    "o2c_next_step",
    "date_o2c_next_deadline",
    "o2c_late_text",
]


def late_orders_domain(coordinator_id):
    """``is_o2c_late`` is computed from the deadline and now, and searchable (not stored)."""
    return [("is_o2c_late", "=", True), ("coordinator_id", "=", coordinator_id)]


def _no_coordinator(login):
    return LookupError(f"No active user has the login {login!r}: give a coordinator's login.")


def with_xmlrpc(url, db, login, key, coordinator=None):
    odoo = xmlrpc_connect(url, db, login, key)
    coordinator_id = odoo.uid
    if coordinator:
        ids = odoo.call("res.users", "search", [("login", "=", coordinator)], limit=1)
        if not ids:
            raise _no_coordinator(coordinator)
        coordinator_id = ids[0]
    return odoo.call(
        "sale.order",
        "search_read",
        late_orders_domain(coordinator_id),
        fields=ORDER_FIELDS,
        order="date_o2c_next_deadline, id",
    )


def with_odoorpc(url, db, login, key, coordinator=None):
    odoo = odoorpc_connect(url, db, login, key)
    coordinator_id = odoo.env.uid
    if coordinator:
        ids = odoo.env["res.users"].search([("login", "=", coordinator)], limit=1)
        if not ids:
            raise _no_coordinator(coordinator)
        coordinator_id = ids[0]
    return odoo.env["sale.order"].search_read(
        late_orders_domain(coordinator_id), ORDER_FIELDS, order="date_o2c_next_deadline, id"
    )


def main(argv=None):
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--coordinator", help="the coordinator's login (default: the user's own)")
    args = parse_args(parser, argv)
    run = with_odoorpc if args.client == "odoorpc" else with_xmlrpc
    return output(run(args.url, args.db, args.login, args.key, coordinator=args.coordinator))


if __name__ == "__main__":
    main()
