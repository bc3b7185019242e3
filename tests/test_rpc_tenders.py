"""Tenders and letters of credit end to end, over JSON-RPC (odoorpc) and XML-RPC, as the roles
who do them: the coordinator prepares and submits a tender and records the result; the
coordinator records a letter of credit for an export order, its documents and a discrepancy
found by the bank; a missing blocking document stops the step with a message that lists it; a
salesperson and an assistant cannot do what their role may not do."""

import base64
import uuid
import xmlrpc.client
from datetime import date, datetime, timedelta

import odoorpc
import pytest

USER_ERROR = "odoo.exceptions.UserError"
VALIDATION_ERROR = "odoo.exceptions.ValidationError"
ACCESS_ERROR = "odoo.exceptions.AccessError"


def _call(client, model, method, *args, **kwargs):
    return client.execute_kw(model, method, list(args), kwargs)


def _fault(client, model, method, *args, **kwargs):
    """Call and return the error the server answered: (exception class name, message)."""
    with pytest.raises(odoorpc.error.RPCError) as caught:
        _call(client, model, method, *args, **kwargs)
    data = caught.value.info["data"]
    return data["name"], data["message"]


def _partner(client, name):
    [partner_id] = _call(client, "res.partner", "search", [("name", "=", name)], limit=1)
    return partner_id


def _uid(client, login):
    [user_id] = _call(client, "res.users", "search", [("login", "=", login)], limit=1)
    return user_id


def _goods(client):
    """A consumable that is not tracked in stock: always available, the delivery can go."""
    [product_id] = _call(
        client,
        "product.product",
        "search",
        [("type", "=", "consu"), ("is_storable", "=", False), ("sale_ok", "=", True)],
        limit=1,
    )
    return product_id


def _documents(client, domain):
    """{code: document dict} of the checklist documents matching ``domain``."""
    docs = _call(
        client,
        "sales.support.document",
        "search_read",
        domain,
        fields=["document_type_id", "state", "blocks", "required", "attachment_ids"],
    )
    codes = {
        t["id"]: t["code"]
        for t in _call(
            client,
            "sales.support.document.type",
            "read",
            list({d["document_type_id"][0] for d in docs}),
            ["code"],
        )
    }
    return {codes[d["document_type_id"][0]]: d for d in docs}


def _attachment(name):
    return (0, 0, {"name": name, "datas": base64.b64encode(b"%PDF-1.4 " + name.encode()).decode()})


def _events(client, domain):
    return sorted(
        e["event_type"]
        for e in _call(
            client, "sales.support.o2c.event", "search_read", domain, fields=["event_type"]
        )
    )


def _new_tender(client, **values):
    deadline = datetime.utcnow().replace(microsecond=0) + timedelta(days=10)
    return _call(
        client,
        "sales.tender",
        "create",
        {
            "partner_id": _partner(client, "Prairie Office Supply"),
            "user_id": _uid(client, "sales01"),
            "customer_reference": f"RFQ-{uuid.uuid4().hex[:8]}",
            "title": "Office furniture for 12 schools",
            "date_publication": date.today().isoformat(),
            "date_submission_deadline": deadline.strftime("%Y-%m-%d %H:%M:%S"),
            "estimated_value": 12000.0,
            "line_ids": [
                (
                    0,
                    0,
                    {
                        "lot_number": "1",
                        "product_id": _goods(client),
                        "quantity": 10,
                        "price_unit": 950.0,
                    },
                )
            ],
            **values,
        },
    )


def _prepared_tender(client):
    """A tender of sales01's customer, go decided, with one quotation: (tender id, order id)."""
    tender_id = _new_tender(client)
    _call(client, "sales.tender", "action_go", [tender_id])
    action = _call(client, "sales.tender", "action_new_quotation", [tender_id])
    return tender_id, action["res_id"]


