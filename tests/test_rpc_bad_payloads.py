"""Bad input over XML-RPC, as a careless or hostile integration sends it, against the models
Sales Support owns: each payload must be refused with a fault a script author can act on
(faultCode 2: UserError / ValidationError, 4: AccessError; never 1, a server error with a
traceback) and must write nothing.

Payloads with a ``bug`` are refused wrongly today (faultCode 1) or not at all: they are strict
expected failures naming the bug, so that its fix makes them pass, and the strict mark then fails
the run until it is removed."""

import re
import xmlrpc.client
from dataclasses import dataclass, field
from typing import Any

import pytest
from test_rpc_api_examples import (
    confirmed_order,
    connect,
    ensure_api_user,
    ensure_other_company_records,
    generate_api_key,
    remove_api_keys,
    user_id,
)

MISSING_ID = 2_000_000_000  # an id no table of the test database reaches (XML-RPC ints: 32 bits)
HUGE_TEXT = "x" * 1_000_000
WATCHED = (
    "sales.support.request",
    "sales.support.request.line",
    "sales.support.claim",
    "sales.support.claim.line",
    "sales.support.order.error",
    "sales.support.o2c.event",
    "sales.support.assignment.rule",
    "sale.order",
)
# Odoo converts field values with a ValueError/TypeError (bad selection value, date, number,
# unknown field) or lets PostgreSQL refuse them: both reach the client as faultCode 1 with a
# traceback. Our models must check such values first (ValidationError naming field and value).
BUG_CONVERSION = "faultCode 1: the value is not checked before Odoo converts it"
BUG_ACCEPTED = "accepted: the model does not refuse it"
BUG_FORGED = "accepted: a field set by the server only is written as sent"


@dataclass
class Payload:
    """One bad call: who sends it, to which model and method; ``args(ids)`` builds its arguments
    from the records of the ``ids`` fixture; ``target(ids)`` names the record a ``write`` must
    leave unchanged; the fault must have one of ``codes`` and match ``says`` (case-insensitive)."""

    name: str
    login: str
    model: str
    method: str
    args: Any
    says: str
    codes: tuple = (2,)
    target: Any = None
    kwargs: dict = field(default_factory=dict)
    bug: str = ""


def create(name, login, model, values, **kw):
    return Payload(name, login, model, "create", lambda ids: [values(ids)], **kw)


def write(name, login, model, record, values, **kw):
    return Payload(
        name,
        login,
        model,
        "write",
        lambda ids: [[record(ids)], values(ids)],
        target=lambda ids: (model, record(ids), list(values(ids))),
        **kw,
    )


REQ = "sales.support.request"
CLAIM = "sales.support.claim"
LINE = "sales.support.claim.line"
ERROR = "sales.support.order.error"
EVENT = "sales.support.o2c.event"
RULE = "sales.support.assignment.rule"
ORDER = "sale.order"
FORGED_BY_SERVER = "set by the system"
RECORDED_BY_ODOO = "recorded by Odoo from the order's own steps"
FORBIDDEN = r"not allowed|top-secret|unauthorized"


def req(ids, **values):
    return {"subject": "Bad payload", "partner_id": ids["partner"], **values}


def claim(ids, **values):
    return {"partner_id": ids["partner"], "order_id": ids["order"], **values}


def error(ids, **values):
    return {
        "order_id": ids["order"],
        "error_type": "price",
        "responsible_user_id": ids["coordinator"],
        **values,
    }


