"""The Order-to-Cash ledger over RPC: a script reads it, nobody forges it."""

import xmlrpc.client

import pytest

# A 1x1 PNG: a signature as the portal sends it.
SIGNATURE_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
FORGED = [
    {"date_o2c_paid": "2020-01-01 00:00:00"},
    {"date_o2c_shipped": "2020-01-01 00:00:00"},
    {"o2c_stage": "paid"},
    {"date_o2c_next_deadline": False},
    {"order_entry_user_id": 1},
    {"origin_order_id": 1},  # a copy of a cancelled order is logged as an entry error
    # the customer's signature dates "confirmed by customer": the portal writes it, no user
    {"signed_on": "2020-01-01 00:00:00"},
    {"signed_by": "Customer"},
    {"signature": SIGNATURE_PNG},
]


def _confirmed_order(call):
    partner_id = call("res.partner", "search", [("name", "=", "Prairie Office Supply")], limit=1)[0]
    product_id = call(
        "product.product", "search", [("type", "=", "service"), ("sale_ok", "=", True)], limit=1
    )[0]
    order_id = call(
        "sale.order",
        "create",
        {
            "partner_id": partner_id,
            "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 2})],
        },
    )
    call("sale.order", "action_confirm", [order_id])
    return order_id


def test_forged_milestones_are_refused_over_xmlrpc(xmlrpc_login):
    call = xmlrpc_login("coordinator")
    order_id = _confirmed_order(call)
    for values in FORGED:
        with pytest.raises(xmlrpc.client.Fault) as fault:
            call("sale.order", "write", [order_id], values)
        assert fault.value.faultCode == 4, fault.value.faultString  # AccessError, not a traceback
        assert "recorded by Odoo" in fault.value.faultString
    [order] = call(
        "sale.order", "read", [order_id], ["o2c_stage", "date_o2c_paid", "date_o2c_shipped"]
    )
    assert order["o2c_stage"] == "entered"
    assert order["date_o2c_paid"] is False and order["date_o2c_shipped"] is False
    [durations] = call(
        "sale.order", "read", [order_id], ["o2c_processing_hours", "o2c_payment_hours"]
    )
    assert durations["o2c_payment_hours"] is False, "not paid: blank, not 0 h"
    assert isinstance(durations["o2c_processing_hours"], float)


def test_exchange_flag_is_refused_over_xmlrpc(xmlrpc_login):
    """A delivery whose moves are all "claim replacement" does not count as the shipment: nobody
    marks them over RPC."""
    call = xmlrpc_login("coordinator")
    partner_id = call("res.partner", "search", [("name", "=", "Prairie Office Supply")], limit=1)[0]
    product_id = call(
        "product.product", "search", [("is_storable", "=", True), ("sale_ok", "=", True)], limit=1
    )[0]
    order_id = call(
        "sale.order",
        "create",
        {
            "partner_id": partner_id,
            "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 1})],
        },
    )
    call("sale.order", "action_confirm", [order_id])
    move_ids = call("stock.move", "search", [("sale_line_id.order_id", "=", order_id)])
    assert move_ids
    for fname in ("is_o2c_exchange", "is_o2c_exchange_counted"):
        with pytest.raises(xmlrpc.client.Fault) as fault:
            call("stock.move", "write", move_ids, {fname: True})
        assert fault.value.faultCode == 4, fault.value.faultString
        assert "Claim Replacement" in fault.value.faultString
    moves = call("stock.move", "read", move_ids, ["is_o2c_exchange", "is_o2c_exchange_counted"])
    assert not any(move["is_o2c_exchange"] or move["is_o2c_exchange_counted"] for move in moves)


def test_claim_opened_is_dated_by_the_server(xmlrpc_login):
    """date_claim is what the user says: the ledger dates the claim's opening at its creation."""
    call = xmlrpc_login("coordinator")
    order_id = _confirmed_order(call)
    [partner] = call("sale.order", "read", [order_id], ["partner_id"])
    claim_id = call(
        "sales.support.claim",
        "create",
        {
            "partner_id": partner["partner_id"][0],
            "order_id": order_id,
            "claim_type": "damaged",
            "date_claim": "2020-01-01 00:00:00",
        },
    )
    [event] = call(
        "sales.support.o2c.event",
        "search_read",
        [("order_id", "=", order_id), ("event_type", "=", "claim_opened")],
        fields=["date", "source_id"],
    )
    assert event["source_id"] == claim_id
    assert not event["date"].startswith("2020"), event


def test_ledger_is_read_only_over_xmlrpc(xmlrpc_login):
    call = xmlrpc_login("coordinator")
    order_id = _confirmed_order(call)
    events = call(
        "sales.support.o2c.event",
        "search_read",
        [("order_id", "=", order_id)],
        fields=["event_type", "date", "user_id", "source_ref"],
        order="id",
    )
    assert [e["event_type"] for e in events] == ["request", "customer_confirmed", "entered"]
    assert (
        events[-1]["user_id"][0] == call("res.users", "search", [("login", "=", "coordinator")])[0]
    )
    manager = xmlrpc_login("csmanager")
    attempts = [
        ("create", ({"order_id": order_id, "event_type": "paid", "date": "2020-01-01 00:00:00"},)),
        ("write", ([events[0]["id"]], {"date": "2020-01-01 00:00:00"})),
        ("unlink", ([events[0]["id"]],)),
    ]
    for method, args in attempts:
        with pytest.raises(xmlrpc.client.Fault) as fault:
            manager("sales.support.o2c.event", method, *args)
        assert fault.value.faultCode == 4, fault.value.faultString
    assert len(call("sales.support.o2c.event", "search", [("order_id", "=", order_id)])) == 3


def test_manager_reads_durations_from_the_report(login):
    odoo = login("csmanager")
    Report = odoo.env["sales.support.o2c.report"]
    rows = Report.read_group(
        [("state", "=", "sale")], ["processing_hours:avg", "order_count:sum"], ["coordinator_id"]
    )
    assert rows and all("processing_hours" in row for row in rows)