def test_coordinator_takes_a_tender_from_new_to_won(login):
    coordinator = login("coordinator")
    tender_id, order_id = _prepared_tender(coordinator)
    [tender] = _call(
        coordinator,
        "sales.tender",
        "read",
        [tender_id],
        ["state", "decision", "coordinator_id", "user_id", "amount_offered", "checklist_progress"],
    )
    assert tender["state"] == "preparation" and tender["decision"] == "go"
    assert tender["coordinator_id"][0] == coordinator.env.uid
    assert tender["user_id"][0] == _uid(coordinator, "sales01")
    assert tender["amount_offered"] == 9500.0
    # the tender template: four documents, each blocking the submission
    docs = _documents(coordinator, [("tender_id", "=", tender_id)])
    assert set(docs) == {"TF", "BB", "TO", "PO"}
    assert all(d["blocks"] == "submission" and d["state"] == "to_prepare" for d in docs.values())
    assert tender["checklist_progress"] == "0 / 4 ready"
    [order] = _call(
        coordinator, "sale.order", "read", [order_id], ["tender_id", "state", "amount_untaxed"]
    )
    assert order["tender_id"][0] == tender_id and order["state"] == "draft"
    assert order["amount_untaxed"] == 9500.0

    # the documents are not ready: the submission is refused, with what is missing
    name, message = _fault(coordinator, "sales.tender", "action_submit", [tender_id])
    assert name == USER_ERROR
    assert "Tender Submission is blocked" in message
    for doc_name in ("Tender Form", "Bid Bond Copy", "Technical Offer", "Price Offer"):
        assert doc_name in message

    # the coordinator attaches the files and marks the documents ready
    for code, doc in docs.items():
        _call(
            coordinator,
            "sales.support.document",
            "write",
            [doc["id"]],
            {"attachment_ids": [_attachment(f"{code}.pdf")], "reference": f"{code}-1"},
        )
    _call(
        coordinator,
        "sales.support.document",
        "action_mark_ready",
        [d["id"] for d in docs.values()],
    )
    docs = _documents(coordinator, [("tender_id", "=", tender_id)])
    assert {d["state"] for d in docs.values()} == {"ready"}
    assert all(len(d["attachment_ids"]) == 1 for d in docs.values())

    assert _call(coordinator, "sales.tender", "action_submit", [tender_id]) is True
    [tender] = _call(coordinator, "sales.tender", "read", [tender_id], ["state", "date_submitted"])
    assert tender["state"] == "submitted" and tender["date_submitted"]

    # won: the quotation becomes the order
    assert _call(coordinator, "sales.tender", "action_won", [tender_id]) is True
    [tender] = _call(
        coordinator, "sales.tender", "read", [tender_id], ["state", "won_order_id", "our_rank"]
    )
    assert tender["state"] == "won" and tender["won_order_id"][0] == order_id
    assert tender["our_rank"] == 1
    [order] = _call(coordinator, "sale.order", "read", [order_id], ["state"])
    assert order["state"] == "sale"
    assert _events(
        coordinator, [("tender_id", "=", tender_id), ("event_type", "like", "tender_")]
    ) == [
        "tender_submitted",
        "tender_won",
    ]
    # every document step is in the ledger too
    assert (
        _events(coordinator, [("tender_id", "=", tender_id), ("event_type", "=", "document_ready")])
        == ["document_ready"] * 4
    )


def test_coordinator_records_a_lost_tender(login):
    coordinator = login("coordinator")
    tender_id, order_id = _prepared_tender(coordinator)
    docs = _documents(coordinator, [("tender_id", "=", tender_id)])
    _call(
        coordinator, "sales.support.document", "action_mark_sent", [d["id"] for d in docs.values()]
    )
    _call(coordinator, "sales.tender", "action_submit", [tender_id])
    # lost without a reason: refused, and the script author is told what to fill in
    name, message = _fault(coordinator, "sales.tender", "action_lost", [tender_id])
    assert name == USER_ERROR and "Loss Reason" in message
    winner_id = _partner(coordinator, "Hudson Valley Interiors")
    _call(
        coordinator,
        "sales.tender",
        "write",
        [tender_id],
        {
            "loss_reason": "Price: 8% above the winner",
            "winner_id": winner_id,
            "winning_price": 8700.0,
            "our_rank": 2,
            "competitor_ids": [
                (0, 0, {"partner_id": winner_id, "price": 8700.0, "rank": 1}),
                (
                    0,
                    0,
                    {
                        "partner_id": _partner(coordinator, "Great Lakes Logistics"),
                        "price": 9900.0,
                        "rank": 3,
                    },
                ),
            ],
        },
    )
    assert _call(coordinator, "sales.tender", "action_lost", [tender_id]) is True
    [tender] = _call(
        coordinator,
        "sales.tender",
        "read",
        [tender_id],
        ["state", "winner_id", "our_rank", "competitor_ids"],
    )
    assert tender["state"] == "lost" and tender["winner_id"][0] == winner_id
    assert tender["our_rank"] == 2 and len(tender["competitor_ids"]) == 2
    competitors = _call(
        coordinator,
        "sales.tender.competitor",
        "search_read",
        [("tender_id", "=", tender_id)],
        fields=["rank", "price"],
        order="rank",
    )
    assert [(c["rank"], c["price"]) for c in competitors] == [(1, 8700.0), (3, 9900.0)]
    [order] = _call(coordinator, "sale.order", "read", [order_id], ["state"])
    assert order["state"] == "cancel", "the quotation of a lost tender is cancelled"
    assert "tender_lost" in _events(coordinator, [("tender_id", "=", tender_id)])


