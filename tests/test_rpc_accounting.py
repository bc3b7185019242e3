"""Accounting support over XML-RPC: a salesperson's or coordinator's script reads a customer's
credit exposure and statement lines; another team's salesperson is refused."""

import xmlrpc.client
from datetime import date

import pytest


@pytest.fixture(scope="module")
def customer(xmlrpc_login):
    """A customer of sales01 with a posted invoice of 1,234.00 (made by the administrator)."""
    admin = xmlrpc_login("admin")
    [sales01] = admin("res.users", "search", [("login", "=", "sales01")])
    partner_id = admin(
        "res.partner",
        "create",
        {"name": "RPC Statement Customer", "is_company": True, "user_id": sales01},
    )
    invoice_id = admin(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "invoice_date": date.today().isoformat(),
            "invoice_line_ids": [
                (0, 0, {"name": "Service", "quantity": 1, "price_unit": 1234.0, "tax_ids": []})
            ],
        },
    )
    admin("account.move", "action_post", [invoice_id])
    return partner_id


@pytest.mark.parametrize("login", ["sales01", "coordinator"])
def test_exposure_and_statement_lines(customer, login, xmlrpc_login):
    call = xmlrpc_login(login)
    [values] = call(
        "res.partner",
        "read",
        [customer],
        ["support_credit_visible", "support_open_receivable", "support_credit_exposure"],
    )
    assert values["support_credit_visible"] is True
    assert values["support_open_receivable"] == 1234.0
    assert values["support_credit_exposure"] >= 1234.0
    figures = call("res.partner", "get_credit_exposure", [customer])
    assert figures[str(customer)]["receivable"] == 1234.0
    today = date.today().isoformat()
    statement = call(
        "res.partner",
        "get_statement_lines",
        partner_id=customer,
        date_from=date.today().replace(day=1).isoformat(),
        date_to=today,
    )
    [section] = statement["sections"]
    assert section["closing"] == 1234.0
    assert [line["kind"] for line in section["lines"]] == ["invoice"]
    assert section["lines"][0]["open_amount"] == 1234.0
    assert statement["as_of"] == today


def test_other_team_is_refused(customer, xmlrpc_login):
    call = xmlrpc_login("sales07")
    today = date.today().isoformat()
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("res.partner", "get_statement_lines", customer, "2020-01-01", today)
    assert fault.value.faultCode == 4, fault.value.faultString  # AccessError
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("res.partner", "get_credit_exposure", [customer])
    assert fault.value.faultCode == 4, fault.value.faultString


def test_bad_period_is_a_user_error(customer, xmlrpc_login):
    call = xmlrpc_login("sales01")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        call("res.partner", "get_statement_lines", customer, "2025-12-31", "2025-01-01")
    assert fault.value.faultCode == 2, fault.value.faultString
    assert "swap the dates" in fault.value.faultString


def test_partial_payment_and_credit_note(xmlrpc_login):
    """The coordinator's script registers a partial payment and a credit note for an invoice of
    1,000.00; the salesperson's script reads 700.00 open, line by line."""
    admin = xmlrpc_login("admin")
    [sales01] = admin("res.users", "search", [("login", "=", "sales01")])
    partner_id = admin(
        "res.partner",
        "create",
        {"name": "RPC Partial Customer", "is_company": True, "user_id": sales01},
    )
    coordinator = xmlrpc_login("coordinator")
    today = date.today().isoformat()

    def customer_move(move_type, amount):
        move_id = coordinator(
            "account.move",
            "create",
            {
                "move_type": move_type,
                "partner_id": partner_id,
                "invoice_date": today,
                "invoice_line_ids": [
                    (0, 0, {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            },
        )
        coordinator("account.move", "action_post", [move_id])
        return move_id

    invoice_id = customer_move("out_invoice", 1000.0)
    customer_move("out_refund", 100.0)
    context = {"active_model": "account.move", "active_ids": [invoice_id]}
    wizard_id = coordinator(
        "account.payment.register",
        "create",
        {"amount": 200.0, "payment_difference_handling": "open"},
        context=context,
    )
    coordinator("account.payment.register", "action_create_payments", [wizard_id], context=context)

    call = xmlrpc_login("sales01")
    [values] = call("res.partner", "read", [partner_id], ["support_open_receivable"])
    assert values["support_open_receivable"] == 700.0
    statement = call(
        "res.partner",
        "get_statement_lines",
        partner_id=partner_id,
        date_from=date.today().replace(day=1).isoformat(),
        date_to=today,
    )
    [section] = statement["sections"]
    assert section["closing"] == 700.0
    assert sorted(line["kind"] for line in section["lines"]) == [
        "credit_note",
        "invoice",
        "payment",
    ]
    [invoice_line] = [line for line in section["lines"] if line["kind"] == "invoice"]
    assert invoice_line["open_amount"] == 800.0
    assert section["invoiced"] == 1000.0
    assert section["credit_notes"] == -100.0
    assert section["payments"] == -200.0
