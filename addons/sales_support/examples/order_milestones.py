#!/usr/bin/env python3
"""Read an order's Order-to-Cash milestones and its ledger (what happened, when, by whom).

    python order_milestones.py --url http://localhost:8069 --db sales_support_demo \\
        --login api --key "$ODOO_API_KEY" --order S00042

Prints (and ``main()`` returns) ``{"order": {...}, "events": [...]}``: the order's milestones
(UTC, ``false`` while not reached), its stage, next step and when it is due, and every event
of its ledger, oldest first. Each event names its source document (``source_ref``, e.g.
``"stock.picking,12"``).
"""

from rpc_connect import argument_parser, odoorpc_connect, output, parse_args, xmlrpc_connect

# One milestone per Order-to-Cash step, in order (UTC datetimes "YYYY-MM-DD HH:MM:SS").
MILESTONE_FIELDS = [
    "date_o2c_request",
    "date_o2c_quotation_sent",
    "date_o2c_customer_confirmed",
    "date_o2c_entered",
    "date_o2c_goods_ready",
    "date_o2c_shipped",
    "date_o2c_invoiced",
    "date_o2c_paid",
]
ORDER_FIELDS = [
    "name",
    "partner_id",
    "state",
    "coordinator_id",
    *MILESTONE_FIELDS,
    "o2c_stage",
    "o2c_next_step",
    "date_o2c_next_deadline",
    "is_o2c_late",
]
EVENT_FIELDS = ["event_type", "date", "user_id", "source_ref", "name"]


def _order_domain(order):
    """An order by its reference ("S00042") or its database id (42)."""
    return [("id", "=", int(order))] if str(order).isdigit() else [("name", "=", order)]


def _no_order(order):
    return LookupError(
        f"No order {order} is visible to this user: check the reference (or id) and that the "
        "order belongs to a company of the API user."
    )


def with_xmlrpc(url, db, login, key, order):
    odoo = xmlrpc_connect(url, db, login, key)
    orders = odoo.call("sale.order", "search_read", _order_domain(order), fields=ORDER_FIELDS)
    if not orders:
        raise _no_order(order)
    events = odoo.call(
        "sales.support.o2c.event",
        "search_read",
        [("order_id", "=", orders[0]["id"])],
        fields=EVENT_FIELDS,
        order="date, id",
    )
    return {"order": orders[0], "events": events}


def with_odoorpc(url, db, login, key, order):
    odoo = odoorpc_connect(url, db, login, key)
    orders = odoo.env["sale.order"].search_read(_order_domain(order), ORDER_FIELDS)
    if not orders:
        raise _no_order(order)
    events = odoo.env["sales.support.o2c.event"].search_read(
        [("order_id", "=", orders[0]["id"])], EVENT_FIELDS, order="date, id"
    )
    return {"order": orders[0], "events": events}


def main(argv=None):
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--order", required=True, help="order reference (S00042) or id")
    args = parse_args(parser, argv)
    run = with_odoorpc if args.client == "odoorpc" else with_xmlrpc
    return output(run(args.url, args.db, args.login, args.key, order=args.order))


if __name__ == "__main__":
    main()