def test_tender_roles_and_bad_input(login, xmlrpc_login):
    coordinator = login("coordinator")
    tender_id, _order_id = _prepared_tender(coordinator)
    docs = _documents(coordinator, [("tender_id", "=", tender_id)])

    # the assistant does the paperwork: edits and marks a document ready...
    assistant = login("assistant")
    _call(
        assistant,
        "sales.support.document",
        "write",
        [docs["TF"]["id"]],
        {"attachment_ids": [_attachment("tender-form.pdf")], "note": "signed by the director"},
    )
    _call(assistant, "sales.support.document", "action_mark_ready", [docs["TF"]["id"]])
    # ...but does not waive a blocking one, nor submit the tender, nor override
    name, message = _fault(
        assistant, "sales.support.document", "write", [docs["BB"]["id"]], {"blocks": "none"}
    )
    assert name == ACCESS_ERROR and "only a support manager can waive it" in message
    name, message = _fault(
        assistant, "sales.support.document", "action_mark_not_applicable", [docs["BB"]["id"]]
    )
    assert name == ACCESS_ERROR and "Bid Bond Copy" in message
    name, _message = _fault(assistant, "sales.tender", "action_submit", [tender_id])
    assert name == ACCESS_ERROR
    name, _message = _fault(
        assistant,
        "sales.tender",
        "create",
        {
            "partner_id": _partner(assistant, "Prairie Office Supply"),
            "date_submission_deadline": "2099-01-01 10:00:00",
        },
    )
    assert name == ACCESS_ERROR

    # the salesperson owns strategy and price, not the paperwork
    salesperson = login("sales01")
    name, _message = _fault(
        salesperson, "sales.support.document", "action_mark_ready", [docs["BB"]["id"]]
    )
    assert name == ACCESS_ERROR
    wizard = {
        "res_model": "sales.tender",
        "res_id": tender_id,
        "block": "submission",
        "reason": "urgent",
    }
    name, _message = _fault(salesperson, "sales.support.checklist.override", "create", wizard)
    assert name == ACCESS_ERROR
    # a coordinator cannot override either (XML-RPC: faultCode 4 for an access error)
    call = xmlrpc_login("coordinator")
    wizard_id = call("sales.support.checklist.override", "create", wizard)
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("sales.support.checklist.override", "action_confirm", [wizard_id])
    assert fault.value.faultCode == 4
    assert "Only a support manager" in fault.value.faultString
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("sales.tender", "action_submit", [tender_id])
    assert fault.value.faultCode == 2 and "Bid Bond Copy" in fault.value.faultString
    assert "Tender Form" not in fault.value.faultString, "the form is ready"

    # the support manager overrides with a reason: logged, then the submission goes
    manager = login("csmanager")
    wizard_id = _call(manager, "sales.support.checklist.override", "create", wizard)
    _call(manager, "sales.support.checklist.override", "action_confirm", [wizard_id])
    assert _call(coordinator, "sales.tender", "action_submit", [tender_id]) is True
    assert "document_overridden" in _events(manager, [("tender_id", "=", tender_id)])

    # bad input: a ValidationError a script author can act on
    name, message = _fault(
        coordinator,
        "sales.tender",
        "create",
        {
            "partner_id": _partner(coordinator, "Prairie Office Supply"),
            "user_id": _uid(coordinator, "sales01"),
            "date_publication": "2026-06-01",
            "date_submission_deadline": "2026-05-01 10:00:00",
        },
    )
    assert name == VALIDATION_ERROR and "before its publication" in message


