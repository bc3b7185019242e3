"""Ledger rebuild benchmark: `sale.order._o2c_rebuild_ledger` (install on a database with
history, and the 18.0.1.1.0 migration) on N generated orders, on ONE database with
sales_support installed (by default ss_bench_addon, see scripts/bench.sh).

N quotations of 1-3 lines are created through the ORM (scripts/bench_o2c.py's generator and
master data), --confirmed of them are confirmed (deliveries created and reserved); their ledger
is then deleted with SQL, as on a database where the addon was not installed yet, and the
rebuild is timed in batches of --batch orders: wall time, SQL queries, peak memory. Everything
runs in one transaction that is rolled back.

    python scripts/bench_rebuild.py -c odoo.conf --db ss_bench_addon [-n 20000] [--confirmed 0.2]
"""

import argparse
import resource
import sys
import time
from pathlib import Path

import odoo
from odoo import api
from odoo.tools import SQL, config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_o2c  # noqa: E402  (the same generated data as make bench)


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--db", default="ss_bench_addon")
    parser.add_argument("-n", "--orders", type=int, default=20000)
    parser.add_argument("--confirmed", type=float, default=0.2, help="share confirmed")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=1000, help="orders per rebuild batch")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    registry = odoo.modules.registry.Registry(args.db)
    if "sales.support.o2c.event" not in registry:
        sys.exit(f"{args.db} has no sales_support: run `make bench` first (ss_bench_addon)")
    plan = bench_o2c.make_plan(args.orders, args.seed)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        env = env(user=env.ref("base.user_admin"), context={"tz": "UTC", "tracking_disable": True})
        try:
            start = time.perf_counter()
            customers, products = bench_o2c.make_master_data(env)
            ids = []
            for chunk in bench_o2c.batches(plan, 500):
                ids += bench_o2c.create_orders(env, chunk, customers, products).ids
            n_confirm = int(len(ids) * args.confirmed)
            for chunk in bench_o2c.batches(ids[:n_confirm], 200):
                env["sale.order"].browse(chunk).action_confirm()
                env.flush_all()
                env.invalidate_all()
            print(
                f"{args.db}: {len(ids)} orders generated ({n_confirm} confirmed) in "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
            # as before the install: no ledger for these orders
            cr.execute(SQL("DELETE FROM sales_support_o2c_event WHERE order_id = ANY(%s)", ids))
            env.invalidate_all()
            total = env["sale.order"].search_count([])
            queries, rss_before = cr.sql_log_count, rss_mib()
            start = time.perf_counter()
            rebuilt = env["sale.order"]._o2c_rebuild_ledger(batch_size=args.batch)
            env.flush_all()
            wall = time.perf_counter() - start
            queries = cr.sql_log_count - queries
            events = env["sales.support.o2c.event"].search_count([("order_id", "in", ids)])
            print(
                f"  rebuild: {rebuilt} orders without ledger (of {total}) in {wall:.1f} s "
                f"({wall / max(rebuilt, 1) * 1000:.2f} ms/order), {queries} queries "
                f"({queries / max(rebuilt, 1):.1f}/order), {events} events written; "
                f"peak memory {rss_before:.0f} MiB before, {rss_mib():.0f} MiB after",
                flush=True,
            )
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
