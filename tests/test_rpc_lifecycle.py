"""Order-to-Cash over RPC: a script logs a request, reads its SLA, follows an order."""

import xmlrpc.client

import pytest


def test_request_sla_and_order_milestones_over_rpc(login):
    odoo = login("coordinator")
    Request = odoo.env["sales.support.request"]
    partner_id = odoo.env["res.partner"].search([("name", "=", "Prairie Office Supply")])[0]
    type_id = odoo.env["sales.support.request.type"].search([("code", "=", "quotation")])[0]
    request_id = Request.create(
        {
            "subject": "50 desks for the new office",
            "partner_id": partner_id,
            "type_id": type_id,
            "channel": "api",
            "priority": "2",
        }
    )
    [request] = odoo.execute(
        "sales.support.request",
        "read",
        [request_id],
        [
            "name",
            "state",
            "sla_status",
            "date_received",
            "date_first_response_deadline",
            "date_resolution_deadline",
            "coordinator_id",
        ],
    )
    assert request["name"].startswith("REQ/")
    assert request["state"] == "new"
    assert request["sla_status"] == "on_time"
    assert request["coordinator_id"][0] == odoo.env.uid
    assert (
        request["date_received"]
        < request["date_first_response_deadline"]
        <= request["date_resolution_deadline"]
    )
    # searchable by SLA status
    assert request_id in Request.search([("sla_status", "=", "on_time"), ("id", "=", request_id)])

    action = odoo.execute("sales.support.request", "action_create_quotation", [request_id])
    order_id = action["res_id"]
    product_id = odoo.env["product.product"].search(
        [("type", "=", "service"), ("sale_ok", "=", True)], limit=1
    )[0]
    odoo.execute(
        "sale.order",
        "write",
        [order_id],
        {"order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 2})]},
    )
    odoo.execute("sale.order", "action_confirm", [order_id])
    [order] = odoo.execute(
        "sale.order",
        "read",
        [order_id],
        [
            "support_request_id",
            "date_o2c_request",
            "date_o2c_quotation_sent",
            "date_o2c_customer_confirmed",
            "date_o2c_entered",
            "date_o2c_shipped",
            "date_o2c_invoiced",
            "date_o2c_paid",
            "o2c_stage",
            "o2c_next_step",
            "date_o2c_next_deadline",
            "is_o2c_late",
            "o2c_processing_hours",
        ],
    )
    assert order["support_request_id"][0] == request_id
    assert order["date_o2c_request"] == request["date_received"]
    assert order["date_o2c_entered"] and order["date_o2c_customer_confirmed"]
    assert order["o2c_stage"] == "entered"
    assert order["o2c_next_step"] == "invoiced", "a service order goes straight to invoicing"
    assert order["is_o2c_late"] is False
    assert order["date_o2c_paid"] is False
    [request] = odoo.execute(
        "sales.support.request", "read", [request_id], ["state", "date_first_response"]
    )
    assert request["state"] == "in_progress" and request["date_first_response"]


def test_bad_claim_quantity_is_a_validation_fault(odoo_server):
    common = xmlrpc.client.ServerProxy(f"{odoo_server['url']}/xmlrpc/2/common")
    uid = common.authenticate(odoo_server["db"], "coordinator", "coordinator", {})
    models = xmlrpc.client.ServerProxy(f"{odoo_server['url']}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args):
        return models.execute_kw(odoo_server["db"], uid, "coordinator", model, method, list(args))

    partner_id = call("res.partner", "search", [("name", "=", "Prairie Office Supply")])[0]
    product_id = call("product.product", "search", [("sale_ok", "=", True)], 0, 1)[0]
    before = call("sales.support.claim", "search_count", [])
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call(
            "sales.support.claim",
            "create",
            {
                "partner_id": partner_id,
                "line_ids": [(0, 0, {"product_id": product_id, "quantity": -3})],
            },
        )
    assert fault.value.faultCode == 2
    assert "must be positive" in fault.value.faultString
    assert call("sales.support.claim", "search_count", []) == before, "nothing written"
