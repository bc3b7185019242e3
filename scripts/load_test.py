"""`make load`: many clients work the same customers at once on a prefork server.

Each order client logs in over XML-RPC as a real role and loops for --seconds:

    create    the salesperson (or coordinator, or manager) creates a quotation for one of the
              SAME few customers (one matched by an assignment rule per country, one served
              through the salesperson's coordinator)
    confirm   the salesperson confirms it
    edit      the back office (the salesperson's coordinator, or the manager) changes the
              payment terms of the confirmed order: one order-entry error, one ledger event
    deliver   the back office sets the done quantities of the delivery's moves and validates it
              (``button_validate``, no backorder: everything is delivered)
    invoice   the back office invoices what was delivered with the ``sale.advance.payment.inv``
              wizard, then posts the invoice (``action_post``)

Rule clients (customer-service managers) meanwhile edit the SAME assignment rules: they swap
their coordinator between the two demo coordinators and move their sequence.

Then it prints throughput and latency per kind of call, the serialization failures the server
retried (counted in its log: Odoo logs them at INFO in ``odoo.service.model``), the faults the
clients got, and checks in the database that nothing was lost or doubled. Exit code 1 when a
check fails (or when no order went through).
"""

import argparse
import random
import re
import sys
import threading
import time
import xmlrpc.client
from collections import Counter, defaultdict

import psycopg2

# (who creates and confirms, who delivers and invoices): the demo roles (passwords = logins).
# Carla serves sales01-06, Dana sales07-08; Maya (customer-service manager) everyone.
ORDER_ROLES = [
    ("sales01", "coordinator"),
    ("sales02", "coordinator"),
    ("sales03", "coordinator"),
    ("sales07", "coordinator2"),
    ("sales04", "csmanager"),
    ("coordinator", "coordinator"),
    ("sales05", "coordinator"),
    ("sales08", "coordinator2"),
    ("coordinator2", "coordinator2"),
    ("sales06", "csmanager"),
    ("csmanager", "csmanager"),
]
RULE_ROLES = ["csmanager", "admin"]
# The same customers for every client: Israel and the UAE are matched by demo rules (Carla),
# Prairie Office Supply (US) goes to the salesperson's coordinator.
CUSTOMERS = ["Galil Trading Ltd.", "Gulf Supplies LLC", "Prairie Office Supply"]
PRODUCTS = [("Office Chair", 2), ("Office Lamp", 1)]  # storable, invoiced on delivery
RULE_COUNTRIES = ["IL", "AE"]
SERIALIZATION_RE = re.compile(
    r"odoo\.service\.model: (SERIALIZATION_FAILURE|DEADLOCK_DETECTED|LOCK_NOT_AVAILABLE), "
    r"(\d+ tries left|maximum number of tries reached)"
)
KINDS = ["create", "confirm", "edit", "deliver", "invoice", "rule_edit"]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.faults = Counter()
        self.fault_samples = {}
        self.orders = {}  # order id -> set of steps done

    def record(self, kind, seconds):
        with self.lock:
            self.latency[kind].append(seconds)

    def fault(self, kind, exc):
        text = getattr(exc, "faultString", None) or repr(exc)
        # the message without Odoo's jokes: "Sorry, X doesn't have 'read' access to: - Model"
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        lines = [line for line in lines if "freshly baked" not in line and "top-secret" not in line]
        last = " ".join(lines[-3:])[:300] if lines else repr(exc)
        with self.lock:
            self.faults[kind] += 1
            self.fault_samples.setdefault((kind, last), 0)
            self.fault_samples[kind, last] += 1

    def step(self, order_id, step):
        with self.lock:
            self.orders.setdefault(order_id, set()).add(step)


class Client:
    """One XML-RPC session (one user); a ServerProxy is not thread-safe: one per thread."""

    def __init__(self, url, db, login):
        self.db, self.login = db, login
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, login, login, {})
        if not self.uid:
            raise RuntimeError(f"cannot log in as {login} on {db}")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(self, model, method, args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, self.login, model, method, args, kwargs or {}
        )


def timed(stats, kind, func, *args, **kwargs):
    start = time.perf_counter()
    try:
        result = func(*args, **kwargs)
    except (xmlrpc.client.Fault, xmlrpc.client.ProtocolError, OSError) as exc:
        stats.fault(kind, exc)
        return None, False
    stats.record(kind, time.perf_counter() - start)
    return result, True


