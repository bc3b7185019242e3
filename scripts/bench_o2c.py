"""Order-to-Cash benchmark: Odoo's own lifecycle on generated data, on ONE database.

`make bench` (scripts/bench.sh) runs this script twice, on a database with Odoo's
sale_management + sale_stock only and on the same database with sales_support +
o2c_kpi, then scripts/bench_compare.py prints the overhead of our addons per phase.
The generated data depends only on --seed and -n (never on our addons' fields), so
that both runs drive exactly the same orders through exactly the same steps:

  - setup: 200 customers, 20 storable products with stock (half invoiced on ordered,
    half on delivered quantities);
  - create: N quotations of 1-3 lines;
  - send: ~90 % of those to be confirmed and half of the others are marked as sent;
  - confirm: ~80 % (sale_stock creates and reserves the deliveries);
  - down payment: ~15 % of the fully delivered ones get a 30 % down-payment invoice;
  - deliver: ~90 % of the confirmed orders, ~20 % of those partially (back-order);
  - invoice: every delivered order (final invoice, down payment deducted), posted;
  - pay: ~90 % of the invoiced orders, all their invoices (payment register wizard).
Each phase runs in batches (--batch orders, flushed, cache cleared after each, as
separate requests would) as the admin user, with Odoo's tracking and chatter on. Each
is timed with time.perf_counter (wall), time.process_time (CPU of this process, not
PostgreSQL's) and counted in SQL queries.

With sales_support installed, its Order-to-Cash bookkeeping is then measured on the
generated orders: a full recompute of the milestones and stages from the ledger,
shrinking the step targets (stored deadlines moved by one UPDATE per step), the
late-step cron (the first run creates the activities, the second must create none)
and a batch re-assignment of coordinators.

With --turn-dir, two runs (one per database, started together by bench.sh) take
turns batch by batch through a small file, so that both meet the same load of a
machine shared with other work; the time spent waiting for the turn is not measured.

Everything runs in ONE transaction that is rolled back: the database is left as it
was. The results go to a JSON file (--json) that scripts/bench_compare.py reads.

    python scripts/bench_o2c.py -c odoo.conf --db DB [-n 2000] [--seed 42] [--json F]
"""

import argparse
import json
import os
import random
import resource
import sys
import time
from contextlib import contextmanager

import odoo
from odoo import Command, api
from odoo.tools import SQL, config

N_CUSTOMERS = 200
N_PRODUCTS = 20
COUNTRIES = ["base.us", "base.be", "base.fr", "base.de", "base.il", "base.ae"]
# Lifecycle phases, in order, as (key, label); bench_compare.py compares these.
PHASES = [
    ("setup", "setup: customers, products, stock"),
    ("create", "create quotations (1-3 lines)"),
    ("send", "mark quotations as sent"),
    ("confirm", "confirm (deliveries created, reserved)"),
    ("down_payment", "down-payment invoices (create, post)"),
    ("deliver", "validate deliveries (some partial)"),
    ("invoice", "final invoices (create, post)"),
    ("pay", "register payments"),
]


def peak_rss_mib():
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Turns:
    """Two benchmark processes (one per database) that take turns batch by batch, so
    that both meet the same load of the machine: a small file holds "step role" of
    the process whose turn it is; the time spent waiting is not measured."""

    def __init__(self, directory, role):
        self.path = os.path.join(directory, "turn")
        self.abort = os.path.join(directory, "abort")
        self.role = role
        self.step = 0

    def wait(self):
        want = f"{self.step} {self.role}"
        while True:
            try:
                with open(self.path, encoding="ascii") as src:
                    if src.read() == want:
                        return
            except FileNotFoundError:
                pass
            if os.path.exists(self.abort):
                sys.exit("the other benchmark process stopped: giving up")
            time.sleep(0.02)

    def pass_on(self):
        following = f"{self.step} 1" if self.role == 0 else f"{self.step + 1} 0"
        tmp = f"{self.path}.{self.role}"
        with open(tmp, "w", encoding="ascii") as out:
            out.write(following)
        os.replace(tmp, self.path)
        self.step += 1