# One payload a line or two: a table reads better than ruff's one-argument-a-line layout.
# fmt: off
PAYLOADS = [
    # --- customer requests -------------------------------------------------------------------
    create("request: no subject", "coordinator", REQ, lambda i: {"partner_id": i["partner"]},
           says=r"mandatory field.*Subject \(subject\)"),
    create("request: no contact", "coordinator", REQ, lambda i: {"subject": "x"},
           says=r"mandatory field.*\(partner_id\)"),
    create("request: empty subject", "coordinator", REQ, lambda i: req(i, subject=""),
           says="subject"),
    create("request: unknown contact id", "coordinator", REQ,
           lambda i: req(i, partner_id=MISSING_ID), says=f"does not exist.*{MISSING_ID}"),
    create("request: contact as text", "coordinator", REQ,
           lambda i: req(i, partner_id="Prairie Office Supply"), says="partner_id"),
    create("request: contact of another company", "coordinator", REQ,
           lambda i: req(i, partner_id=i["other_partner"]), codes=(2, 4), says=FORBIDDEN),
    create("request: another company", "coordinator", REQ,
           lambda i: req(i, company_id=i["other_company"]), codes=(4,), says=FORBIDDEN),
    create("request: unknown channel", "coordinator", REQ, lambda i: req(i, channel="fax"),
           says="channel"),
    create("request: unknown priority", "coordinator", REQ, lambda i: req(i, priority="9"),
           says="priority"),
    create("request: unknown state", "coordinator", REQ, lambda i: req(i, state="archived"),
           says="state"),
    create("request: date in words", "coordinator", REQ,
           lambda i: req(i, date_received="yesterday"), says="date_received|Received"),
    create("request: received in the future", "coordinator", REQ,
           lambda i: req(i, date_received="2099-01-01 00:00:00"), says="future"),
    create("request: unknown field", "coordinator", REQ, lambda i: req(i, urgency="high"),
           says="urgency"),
    create("request: huge subject", "coordinator", REQ, lambda i: req(i, subject=HUGE_TEXT),
           says="subject"),
    create("request: subject as a dict", "coordinator", REQ,
           lambda i: req(i, subject={"text": "desks"}), says="subject"),
    create("request: forged first response", "coordinator", REQ,
           lambda i: req(i, date_first_response="2020-01-01 00:00:00"), says=FORGED_BY_SERVER),
    create("request: forged SLA status", "coordinator", REQ,
           lambda i: req(i, sla_status="on_time", is_first_response_breached=False),
           says=FORGED_BY_SERVER),
    write("request: forged done date", "coordinator", REQ, lambda i: i["request"],
          lambda i: {"date_done": "2020-01-01 00:00:00"}, says=FORGED_BY_SERVER),
    write("request: forged deadline", "coordinator", REQ, lambda i: i["request"],
          lambda i: {"date_first_response_deadline": "2099-01-01 00:00:00"},
          says=FORGED_BY_SERVER),
    write("request: forged response time", "coordinator", REQ, lambda i: i["request"],
          lambda i: {"first_response_hours": 0.1}, says=FORGED_BY_SERVER),
    create("request: salesperson as coordinator", "coordinator", REQ,
           lambda i: req(i, coordinator_id=i["salesperson"]), says="no Sales Support group"),
    create("request: unknown type id", "coordinator", REQ,
           lambda i: req(i, type_id=MISSING_ID), says="type_id"),
    create("request: negative quantity asked for", "coordinator", REQ,
           lambda i: req(i, line_ids=[(0, 0, {"product_id": i["product"],
                                             "product_uom_qty": -2})]),
           says="must be positive"),
    write("request: unknown request id", "coordinator", REQ, lambda i: MISSING_ID,
          lambda i: {"subject": "x"}, says="does not exist"),
    # --- claims --------------------------------------------------------------------------------
    create("claim: no customer", "coordinator", CLAIM, lambda i: {"claim_type": "damaged"},
           says=r"mandatory field.*\(partner_id\)"),
    create("claim: unknown type", "coordinator", CLAIM, lambda i: claim(i, claim_type="broken"),
           says="claim_type|Type"),
    create("claim: order of another customer", "coordinator", CLAIM,
           lambda i: claim(i, partner_id=i["other_customer"]), says="choose one of the customer"),
    create("claim: order of another company", "coordinator", CLAIM,
           lambda i: claim(i, order_id=i["other_order"]), codes=(2, 4), says=FORBIDDEN),
    create("claim: customer of another company", "coordinator", CLAIM,
           lambda i: {"partner_id": i["other_partner"]}, codes=(2, 4),
           says="another company|" + FORBIDDEN),
    create("claim: unknown invoice id", "coordinator", CLAIM,
           lambda i: claim(i, invoice_id=MISSING_ID), says="does not exist"),
    create("claim: negative quantity", "coordinator", CLAIM,
           lambda i: claim(i, line_ids=[(0, 0, {"product_id": i["product"], "quantity": -3})]),
           says="must be positive"),
    create("claim: more than delivered or invoiced", "coordinator", CLAIM,
           lambda i: claim(i, line_ids=[(0, 0, {"product_id": i["product"], "quantity": 1e9})]),
           says="at most .* can be claimed"),
    create("claim: negative unit price", "coordinator", CLAIM,
           lambda i: claim(i, line_ids=[(0, 0, {"product_id": i["product"], "quantity": 0,
                                                "price_unit": -5.0})]),
           says="cannot be negative"),
    create("claim: order-entry error without responsible", "coordinator", CLAIM,
           lambda i: claim(i, root_cause="order_entry"), says="Responsible for the Error"),
    create("claim: date in another format", "coordinator", CLAIM,
           lambda i: claim(i, date_claim="31/12/2026"), says="date_claim|Claimed At"),
    create("claim: created resolved", "coordinator", CLAIM, lambda i: claim(i, state="resolved"),
           says="resolv"),
    create("claim: forged resolution date", "coordinator", CLAIM,
           lambda i: claim(i, date_resolved="2020-01-01 00:00:00"), codes=(4,),
           says="resolv"),
    write("claim: forged amount credited", "coordinator", CLAIM, lambda i: i["claim"],
          lambda i: {"amount_credited": 5000.0}, codes=(4,), says="credit"),
    write("claim: forged credit note link", "coordinator", CLAIM, lambda i: i["claim"],
          lambda i: {"credit_note_ids": [(6, 0, [i["invoice"]])]}, codes=(4,),
          says="credit"),
    write("claim: resolved without resolution", "coordinator", CLAIM, lambda i: i["claim"],
          lambda i: {"state": "resolved"}, says="how claim .* is resolved"),
    # --- claimed products -----------------------------------------------------------------------
    create("claimed product: no claim", "coordinator", LINE,
           lambda i: {"product_id": i["product"], "quantity": 1}, says=r"\(claim_id\)"),
    create("claimed product: no product", "coordinator", LINE,
           lambda i: {"claim_id": i["claim"], "quantity": 1}, says=r"\(product_id\)"),
    create("claimed product: quantity as text", "coordinator", LINE,
           lambda i: {"claim_id": i["claim"], "product_id": i["product"], "quantity": "many"},
           says="quantity"),
    create("claimed product: negative quantity", "coordinator", LINE,
           lambda i: {"claim_id": i["claim"], "product_id": i["product"], "quantity": -1},
           says="must be positive"),
    create("claimed product: line of another company's order", "coordinator", LINE,
           lambda i: {"claim_id": i["claim"], "order_line_id": i["other_order_line"],
                      "quantity": 0},
           codes=(2, 4), says="not a line of the claim's order|" + FORBIDDEN),
    # --- order-entry errors ---------------------------------------------------------------------
    create("entry error: no responsible", "coordinator", ERROR,
           lambda i: error(i, responsible_user_id=False), says=r"\(responsible_user_id\)"),
    create("entry error: negative cost", "coordinator", ERROR, lambda i: error(i, cost=-100.0),
           says="cannot be negative"),
    create("entry error: cost as text", "coordinator", ERROR, lambda i: error(i, cost="cheap"),
           says="cost"),
    create("entry error: unknown type", "coordinator", ERROR,
           lambda i: error(i, error_type="typo"), says="error_type|Type"),
    create("entry error: OdooBot responsible", "coordinator", ERROR,
           lambda i: error(i, responsible_user_id=i["odoobot"]), says="not an employee"),
    create("entry error: unknown order id", "coordinator", ERROR,
           lambda i: error(i, order_id=MISSING_ID), says="order_id"),
    create("entry error: order of another company", "coordinator", ERROR,
           lambda i: error(i, order_id=i["other_order"]), codes=(2, 4), says=FORBIDDEN),
    create("entry error: impossible date", "coordinator", ERROR,
           lambda i: error(i, date_found="2026-13-01"), says="date_found|Found At"),
    create("entry error: forged origin", "coordinator", ERROR, lambda i: error(i, origin="claim"),
           codes=(4,), says="origin|claim"),
    write("entry error: forged replacement order", "coordinator", ERROR, lambda i: i["error"],
          lambda i: {"replacement_order_id": i["order"]}, codes=(4,), says="replace"),
    # --- milestones of orders -------------------------------------------------------------------
    write("order: forged payment date", "coordinator", ORDER, lambda i: i["order"],
          lambda i: {"date_o2c_paid": "2020-01-01 00:00:00"}, codes=(4,), says=RECORDED_BY_ODOO),
    write("order: forged stage", "coordinator", ORDER, lambda i: i["order"],
          lambda i: {"o2c_stage": "paid"}, codes=(4,), says=RECORDED_BY_ODOO),
    write("order: forged unknown stage", "coordinator", ORDER, lambda i: i["order"],
          lambda i: {"o2c_stage": "teleported"}, codes=(2, 4), says=RECORDED_BY_ODOO),
    write("order: forged next step", "coordinator", ORDER, lambda i: i["order"],
          lambda i: {"o2c_next_step": "paid"}, codes=(4,), says=RECORDED_BY_ODOO),
    write("order: cleared deadline", "coordinator", ORDER, lambda i: i["order"],
          lambda i: {"date_o2c_next_deadline": False}, codes=(4,), says=RECORDED_BY_ODOO),
    write("order: forged entry user", "coordinator", ORDER, lambda i: i["order"],
          lambda i: {"order_entry_user_id": i["salesperson"]}, codes=(4,),
          says=RECORDED_BY_ODOO),
    write("order: forged manual coordinator flag", "coordinator", ORDER, lambda i: i["order"],
          lambda i: {"is_coordinator_manual": True}, codes=(4,), says="coordinator"),
    write("order: salesperson as coordinator", "coordinator", ORDER, lambda i: i["order"],
          lambda i: {"coordinator_id": i["salesperson"]}, says="no Sales Support group"),
    write("order: another company's order", "coordinator", ORDER, lambda i: i["other_order"],
          lambda i: {"client_order_ref": "PO-1"}, codes=(4,), says=FORBIDDEN),
    write("order: written by the API user", "api", ORDER, lambda i: i["order"],
          lambda i: {"client_order_ref": "PO-1"}, codes=(4,), says=FORBIDDEN),
    Payload("order: late filter with a number", "coordinator", ORDER, "search",
            lambda i: [[("is_o2c_late", ">", 3)]], says="only supports = True or = False"),
    # --- the Order-to-Cash ledger ---------------------------------------------------------------
    create("ledger: event created by a manager", "csmanager", EVENT,
           lambda i: {"order_id": i["order"], "event_type": "paid",
                      "date": "2020-01-01 00:00:00"}, codes=(4,), says=FORBIDDEN),
    create("ledger: event created by the API user", "api", EVENT,
           lambda i: {"order_id": i["order"], "event_type": "paid",
                      "date": "2020-01-01 00:00:00"}, codes=(4,), says=FORBIDDEN),
    write("ledger: event rewritten by a manager", "csmanager", EVENT, lambda i: i["event"],
          lambda i: {"date": "2020-01-01 00:00:00"}, codes=(4,), says=FORBIDDEN),
    Payload("ledger: event deleted by the administrator", "admin", EVENT, "unlink",
            lambda i: [[i["event"]]], codes=(2, 4), says=FORBIDDEN + "|ledger"),
    # --- assignment rules -----------------------------------------------------------------------
    create("rule: no coordinator", "csmanager", RULE, lambda i: {"country_id": i["country"]},
           says="needs a coordinator"),
    create("rule: assistant as coordinator", "csmanager", RULE,
           lambda i: {"coordinator_id": i["assistant"]}, says="is an assistant"),
    create("rule: salesperson as coordinator", "csmanager", RULE,
           lambda i: {"coordinator_id": i["salesperson"]}, says="no Sales Support group"),
    create("rule: state of another country", "csmanager", RULE,
           lambda i: {"coordinator_id": i["coordinator"], "country_id": i["country"],
                      "state_id": i["foreign_state"]}, says="is not in"),
    create("rule: another company", "csmanager", RULE,
           lambda i: {"coordinator_id": i["coordinator"], "company_id": i["other_company"]},
           codes=(2, 4), says=FORBIDDEN + "|does not work for"),
    create("rule: created by a coordinator", "coordinator", RULE,
           lambda i: {"coordinator_id": i["coordinator"]}, codes=(4,), says=FORBIDDEN),
    create("rule: unknown country id", "csmanager", RULE,
           lambda i: {"coordinator_id": i["coordinator"], "country_id": MISSING_ID},
           says="does not exist"),
    create("rule: sequence as text", "csmanager", RULE,
           lambda i: {"coordinator_id": i["coordinator"], "sequence": "first"},
           says="sequence"),
    create("rule: huge name", "csmanager", RULE,
           lambda i: {"coordinator_id": i["coordinator"], "name": HUGE_TEXT},
           says="name"),
    write("rule: coordinator removed", "csmanager", RULE, lambda i: i["rule"],
          lambda i: {"coordinator_id": False}, says="needs a coordinator"),
]
# fmt: on


