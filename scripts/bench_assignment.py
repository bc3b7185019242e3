"""Benchmark of the daily re-assignment cron at scale (default: 100,000 open orders).

    python scripts/bench_assignment.py -c odoo.conf -d DB [-n 100000] [--batch 1000]

DB is any database with sales_support installed (the test database of `make test`, or a
throwaway copy). Everything runs in ONE transaction that is rolled back at the end: the
database is left as it was.

Fast generation, documented: the ORM creates the people (4 coordinators with backups, 20
salespeople, 500 customers, a few rules); the N orders are written by one
`INSERT ... SELECT FROM generate_series` (no order lines, no pickings: the cron reads orders,
their customers and salespeople, and rules without a product category) with the coordinator the
rules give, so that the data starts consistent. Every write_date is then moved two days back, as
if the data was older than the cron's last call.

Then the cron is driven as Odoo's cron runner drives it: one call per batch with an
`ir.cron.progress` record in the context, again while it reports some remaining. Timed scenarios:
  1. a quiet day (nothing changed since the last call);
  2. one coordinator's absence starts today (a quarter of the orders go to the backups);
  3. the next day, that absence over (they come back);
  4. an assignment rule edited (every open order of the company is re-examined).
For each: wall time, records done, orders moved, batches, SQL queries per batch (max).
"""

import argparse
import time
from datetime import timedelta

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.tools import SQL, config

N_SALESPEOPLE = 20
N_CUSTOMERS = 500


def make_people(env):
    group = env.ref("sales_support.group_support_coordinator")
    sales_group = env.ref("sales_team.group_sale_salesman")
    company = env.company
    Users = env["res.users"].with_context(no_reset_password=True)
    coordinators = Users.create(
        [
            {
                "name": f"Bench coordinator {i}",
                "login": f"bench_coordinator_{i}",
                "groups_id": [(6, 0, [group.id])],
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id])],
            }
            for i in range(4)
        ]
    )
    salespeople = Users.create(
        [
            {
                "name": f"Bench salesperson {i}",
                "login": f"bench_salesperson_{i}",
                "groups_id": [(6, 0, [sales_group.id])],
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id])],
                "support_coordinator_id": coordinators[i % 4].id,
                "support_backup_coordinator_id": coordinators[(i + 1) % 4].id,
            }
            for i in range(N_SALESPEOPLE)
        ]
    )
    countries = [env.ref(x) for x in ("base.us", "base.il", "base.be", "base.fr", "base.ae")]
    customers = env["res.partner"].create(
        [
            {
                "name": f"Bench customer {i}",
                "is_company": True,
                "user_id": salespeople[i % N_SALESPEOPLE].id,
                "country_id": countries[i % len(countries)].id,
            }
            for i in range(N_CUSTOMERS)
        ]
    )
    env["sales.support.assignment.rule"].search([]).action_archive()
    env["sales.support.assignment.rule"].create(
        [
            {
                "sequence": 10,
                "country_id": env.ref("base.il").id,
                "coordinator_id": coordinators[0].id,
            },
            {
                "sequence": 20,
                "country_id": env.ref("base.ae").id,
                "coordinator_id": coordinators[1].id,
            },
        ]
    )
    return coordinators, salespeople, customers


def insert_orders(env, n, salespeople, customers):
    """N open quotations in one INSERT ... SELECT, coordinator = what the rules give."""
    company = env.company
    facts = env["sales.support.assignment.rule"]._get_partner_coordinators(customers, company)
    env.cr.execute(
        "CREATE TEMP TABLE bench_customer (k int, partner_id int, user_id int, coordinator_id int)"
    )
    env.cr.execute(
        SQL(
            "INSERT INTO bench_customer VALUES %s",
            SQL(", ").join(
                SQL("(%s, %s, %s, %s)", k, c.id, c.user_id.id, facts[c].id or None)
                for k, c in enumerate(customers)
            ),
        )
    )
    env.flush_all()
    start = time.perf_counter()
    env.cr.execute(
        SQL(
            """
        INSERT INTO sale_order (
            name, date_order, partner_id, partner_invoice_id, partner_shipping_id, company_id,
            user_id, coordinator_id, is_coordinator_manual, state, o2c_stage, picking_policy,
            create_uid, write_uid, create_date, write_date)
        SELECT 'BENCH/' || g, now() at time zone 'UTC', c.partner_id, c.partner_id, c.partner_id,
               %(company)s, c.user_id, c.coordinator_id, false, 'draft', 'request', 'direct',
               %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM generate_series(1, %(n)s) AS g
          JOIN bench_customer c ON c.k = mod(g, %(customers)s)
        """,
            company=company.id,
            uid=SUPERUSER_ID,
            n=n,
            customers=len(customers),
        )
    )
    return time.perf_counter() - start


