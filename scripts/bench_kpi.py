"""KPI engine benchmark (`make bench`, KPI step): generated history, then in one run

  - full refresh of every KPI for every dimension and month (first fill, then again on
    filled snapshots), against one hand-written SQL query computing the order, request and
    sales figures of the same months and dimensions over the same tables;
  - incremental refresh (the nightly job) after 1 % of the orders changed (the most recent
    ones, as a day of work changes them);
  - dashboard read: the snapshot reads one manager dashboard makes (this month, last month,
    the same month last year, for the company, a team and a salesperson), as a KPI manager;
  - peak memory of the process.

History (generated with SQL, ``INSERT ... SELECT generate_series``; the first run commits it to
the database, later runs reuse it; --regenerate starts again): 100,000 orders, 1,000,000 order
lines, 30,000 requests, 3,000 claims, 2,000 order-entry errors, 5,000 ratings, the ledger
events of the orders, 50 salespeople in 5 teams, 8 coordinators, two years up to today.

    python scripts/bench_kpi.py -c odoo.conf --db ss_kpibench [--orders 100000]
"""

import argparse
import resource
import time
from datetime import timedelta

import odoo
from odoo import Command, api, fields
from odoo.tools import SQL, config

DAYS = 730


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    wall = time.perf_counter() - start
    return result, wall