def _lc_values(client, **values):
    today = date.today()
    return {
        "name": f"ILC-RPC-{uuid.uuid4().hex[:8]}",
        "partner_id": _partner(client, "Galil Trading Ltd."),
        "amount": 10000.0,
        "tolerance": 5.0,
        "date_issue": today.isoformat(),
        "date_latest_shipment": (today + timedelta(days=20)).isoformat(),
        "date_expiry": (today + timedelta(days=60)).isoformat(),
        "partial_shipment_allowed": True,
        **values,
    }


def test_letter_of_credit_for_an_export_order(login):
    coordinator = login("coordinator")
    today = date.today()
    lc_id = _call(coordinator, "sales.letter.of.credit", "create", _lc_values(coordinator))
    [lc] = _call(
        coordinator,
        "sales.letter.of.credit",
        "read",
        [lc_id],
        [
            "state",
            "presentation_days",
            "date_presentation_deadline",
            "amount_max",
            "coordinator_id",
        ],
    )
    assert lc["state"] == "draft" and lc["presentation_days"] == 21
    assert lc["date_presentation_deadline"] == (today + timedelta(days=41)).isoformat()
    assert lc["amount_max"] == 10500.0
    assert lc["coordinator_id"][0] == coordinator.env.uid
    _call(coordinator, "sales.letter.of.credit", "action_receive", [lc_id])

    # an export order paid by the letter of credit: its checklist
    order_id = _call(
        coordinator,
        "sale.order",
        "create",
        {
            "partner_id": _partner(coordinator, "Galil Trading Ltd."),
            "letter_of_credit_id": lc_id,
            "order_line": [
                (
                    0,
                    0,
                    {"product_id": _goods(coordinator), "product_uom_qty": 4, "price_unit": 1000.0},
                )
            ],
        },
    )
    [order] = _call(
        coordinator, "sale.order", "read", [order_id], ["is_export", "checklist_progress"]
    )
    assert order["is_export"]
    docs = _documents(coordinator, [("order_id", "=", order_id)])
    assert {"CI", "PL", "INS", "BL", "BOE", "BEN", "LCP"} <= set(docs)
    blocking = _call(
        coordinator, "sale.order", "get_missing_documents", [order_id], block="delivery"
    )
    assert sorted(d["code"] for d in blocking) == ["CI", "INS", "PL"]
    _call(coordinator, "sale.order", "action_confirm", [order_id])
    [lc] = _call(
        coordinator, "sales.letter.of.credit", "read", [lc_id], ["amount_used", "amount_available"]
    )
    [order] = _call(coordinator, "sale.order", "read", [order_id], ["amount_total", "picking_ids"])
    assert lc["amount_used"] == pytest.approx(order["amount_total"])
    assert lc["amount_available"] == pytest.approx(10500.0 - order["amount_total"])

    # the delivery cannot go while the pre-shipment documents are missing
    [picking_id] = order["picking_ids"]
    name, message = _fault(coordinator, "stock.picking", "button_validate", [picking_id])
    assert name == USER_ERROR and "Delivery Validation is blocked" in message
    for doc_name in ("Commercial Invoice", "Packing List", "Insurance Certificate"):
        assert doc_name in message
    [picking] = _call(coordinator, "stock.picking", "read", [picking_id], ["state"])
    assert picking["state"] == "assigned"

    # the coordinator prepares them and ships
    pre_shipment = [docs[code]["id"] for code in ("CI", "PL", "INS")]
    _call(
        coordinator,
        "sales.support.document",
        "write",
        pre_shipment,
        {"attachment_ids": [_attachment("pre-shipment.pdf")]},
    )
    _call(coordinator, "sales.support.document", "action_mark_ready", pre_shipment)
    _call(coordinator, "stock.picking", "button_validate", [picking_id])
    [picking] = _call(coordinator, "stock.picking", "read", [picking_id], ["state"])
    assert picking["state"] == "done"

    # shipped today: the documents must reach the bank within the presentation period
    _call(
        coordinator,
        "sales.letter.of.credit",
        "write",
        [lc_id],
        {"date_shipment": today.isoformat()},
    )
    [lc] = _call(
        coordinator, "sales.letter.of.credit", "read", [lc_id], ["date_presentation_deadline"]
    )
    assert lc["date_presentation_deadline"] == (today + timedelta(days=21)).isoformat()
    # the transport documents, sent to the bank with the presentation set
    post_shipment = [docs[code]["id"] for code in ("BL", "BOE", "BEN", "LCP")]
    _call(coordinator, "sales.support.document", "action_mark_sent", post_shipment)
    assert (
        _call(coordinator, "sale.order", "get_missing_documents", [order_id], block="invoicing")
        == []
    )

    # the bank found a discrepancy at presentation; the applicant waives it
    _call(
        coordinator,
        "sales.letter.of.credit",
        "write",
        [lc_id],
        {
            "discrepancy_ids": [
                (0, 0, {"name": "Invoice shows the goods as 'chairs', LC says 'seating'"})
            ]
        },
    )
    [lc] = _call(
        coordinator,
        "sales.letter.of.credit",
        "read",
        [lc_id],
        ["discrepancy_ids", "open_discrepancy_count"],
    )
    assert lc["open_discrepancy_count"] == 1
    [discrepancy_id] = lc["discrepancy_ids"]
    name, message = _fault(
        coordinator,
        "sales.letter.of.credit.discrepancy",
        "write",
        [discrepancy_id],
        {"date_resolved": today.isoformat()},
    )
    assert name == VALIDATION_ERROR and "Say how discrepancy" in message
    _call(
        coordinator,
        "sales.letter.of.credit.discrepancy",
        "write",
        [discrepancy_id],
        {"resolution": "waived", "date_resolved": today.isoformat()},
    )
    [lc] = _call(coordinator, "sales.letter.of.credit", "read", [lc_id], ["open_discrepancy_count"])
    assert lc["open_discrepancy_count"] == 0
    events = _events(
        coordinator, [("order_id", "=", order_id), ("event_type", "like", "document_")]
    )
    assert events.count("document_ready") == 7 and events.count("document_sent") == 4