class Recorder:
    """Times phases (wall, CPU, SQL queries) batch by batch; one line per phase."""

    def __init__(self, cr, turns=None):
        self.cr = cr
        self.turns = turns
        self.results = []
        self.row = None

    @contextmanager
    def phase(self, key, label, count, group="lifecycle"):
        self.row = row = {
            "key": key,
            "label": label,
            "group": group,
            "count": count,
            "wall": 0.0,
            "cpu": 0.0,
            "queries": 0,
        }
        yield
        self.results.append(row)
        wall = row["wall"]
        per = f"{wall / count * 1000:8.2f} ms" if count else " " * 11
        print(
            f"  {label:<50} {count:>6} {wall:8.2f} s {per} {row['queries']:>8} q",
            flush=True,
        )

    @contextmanager
    def measure(self, key, label, count, group="lifecycle"):
        """A phase measured in one slice."""
        with self.phase(key, label, count, group), self.batch():
            yield

    @contextmanager
    def batch(self):
        """One measured slice of the current phase (after waiting for our turn)."""
        if self.turns:
            self.turns.wait()
        queries = self.cr.sql_log_count
        cpu = time.process_time()
        start = time.perf_counter()
        yield
        self.row["wall"] += time.perf_counter() - start
        self.row["cpu"] += time.process_time() - cpu
        self.row["queries"] += self.cr.sql_log_count - queries
        if self.turns:
            self.turns.pass_on()


def batches(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def make_plan(n, seed):
    """The generated data: a list of one dict per order, from the seed only."""
    rng = random.Random(seed)
    plan = []
    for _i in range(n):
        lines = [
            [rng.randrange(N_PRODUCTS), rng.randint(1, 10)] for _line in range(rng.randint(1, 3))
        ]
        customer = rng.randrange(N_CUSTOMERS)
        confirmed = rng.random() >= 0.20
        sent = rng.random() < (0.90 if confirmed else 0.50)
        delivered = confirmed and rng.random() < 0.90
        partial = delivered and rng.random() < 0.20
        down_payment = delivered and not partial and rng.random() < 0.15
        paid = delivered and rng.random() < 0.90
        if partial:
            lines[0][1] = max(lines[0][1], 2)  # half of the first line is delivered
        plan.append(
            {
                "customer": customer,
                "lines": lines,
                "sent": sent,
                "confirmed": confirmed,
                "down_payment": down_payment,
                "delivered": delivered,
                "partial": partial,
                "invoiced": delivered,
                "paid": paid,
            }
        )
    return plan


def make_master_data(env):
    """Customers and storable products with stock, the same on every database."""
    salespeople = env.ref("base.user_admin") | env.ref("base.user_demo")
    countries = [env.ref(xmlid) for xmlid in COUNTRIES]
    customers = env["res.partner"].create(
        [
            {
                "name": f"Bench customer {i:03d}",
                "is_company": True,
                "email": f"bench.customer{i:03d}@example.com",
                "country_id": countries[i % len(countries)].id,
                "user_id": salespeople[i % len(salespeople)].id,
            }
            for i in range(N_CUSTOMERS)
        ]
    )
    products = env["product.product"].create(
        [
            {
                "name": f"Bench product {k:02d}",
                "type": "consu",
                "is_storable": True,
                "list_price": 5.0 + 3.5 * k,
                "invoice_policy": "delivery" if k % 2 else "order",
            }
            for k in range(N_PRODUCTS)
        ]
    )
    stock = (
        env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1).lot_stock_id
    )
    Quant = env["stock.quant"]
    for product in products:
        Quant._update_available_quantity(product, stock, 100000.0)
    env.flush_all()
    return customers, products


def drive_lifecycle(env, rec, plan, batch_size):
    """Odoo's own Order-to-Cash path for the planned orders. Returns the orders."""
    with rec.phase("setup", PHASES[0][1], 0), rec.batch():
        customers, products = make_master_data(env)

    def step(key, selected, action):
        """``action(orders)`` over the orders of ``selected`` (plan indexes), by batch."""
        label = dict(PHASES)[key]
        with rec.phase(key, label, len(selected)):
            for chunk in batches(selected, batch_size):
                with rec.batch():
                    action(env["sale.order"].browse([order_ids[i] for i in chunk]))
                    env.flush_all()
                    env.invalidate_all()

    order_ids = []
    with rec.phase("create", PHASES[1][1], len(plan)):
        for chunk in batches(plan, batch_size):
            with rec.batch():
                orders = create_orders(env, chunk, customers, products)
            order_ids += orders.ids

    def where(flag):
        return [i for i, row in enumerate(plan) if row[flag]]

    step("send", where("sent"), lambda orders: orders.action_quotation_sent())
    step("confirm", where("confirmed"), lambda orders: orders.action_confirm())
    step("down_payment", where("down_payment"), create_down_payments)
    partial_ids = {order_ids[i] for i in where("partial")}

    def deliver(orders):
        pickings = orders.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
        for picking in pickings:
            moves = picking.move_ids.sorted("id")
            if picking.sale_id.id in partial_ids:
                first = moves[:1]
                first.quantity = first.product_uom_qty // 2
            moves.picked = True
        pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()

    step("deliver", where("delivered"), deliver)

    def invoice(orders):
        orders._create_invoices(grouped=True, final=True).action_post()

    step("invoice", where("invoiced"), invoice)

    def pay(orders):
        invoices = orders.invoice_ids.filtered(
            lambda m: m.state == "posted" and m.payment_state == "not_paid"
        )
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create({"group_payment": False})._create_payments()

    step("pay", where("paid"), pay)
    return env["sale.order"].browse(order_ids)


