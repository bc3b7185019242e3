"""KPI figures over XML-RPC and JSON-RPC: an external script (examples/kpi_figures.py) reads a
month of KPIs for a sales team and a salesperson with the API user's key; bad input is a
UserError (faultCode 2) that says what to fix; a salesperson cannot read another team's
figures."""

import importlib
import uuid
import xmlrpc.client
from datetime import datetime

import pytest
from test_rpc_api_examples import (  # noqa: F401 (fixtures; puts the examples on sys.path)
    CLIENTS,
    _run,
    admin,
    api_args,
    api_user,
    connect,
)

# The examples' directory is on sys.path once test_rpc_api_examples is imported.
kpi_figures = importlib.import_module("kpi_figures")
MONTH = "2025-03"


@pytest.fixture(scope="module")
def kpi_data(odoo_server, admin, api_user):  # noqa: F811 (fixtures)
    """A team with two salespeople and three orders entered in March 2025 (milestones set as the
    ledger would), then the figures of March recomputed by a KPI manager (the wizard)."""
    company_id = api_user["company_id"]
    run = uuid.uuid4().hex[:8]  # the database is reused between runs: names of this run
    team_name = f"E2E KPI Team {run}"
    team_id = admin.call("crm.team", "create", {"name": team_name, "company_id": False})
    sellers = []
    for index in (1, 2):
        login = f"e2e_kpi_seller_{index}_{run}"
        sellers.append(
            admin.call(
                "res.users",
                "create",
                {
                    "name": f"E2E KPI Seller {index} {run}",
                    "login": login,
                    "password": login,
                    "company_id": company_id,
                    "company_ids": [(6, 0, [company_id])],
                    "groups_id": [
                        (
                            6,
                            0,
                            [
                                _group(admin, "sales_team.group_sale_salesman"),
                                _group(admin, "base.group_user"),
                            ],
                        )
                    ],
                },
            )
        )
        admin.call("crm.team.member", "create", {"crm_team_id": team_id, "user_id": sellers[-1]})
    [customer] = admin.call("res.partner", "search", [("customer_rank", ">", 0)], limit=1) or [
        admin.call("res.partner", "create", {"name": "E2E KPI Customer"})
    ]
    orders = admin.call(
        "sale.order",
        "create",
        [
            {
                "partner_id": customer,
                "user_id": sellers[i % 2],
                "team_id": team_id,
                "company_id": company_id,
            }
            for i in range(3)
        ],
    )
    # The milestones are the ledger's (server-written); a test sets them in SQL as it would.
    from odoo.modules.registry import Registry

    registry = Registry(odoo_server["db"])
    with registry.cursor() as cr:
        for index, order in enumerate(orders):
            day = 3 + index
            cr.execute(
                """
                UPDATE sale_order SET state = 'sale', currency_rate = 1, amount_untaxed = %s,
                       date_order = %s, date_o2c_request = %s, date_o2c_entered = %s
                 WHERE id = %s
                """,
                [
                    100.0 * (index + 1),
                    datetime(2025, 3, day, 12),
                    datetime(2025, 3, day, 8),
                    datetime(2025, 3, day, 12),
                    order,
                ],
            )
    wizard = admin.call(
        "o2c.kpi.refresh",
        "create",
        {
            "date_from": "2025-03-01",
            "date_to": "2025-03-31",
            "period_type": "month",
            "company_ids": [(6, 0, [company_id])],
        },
    )
    admin.call("o2c.kpi.refresh", "action_refresh", [wizard])
    return {"team_id": team_id, "team_name": team_name, "sellers": sellers, "run": run}


def _group(admin, xmlid):  # noqa: F811 (fixtures)
    module, name = xmlid.split(".")
    [row] = admin.call(
        "ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)], ["res_id"]
    )
    return row["res_id"]