# ----------------------------------------------------------------------------------------------
# Fixtures: the records the payloads point at, fresh for each run
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sessions(odoo_server):
    admin = connect(odoo_server, "admin")
    api_uid, company_id = ensure_api_user(admin)
    key = generate_api_key(odoo_server["db"], api_uid)
    yield {
        "admin": admin,
        "coordinator": connect(odoo_server, "coordinator"),
        "csmanager": connect(odoo_server, "csmanager"),
        "api": connect(odoo_server, "e2e_api_user", key),
        "company_id": company_id,
    }
    remove_api_keys(odoo_server["db"], api_uid)


@pytest.fixture(scope="module")
def ids(sessions):
    admin, coordinator = sessions["admin"], sessions["coordinator"]
    other = ensure_other_company_records(admin, sessions["company_id"])
    order_id = confirmed_order(coordinator)
    [order] = coordinator.call("sale.order", "read", [order_id], ["partner_id", "order_line"])
    [line] = coordinator.call("sale.order.line", "read", order["order_line"], ["product_id"])
    partner_id = order["partner_id"][0]
    coordinator_id = coordinator.uid
    claim_id = coordinator.call(CLAIM, "create", {"partner_id": partner_id, "order_id": order_id})
    error_id = coordinator.call(
        ERROR,
        "create",
        {"order_id": order_id, "error_type": "price", "responsible_user_id": coordinator_id},
    )
    request_id = coordinator.call(
        REQ, "create", {"subject": "Payload target", "partner_id": partner_id}
    )

    def first(model, domain):
        return admin.call(model, "search", domain, limit=1, order="id")[0]

    return {
        "coordinator": coordinator_id,
        "salesperson": user_id(admin, "sales01"),
        "assistant": user_id(admin, "assistant"),
        "odoobot": 1,
        "partner": partner_id,
        "other_customer": first("res.partner", [("name", "=", "Gemini Furniture")]),
        "product": line["product_id"][0],
        "order": order_id,
        "claim": claim_id,
        "error": error_id,
        "request": request_id,
        "event": first(EVENT, [("order_id", "=", order_id)]),
        "invoice": first(
            "account.move", [("move_type", "=", "out_invoice"), ("partner_id", "!=", partner_id)]
        ),
        "rule": first(RULE, [("company_id", "=", sessions["company_id"])]),
        "country": first("res.country", [("code", "=", "FR")]),
        "foreign_state": first("res.country.state", [("country_id.code", "=", "US")]),
        "other_company": other["company_id"],
        "other_partner": other["partner_id"],
        "other_order": other["order_id"],
        "other_order_line": other["order_line_id"],
    }