def create_orders(env, chunk, customers, products):
    orders = env["sale.order"].create(
        [
            {
                "partner_id": customers[row["customer"]].id,
                "order_line": [
                    Command.create({"product_id": products[p].id, "product_uom_qty": q})
                    for p, q in row["lines"]
                ],
            }
            for row in chunk
        ]
    )
    env.flush_all()
    env.invalidate_all()
    return orders


def create_down_payments(orders):
    """The down-payment wizard, one order at a time (as Odoo's wizard requires)."""
    invoices = orders.env["account.move"]
    for order in orders:
        wizard = (
            orders.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 30.0})
        )
        invoices |= wizard._create_invoices(order)
    invoices.action_post()


def fingerprint(env, orders):
    """What the lifecycle produced, from core fields only: equal on both databases."""
    cr = env.cr
    env.flush_all()
    result = {}
    for label, query in (
        (
            "orders by state",
            "SELECT state, count(*) FROM sale_order WHERE id = ANY(%s)" " GROUP BY 1 ORDER BY 1",
        ),
        (
            "orders by invoice status",
            "SELECT invoice_status, count(*) FROM sale_order"
            " WHERE id = ANY(%s) GROUP BY 1 ORDER BY 1",
        ),
        (
            "deliveries by state",
            "SELECT p.state, count(*) FROM stock_picking p"
            " JOIN stock_picking_type t ON t.id = p.picking_type_id"
            " AND t.code = 'outgoing'"
            " WHERE p.sale_id = ANY(%s) GROUP BY 1 ORDER BY 1",
        ),
        (
            "invoices by payment state",
            "SELECT m.payment_state, count(DISTINCT m.id)"
            " FROM account_move m JOIN account_move_line l ON l.move_id = m.id"
            " JOIN sale_order_line_invoice_rel r ON r.invoice_line_id = l.id"
            " JOIN sale_order_line sl ON sl.id = r.order_line_id"
            " WHERE sl.order_id = ANY(%s) AND m.state = 'posted' GROUP BY 1 ORDER BY 1",
        ),
        (
            "amount total of the orders",
            "SELECT 'sum', round(sum(amount_total), 2)::text" " FROM sale_order WHERE id = ANY(%s)",
        ),
    ):
        cr.execute(SQL(query.replace("%s", "%(ids)s"), ids=orders.ids))
        result[label] = {str(key): value for key, value in cr.fetchall()}
    return result


