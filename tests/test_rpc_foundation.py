"""Foundation over RPC: a coordinator's script sees their orders and only theirs."""

import xmlrpc.client

import odoorpc
import pytest


def _xmlrpc(server, login, password):
    common = xmlrpc.client.ServerProxy(f"{server['url']}/xmlrpc/2/common")
    uid = common.authenticate(server["db"], login, password, {})
    assert uid, f"{login} could not log in"
    models = xmlrpc.client.ServerProxy(f"{server['url']}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(server["db"], uid, password, model, method, list(args), kwargs)

    return uid, call


def test_coordinator_creates_order_and_reads_its_coordinator(login):
    odoo = login("coordinator")
    coordinator_uid = odoo.env.uid
    partner_id = odoo.env["res.partner"].search([("name", "=", "Prairie Office Supply")])[0]
    salesperson_id = odoo.env["res.users"].search([("login", "=", "sales01")])[0]
    product_id = odoo.env["product.product"].search([("sale_ok", "=", True)], limit=1)[0]
    order_id = odoo.env["sale.order"].create(
        {
            "partner_id": partner_id,
            "user_id": salesperson_id,
            "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 3})],
        }
    )
    [order] = odoo.execute(
        "sale.order", "read", [order_id], ["coordinator_id", "is_coordinator_manual"]
    )
    assert order["coordinator_id"][0] == coordinator_uid
    assert order["is_coordinator_manual"] is False
    # the customer is served by the same coordinator
    [partner] = odoo.execute("res.partner", "read", [partner_id], ["support_coordinator_id"])
    assert partner["support_coordinator_id"][0] == coordinator_uid
    # and it is in the coordinator's own list
    assert order_id in odoo.env["sale.order"].search([("coordinator_id", "=", coordinator_uid)])


def test_coordinator_cannot_read_another_coordinators_order(login, odoo_server):
    manager = login("csmanager")
    other_order_ids = manager.env["sale.order"].search(
        [
            ("coordinator_id.login", "=", "coordinator2"),
            ("user_id.support_backup_coordinator_id.login", "!=", "coordinator"),
        ],
        limit=1,
    )
    assert other_order_ids, "the demo data has orders coordinated by Dana (coordinator2)"
    coordinator = login("coordinator")
    with pytest.raises(odoorpc.error.RPCError) as err:
        coordinator.execute("sale.order", "read", other_order_ids, ["name"])
    assert "AccessError" in str(err.value.info), err.value.info
    # the same over XML-RPC: an access fault (code 4), not a server error
    _uid, call = _xmlrpc(odoo_server, "coordinator", "coordinator")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("sale.order", "read", other_order_ids, ["name"])
    assert fault.value.faultCode == 4, fault.value.faultString
    assert other_order_ids[0] not in call("sale.order", "search", [])


def test_bad_input_over_rpc_is_a_validation_fault(odoo_server):
    _uid, call = _xmlrpc(odoo_server, "csmanager", "csmanager")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("sales.support.assignment.rule", "create", {"sequence": 5})
    assert fault.value.faultCode == 2
    assert "needs a coordinator" in fault.value.faultString
    salesperson = call("res.users", "search", [("login", "=", "sales02")])
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call(
            "sales.support.assignment.rule",
            "create",
            {"coordinator_id": salesperson[0]},
        )
    assert fault.value.faultCode == 2
    assert "no Sales Support group" in fault.value.faultString


def test_assistant_cannot_confirm_over_rpc(odoo_server):
    _uid, call = _xmlrpc(odoo_server, "assistant", "assistant")
    draft = call("sale.order", "search", [("state", "=", "draft")], limit=1)
    assert draft, "the assistant sees draft orders of the salespeople they serve"
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("sale.order", "action_confirm", draft)
    assert fault.value.faultCode == 4
    assert "do not confirm" in fault.value.faultString
