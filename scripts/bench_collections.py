"""Benchmark of the collections worklist (default: 5,000 overdue rows of one coordinator).

    python scripts/bench_collections.py -c odoo.conf -d DB [-n 5000]

DB is any database with sales_support installed. Everything runs in ONE transaction that is
rolled back at the end: the database is left as it was.

Fast generation, documented: the ORM creates a coordinator, a salesperson he serves, 50
customers, one posted invoice per customer and 5 posted opening-balance entries (a
miscellaneous entry debiting the receivable of 10 customers each, with a due date per line),
so that the entries are real accounting. The N overdue rows are then copies of those entries
with their lines, written by one `INSERT ... SELECT FROM generate_series` each (the worklist
reads the receivable lines and the entry's header): a tenth of the rows come from
opening-balance entries, the rest from invoices, spread over 1 to 200 days overdue; a
follow-up log entry on the rows of a tenth of the entries. The tables are then ANALYZEd (as
autovacuum would have done on a live database).

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
N_OPENING_ENTRIES = 5  # of N_CUSTOMERS / N_OPENING_ENTRIES customers each


def make_opening_entries(env, customers, today):
    """Opening balances migrated before the install: one posted miscellaneous entry per group
    of customers, a receivable line per customer due 200 days ago, the credit on equity."""
    company = env.company
    journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "general")],
        limit=1,
    )
    equity = env["account.account"].search(
        [
            *env["account.account"]._check_company_domain(company),
            ("account_type", "in", ("equity_unaffected", "equity")),
        ],
        limit=1,
    )
    size = len(customers) // N_OPENING_ENTRIES
    entries = env["account.move"].create(
        [
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": today - timedelta(days=400),
                "ref": "Opening balance",
                "line_ids": [
                    Command.create(
                        {
                            "name": "Opening balance",
                            "partner_id": customer.id,
                            "account_id": customer.property_account_receivable_id.id,
                            "debit": 100.0,
                            "date_maturity": today - timedelta(days=200),
                        }
                    )
                    for customer in customers[i * size : (i + 1) * size]
                ]
                + [
                    Command.create(
                        {"name": "Opening balance", "account_id": equity.id, "credit": 100 * size}
                    )
                ],
            }
            for i in range(N_OPENING_ENTRIES)
        ]
    )
    entries.action_post()
    return entries


def clone_entries(env, templates, count):
    """``count`` copies of the posted entries ``templates`` (in turn) with their lines, by SQL;
    copy n is due 1 + n mod 200 days ago (its header and its receivable lines)."""
    if count <= 0:
        return

    def columns(model, *skip):
        return [
            name
            for name, field in env[model]._fields.items()
            if field.store and field.column_type and name not in ("id", *skip)
        ]

    move_cols = columns("account.move", "name", "invoice_date_due")
    line_cols = columns("account.move.line", "move_id", "date_maturity")
    env.cr.execute(
        SQL(
            """WITH src AS MATERIALIZED (
                   SELECT nextval('account_move_id_seq') AS new_id, n,
                          (%(templates)s::int4[])[1 + mod(n, %(size)s)] AS template_id,
                          CURRENT_DATE - (1 + mod(n, 200)) AS due
                     FROM generate_series(1, %(count)s) n),
               moves AS (
                   INSERT INTO account_move (id, name, invoice_date_due, %(move_cols)s)
                   SELECT src.new_id, move.name || '-' || src.n, src.due, %(move_vals)s
                     FROM src JOIN account_move move ON move.id = src.template_id)
               INSERT INTO account_move_line (move_id, date_maturity, %(line_cols)s)
               SELECT src.new_id,
                      CASE WHEN account.account_type = 'asset_receivable' THEN src.due
                           ELSE line.date_maturity END,
                      %(line_vals)s
                 FROM src
                 JOIN account_move_line line ON line.move_id = src.template_id
                 JOIN account_account account ON account.id = line.account_id""",
            templates=templates.ids,
            size=len(templates),
            count=count,
            move_cols=SQL(", ").join(SQL.identifier(c) for c in move_cols),
            move_vals=SQL(", ").join(SQL("move.%s", SQL.identifier(c)) for c in move_cols),
            line_cols=SQL(", ").join(SQL.identifier(c) for c in line_cols),
            line_vals=SQL(", ").join(SQL("line.%s", SQL.identifier(c)) for c in line_cols),
        )
    )


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
    entries = make_opening_entries(env, customers, today)
    env.flush_all()
    # a tenth of the rows from opening balances (each copy gives a row per customer of it)
    per_entry = N_CUSTOMERS // N_OPENING_ENTRIES
    entry_copies = max(count // 10 - N_CUSTOMERS, 0) // per_entry
    clone_entries(env, entries, entry_copies)
    clone_entries(env, invoices, count - 2 * N_CUSTOMERS - entry_copies * per_entry)
    env.cr.execute(
        SQL(
            """INSERT INTO sales_support_followup
                   (move_id, partner_id, company_id, date, channel, user_id, next_action_date)
               SELECT DISTINCT line.move_id, line.partner_id, line.company_id, CURRENT_DATE,
                      'call', %s, CURRENT_DATE + 7
                 FROM account_move_line line
                WHERE line.partner_id IN %s AND line.balance > 0
                  AND mod(line.move_id, 10) = 0""",
            coordinator.id,
            tuple(customers.ids),
        )
    )
    env.flush_all()
    # the planner's statistics, as autovacuum keeps them on a live database (the rows above are
    # new in this transaction; without it the planner counts on a handful of lines)
    env.cr.execute("ANALYZE account_move, account_move_line, sales_support_followup")
    env.invalidate_all()
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
    parser.add_argument(
        "-n",
        "--invoices",
        type=int,
        default=5000,
        help="overdue rows: invoices and opening balances",
    )
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            start = time.perf_counter()
            coordinator = make_data(env, args.invoices)
            print(f"generated {args.invoices} rows in {time.perf_counter() - start:.1f} s")
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
            entries = Report.search_count([("move_type", "=", "entry")])
            print(f"  rows: {count}, of opening-balance entries: {entries}")
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