def measure_bookkeeping(env, rec, orders):
    """sales_support only: recompute, deadlines, late cron, re-assignment."""
    rec.turns = None  # the core process is done: no more turns to take
    Order = env["sale.order"]
    n = len(orders)
    print("  Order-to-Cash bookkeeping of sales_support on the generated orders:")
    with rec.measure("recompute", "full recompute of milestones and stages", n, "addon"):
        env.invalidate_all()
        env.add_to_compute(Order._fields["date_o2c_entered"], orders)
        env.add_to_compute(Order._fields["o2c_stage"], orders)
        env.flush_all()
    stages = dict(Order._read_group([("id", "in", orders.ids)], ["o2c_stage"], ["__count"]))
    print(f"    stages: {dict(sorted(stages.items()))}")

    # Make the orders late without touching the clock: shrink every step target to
    # 3.6 s (the deadlines move by one UPDATE per step), then wait past them.
    steps = env["sales.support.o2c.step"].search([])
    with rec.measure("targets", f"shrink {len(steps)} step targets (deadlines moved)", 0, "addon"):
        steps.write({"target_hours": 0.001})
        env.flush_all()
    time.sleep(4)
    late = Order.search_count([("id", "in", orders.ids), ("is_o2c_late", "=", True)])
    with rec.measure("cron1", f"late-step cron, 1st run ({late} of N late)", n, "addon"):
        created = Order._cron_o2c_late_activities()
        env.flush_all()
    print(f"    activities created: {created} (late demo orders included)")
    with rec.measure("cron2", "late-step cron, 2nd run", n, "addon"):
        again = Order._cron_o2c_late_activities()
        env.flush_all()
    print(f"    activities created: {again}")
    if again:
        sys.exit(f"the second run of the late-step cron created {again} activities")

    # Re-assignment: the salespeople of the bench customers change coordinator.
    salespeople = env.ref("base.user_admin") | env.ref("base.user_demo")
    coordinators = env["res.users"].search([("support_level", "in", ("coordinator", "manager"))])
    current = salespeople.support_coordinator_id
    other = (coordinators - current)[:1] or coordinators[:1]
    open_orders = Order.browse(
        orders.filtered(lambda o: o.o2c_stage not in ("paid", "cancel")).ids[:1000]
    )
    salespeople.write({"support_coordinator_id": other.id})
    env.flush_all()
    env.invalidate_all()
    with rec.measure(
        "reassign",
        f"batch re-assignment of {len(open_orders)} open orders",
        len(open_orders),
        "addon",
    ):
        changed = open_orders._apply_support_assignment()
        env.flush_all()
    print(f"    orders re-assigned: {changed}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--db", "--database", dest="db", required=True)
    parser.add_argument("-n", "--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--label", help="name of this run in the results (default: db)")
    parser.add_argument(
        "--turn-dir",
        help="take turns batch by batch with another run using the same directory "
        "(bench.sh writes '0 0' to DIR/turn first)",
    )
    parser.add_argument("--turn-role", type=int, choices=(0, 1), default=0)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    has_addon = "sales.support.o2c.event" in registry
    with registry.cursor() as cr:
        cr.execute(
            "SELECT name FROM ir_module_module"
            " WHERE state = 'installed' AND name = ANY(%s) ORDER BY name",
            [["sale_management", "sale_stock", "sales_support", "o2c_kpi"]],
        )
        modules = [name for (name,) in cr.fetchall()]
    plan = make_plan(args.orders, args.seed)
    print(
        f"{args.db}: {', '.join(modules)}; N = {args.orders} orders, seed {args.seed}, "
        f"batches of {args.batch}",
        flush=True,
    )
    print(
        "  plan: "
        + ", ".join(
            f"{sum(row[flag] for row in plan)} {flag.replace('_', ' ')}"
            for flag in (
                "sent",
                "confirmed",
                "down_payment",
                "delivered",
                "partial",
                "invoiced",
                "paid",
            )
        ),
        flush=True,
    )
    print(f"  {'phase':<50} {'orders':>6} {'wall':>10} {'per order':>11} {'queries':>10}")
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        env = env(user=env.ref("base.user_admin"), context={"tz": "UTC"})
        turns = Turns(args.turn_dir, args.turn_role) if args.turn_dir else None
        rec = Recorder(cr, turns)
        try:
            orders = drive_lifecycle(env, rec, plan, args.batch)
            lifecycle_rss = peak_rss_mib()
            prints = fingerprint(env, orders)
            if has_addon:
                measure_bookkeeping(env, rec, orders)
        except BaseException:
            if turns:  # the other process must not wait for us
                open(turns.abort, "w").close()
            raise
        finally:
            cr.rollback()
    total = time.perf_counter() - start
    lifecycle = [r for r in rec.results if r["group"] == "lifecycle" and r["key"] != "setup"]
    print(
        f"  lifecycle (create to pay): {sum(r['wall'] for r in lifecycle):.2f} s, "
        f"{sum(r['queries'] for r in lifecycle)} queries; "
        f"peak memory {lifecycle_rss:.0f} MiB after the lifecycle, "
        f"{peak_rss_mib():.0f} MiB at the end; whole run {total:.2f} s"
        f"{' (turns with the other run included)' if args.turn_dir else ''}, rolled back",
        flush=True,
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "label": args.label or args.db,
                    "db": args.db,
                    "modules": modules,
                    "orders": args.orders,
                    "seed": args.seed,
                    "batch": args.batch,
                    "interleaved": bool(args.turn_dir),
                    "phases": rec.results,
                    "fingerprint": prints,
                    "peak_rss_mib_lifecycle": lifecycle_rss,
                    "peak_rss_mib": peak_rss_mib(),
                    "total_wall": total,
                },
                out,
                indent=1,
            )


if __name__ == "__main__":
    main()