def test_script_reads_a_month_of_kpis_for_a_team_and_a_salesperson(
    admin,  # noqa: F811 (fixture)
    api_args,  # noqa: F811 (fixture)
    kpi_data,
    capsys,
):
    for client in CLIENTS:
        team = _run(
            kpi_figures,
            [*api_args, "--client", client, "--month", MONTH, "--team", kpi_data["team_name"]],
            capsys,
        )
        by_code = {row["kpi"]: row for row in team}
        # The team's three orders of March: 4 h from request to entry each; volume
        # 100 + 200 + 300 = 600 in the company's currency.
        assert by_code["orders_processing_hours"]["value"] == pytest.approx(4.0)
        assert by_code["sales_volume"]["value"] == pytest.approx(600.0)
        assert by_code["sales_volume"]["currency"]
        # Nothing shipped: a step not reached is false (no data), never 0.
        assert by_code["orders_shipment_hours"]["value"] is False
        assert {row["date_start"] for row in team} == {"2025-03-01"}
        assert {row["team_id"] for row in team} == {kpi_data["team_id"]}
        seller = _run(
            kpi_figures,
            [
                *api_args,
                "--client",
                client,
                "--month",
                MONTH,
                "--salesperson",
                f"E2E KPI Seller 1 {kpi_data['run']}",
            ],
            capsys,
        )
        by_code = {row["kpi"]: row for row in seller}
        # Seller 1 has orders 1 and 3: 100 + 300 = 400.
        assert by_code["sales_volume"]["value"] == pytest.approx(400.0)
        assert {row["user_id"] for row in seller} == {kpi_data["sellers"][0]}


def test_bad_input_says_what_to_fix(odoo_server, api_user):  # noqa: F811 (fixtures)
    session = connect(odoo_server, api_user["login"], api_user["key"])
    for args, message in [
        (("2025-03-31", "2025-03-01"), "before the end date"),
        (("2025-03-01", "2025-03-31", "fortnight"), "Unknown period type"),
        (("March", "2025-03-31"), "YYYY-MM-DD"),
    ]:
        with pytest.raises(xmlrpc.client.Fault) as fault:
            session.call("o2c.kpi.value", "get_kpis", *args)
        assert fault.value.faultCode == 2
        assert message in fault.value.faultString


def test_salesperson_reads_own_team_not_another(odoo_server, admin, kpi_data):  # noqa: F811 (fixtures)
    seller = connect(odoo_server, f"e2e_kpi_seller_2_{kpi_data['run']}")
    own = seller.call(
        "o2c.kpi.value",
        "get_kpis",
        "2025-03-01",
        "2025-03-31",
        "month",
        team_id=kpi_data["team_id"],
    )
    assert own, "a salesperson reads their team's figures"
    other_team = admin.call("crm.team", "create", {"name": "E2E KPI Other Team"})
    assert (
        seller.call(
            "o2c.kpi.value", "get_kpis", "2025-03-01", "2025-03-31", "month", team_id=other_team
        )
        == []
    )


def test_salesperson_cannot_rate_own_order(odoo_server, admin, kpi_data):  # noqa: F811 (fixtures)
    """The satisfaction KPIs are the customers' scores: a salesperson's script cannot give,
    change or take back the score of an order's rating (fault 2, a UserError saying who
    records one); the rating stays as it was asked."""
    seller = connect(odoo_server, f"e2e_kpi_seller_1_{kpi_data['run']}")
    [order] = seller.call(
        "sale.order", "search", [("user_id", "=", kpi_data["sellers"][0])], limit=1
    )
    [row] = seller.call("sale.order", "read", [order], ["partner_id"])
    [order_model] = admin.call("ir.model", "search", [("model", "=", "sale.order")])
    # asked for (what the rating e-mail does), not given yet
    rating = admin.call(
        "rating.rating",
        "create",
        {"res_model_id": order_model, "res_id": order, "partner_id": row["partner_id"][0]},
    )
    refused = "Only the customer rates an order"
    attempts = [
        ("rating.rating", "write", ([rating], {"rating": 5, "consumed": True}), {}, refused),
        (
            "rating.rating",
            "create",
            (
                {
                    "res_model_id": order_model,
                    "res_id": order,
                    "partner_id": row["partner_id"][0],
                    "rating": 5,
                    "consumed": True,
                },
            ),
            {},
            "only a KPI manager",
        ),
        ("sale.order", "message_post", ([order],), {"body": "5/5", "rating_value": 5}, refused),
    ]
    for model, method, args, kwargs, message in attempts:
        with pytest.raises(xmlrpc.client.Fault) as fault:
            seller.call(model, method, *args, **kwargs)
        assert fault.value.faultCode == 2, (method, fault.value.faultString)
        assert message in fault.value.faultString
    ratings = admin.call(
        "rating.rating",
        "search_read",
        [("res_model", "=", "sale.order"), ("res_id", "=", order)],
        ["rating", "consumed", "date_o2c_rated"],
    )
    assert [(r["id"], r["rating"], r["consumed"], r["date_o2c_rated"]) for r in ratings] == [
        (rating, 0.0, False, False)
    ]
    # (the e2e database is reused: the order's rating goes with the test)
    admin.call("rating.rating", "unlink", [rating])
