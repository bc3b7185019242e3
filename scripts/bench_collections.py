"""Benchmark of the collections worklist (default: 5,000 overdue invoices of one coordinator).

    python scripts/bench_collections.py -c odoo.conf -d DB [-n 5000]

DB is any database with sales_support installed. Everything runs in ONE transaction that is
rolled back at the end: the database is left as it was.

Fast generation, documented: the ORM creates a coordinator, a salesperson he serves, 50
customers and one posted invoice per customer (so that the invoices are real accounting); the
N overdue invoices are then copies of those headers written by one `INSERT ... SELECT FROM
generate_series` (the worklist reads the invoice header only: state, payment state, due date,
residual amounts), spread over 1 to 200 days overdue; a follow-up log entry on a tenth of them.

Timed, as the coordinator (record rules on): the first page of the list (web_search_read, 80
rows), the grouping by aging bucket (web_read_group), the count, and the daily follow-up cron
(which levels are due) as superuser. For each: wall time and SQL queries.
"""

import argparse
import time
from datetime import timedelta

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tools import SQL, config

N_CUSTOMERS = 50


def make_data(env, count):
    coordinator_group = env.ref("sales_support.group_support_coordinator")
    sales_group = env.ref("sales_team.group_sale_salesman")
    Users = env["res.users"].with_context(no_reset_password=True)
    coordinator = Users.create(
        {
            "name": "Bench Coordinator",
            "login": "bench_collections_coordinator",
            "groups_id": [Command.set(coordinator_group.ids)],
        }
    )
    salesperson = Users.create(
        {
            "name": "Bench Salesperson",
            "login": "bench_collections_salesperson",
            "groups_id": [Command.set(sales_group.ids)],
            "support_coordinator_id": coordinator.id,
        }
    )
    customers = env["res.partner"].create(
        [
            {"name": f"Bench Customer {i}", "is_company": True, "user_id": salesperson.id}
            for i in range(N_CUSTOMERS)
        ]
    )
    today = fields.Date.today()
    invoices = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_user_id": salesperson.id,
                "invoice_date": today - timedelta(days=230),
                "invoice_date_due": today - timedelta(days=200),
                "invoice_line_ids": [
                    Command.create({"name": "Goods", "quantity": 1, "price_unit": 100.0})
                ],
            }
            for customer in customers
        ]
    )
    invoices.action_post()
    env.flush_all()
    Move = env["account.move"]
    columns = [
        name
        for name, field in Move._fields.items()
        if field.store and field.column_type and name not in ("id", "name", "invoice_date_due")
    ]
    cols = SQL(", ").join(SQL.identifier(c) for c in columns)
    env.cr.execute(
        SQL(
            """INSERT INTO account_move (name, invoice_date_due, %s)
               SELECT move.name || '-' || n, CURRENT_DATE - (1 + mod(n, 200)), %s
                 FROM account_move move, generate_series(1, %s) n
                WHERE move.id = (%s::int4[])[1 + mod(n, %s)]""",
            cols,
            SQL(", ").join(SQL("move.%s", SQL.identifier(c)) for c in columns),
            count - len(invoices),
            invoices.ids,
            len(invoices),
        )
    )
    env.cr.execute(
        SQL(
            """INSERT INTO sales_support_followup
                   (move_id, partner_id, company_id, date, channel, user_id, next_action_date)
               SELECT id, commercial_partner_id, company_id, CURRENT_DATE, 'call', %s,
                      CURRENT_DATE + 7
                 FROM account_move WHERE invoice_user_id = %s AND mod(id, 10) = 0""",
            coordinator.id,
            salesperson.id,
        )
    )
    return coordinator


def timed(env, label, func):
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {elapsed * 1000:9.1f} ms  {env.cr.sql_log_count - queries:4d} queries")
    return result


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("-n", "--invoices", type=int, default=5000)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            start = time.perf_counter()
            coordinator = make_data(env, args.invoices)
            print(f"generated {args.invoices} invoices in {time.perf_counter() - start:.1f} s")
            Report = env["sales.support.collection.report"].with_user(coordinator)
            fnames = [
                "name",
                "partner_id",
                "user_id",
                "invoice_date_due",
                "days_overdue",
                "aging_bucket",
                "amount_residual",
                "currency_id",
                "last_level_id",
                "next_action_date",
                "promise_state",
            ]
            spec = {f: {} for f in fnames}
            count = timed(env, "count of the coordinator's rows", lambda: Report.search_count([]))
            print(f"  rows: {count}")
            for _i in range(2):  # the second run is warm (rules and views cached)
                timed(
                    env,
                    "list, first page (80 rows)",
                    lambda: Report.web_search_read([], spec, limit=80),
                )
                timed(
                    env,
                    "grouped by aging bucket",
                    lambda: Report.web_read_group([], fnames, ["aging_bucket"]),
                )
                timed(
                    env,
                    "list, bucket 90+ sorted by amount",
                    lambda: Report.web_search_read(
                        [("aging_bucket", "=", "90_plus")],
                        spec,
                        limit=80,
                        order="amount_residual desc",
                    ),
                )
            due = timed(
                env,
                "follow-up levels due (cron, all companies)",
                lambda: env["sales.support.followup"]._get_due_levels()[0],
            )
            print(f"  levels due: {len(due)}")
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
