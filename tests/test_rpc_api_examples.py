"""The External API examples (addons/sales_support/examples, readme/API.md) run against the live
server, logged in with an API key of an "API user", with both clients (xmlrpc.client, odoorpc);
and the API user's role gives the least rights those calls need.

The helpers at the top (API user, API keys, another company's records) are also used by
test_rpc_bad_payloads.py."""

import json
import sys
import uuid
import xmlrpc.client
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import odoorpc
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "addons" / "sales_support" / "examples"
sys.path.insert(0, str(EXAMPLES))

import create_request  # noqa: E402
import late_orders  # noqa: E402
import o2c_kpis  # noqa: E402
import order_milestones  # noqa: E402
from rpc_connect import xmlrpc_connect  # noqa: E402

API_LOGIN = "e2e_api_user"
API_KEY_NAME = "e2e tests"
OTHER_CUSTOMER = "E2E Customer of the Other Company"
CLIENTS = ("xmlrpc", "odoorpc")


# ----------------------------------------------------------------------------------------------
# Helpers shared with test_rpc_bad_payloads.py
# ----------------------------------------------------------------------------------------------
def connect(server, login, password=None):
    """An XML-RPC session (``.uid``, ``.call(model, method, *args, **kwargs)``)."""
    return xmlrpc_connect(server["url"], server["db"], login, password or login)


def xmlid_to_id(admin, xmlid):
    module, name = xmlid.split(".")
    [row] = admin.call(
        "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], ["res_id"]
    )
    return row["res_id"]


def user_id(admin, login):
    [uid] = admin.call("res.users", "search", [("login", "=", login)])
    return uid


def generate_api_key(db, uid, days=30):
    """An API key of user ``uid``, generated as that user in Odoo (as Preferences > Account
    Security > New API Key does): keys of non-administrators expire within 90 days."""
    from odoo import api
    from odoo.modules.registry import Registry

    with Registry(db).cursor() as cr:
        env = api.Environment(cr, uid, {})
        expiration = datetime.now() + timedelta(days=days)
        return env["res.users.apikeys"]._generate(None, API_KEY_NAME, expiration)


def remove_api_keys(db, uid):
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    with Registry(db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        keys = env["res.users.apikeys"].search([("user_id", "=", uid), ("name", "=", API_KEY_NAME)])
        keys.unlink()


def ensure_api_user(admin):
    """The integration's account: only the "API User" role of Sales Support (which implies
    Internal User), in the main company, without a password (it logs in with API keys)."""
    group_id = xmlid_to_id(admin, "sales_support.group_support_api")
    [coordinator] = admin.call("res.users", "read", [user_id(admin, "coordinator")], ["company_id"])
    company_id = coordinator["company_id"][0]
    values = {
        "name": "E2E Integration",
        "login": API_LOGIN,
        "groups_id": [(6, 0, [group_id])],
        "company_id": company_id,
        "company_ids": [(6, 0, [company_id])],
        "active": True,
    }
    ids = admin.call("res.users", "search", [("login", "=", API_LOGIN)], context={"active_test": 0})
    if ids:
        admin.call("res.users", "write", ids, values)
        return ids[0], company_id
    return admin.call("res.users", "create", values), company_id


def ensure_other_company_records(admin, main_company_id):
    """A customer and a quotation of another company than the API user's and the demo users'."""
    other_ids = admin.call(
        "res.company", "search", [("id", "!=", main_company_id)], limit=1, order="id"
    )
    other_company_id = (
        other_ids[0]
        if other_ids
        else admin.call("res.company", "create", {"name": "E2E Other Company"})
    )
    admin_id = user_id(admin, "admin")
    admin.call("res.users", "write", [admin_id], {"company_ids": [(4, other_company_id)]})
    ctx = {"allowed_company_ids": [other_company_id]}
    partner_ids = admin.call("res.partner", "search", [("name", "=", OTHER_CUSTOMER)], context=ctx)
    partner_id = (
        partner_ids[0]
        if partner_ids
        else admin.call(
            "res.partner",
            "create",
            {"name": OTHER_CUSTOMER, "company_id": other_company_id, "email": "other@e2e.example"},
            context=ctx,
        )
    )
    order_ids = admin.call("sale.order", "search", [("partner_id", "=", partner_id)], context=ctx)
    if order_ids:
        order_id = order_ids[0]
    else:
        product_id = admin.call(
            "product.product",
            "search",
            [("sale_ok", "=", True), ("company_id", "=", False)],
            limit=1,
            context=ctx,
        )[0]
        order_id = admin.call(
            "sale.order",
            "create",
            {
                "partner_id": partner_id,
                "company_id": other_company_id,
                "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 1})],
            },
            context=ctx,
        )
    [order] = admin.call("sale.order", "read", [order_id], ["order_line"], context=ctx)
    return {
        "company_id": other_company_id,
        "partner_id": partner_id,
        "order_id": order_id,
        "order_line_id": order["order_line"][0],
    }


def confirmed_order(session, customer="Prairie Office Supply"):
    """A confirmed order of one service line, created and confirmed by ``session``'s user."""
    partner_id = session.call("res.partner", "search", [("name", "=", customer)], limit=1)[0]
    product_id = session.call(
        "product.product", "search", [("type", "=", "service"), ("sale_ok", "=", True)], limit=1
    )[0]
    order_id = session.call(
        "sale.order",
        "create",
        {
            "partner_id": partner_id,
            "order_line": [(0, 0, {"product_id": product_id, "product_uom_qty": 2})],
        },
    )
    session.call("sale.order", "action_confirm", [order_id])
    return order_id


# ----------------------------------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def admin(odoo_server):
    return connect(odoo_server, "admin")


@pytest.fixture(scope="module")
def api_user(odoo_server, admin):
    uid, company_id = ensure_api_user(admin)
    key = generate_api_key(odoo_server["db"], uid)
    yield {"uid": uid, "login": API_LOGIN, "key": key, "company_id": company_id}
    remove_api_keys(odoo_server["db"], uid)


@pytest.fixture(scope="module")
def other_company(admin, api_user):
    return ensure_other_company_records(admin, api_user["company_id"])


@pytest.fixture
def api_args(odoo_server, api_user):
    """The command line every example takes, for the API user and its key."""
    return [
        "--url",
        odoo_server["url"],
        "--db",
        odoo_server["db"],
        "--login",
        api_user["login"],
        "--key",
        api_user["key"],
    ]


def _run(module, argv, capsys):
    """Run an example's main() as the command line does; its JSON output is what it returns."""
    data = module.main(argv)
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(data, default=str))
    return data