def order_loop(url, db, front_login, back_login, refs, stats, stop, seed):
    rnd = random.Random(seed)
    front, back = Client(url, db, front_login), Client(url, db, back_login)
    stop.ready.wait()
    while not stop.is_set():
        customer_id = rnd.choice(refs["customers"])
        lines = [
            (0, 0, {"product_id": product_id, "product_uom_qty": qty})
            for product_id, qty in refs["products"]
        ]
        order_id, ok = timed(
            stats,
            "create",
            front.call,
            "sale.order",
            "create",
            # the salesperson sells it (Odoo would take the customer's own salesperson)
            [{"partner_id": customer_id, "user_id": front.uid, "order_line": lines}],
        )
        if not ok:
            continue
        stats.step(order_id, "created")
        if not timed(stats, "confirm", front.call, "sale.order", "action_confirm", [[order_id]])[1]:
            continue
        stats.step(order_id, "confirmed")
        term_id = rnd.choice(refs["payment_terms"])
        if timed(
            stats,
            "edit",
            back.call,
            "sale.order",
            "write",
            [[order_id], {"payment_term_id": term_id}],
        )[1]:
            stats.step(order_id, "edited")
        if deliver(back, order_id, stats):
            stats.step(order_id, "delivered")
        else:
            continue
        if invoice(back, order_id, stats):
            stats.step(order_id, "invoiced")


def deliver(client, order_id, stats):
    def run():
        [order] = client.call("sale.order", "read", [[order_id]], fields=["picking_ids"])
        pickings = client.call(
            "stock.picking",
            "search_read",
            [[("id", "in", order["picking_ids"]), ("state", "not in", ("done", "cancel"))]],
            fields=["move_ids"],
        )
        for picking in pickings:
            moves = client.call(
                "stock.move", "read", [picking["move_ids"]], fields=["product_uom_qty"]
            )
            for move in moves:
                client.call(
                    "stock.move",
                    "write",
                    [[move["id"]], {"quantity": move["product_uom_qty"], "picked": True}],
                )
            result = client.call("stock.picking", "button_validate", [[picking["id"]]])
            if isinstance(result, dict):  # a wizard: everything was set, none is expected
                raise RuntimeError(f"button_validate asked {result.get('res_model')}")
        return bool(pickings)

    result, ok = timed(stats, "deliver", run)
    return ok and result


def invoice(client, order_id, stats):
    def run():
        ctx = {"active_model": "sale.order", "active_ids": [order_id], "active_id": order_id}
        wizard_id = client.call(
            "sale.advance.payment.inv",
            "create",
            [{"advance_payment_method": "delivered"}],
            context=ctx,
        )
        client.call("sale.advance.payment.inv", "create_invoices", [[wizard_id]], context=ctx)
        [order] = client.call("sale.order", "read", [[order_id]], fields=["invoice_ids"])
        drafts = client.call(
            "account.move",
            "search",
            [[("id", "in", order["invoice_ids"]), ("state", "=", "draft")]],
        )
        client.call("account.move", "action_post", [drafts])
        return bool(drafts)

    result, ok = timed(stats, "invoice", run)
    return ok and result


def rule_loop(url, db, login, refs, stats, stop, seed):
    rnd = random.Random(seed)
    client = Client(url, db, login)
    stop.ready.wait()
    while not stop.is_set():
        rule_id = rnd.choice(refs["rules"])
        values = {
            "coordinator_id": rnd.choice(refs["coordinators"]),
            "sequence": rnd.randint(15, 35),
        }
        timed(
            stats,
            "rule_edit",
            client.call,
            "sales.support.assignment.rule",
            "write",
            [[rule_id], values],
        )
        time.sleep(rnd.uniform(0.2, 1.0))  # a person edits rules far less often than orders


def load_refs(url, db):
    admin = Client(url, db, "admin")

    def ids(model, domain):
        found = admin.call(model, "search", [domain])
        if not found:
            raise RuntimeError(f"no {model} matches {domain}: is this the demo database?")
        return found

    refs = {
        "customers": [ids("res.partner", [("name", "=", name)])[0] for name in CUSTOMERS],
        "products": [
            (ids("product.product", [("name", "=", name), ("is_storable", "=", True)])[0], qty)
            for name, qty in PRODUCTS
        ],
        "payment_terms": ids("account.payment.term", []),
        "rules": ids("sales.support.assignment.rule", [("country_id.code", "in", RULE_COUNTRIES)]),
        "coordinators": ids("res.users", [("login", "in", ("coordinator", "coordinator2"))]),
    }
    return refs


