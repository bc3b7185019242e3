"""Foreign-trade documents over XML-RPC: an external script lists what an export order still
misses and marks a document sent (see addons/sales_support/readme/API.md)."""

import xmlrpc.client

import pytest


def _export_order(call):
    partner_id = call("res.partner", "search", [("name", "=", "Prairie Office Supply")], limit=1)[0]
    product_id = call(
        "product.product", "search", [("type", "=", "consu"), ("sale_ok", "=", True)], limit=1
    )[0]
    # a domestic customer, goods shipped abroad: the export flag is set by hand
    return call(
        "sale.order",
        "create",
        {
            "partner_id": partner_id,
            "is_export": True,
            "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 2})],
        },
    )


def test_script_lists_missing_documents_and_marks_one_sent(xmlrpc_login):
    call = xmlrpc_login("coordinator")
    order_id = _export_order(call)
    missing = call("sale.order", "get_missing_documents", [order_id])
    codes = {doc["code"] for doc in missing}
    assert {"CI", "PL", "EXD"} <= codes, missing
    assert all(doc["order_id"] == order_id and doc["state"] == "to_prepare" for doc in missing)
    invoice = next(doc for doc in missing if doc["code"] == "CI")

    call("sales.support.document", "action_mark_sent", [invoice["id"]])

    [doc] = call("sales.support.document", "read", [invoice["id"]], ["state", "date_sent"])
    assert doc["state"] == "sent" and doc["date_sent"]
    left = call("sale.order", "get_missing_documents", [order_id])
    assert invoice["id"] not in {d["id"] for d in left}
    assert len(left) == len(missing) - 1
    events = call(
        "sales.support.o2c.event",
        "search_read",
        [("order_id", "=", order_id), ("event_type", "like", "document_")],
        fields=["event_type"],
    )
    assert sorted(e["event_type"] for e in events) == ["document_ready", "document_sent"]


def test_script_errors_are_actionable(xmlrpc_login):
    call = xmlrpc_login("coordinator")
    order_id = _export_order(call)
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("sale.order", "get_missing_documents", [order_id], block="shipping")
    assert fault.value.faultCode == 2, fault.value.faultString
    assert "block must be" in fault.value.faultString
    [doc] = call("sale.order", "get_missing_documents", [order_id])[:1]
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("sales.support.document", "write", [doc["id"]], {"state": "returned"})
    assert fault.value.faultCode == 2 and "buttons" in fault.value.faultString
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("sales.support.document", "action_mark_returned", [doc["id"]])
    assert fault.value.faultCode == 2 and "Only sent documents" in fault.value.faultString