# ----------------------------------------------------------------------------------------------
# (a) a customer request from an e-mail system
# ----------------------------------------------------------------------------------------------
def test_create_request_from_an_email_system(admin, api_user, api_args, capsys):
    prairie_id = admin.call("res.partner", "search", [("name", "=", "Prairie Office Supply")])[0]
    email = f"e2e.buyer.{uuid.uuid4().hex[:8]}@prairie-office.example.com"
    contact_id = admin.call(
        "res.partner", "create", {"name": "E2E Buyer", "parent_id": prairie_id, "email": email}
    )
    coordinator_id = user_id(admin, "coordinator")
    created = {}
    # the mail server's reception time starts the SLA clock (UTC); without it: now
    received = (datetime.now(timezone.utc) - timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
    for client, channel in zip(CLIENTS, ("email", "api"), strict=True):
        extra = ["--received", received] if client == "xmlrpc" else []
        request = _run(
            create_request,
            [
                *api_args,
                "--client",
                client,
                # as a mail header gives it: a display name and another case
                "--email",
                f"E2E Buyer <{email.upper()}>",
                "--subject",
                f"Quote 50 desks ({client})",
                "--body",
                "Hello,\n\nPlease quote 50 desks <b>and</b> chairs & lamps.",
                "--channel",
                channel,
                *extra,
            ],
            capsys,
        )
        assert request["name"].startswith("REQ/")
        assert (request["date_received"] == received) is bool(extra)
        assert request["partner_id"][0] == contact_id
        assert request["channel"] == channel
        assert request["state"] == "new"
        # assigned like any request: the customer's coordinator
        assert request["coordinator_id"][0] == coordinator_id
        assert request["date_received"] < request["date_first_response_deadline"]
        assert request["sla_status"] == "on_time"
        created[client] = request["id"]
    stored = admin.call(
        "sales.support.request",
        "read",
        list(created.values()),
        ["description", "create_uid", "requester_id"],
    )
    for values in stored:
        assert values["create_uid"][0] == api_user["uid"]
        assert values["requester_id"][0] == api_user["uid"]
        # the body is text: its markup is escaped, not interpreted
        assert "&lt;b&gt;and&lt;/b&gt;" in values["description"]
        assert "<b>" not in values["description"]


def test_create_request_for_an_unknown_address_says_what_to_do(admin, api_args):
    count = admin.call("sales.support.request", "search_count", [])
    for client in CLIENTS:
        with pytest.raises(LookupError, match="create the contact in Odoo"):
            create_request.main(
                [
                    *api_args,
                    "--client",
                    client,
                    "--email",
                    "nobody@nowhere.example",
                    "--subject",
                    "x",
                ]
            )
    assert admin.call("sales.support.request", "search_count", []) == count


# ----------------------------------------------------------------------------------------------
# (b) an order's milestones and ledger
# ----------------------------------------------------------------------------------------------
def test_read_milestones_and_ledger_of_an_order(odoo_server, api_args, capsys):
    coordinator = connect(odoo_server, "coordinator")
    order_id = confirmed_order(coordinator)
    [order_name] = [o["name"] for o in coordinator.call("sale.order", "read", [order_id], ["name"])]
    results = []
    for client in CLIENTS:
        for ref in (order_name, str(order_id)):
            data = _run(order_milestones, [*api_args, "--client", client, "--order", ref], capsys)
            results.append(data)
    assert all(data == results[0] for data in results), "both clients, by name or id, agree"
    order, events = results[0]["order"], results[0]["events"]
    assert order["id"] == order_id and order["state"] == "sale"
    assert order["o2c_stage"] == "entered"
    assert order["coordinator_id"][0] == coordinator.uid
    assert order["date_o2c_request"] <= order["date_o2c_entered"]
    for fname in ("date_o2c_shipped", "date_o2c_invoiced", "date_o2c_paid"):
        assert order[fname] is False, fname
    assert [e["event_type"] for e in events] == ["request", "customer_confirmed", "entered"]
    assert events[-1]["date"] == order["date_o2c_entered"]
    assert events[-1]["user_id"][0] == coordinator.uid
    assert events[-1]["source_ref"] == f"sale.order,{order_id}"
    assert set(events[0]) == {"id", "event_type", "date", "user_id", "source_ref", "name"}


def test_order_of_another_company_is_not_found(api_args, other_company):
    for client in CLIENTS:
        with pytest.raises(LookupError, match="belongs to a company of the API user"):
            order_milestones.main(
                [*api_args, "--client", client, "--order", str(other_company["order_id"])]
            )


# ----------------------------------------------------------------------------------------------
# (c) late orders of a coordinator
# ----------------------------------------------------------------------------------------------
def test_list_late_orders_of_a_coordinator(odoo_server, admin, api_user, api_args, capsys):
    coordinator_id = user_id(admin, "coordinator")

    def late_now():
        return admin.call(
            "sale.order",
            "search",
            [("is_o2c_late", "=", True), ("coordinator_id", "=", coordinator_id)],
            order="date_o2c_next_deadline, id",
            context={"allowed_company_ids": [api_user["company_id"]]},
        )

    expected = late_now()
    assert expected, "the demo data has late orders of the coordinator Carla"
    for client in CLIENTS:
        rows = _run(
            late_orders, [*api_args, "--client", client, "--coordinator", "coordinator"], capsys
        )
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")  # Odoo's UTC strings
        _assert_same_late_orders([row["id"] for row in rows], expected, late_now())
        for row in rows:
            assert row["coordinator_id"][0] == coordinator_id
            assert row["date_o2c_next_deadline"] < now
            assert row["o2c_next_step"] and row["o2c_late_text"]
    # the coordinator's own script, with the coordinator's own key: their late orders
    key = generate_api_key(odoo_server["db"], coordinator_id)
    try:
        own = late_orders.main(
            [
                "--url",
                odoo_server["url"],
                "--db",
                odoo_server["db"],
                "--login",
                "coordinator",
                "--key",
                key,
            ]
        )
    finally:
        remove_api_keys(odoo_server["db"], coordinator_id)
    capsys.readouterr()
    _assert_same_late_orders([row["id"] for row in own], expected, late_now())


def _assert_same_late_orders(got, before, after):
    """Orders only become late as time passes (nobody works them during the test): what the
    example lists lies between what the administrator saw before and after it ran."""
    assert set(before) <= set(got) <= set(after), (got, before, after)
    assert got == [order_id for order_id in after if order_id in got], "most overdue first"


# ----------------------------------------------------------------------------------------------
# (d) KPIs: the Order-to-Cash analysis
# ----------------------------------------------------------------------------------------------
def test_read_o2c_kpis_per_coordinator_and_month(admin, api_user, api_args, other_company, capsys):
    since = (date.today() - timedelta(days=400)).replace(day=1).isoformat()
    domain = o2c_kpis.kpi_domain(since)
    main_company = {"allowed_company_ids": [api_user["company_id"]]}
    expected = o2c_kpis.kpi_rows(
        admin.call(
            "sales.support.o2c.report",
            "read_group",
            domain,
            o2c_kpis.MEASURES,
            o2c_kpis.GROUPBY,
            lazy=False,
            orderby="date_order:month, coordinator_id",
            context=main_company,
        )
    )
    assert expected, "the demo data has orders in the last 13 months"
    for client in CLIENTS:
        rows = _run(o2c_kpis, [*api_args, "--client", client, "--since", since], capsys)
        assert rows == expected
    assert all(len(row["month"]) == 7 and row["month"] >= since[:7] for row in rows)
    averages = [row["processing_hours_avg"] for row in rows if row["processing_hours_avg"]]
    assert averages, "orders entered in the period have a processing time"
    # of the API user's company only: the other company's quotation is not counted
    total = sum(row["orders"] for row in rows)
    both = admin.call(
        "sales.support.o2c.report",
        "search_count",
        domain,
        context={"allowed_company_ids": [api_user["company_id"], other_company["company_id"]]},
    )
    other = admin.call(
        "sales.support.o2c.report",
        "search_count",
        domain + [("company_id", "=", other_company["company_id"])],
        context={"allowed_company_ids": [other_company["company_id"]]},
    )
    assert other >= 1
    assert total == both - other


# ----------------------------------------------------------------------------------------------
# Logging in
# ----------------------------------------------------------------------------------------------
def test_key_from_the_environment_and_a_wrong_key(odoo_server, api_user, monkeypatch, capsys):
    base = ["--url", odoo_server["url"], "--db", odoo_server["db"], "--login", API_LOGIN]
    monkeypatch.setenv("ODOO_API_KEY", api_user["key"])
    assert isinstance(late_orders.main(base), list)
    capsys.readouterr()
    with pytest.raises(PermissionError, match="not revoked nor expired"):
        late_orders.main([*base, "--key", "0" * 40])
    with pytest.raises(odoorpc.error.RPCError):
        late_orders.main([*base, "--key", "0" * 40, "--client", "odoorpc"])
    # the API user has no password: only its keys open a session
    common = xmlrpc.client.ServerProxy(f"{odoo_server['url']}/xmlrpc/2/common")
    assert common.authenticate(odoo_server["db"], API_LOGIN, API_LOGIN, {}) is False


def test_api_keys_of_the_api_user_expire_within_90_days(odoo_server, api_user):
    from odoo.exceptions import ValidationError

    with pytest.raises(ValidationError, match="cannot exceed 90"):
        generate_api_key(odoo_server["db"], api_user["uid"], days=91)


# ----------------------------------------------------------------------------------------------
# The API user's role: what the calls need, nothing else
# ----------------------------------------------------------------------------------------------
def _fault(call, *args, **kwargs):
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call(*args, **kwargs)
    assert "Traceback" not in fault.value.faultString, fault.value.faultString
    return fault.value


def test_api_user_cannot_write_orders(odoo_server, admin, api_user):
    api = connect(odoo_server, API_LOGIN, api_user["key"])
    coordinator = connect(odoo_server, "coordinator")
    order_id = confirmed_order(coordinator)
    partner_id = coordinator.call(
        "res.partner", "search", [("name", "=", "Prairie Office Supply")]
    )[0]
    quotation_id = coordinator.call("sale.order", "create", {"partner_id": partner_id})
    before = admin.call(
        "sale.order", "read", [order_id, quotation_id], ["write_date", "state", "note"]
    )
    no_wizard = {"disable_cancel_warning": True}  # cancel at once, as scripts do
    attempts = [
        ("write", ([order_id], {"note": "changed by the API user"}), {}),
        ("write", ([order_id], {"client_order_ref": "PO-1"}), {}),
        ("action_confirm", ([quotation_id],), {}),
        ("action_quotation_sent", ([quotation_id],), {}),
        ("action_cancel", ([order_id],), {"context": no_wizard}),
        ("action_cancel", ([quotation_id],), {"context": no_wizard}),
        ("unlink", ([quotation_id],), {}),
        ("create", ({"partner_id": partner_id},), {}),
    ]
    for method, args, kwargs in attempts:
        fault = _fault(api.call, "sale.order", method, *args, **kwargs)
        assert fault.faultCode == 4, (method, fault.faultString)
    assert (
        admin.call("sale.order", "read", [order_id, quotation_id], ["write_date", "state", "note"])
        == before
    )
    # reading is what it may do
    assert api.call("sale.order", "read", [order_id], ["o2c_stage"])[0]["o2c_stage"] == "entered"


def test_api_user_cannot_read_another_companys_data(odoo_server, api_user, other_company):
    api = connect(odoo_server, API_LOGIN, api_user["key"])
    for model, record_id in (
        ("sale.order", other_company["order_id"]),
        ("res.partner", other_company["partner_id"]),
    ):
        fault = _fault(api.call, model, "read", [record_id], ["name"])
        assert fault.faultCode == 4, fault.faultString
        assert record_id not in api.call(model, "search", [("id", "=", record_id)])
    for model in ("sales.support.o2c.event", "sales.support.o2c.report"):
        assert not api.call(model, "search", [("order_id", "=", other_company["order_id"])])
    # nor with the other company forced in the context
    fault = _fault(
        api.call,
        "sale.order",
        "search",
        [],
        context={"allowed_company_ids": [other_company["company_id"]]},
    )
    assert fault.faultCode == 4, fault.faultString


def test_api_user_reads_only_its_own_requests_and_writes_none(odoo_server, admin, api_user):
    api = connect(odoo_server, API_LOGIN, api_user["key"])
    partner_id = admin.call("res.partner", "search", [("name", "=", "Prairie Office Supply")])[0]
    own_id = api.call(
        "sales.support.request",
        "create",
        {"subject": "API", "partner_id": partner_id, "channel": "api"},
    )
    other_id = admin.call(
        "sales.support.request", "create", {"subject": "Phone", "partner_id": partner_id}
    )
    assert api.call("sales.support.request", "search", [("id", "in", [own_id, other_id])]) == [
        own_id
    ]
    assert _fault(api.call, "sales.support.request", "read", [other_id], ["subject"]).faultCode == 4
    for method, args in (
        ("write", ([own_id], {"subject": "changed"})),
        ("action_done", ([own_id],)),
        ("unlink", ([own_id],)),
    ):
        fault = _fault(api.call, "sales.support.request", method, *args)
        assert fault.faultCode == 4, (method, fault.faultString)
    [own] = admin.call("sales.support.request", "read", [own_id], ["subject", "state"])
    assert (own["subject"], own["state"]) == ("API", "new")


def test_api_user_has_no_other_rights(odoo_server, admin, api_user):
    api = connect(odoo_server, API_LOGIN, api_user["key"])
    order_id = admin.call("sale.order", "search", [("state", "=", "sale")], limit=1)[0]
    event_count = admin.call("sales.support.o2c.event", "search_count", [])
    refused = [
        ("sales.support.claim", "search", [[]]),
        ("sales.support.claim.line", "search", [[]]),
        ("sales.support.order.error", "search", [[]]),
        ("sales.support.assignment.rule", "search", [[]]),
        ("sales.support.request.report", "search", [[]]),
        ("sale.order.line", "search", [[("order_id", "=", order_id)]]),
        ("account.move", "search", [[]]),
        ("stock.picking", "search", [[]]),
        ("res.partner", "create", [{"name": "Created by the API user"}]),
        (
            "sales.support.o2c.event",
            "create",
            [{"order_id": order_id, "event_type": "paid", "date": "2020-01-01 00:00:00"}],
        ),
        ("res.users", "write", [[api_user["uid"]], {"groups_id": [(4, 1)]}]),
    ]
    for model, method, args in refused:
        fault = _fault(api.call, model, method, *args)
        assert fault.faultCode == 4, (model, method, fault.faultString)
    assert admin.call("sales.support.o2c.event", "search_count", []) == event_count
    # nor may it turn a request into a quotation or a claim
    partner_id = admin.call("res.partner", "search", [("name", "=", "Prairie Office Supply")])[0]
    own_id = api.call(
        "sales.support.request", "create", {"subject": "API", "partner_id": partner_id}
    )
    for method in ("action_create_quotation", "action_create_claim"):
        fault = _fault(api.call, "sales.support.request", method, [own_id])
        assert fault.faultCode == 4, (method, fault.faultString)
        assert "ask" in fault.faultString