def age_everything(env):
    for table in ("res_users", "res_partner", "sales_support_assignment_rule", "sale_order"):
        env.cr.execute(
            SQL("UPDATE %s SET write_date = write_date - interval '2 days'", SQL.identifier(table))
        )
    env.invalidate_all()


def run_cron(env, label, lastcall, batch_size):
    """Drive the cron like ir.cron does; return a result row."""
    cron = env.ref("sales_support.ir_cron_apply_assignment_rules")
    Rule = env["sales.support.assignment.rule"]
    env.cr.execute("SELECT coordinator_id FROM sale_order WHERE name LIKE 'BENCH/%%' ORDER BY id")
    before = [r[0] for r in env.cr.fetchall()]
    done = batches = max_queries = 0
    start = time.perf_counter()
    while True:
        progress = env["ir.cron.progress"].create({"cron_id": cron.id, "remaining": 0, "done": 0})
        count0 = env.cr.sql_log_count
        Rule.with_context(
            lastcall=lastcall, ir_cron_progress_id=progress.id
        )._cron_apply_assignment_rules(batch_size=batch_size)
        env.flush_all()
        max_queries = max(max_queries, env.cr.sql_log_count - count0)
        batches += 1
        done += progress.done
        if not progress.remaining:
            break
        env.invalidate_all()  # a new call of the cron runner starts with an empty cache
    elapsed = time.perf_counter() - start
    env.cr.execute("SELECT coordinator_id FROM sale_order WHERE name LIKE 'BENCH/%%' ORDER BY id")
    moved = sum(1 for old, (new,) in zip(before, env.cr.fetchall(), strict=False) if old != new)
    row = (label, elapsed, done, moved, batches, max_queries)
    print(
        f"{label:<52} {elapsed:8.2f} s  done {done:>7}  moved {moved:>7}  "
        f"batches {batches:>4}  max queries/batch {max_queries}",
        flush=True,
    )
    return row


def run(env, n, batch_size):
    coordinators, salespeople, customers = make_people(env)
    insert_seconds = insert_orders(env, n, salespeople, customers)
    print(f"inserted {n} orders in {insert_seconds:.2f} s (one INSERT ... SELECT)")
    age_everything(env)
    lastcall = fields.Datetime.now() - timedelta(days=1)
    today = fields.Date.context_today(env["res.users"])
    rows = [run_cron(env, "1. quiet day (nothing changed)", lastcall, batch_size)]
    coordinators[2].write({"support_absence_date_from": today})
    env.cr.execute(
        SQL(
            "UPDATE res_users SET write_date = write_date - interval '2 days' WHERE id = %s",
            coordinators[2].id,
        )
    )  # the absence was entered last week
    env.invalidate_all()
    rows.append(run_cron(env, "2. an absence starts today", lastcall, batch_size))
    env.cr.execute(
        SQL(
            "UPDATE res_users SET support_absence_date_from = %s, support_absence_date_to = %s "
            "WHERE id = %s",
            today - timedelta(days=3),
            today - timedelta(days=1),
            coordinators[2].id,
        )
    )
    env.invalidate_all()
    rows.append(run_cron(env, "3. the absence ended yesterday", lastcall, batch_size))
    env["sales.support.assignment.rule"].search(
        [("country_id", "=", env.ref("base.ae").id)]
    ).coordinator_id = coordinators[3]
    rows.append(run_cron(env, "4. a rule edited (whole company re-examined)", lastcall, batch_size))
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("-n", "--orders", type=int, default=100000)
    parser.add_argument("--batch", type=int, default=1000, help="records per cron call")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        try:
            print(
                f"database {args.database}: N = {args.orders} open orders, batches of "
                f"{args.batch}, "
                f"{N_SALESPEOPLE} salespeople, {N_CUSTOMERS} customers, 4 coordinators"
            )
            run(env, args.orders, args.batch)
        finally:
            cr.rollback()
            print("rolled back: the database is unchanged")


if __name__ == "__main__":
    main()
