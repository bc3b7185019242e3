"""Benchmark of the Order-to-Cash bookkeeping on generated data.

Generates N orders and drives them through Odoo's own lifecycle in batches (create, confirm,
deliver, invoice, pay), then times:
  - each lifecycle phase (Odoo's work plus our milestone bookkeeping),
  - a full recompute of every milestone, stage, deadline and duration for the N orders,
  - the late-step cron, first run (activities) and second run (must create none); orders are
    made late by shrinking the step targets and recomputing their deadlines (no clock games),
  - the batch re-assignment of coordinators.
Everything runs in one transaction that is rolled back: the database is left as it was.

    python scripts/bench_o2c.py -c odoo.conf -d DB [-n 10000]
"""
import argparse
import logging
import time
from contextlib import contextmanager
import odoo
from odoo import Command, api
from odoo.tools import config

_logger = logging.getLogger("bench_o2c")
RESULTS = []
PERF_COUNTER = time.perf_counter


@contextmanager
def timed(label, count=None):
    start = PERF_COUNTER()
    yield
    elapsed = PERF_COUNTER() - start
    per = f"  ({elapsed / count * 1000:.2f} ms/order)" if count else ""
    RESULTS.append((label, elapsed))
    print(f"{label:<58} {elapsed:8.2f} s{per}", flush=True)


def batches(records, size):
    for start in range(0, len(records), size):
        yield records[start:start + size]


def run(env, n, batch_size, lifecycle=True):
    Rule = env["sales.support.assignment.rule"]
    coordinators = env["res.users"].search([("support_level", "in", ("coordinator", "assistant"))], limit=2)
    salespeople = env["res.users"].search([("support_coordinator_id", "in", coordinators.ids)], limit=6)
    product = env["product.product"].create({
        "name": "Bench widget", "type": "consu", "list_price": 10.0, "invoice_policy": "order",
        "taxes_id": [Command.clear()]})
    customers = env["res.partner"].create([
        {"name": f"Bench customer {i}", "is_company": True, "user_id": salespeople[i % len(salespeople)].id,
         "country_id": env.ref("base.us").id} for i in range(50)])
    print(f"N = {n} orders, batches of {batch_size}, {len(customers)} customers, "
          f"{len(salespeople)} salespeople, {len(Rule.search([]))} assignment rules")

    with timed("create N quotations (1 line each)", n):
        orders = env["sale.order"]
        for chunk in batches(range(n), batch_size):
            orders |= env["sale.order"].create([{
                "partner_id": customers[i % len(customers)].id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1 + i % 5})],
            } for i in chunk])
            env.flush_all()
    if lifecycle:
        drive_lifecycle(env, orders, batch_size)
    measure_bookkeeping(env, orders, coordinators, salespeople)


def drive_lifecycle(env, orders, batch_size):
    """20 % stay quotations, 20 % confirmed, 20 % shipped, 40 % invoiced and paid."""
    n = len(orders)
    confirmed = orders[n // 5:]
    shipped = orders[2 * n // 5:]
    paid = orders[3 * n // 5:]
    with timed("send 80 % of the quotations (state sent)", len(confirmed)):
        for chunk in batches(confirmed, batch_size):
            chunk.action_quotation_sent()
            env.flush_all()
    with timed("confirm 80 % (pickings created by sale_stock)", len(confirmed)):
        for chunk in batches(confirmed, batch_size):
            chunk.action_confirm()
            env.flush_all()
    with timed("deliver 60 % (validate the pickings)", len(shipped)):
        for chunk in batches(shipped, batch_size):
            pickings = chunk.picking_ids
            pickings.move_ids.picked = True
            pickings._action_done()
            env.flush_all()
    with timed("invoice 40 % (create and post)", len(paid)):
        invoices = env["account.move"]
        for chunk in batches(paid, batch_size):
            moves = chunk._create_invoices()
            moves.action_post()
            invoices |= moves
            env.flush_all()
    with timed("pay the 40 % (payment register, one per invoice)", len(paid)):
        for chunk in batches(invoices, batch_size):
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=chunk.ids,
            ).create({"group_payment": False})._create_payments()
            env.flush_all()
    stages = dict(env["sale.order"]._read_group([("id", "in", orders.ids)], ["o2c_stage"], ["__count"]))
    print("stages:", stages)
    assert stages.get("paid") == len(paid), stages


def measure_bookkeeping(env, orders, coordinators, salespeople):
    n = len(orders)
    # Make every unpaid order late without touching the clock: shrink the step targets (3.6 s),
    # recompute the stored deadlines, wait past them.
    env["sales.support.o2c.step"].search([]).write({"target_hours": 0.001})
    with timed("recompute all milestones/stages/deadlines/durations of N orders", n):
        env.invalidate_all()
        Order = env["sale.order"]
        for fname in ("date_o2c_goods_ready", "date_o2c_invoiced", "o2c_stage", "o2c_cycle_hours",
                      "date_o2c_request"):
            env.add_to_compute(Order._fields[fname], orders)
        orders._recompute_recordset()
        env.flush_all()

    time.sleep(4)
    late = env["sale.order"].search_count([("id", "in", orders.ids), ("is_o2c_late", "=", True)])
    with timed(f"late-step cron, 1st run ({late} late orders of N)", n):
        created = env["sale.order"]._cron_o2c_late_activities()
        env.flush_all()
    print(f"  activities created: {created} (the demo orders are late too)")
    with timed("late-step cron, 2nd run", n):
        again = env["sale.order"]._cron_o2c_late_activities()
        env.flush_all()
    print(f"  activities created: {again}")
    assert again == 0

    open_orders = orders.filtered(lambda o: o.o2c_stage != "paid")[:1000]
    salespeople.write({"support_coordinator_id": coordinators[-1].id})
    env.invalidate_all()
    with timed(f"batch re-assignment of {len(open_orders)} open orders", len(open_orders)):
        changed = env["sale.order"].browse(open_orders.ids)._apply_support_assignment()
        env.flush_all()
    print(f"  orders re-assigned: {changed}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("-n", "--orders", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--quotations-only", action="store_true",
                        help="skip the lifecycle (send, confirm, deliver, invoice, pay)")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    start = PERF_COUNTER()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_notrack": True})
        try:
            run(env, args.orders, args.batch, lifecycle=not args.quotations_only)
        finally:
            cr.rollback()
    print(f"{'total':<58} {PERF_COUNTER() - start:8.2f} s (rolled back)")


if __name__ == "__main__":
    main()