def _all_ids(admin, company_ids):
    """Ids of every watched model (archived records and every company included)."""
    ctx = {"active_test": False, "allowed_company_ids": company_ids}
    return {model: set(admin.call(model, "search", [], context=ctx)) for model in WATCHED}


def _read(admin, target, company_ids):
    if not target:
        return None
    model, record_id, fnames = target
    ctx = {"active_test": False, "allowed_company_ids": company_ids}
    fields_of_model = admin.call(model, "fields_get", [], attributes=["type"])
    fnames = [f for f in fnames if f in fields_of_model] + ["write_date"]
    return admin.call(model, "read", [record_id], fnames, context=ctx)


def _params():
    params = []
    for payload in PAYLOADS:
        marks = [pytest.mark.xfail(strict=True, reason=payload.bug)] if payload.bug else []
        params.append(pytest.param(payload, id=payload.name, marks=marks))
    return params


def test_at_least_30_payloads_on_every_model_we_own():
    models = {payload.model for payload in PAYLOADS}
    assert len(PAYLOADS) >= 30
    assert {REQ, CLAIM, LINE, ERROR, ORDER, EVENT, RULE} <= models
    assert len({payload.name for payload in PAYLOADS}) == len(PAYLOADS)
    assert all(payload.says for payload in PAYLOADS), "each payload says what the fault must say"