def generate(env, n_orders):
    """Users with the ORM (few), the history with SQL (many)."""
    cr = env.cr
    company = env.ref("base.main_company")
    coordinators = env["res.users"]
    for index in range(8):
        coordinators |= env["res.users"].create(
            {
                "name": f"KPI Bench Coordinator {index}",
                "login": f"kpibench_coord_{index}",
                "groups_id": [Command.link(env.ref("sales_support.group_support_coordinator").id)],
            }
        )
    teams = env["crm.team"].create([{"name": f"KPI Bench Team {index}"} for index in range(5)])
    salespeople = env["res.users"]
    for index in range(50):
        salespeople |= env["res.users"].create(
            {
                "name": f"KPI Bench Salesperson {index}",
                "login": f"kpibench_sales_{index}",
                "groups_id": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
                "support_coordinator_id": coordinators[index % 8].id,
            }
        )
    env["crm.team.member"].create(
        [
            {"crm_team_id": teams[index % 5].id, "user_id": user.id}
            for index, user in enumerate(salespeople)
        ]
    )
    customers = env["res.partner"].create(
        [{"name": f"KPI Bench Customer {index}", "is_company": True} for index in range(2000)]
    )
    env.flush_all()
    request_type = env["sales.support.request.type"].search([], limit=1)
    product = env["product.product"].search([("sale_ok", "=", True)], limit=1)
    params = {
        "n": n_orders,
        "days": DAYS,
        "company": company.id,
        "currency": company.currency_id.id,
        "sales": salespeople.ids,
        "teams": [teams[index % 5].id for index in range(50)],
        "coords": [coordinators[index % 8].id for index in range(50)],
        "customers": customers.ids,
        "type": request_type.id,
        "product": product.id,
        "uom": product.uom_id.id,
    }
    cr.execute("SELECT setseed(0.42)")
    # Orders: created over two years; 80 % confirmed, 90 % of those shipped, 70 % paid.
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (name, company_id, partner_id, commercial_partner_id,
                   partner_invoice_id, partner_shipping_id, currency_id, currency_rate,
                   picking_policy, state,
                   create_date, write_date, date_order, user_id, team_id, coordinator_id,
                   amount_untaxed, amount_tax, amount_total, has_o2c_deliveries,
                   date_o2c_request, date_o2c_entered, date_o2c_shipped, date_o2c_paid,
                   commitment_date, delivery_status)
            SELECT 'KB' || g, %(company)s, c, c, c, c, %(currency)s, 1.0, 'direct',
                   CASE WHEN r1 < 0.8 THEN 'sale' WHEN r1 < 0.9 THEN 'sent' ELSE 'draft' END,
                   created, created, created + interval '1 hour' * (r2 * 72), s, t, co,
                   round((100 + r3 * 9900)::numeric, 2), 0, round((100 + r3 * 9900)::numeric, 2),
                   TRUE, created - interval '1 hour' * (r2 * 24),
                   CASE WHEN r1 < 0.8 THEN created + interval '1 hour' * (r2 * 72) END,
                   CASE WHEN r1 < 0.72 AND created + interval '1 day' * (2 + r3 * 10) < now()
                        THEN created + interval '1 day' * (2 + r3 * 10) END,
                   CASE WHEN r1 < 0.56 AND created + interval '1 day' * (40 + r2 * 30) < now()
                        THEN created + interval '1 day' * (40 + r2 * 30) END,
                   CASE WHEN r2 < 0.5 THEN created + interval '1 day' * 8 END,
                   CASE WHEN r1 < 0.72 THEN (CASE WHEN r3 < 0.9 THEN 'full' ELSE 'partial' END)
                   END
              FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3,
                           (%(customers)s::int[])[1 + mod(g, 2000)] AS c,
                           (%(sales)s::int[])[1 + mod(g, 50)] AS s,
                           (%(teams)s::int[])[1 + mod(g, 50)] AS t,
                           (%(coords)s::int[])[1 + mod(g, 50)] AS co,
                           (now() AT TIME ZONE 'UTC') - interval '1 day' * %(days)s
                               + interval '1 day' * %(days)s * g / %(n)s AS created
                      FROM generate_series(1, %(n)s) g) src
            """,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order_line (order_id, name, product_id, product_uom,
                   product_uom_qty, price_unit, customer_lead, company_id, currency_id,
                   state, salesman_id, order_partner_id, create_date, write_date, sequence)
            SELECT so.id, 'Line', %(product)s, %(uom)s, 1 + mod(l, 5), 10, 0, so.company_id,
                   so.currency_id, so.state, so.user_id, so.partner_id, so.create_date,
                   so.create_date, l
              FROM sale_order so CROSS JOIN generate_series(1, 10) l
             WHERE starts_with(so.name, 'KB')
            """,
            **params,
        )
    )
    # The ledger: the events that set the milestones.
    for event_type, column in [
        ("request", "date_o2c_request"),
        ("entered", "date_o2c_entered"),
        ("shipped", "date_o2c_shipped"),
        ("paid", "date_o2c_paid"),
    ]:
        cr.execute(
            SQL(
                """
                INSERT INTO sales_support_o2c_event (order_id, company_id, event_type, date,
                       source_model, create_date, write_date)
                SELECT id, company_id, %s, %s, 'sale.order', %s, %s
                  FROM sale_order WHERE starts_with(name, 'KB') AND %s IS NOT NULL
                """,
                event_type,
                SQL.identifier(column),
                SQL.identifier(column),
                SQL.identifier(column),
                SQL.identifier(column),
            )
        )
    n_requests = n_orders * 3 // 10
    cr.execute(
        SQL(
            """
            INSERT INTO sales_support_request (name, subject, company_id, partner_id,
                   commercial_partner_id, type_id, channel, priority, state, date_received,
                   date_first_response, date_done, first_response_hours, resolution_hours,
                   is_first_response_breached, is_resolution_breached, user_id,
                   coordinator_id, create_date, write_date)
            SELECT 'KBR' || g, 'Request', %(company)s, c, c, %(type)s, 'email', '1',
                   CASE WHEN r1 < 0.9 AND received < now() - interval '3 days' THEN 'done'
                        ELSE 'new' END,
                   received, received + interval '1 hour' * r2 * 8,
                   CASE WHEN r1 < 0.9 AND received < now() - interval '3 days'
                        THEN received + interval '1 hour' * r3 * 48 END,
                   r2 * 8,
                   CASE WHEN r1 < 0.9 AND received < now() - interval '3 days'
                        THEN r3 * 30 END,
                   r2 > 0.9, r3 > 0.85, s, co, received, received
              FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3,
                           (%(customers)s::int[])[1 + mod(g, 2000)] AS c,
                           (%(sales)s::int[])[1 + mod(g, 50)] AS s,
                           (%(coords)s::int[])[1 + mod(g, 50)] AS co,
                           (now() AT TIME ZONE 'UTC') - interval '1 day' * %(days)s
                               + interval '1 day' * %(days)s * g / %(nr)s AS received
                      FROM generate_series(1, %(nr)s) g) src
            """,
            nr=n_requests,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO sales_support_claim (name, company_id, partner_id,
                   commercial_partner_id, order_id, user_id, coordinator_id, claim_type, state,
                   date_claim, create_date, write_date)
            SELECT 'KBC' || so.id, so.company_id, so.partner_id, so.partner_id, so.id,
                   so.user_id, so.coordinator_id, 'damaged', 'new',
                   so.date_o2c_shipped + interval '3 days', so.date_o2c_shipped,
                   so.date_o2c_shipped
              FROM sale_order so
             WHERE starts_with(so.name, 'KB') AND so.date_o2c_shipped IS NOT NULL
             ORDER BY md5(so.name) LIMIT %(claims)s
            """,
            claims=n_orders * 3 // 100,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO sales_support_order_error (order_id, company_id, coordinator_id,
                   partner_id, user_id, responsible_user_id, error_type, found_by, origin,
                   date_found, is_customer_request, create_date, write_date)
            SELECT so.id, so.company_id, so.coordinator_id, so.partner_id, so.user_id,
                   so.coordinator_id, 'quantity', 'internal', 'manual',
                   so.date_o2c_entered + interval '1 day', FALSE, so.date_o2c_entered,
                   so.date_o2c_entered
              FROM sale_order so
             WHERE starts_with(so.name, 'KB') AND so.date_o2c_entered IS NOT NULL
             ORDER BY md5(so.name || 'e') LIMIT %(errors)s
            """,
            errors=n_orders * 2 // 100,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO rating_rating (res_model, res_id, rating, consumed, access_token,
                   create_date, write_date)
            SELECT 'sale.order', so.id, (ARRAY[1, 3, 5, 5])[1 + mod(so.id, 4)], TRUE,
                   md5(so.name), so.date_o2c_shipped, so.date_o2c_shipped + interval '2 days'
              FROM sale_order so
             WHERE starts_with(so.name, 'KB') AND so.date_o2c_shipped IS NOT NULL
             ORDER BY md5(so.name || 'r') LIMIT %(ratings)s
            """,
            ratings=n_orders * 5 // 100,
        )
    )
    cr.execute("ANALYZE")
    return {"salespeople": salespeople, "teams": teams, "coordinators": coordinators}


def generate_money(env):
    """Invoices, credit notes and payments of the generated orders (SQL, ``generate_series``
    style: one statement per kind), so that the money KPIs (receivables, overdue %, DSO) are
    measured at scale: an invoice per shipped order (dated when shipped, due 30 days later), a
    credit note of 10 % for 2 % of them (half reconciled with their invoice, half left open), a
    payment per paid order reconciled with its invoice (dated when paid; 10 % paid in two
    halves, a partial payment first). Only the columns the KPIs and the nightly change
    detection read are filled (no income or tax lines)."""
    cr = env.cr
    company = env.ref("base.main_company")
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1
    )
    sale_journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    bank_journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    params = {
        "company": company.id,
        "currency": company.currency_id.id,
        "account": receivable.id,
        "sale": sale_journal.id,
        "bank": bank_journal.id,
    }
    cr.execute("SELECT setseed(0.24)")
    # The documents: invoices (KBI), credit notes (KBR), payments (KBP, KBQ: first half).
    cr.execute(
        SQL(
            """
            CREATE TEMPORARY TABLE kb_doc ON COMMIT DROP AS
            SELECT so.id AS order_id, so.partner_id, so.team_id, so.user_id,
                   so.date_o2c_shipped::date AS invoiced, so.date_o2c_paid::date AS paid,
                   so.amount_total AS amount, random() AS r
              FROM sale_order so
             WHERE starts_with(so.name, 'KB') AND so.state = 'sale'
                   AND so.date_o2c_shipped IS NOT NULL
            """
        )
    )
    cr.execute(
        """
        ALTER TABLE kb_doc ADD COLUMN refund numeric, ADD COLUMN refunded date,
            ADD COLUMN first_half date;
        UPDATE kb_doc SET refund = round(amount * 0.1, 2),
                          refunded = invoiced + 10
         WHERE r < 0.02 AND invoiced + 10 < now()::date;
        UPDATE kb_doc SET first_half = invoiced + (paid - invoiced) / 2
         WHERE paid IS NOT NULL AND r >= 0.9 AND paid - invoiced >= 2;
        """
    )
    cr.execute(
        SQL(
            """
            INSERT INTO account_move (name, ref, move_type, state, auto_post, date,
                   invoice_date, invoice_date_due, journal_id, company_id, currency_id,
                   partner_id, commercial_partner_id, team_id, invoice_user_id, amount_total,
                   create_date, write_date)
            SELECT doc.name, 'KB' || doc.order_id, doc.move_type, 'posted', 'no', doc.date,
                   CASE WHEN doc.move_type != 'entry' THEN doc.date END,
                   CASE WHEN doc.move_type != 'entry' THEN doc.due END, doc.journal,
                   %(company)s, %(currency)s, doc.partner_id, doc.partner_id,
                   CASE WHEN doc.move_type != 'entry' THEN doc.team_id END,
                   CASE WHEN doc.move_type != 'entry' THEN doc.user_id END, doc.total,
                   doc.date, doc.date
              FROM (SELECT 'KBI' || order_id AS name, 'out_invoice' AS move_type,
                           invoiced AS date, invoiced + 30 AS due, %(sale)s AS journal,
                           amount AS total, *
                      FROM kb_doc
                    UNION ALL
                    SELECT 'KBR' || order_id, 'out_refund', refunded, refunded, %(sale)s,
                           refund, *
                      FROM kb_doc WHERE refund IS NOT NULL
                    UNION ALL
                    SELECT 'KBQ' || order_id, 'entry', first_half, first_half, %(bank)s,
                           round(amount / 2, 2), *
                      FROM kb_doc WHERE first_half IS NOT NULL
                    UNION ALL
                    SELECT 'KBP' || order_id, 'entry', paid, paid, %(bank)s,
                           amount - COALESCE(refund, 0) - CASE WHEN first_half IS NOT NULL
                                                              THEN round(amount / 2, 2)
                                                              ELSE 0 END, *
                      FROM kb_doc WHERE paid IS NOT NULL) doc
            """,
            **params,
        )
    )
    # The receivable items (debit: invoices; credit: credit notes, payments), unreconciled.
    cr.execute(
        SQL(
            """
            INSERT INTO account_move_line (move_id, move_name, name, journal_id, company_id,
                   company_currency_id, currency_id, account_id, partner_id, display_type,
                   parent_state, date, invoice_date, date_maturity, debit, credit, balance,
                   amount_currency, amount_residual, amount_residual_currency, reconciled,
                   create_date, write_date)
            SELECT move.id, move.name, move.name, move.journal_id, move.company_id,
                   move.currency_id, move.currency_id, %(account)s, move.partner_id,
                   'payment_term', 'posted', move.date, move.invoice_date,
                   COALESCE(move.invoice_date_due, move.date),
                   CASE WHEN sign > 0 THEN move.amount_total ELSE 0 END,
                   CASE WHEN sign < 0 THEN move.amount_total ELSE 0 END,
                   sign * move.amount_total, sign * move.amount_total,
                   sign * move.amount_total, sign * move.amount_total, FALSE,
                   move.create_date, move.write_date
              FROM account_move move
             CROSS JOIN LATERAL (SELECT CASE WHEN move.move_type = 'out_invoice' THEN 1
                                             ELSE -1 END AS sign) s
             WHERE move.name ~ '^KB[IRQP][0-9]'
            """,
            **params,
        )
    )
    # Reconciliations: the invoice with its payments (the later item's date) and with half of
    # the credit notes (the odd orders); the items' residuals follow.
    cr.execute(
        """
        CREATE TEMPORARY TABLE kb_item ON COMMIT DROP AS
        SELECT substr(move.ref, 3)::int AS order_id, left(move.name, 3) AS kind,
               aml.id, aml.date, move.amount_total AS amount
          FROM account_move_line aml
          JOIN account_move move ON move.id = aml.move_id
         WHERE move.name ~ '^KB[IRQP][0-9]';
        ANALYZE kb_item;
        """
    )
    cr.execute(
        SQL(
            """
            INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount,
                   debit_amount_currency, credit_amount_currency, debit_currency_id,
                   credit_currency_id, company_id, max_date, create_date, write_date)
            SELECT invoice.id, credit.id, credit.amount, credit.amount, credit.amount,
                   %(currency)s, %(currency)s, %(company)s,
                   GREATEST(invoice.date, credit.date), credit.date, credit.date
              FROM kb_item invoice
              JOIN kb_item credit ON credit.order_id = invoice.order_id
             WHERE invoice.kind = 'KBI' AND credit.kind != 'KBI'
                   AND (credit.kind != 'KBR' OR mod(credit.order_id, 2) = 1)
            """,
            **params,
        )
    )
    cr.execute(
        """
        WITH reconciled AS (
            SELECT line_id, SUM(amount) AS amount FROM (
                SELECT debit_move_id AS line_id, amount FROM account_partial_reconcile
                UNION ALL
                SELECT credit_move_id, -amount FROM account_partial_reconcile) p
             GROUP BY line_id)
        UPDATE account_move_line aml
           SET amount_residual = aml.balance - reconciled.amount,
               amount_residual_currency = aml.balance - reconciled.amount,
               reconciled = aml.balance = reconciled.amount
          FROM reconciled
         WHERE reconciled.line_id = aml.id AND aml.id IN (SELECT id FROM kb_item)
        """
    )
    cr.execute("ANALYZE account_move, account_move_line, account_partial_reconcile")


def snapshot_md5(cr):
    """md5 of every stored figure, ordered (the same figures before and after an engine
    change give the same md5; floats rounded to 6 decimals: sums of floats in another order
    differ in the last bits)."""
    cr.execute(
        """
        SELECT md5(string_agg(concat_ws('|', kpi_code, period_type, date_start, dimension,
                                        company_id, team_id, user_id, coordinator_id,
                                        round(numerator::numeric, 6),
                                        round(denominator::numeric, 6),
                                        round(value::numeric, 6), currency_id),
                              E'\\n' ORDER BY kpi_code, period_type, date_start, dimension,
                              company_id, team_id, user_id, coordinator_id))
          FROM o2c_kpi_value
        """
    )
    return cr.fetchone()[0]


# Hand-written: the order, request and sales KPIs by month and each dimension in ONE query.
HAND_WRITTEN = """
WITH facts AS (
    SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
           date_trunc('month', so.date_o2c_entered)::date AS period, 1 AS entered, 0 AS shipped,
           EXTRACT(EPOCH FROM so.date_o2c_entered - so.date_o2c_request) / 3600 AS processing,
           NULL::float AS shipping, NULL::boolean AS on_time, NULL::numeric AS amount,
           NULL::float AS first_response, NULL::float AS resolution, NULL::boolean AS sla
      FROM sale_order so WHERE so.state = 'sale' AND so.date_o2c_entered >= %(start)s
    UNION ALL
    SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
           date_trunc('month', so.date_o2c_shipped)::date, 0, 1, NULL,
           EXTRACT(EPOCH FROM so.date_o2c_shipped - so.date_o2c_entered) / 3600,
           so.date_o2c_shipped <= so.commitment_date, NULL, NULL, NULL, NULL
      FROM sale_order so WHERE so.state = 'sale' AND so.date_o2c_shipped >= %(start)s
    UNION ALL
    SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
           date_trunc('month', so.date_order)::date, 0, 0, NULL, NULL, NULL,
           so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1), NULL, NULL, NULL
      FROM sale_order so WHERE so.state = 'sale' AND so.date_order >= %(start)s
    UNION ALL
    SELECT r.company_id, u.sale_team_id, r.user_id, r.coordinator_id,
           date_trunc('month', r.date_first_response)::date, 0, 0, NULL, NULL, NULL, NULL,
           r.first_response_hours, NULL, NULL
      FROM sales_support_request r LEFT JOIN res_users u ON u.id = r.user_id
     WHERE r.date_first_response >= %(start)s
    UNION ALL
    SELECT r.company_id, u.sale_team_id, r.user_id, r.coordinator_id,
           date_trunc('month', r.date_done)::date, 0, 0, NULL, NULL, NULL, NULL, NULL,
           r.resolution_hours,
           NOT r.is_first_response_breached AND NOT r.is_resolution_breached
      FROM sales_support_request r LEFT JOIN res_users u ON u.id = r.user_id
     WHERE r.date_done >= %(start)s AND r.state != 'cancel'
)
SELECT period, company_id, team_id, user_id, coordinator_id,
       AVG(processing), AVG(shipping),
       100.0 * COUNT(*) FILTER (WHERE on_time) / NULLIF(COUNT(on_time), 0),
       SUM(amount), AVG(amount),
       AVG(first_response), percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response),
       AVG(resolution), percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution),
       100.0 * COUNT(*) FILTER (WHERE sla) / NULLIF(COUNT(sla), 0)
  FROM facts
 GROUP BY GROUPING SETS ((period, company_id), (period, company_id, team_id),
                         (period, company_id, user_id), (period, company_id, coordinator_id))
