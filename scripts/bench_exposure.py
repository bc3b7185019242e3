"""Benchmark of the credit exposure and of the statement of account on generated data.

    python scripts/bench_exposure.py -c odoo.conf -d DB [-n 1000] [--lines 2000]

DB is any database with sales_support installed (the test database of `make test`, or a
throwaway copy). Everything runs in ONE transaction that is rolled back at the end: the
database is left as it was.

Generated with the ORM: N customers of one salesperson, one posted invoice each (amounts
100..199, half in a second currency), a confirmed order to invoice for every other customer and
an uncleared cheque (payment registered) for every fifth one; one customer gets --lines
invoices and partial payments for the statement. Timed (cold caches each time), with the number
of SQL queries:
  1. the exposure of the N customers read as the support manager (the Credit Exposure list);
  2. the same read as the salesperson (who serves them: one more grouped query);
  3. the statement of account of the big customer (period of a year, as of today).
"""

import argparse
import time
from datetime import timedelta

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tools import config


def timed(env, label, func):
    env.invalidate_all()
    env.registry.clear_cache()
    count = env.cr.sql_log_count
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed * 1000:.0f} ms, {env.cr.sql_log_count - count} queries")
    return result


def generate(env, n, n_lines):
    company = env.company
    today = fields.Date.context_today(env["res.partner"])
    other = env.ref("base.EUR") if company.currency_id.name != "EUR" else env.ref("base.USD")
    other.active = True
    salesperson = env["res.users"].create(
        {
            "name": "Bench Salesperson",
            "login": "bench_exposure_sales",
            "groups_id": [Command.set([env.ref("sales_team.group_sale_salesman").id])],
        }
    )
    manager = env["res.users"].create(
        {
            "name": "Bench Manager",
            "login": "bench_exposure_manager",
            "groups_id": [Command.set([env.ref("sales_support.group_support_manager").id])],
        }
    )
    start = time.perf_counter()
    partners = env["res.partner"].create(
        [{"name": f"Bench {i}", "is_company": True, "user_id": salesperson.id} for i in range(n)]
    )
    product = env["product.product"].create({"name": "Bench product", "list_price": 50})

    def invoice(partner, amount, currency, day):
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": day,
            "currency_id": currency.id,
            "invoice_line_ids": [
                Command.create({"name": "x", "quantity": 1, "price_unit": amount, "tax_ids": []})
            ],
        }

    moves = env["account.move"].create(
        [
            invoice(p, 100 + i % 100, other if i % 2 else company.currency_id, today)
            for i, p in enumerate(partners)
        ]
    )
    moves.action_post()
    orders = env["sale.order"].create(
        [
            {
                "partner_id": p.id,
                "user_id": salesperson.id,
                "order_line": [Command.create({"product_id": product.id, "tax_id": []})],
            }
            for p in partners[::2]
        ]
    )
    orders.action_confirm()
    # their payments registered: only then do uncleared cheques count in the exposure
    env["sales.customer.cheque"].create(
        [
            {"name": f"B{i}", "partner_id": p.id, "amount": 30, "date_due": today}
            for i, p in enumerate(partners[::5])
        ]
    ).action_register_payment()
    big = partners[0]
    big_moves = env["account.move"].create(
        [
            invoice(
                big,
                10 + i % 50,
                other if i % 3 else company.currency_id,
                today - timedelta(i % 360),
            )
            for i in range(n_lines)
        ]
    )
    big_moves.action_post()
    journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "bank")], limit=1
    )
    for chunk in range(0, len(big_moves), 200):
        batch = big_moves[chunk : chunk + 200 : 2]
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=batch.ids
        ).create({"journal_id": journal.id, "group_payment": False})._create_payments()
    env.flush_all()
    print(
        f"generated {n} customers, {len(moves)} invoices, {len(orders)} orders, "
        f"{len(partners[::5])} cheques, a customer with {n_lines} invoices "
        f"in {time.perf_counter() - start:.0f} s"
    )
    return partners, salesperson, manager, big


def run(env, n, n_lines):
    partners, salesperson, manager, big = generate(env, n, n_lines)
    fnames = ["support_credit_exposure", "support_is_over_credit_limit", "support_overdue_amount"]
    values = timed(
        env,
        f"exposure of {n} customers as the support manager",
        lambda: partners.with_user(manager).read(fnames),
    )
    total = sum(v["support_credit_exposure"] for v in values)
    print(f"  total exposure {total:.2f} {env.company.currency_id.name}")
    timed(
        env,
        f"exposure of {n} customers as their salesperson",
        lambda: partners.with_user(salesperson).read(fnames),
    )
    today = fields.Date.context_today(env["res.partner"])
    data = timed(
        env,
        f"statement of a customer with {n_lines} invoices",
        lambda: env["sales.support.statement"]
        .with_user(salesperson)
        ._get_statement_data(big, today - timedelta(365), today, today, env.company),
    )
    lines = sum(len(s["lines"]) for s in data["sections"])
    print(f"  {lines} statement lines in {len(data['sections'])} currencies")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("-n", "--customers", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=2000, help="invoices of the big customer")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(
            cr, SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True}
        )
        try:
            print(f"database {args.database}: {args.customers} customers")
            run(env, args.customers, args.lines)
        finally:
            cr.rollback()
            print("rolled back: the database is unchanged")


if __name__ == "__main__":
    main()