@pytest.mark.parametrize("payload", _params())
def test_bad_payload_is_refused_with_an_actionable_fault(payload, sessions, ids):
    admin = sessions["admin"]
    companies = [sessions["company_id"], ids["other_company"]]
    target = payload.target(ids) if payload.target else None
    before, record_before = _all_ids(admin, companies), _read(admin, target, companies)
    try:
        with pytest.raises(xmlrpc.client.Fault) as raised:
            sessions[payload.login].call(
                payload.model, payload.method, *payload.args(ids), **payload.kwargs
            )
    finally:
        after = _all_ids(admin, companies)
        created = {model: after[model] - before[model] for model in WATCHED}
        for model, new_ids in created.items():  # leave no trace of an accepted payload
            if new_ids and model != EVENT:
                try:
                    admin.call(model, "unlink", sorted(new_ids))
                except xmlrpc.client.Fault:
                    pass
    fault = raised.value
    message = fault.faultString
    assert "Traceback" not in message, message[-2000:]
    assert fault.faultCode in payload.codes, (fault.faultCode, message)
    assert message.strip(), "an empty message tells the script author nothing"
    assert re.search(payload.says, message, re.IGNORECASE | re.DOTALL), message
    assert not any(created.values()), f"written although refused: {created}"
    assert _read(admin, target, companies) == record_before, "the record was changed"


def test_public_actions_answer_over_xmlrpc(sessions, ids):
    """Not a bad payload: the state actions answer True, which XML-RPC can carry back."""
    coordinator = sessions["coordinator"]
    request_id = coordinator.call(
        REQ, "create", {"subject": "Start me", "partner_id": ids["partner"]}
    )
    assert coordinator.call(REQ, "action_start", [request_id]) is True
    [state] = [r["state"] for r in coordinator.call(REQ, "read", [request_id], ["state"])]
    assert state == "in_progress"