def test_letter_of_credit_roles_and_bad_input(login, xmlrpc_login):
    coordinator = login("coordinator")
    # bad input over XML-RPC: faultCode 2 and a message naming what to correct
    call = xmlrpc_login("coordinator")
    today = date.today()
    for values, expected in (
        ({"amount": -5.0}, "negative"),
        ({"tolerance": 150.0}, "100"),
        ({"date_expiry": (today - timedelta(days=1)).isoformat()}, "before it is issued"),
    ):
        with pytest.raises(xmlrpc.client.Fault) as fault:
            call("sales.letter.of.credit", "create", _lc_values(coordinator, **values))
        assert fault.value.faultCode == 2, fault.value.faultString
        assert expected in fault.value.faultString, fault.value.faultString

    # the state follows the actions: a script may send the default (as the web client does on
    # a new record), not another state
    name, message = _fault(
        coordinator, "sales.letter.of.credit", "create", _lc_values(coordinator, state="used")
    )
    assert name == ACCESS_ERROR and "use the action instead" in message
    lc_id = _call(
        coordinator, "sales.letter.of.credit", "create", _lc_values(coordinator, state="draft")
    )
    # the assistant reads the letter of credit but records nothing on it
    assistant = login("assistant")
    [lc] = _call(assistant, "sales.letter.of.credit", "read", [lc_id], ["name"])
    assert lc["name"].startswith("ILC-RPC-")
    name, _message = _fault(assistant, "sales.letter.of.credit", "create", _lc_values(assistant))
    assert name == ACCESS_ERROR
    name, _message = _fault(assistant, "sales.letter.of.credit", "write", [lc_id], {"amount": 1.0})
    assert name == ACCESS_ERROR
    # a salesperson whose customer it is not does not even see it
    other = login("sales07")
    assert _call(other, "sales.letter.of.credit", "search", [("id", "=", lc_id)]) == []
    name, _message = _fault(other, "sales.letter.of.credit", "read", [lc_id], ["name"])
    assert name == ACCESS_ERROR