"""
HAND_WRITTEN_CODES = {
    "order_kpis": {"orders_processing_hours", "orders_shipment_hours", "orders_on_time_pct"},
    "sales_kpis": {"sales_volume", "sales_average_order_value"},
    "support_kpis": {
        "support_first_response_avg",
        "support_first_response_median",
        "support_resolution_avg",
        "support_resolution_median",
        "support_within_sla_pct",
    },
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--db", "--database", dest="db", required=True)
    parser.add_argument("--orders", type=int, default=100000)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    from odoo.addons.o2c_kpi.engine import kpi_functions

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "UTC"})
        cr.execute("SELECT COUNT(*) FROM sale_order WHERE starts_with(name, 'KB')")
        existing = cr.fetchone()[0]
        if existing and args.regenerate:
            raise SystemExit("--regenerate: drop the database and run again (bench.sh does)")
        if not existing:
            _, wall = timed("generate", generate, env, args.orders)
            cr.commit()
            print(f"  generated the history in {wall:.1f} s (committed, reused next time)")
        cr.execute("SELECT COUNT(*) FROM account_move WHERE starts_with(name, 'KBI')")
        if not cr.fetchone()[0]:
            # Databases generated before the money history: add it once.
            _, wall = timed("generate money", generate_money, env)
            cr.commit()
            print(f"  generated invoices and payments in {wall:.1f} s (committed)")
        counts = {}
        for table, where in [
            ("sale_order", "starts_with(name, 'KB')"),
            ("sale_order_line", "TRUE"),
            ("sales_support_request", "TRUE"),
            ("sales_support_claim", "TRUE"),
            ("sales_support_order_error", "TRUE"),
            ("sales_support_o2c_event", "TRUE"),
            ("rating_rating", "TRUE"),
            ("account_move", "move_type IN ('out_invoice', 'out_refund')"),
            ("account_partial_reconcile", "TRUE"),
        ]:
            cr.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}")  # noqa: S608 (constants)
            counts[table] = cr.fetchone()[0]
        cr.execute(
            "SELECT COUNT(*) FROM res_users WHERE login LIKE 'kpibench_sales_%%'"
            " UNION ALL SELECT COUNT(*) FROM res_users WHERE login LIKE 'kpibench_coord_%%'"
        )
        n_sales, n_coords = (row[0] for row in cr.fetchall())
        print(
            f"{args.db}: {counts['sale_order']} orders, {counts['sale_order_line']} order lines, "
            f"{counts['sales_support_request']} requests, {counts['sales_support_claim']} claims,"
            f" {counts['sales_support_order_error']} entry errors, "
            f"{counts['sales_support_o2c_event']} ledger events, {counts['rating_rating']} "
            f"ratings, {counts['account_move']} invoices and credit notes, "
            f"{counts['account_partial_reconcile']} reconciliations, {n_sales} salespeople, "
            f"{n_coords} coordinators, {DAYS} days"
        )
        Value = env["o2c.kpi.value"]
        today = fields.Date.context_today(Value)
        date_from = (today - timedelta(days=DAYS)).replace(day=1)
        kpis = env["o2c.kpi.definition"].search([])
        cr.execute("DELETE FROM o2c_kpi_value")
        env.flush_all()
        queries_before = cr.sql_log_count
        stored, first_wall = timed("full", Value._refresh, date_from, today, ["month"])
        full_queries = cr.sql_log_count - queries_before
        _, again_wall = timed("again", Value._refresh, date_from, today, ["month"])
        checksum = snapshot_md5(cr)
        # Each calculator alone (fetching its rows), to see where the time goes.
        per_function = []
        for function_name in kpi_functions.KPI_QUERIES:
            rows, wall = timed(
                function_name,
                kpi_functions.compute_kpis,
                cr,
                kpi_functions.KpiParams(date_from, today, "month"),
                {function_name: None},
            )
            per_function.append((function_name, wall, len(rows)))
        # The engine alone (no storage) and the hand-written query, for the same subset.
        params = kpi_functions.KpiParams(date_from, today, "month")
        subset_rows, engine_wall = timed(
            "engine", kpi_functions.compute_kpis, cr, params, HAND_WRITTEN_CODES
        )
        start = time.perf_counter()
        cr.execute(SQL(HAND_WRITTEN.replace("%(start)s", "%s"), *[date_from] * 5))
        hand_rows = cr.fetchall()
        hand_wall = time.perf_counter() - start
        # Sanity: the same sales volume per month for the company (UTC company: same periods).
        engine_volume = {
            (row.period_start, row.company_id): row.value
            for row in subset_rows
            if row.code == "sales_volume" and row.dimension == "company"
        }
        hand_volume = {
            (row[0], row[1]): float(row[8])
            for row in hand_rows
            if row[2] is None and row[3] is None and row[4] is None and row[8] is not None
        }
        same = all(
            abs((engine_volume.get(key) or 0) - value) < 0.01 for key, value in hand_volume.items()
        )
        print(f"  {'step':<62} {'wall':>9}")
        print(
            f"  {'full refresh, every KPI x dimension x month, first fill':<62} "
            f"{first_wall:>8.3f}s  ({stored} figures, {len(kpis)} KPIs, {full_queries} queries)"
        )
        print(
            f"  {'full refresh again (snapshots filled: upsert of changes)':<62} "
            f"{again_wall:>8.3f}s"
        )
        print(
            f"  {'engine alone, order+request+sales subset (13 KPIs)':<62} {engine_wall:>8.3f}s"
            f"  ({len(subset_rows)} figures)"
        )
        print(
            f"  {'hand-written SQL, same subset, one query':<62} {hand_wall:>8.3f}s"
            f"  ({len(hand_rows)} groups; sales volume equal: {same})"
        )
        print(
            f"  {'ratio full refresh (again) / hand-written subset':<62} "
            f"{again_wall / hand_wall:>8.2f}x  (engine subset / hand: "
            f"{engine_wall / hand_wall:.2f}x)"
        )
        for function_name, wall, n_rows in per_function:
            print(f"  {f'  calculator {function_name} alone':<62} {wall:>8.3f}s  ({n_rows} rows)")
        print(f"  snapshot md5 (every figure, ordered, 6 decimals): {checksum}")
        # Incremental: 1 % of the orders (the most recent) change.
        cr.commit()
        cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        watermark = cr.fetchone()[0]
        n_changed = max(1, counts["sale_order"] // 100)
        cr.execute(
            SQL(
                """
                WITH changed AS (
                    SELECT id FROM sale_order WHERE starts_with(name, 'KB') AND state = 'sale'
                     ORDER BY date_order DESC LIMIT %s)
                UPDATE sale_order so
                   SET date_o2c_shipped = COALESCE(so.date_o2c_shipped,
                                                   NOW() AT TIME ZONE 'UTC'),
                       amount_untaxed = so.amount_untaxed + 1,
                       write_date = NOW() AT TIME ZONE 'UTC'
                  FROM changed WHERE changed.id = so.id
                """,
                n_changed,
            )
        )
        env.invalidate_all()
        env["ir.config_parameter"].set_param("o2c_kpi.period_types", "month")
        _, incr_wall = timed("incremental", Value._refresh_incremental, watermark)
        env["ir.config_parameter"].set_param("o2c_kpi.period_types", "week,month,quarter,year")
        _, incr_all_wall = timed("incremental all", Value._refresh_incremental, watermark)
        print(
            f"  {f'incremental refresh after {n_changed} orders (1 %) changed, months':<62} "
            f"{incr_wall:>8.3f}s"
        )
        print(
            f"  {'same, every stored period type (week, month, quarter, year)':<62} "
            f"{incr_all_wall:>8.3f}s"
        )
        cr.rollback()
        # Dashboard read as a KPI manager (record rules apply).
        manager = env["res.users"].search([("login", "=", "kpibench_manager")])
        if not manager:
            manager = env["res.users"].create(
                {
                    "name": "KPI Bench Manager",
                    "login": "kpibench_manager",
                    "groups_id": [Command.link(env.ref("o2c_kpi.group_o2c_kpi_manager").id)],
                }
            )
        team = env["crm.team"].search([("name", "=", "KPI Bench Team 0")], limit=1)
        salesperson = env["res.users"].search([("login", "=", "kpibench_sales_0")])
        reader = Value.with_user(manager)
        this_month = today.replace(day=1)
        last_month = (this_month - timedelta(days=1)).replace(day=1)
        last_year = this_month.replace(year=this_month.year - 1)
        env.invalidate_all()

        def dashboard():
            rows = []
            for dimension in ({}, {"team_id": team.id}, {"user_id": salesperson.id}):
                for month in (last_year, last_month, this_month):
                    rows += reader.get_kpis(month, month, "month", **dimension)
            return rows

        dashboard()  # warm the caches (menus, rules) as a real session would have
        env.invalidate_all()
        rows, read_wall = timed("dashboard", dashboard)
        print(
            f"  {'dashboard read (3 months x company, team, salesperson)':<62} "
            f"{read_wall * 1000:>7.1f}ms  ({len(rows)} figures)"
        )
        print(f"  peak memory of the process: {peak_rss_mib():.0f} MiB")
        print(
            "  goals: full refresh within 2x of the SQL and < 1.5 s, incremental < 0.2 s, "
            "dashboard read < 100 ms"
        )
        cr.rollback()


if __name__ == "__main__":
    main()