def percentile(values, pct):
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def count_server_retries(log_path):
    counts = Counter()
    if not log_path:
        return counts
    with open(log_path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = SERIALIZATION_RE.search(line)
            if match:
                key = match.group(1)
                if match.group(2).startswith("maximum"):
                    key += " (gave up)"
                counts[key] += 1
    return counts


def check(db, stats):
    """(label, failures) for each check over the orders the clients created."""
    orders = stats.orders
    ids = tuple(orders) or (0,)
    conn = psycopg2.connect(dbname=db)
    cr = conn.cursor()
    results = []

    def run(label, query, params=()):
        cr.execute(query, params)
        rows = cr.fetchall()
        results.append((label, rows))

    # every order the clients created exists, confirmed orders are in 'sale'
    cr.execute("SELECT id, state FROM sale_order WHERE id IN %s", (ids,))
    state = dict(cr.fetchall())
    results.append(
        ("every order created is in the database", [i for i in orders if i not in state])
    )
    results.append(
        (
            "every confirmed order is a sales order",
            [i for i, s in orders.items() if "confirmed" in s and state.get(i) != "sale"],
        )
    )
    # a coordinator or manager selling to a customer no rule matches has nobody to serve them
    run(
        "every order has its coordinator (where a rule or the salesperson's coordinator applies)",
        """SELECT o.id, o.name FROM sale_order o
             JOIN res_users u ON u.id = o.user_id
             JOIN res_partner p ON p.id = o.partner_id
             LEFT JOIN res_country c ON c.id = p.country_id
            WHERE o.id IN %s AND o.coordinator_id IS NULL
              AND (u.support_coordinator_id IS NOT NULL OR c.code IN %s)""",
        (ids, tuple(RULE_COUNTRIES)),
    )
    run(
        "one ledger event per step (request, customer_confirmed, entered, goods_ready, shipped, "
        "invoiced)",
        """SELECT order_id, event_type, count(*) FROM sales_support_o2c_event
            WHERE order_id IN %s AND event_type IN ('request', 'customer_confirmed', 'entered',
                  'goods_ready', 'shipped', 'invoiced')
            GROUP BY order_id, event_type HAVING count(*) > 1""",
        (ids,),
    )
    # each step a client completed has its event (nothing lost)
    cr.execute(
        "SELECT order_id, array_agg(event_type::text) FROM sales_support_o2c_event "
        "WHERE order_id IN %s GROUP BY order_id",
        (ids,),
    )
    events = dict(cr.fetchall())
    expected = {"confirmed": "entered", "delivered": "shipped", "invoiced": "invoiced"}
    lost = [
        (order_id, event)
        for order_id, steps in orders.items()
        for step, event in expected.items()
        if step in steps and event not in events.get(order_id, [])
    ]
    results.append(("every step done has its ledger event", lost))
    # one order-entry error per edit of a confirmed order (one edit per order here)
    run(
        "one order-entry error per edit (no duplicates)",
        """SELECT order_id, error_type, count(*) FROM sales_support_order_error
            WHERE order_id IN %s GROUP BY order_id, error_type HAVING count(*) > 1""",
        (ids,),
    )
    cr.execute(
        "SELECT DISTINCT order_id FROM sales_support_order_error WHERE order_id IN %s", (ids,)
    )
    with_error = {row[0] for row in cr.fetchall()}
    results.append(
        (
            "every edit of a confirmed order logged its error",
            [i for i, s in orders.items() if "edited" in s and i not in with_error],
        )
    )
    run(
        "no duplicate activity (same record, type and user)",
        """SELECT res_model, res_id, activity_type_id, user_id, count(*) FROM mail_activity
            WHERE res_model IN ('sale.order', 'sales.support.order.error')
            GROUP BY res_model, res_id, activity_type_id, user_id HAVING count(*) > 1""",
    )
    run(
        "delivered orders: every outgoing delivery done",
        """SELECT o.id, p.name, p.state FROM sale_order o
             JOIN stock_picking p ON p.sale_id = o.id
            WHERE o.id IN %s AND p.state != 'done'""",
        (tuple(i for i, s in orders.items() if "delivered" in s) or (0,),),
    )
    run(
        "invoiced orders: nothing left to invoice",
        "SELECT id, name, invoice_status FROM sale_order WHERE id IN %s "
        "AND invoice_status != 'invoiced'",
        (tuple(i for i, s in orders.items() if "invoiced" in s) or (0,),),
    )
    run(
        "assignment rules: the stored name follows the coordinator (no lost update)",
        """SELECT r.id, r.name, p.name FROM sales_support_assignment_rule r
             JOIN res_users u ON u.id = r.coordinator_id
             JOIN res_partner p ON p.id = u.partner_id
            WHERE r.name NOT LIKE '%%' || p.name""",
    )
    conn.close()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20, help="order and rule clients")
    parser.add_argument("--rule-clients", type=int, default=2)
    parser.add_argument("--server-log", help="the server's log file, to count its retries")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    refs = load_refs(args.url, args.db)
    stats, stop = Stats(), threading.Event()
    rule_clients = min(args.rule_clients, max(args.clients - 1, 0))
    # every client logs in (and the workers load the registry) before the clock starts
    stop.ready = threading.Barrier(args.clients + 1)
    threads = []
    for i in range(args.clients - rule_clients):
        front, back = ORDER_ROLES[i % len(ORDER_ROLES)]
        threads.append(
            threading.Thread(
                target=order_loop,
                args=(args.url, args.db, front, back, refs, stats, stop, args.seed + i),
                name=f"order-{i}-{front}",
            )
        )
    for i in range(rule_clients):
        login = RULE_ROLES[i % len(RULE_ROLES)]
        threads.append(
            threading.Thread(
                target=rule_loop,
                args=(args.url, args.db, login, refs, stats, stop, args.seed + 1000 + i),
                name=f"rules-{i}-{login}",
            )
        )
    roles = Counter(t.name.split("-", 2)[2] for t in threads)
    print(
        f"{len(threads)} clients for {args.seconds:g} s on {args.url} ({args.db}): "
        + ", ".join(f"{login} x{n}" for login, n in sorted(roles.items()))
    )
    for thread in threads:
        thread.start()
    stop.ready.wait(timeout=300)
    start = time.perf_counter()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()  # each finishes the step it is in
    elapsed = time.perf_counter() - start

    print(f"\n{'kind':<10} {'ok':>6} {'faults':>6} {'ops/s':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for kind in KINDS:
        lat = stats.latency.get(kind, [])
        print(
            f"{kind:<10} {len(lat):>6} {stats.faults[kind]:>6} {len(lat) / elapsed:>7.2f} "
            f"{percentile(lat, 50) * 1000:>8.0f} {percentile(lat, 95) * 1000:>8.0f}"
        )
    steps = Counter(step for done in stats.orders.values() for step in done)
    print(
        f"\norders: {steps['created']} created, {steps['confirmed']} confirmed, "
        f"{steps['delivered']} delivered, {steps['invoiced']} invoiced in {elapsed:.0f} s "
        f"({steps['invoiced'] / elapsed * 60:.1f} complete orders/min)"
    )
    retries = count_server_retries(args.server_log)
    print(
        "server retries (serialization failures, deadlocks, retried by Odoo): "
        + (", ".join(f"{k} {v}" for k, v in sorted(retries.items())) or "none")
    )
    print(f"client faults: {sum(stats.faults.values())}")
    for (kind, text), n in sorted(stats.fault_samples.items()):
        print(f"  {kind} x{n}: {text}")

    failed = 0
    print("\nchecks:")
    for label, failures in check(args.db, stats):
        status = "ok" if not failures else f"FAILED ({len(failures)})"
        print(f"  [{status}] {label}")
        for failure in failures[:5]:
            print(f"      {failure}")
        failed += bool(failures)
    faults = sum(stats.faults.values())
    if faults:
        print(f"  [FAILED] {faults} calls failed (client faults above)")
        failed += 1
    if not steps["invoiced"]:
        print("  [FAILED] no order went through the whole flow")
        failed += 1
    gave_up = sum(v for k, v in retries.items() if "gave up" in k)
    if gave_up:
        print(f"  [FAILED] the server gave up {gave_up} times after 5 retries")
        failed += 1
    print("\nall checks passed" if not failed else f"\n{failed} check(s) FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
