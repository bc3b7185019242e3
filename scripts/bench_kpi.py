"""KPI engine benchmark (`make bench`, KPI step): generated history, then in one run

  - full refresh of every KPI for every dimension and month (first fill, then again on
    filled snapshots), against one hand-written SQL query (``HAND_WRITTEN``, written from the
    KPI definitions, not from the engine) computing the same figures over the same tables:
    all 27 KPIs (lead conversion when CRM is installed) by month and by company, sales team,
    salesperson and coordinator; the ratio is "full refresh again / hand-written", and the
    engine alone (every calculator in one query, no storage) is timed and compared too;
  - the check that they are the same figures: every hand-written figure against the stored
    month snapshot of the same KPI, month, dimension and key (a figure missing on one side is
    NULL, NULL equals NULL, numbers equal within 1e-6 relative): figures compared, how many
    differ, the first differences;
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
import math
import resource
import time
from contextlib import closing
from datetime import timedelta

import psycopg2

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
                   create_date, write_date, date_o2c_rated)
            SELECT 'sale.order', so.id, (ARRAY[1, 3, 5, 5])[1 + mod(so.id, 4)], TRUE,
                   md5(so.name), so.date_o2c_shipped, so.date_o2c_shipped + interval '2 days',
                   so.date_o2c_shipped + interval '2 days'
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


# ------------------------------------------------------------------------------------------
# The same figures from one hand-written SQL query (issue #15): every KPI of the engine by
# month and by company, sales team, salesperson and coordinator, written from the KPI
# definitions (addons/o2c_kpi/README.md), not from the engine's code. Months in UTC: every
# company of the bench database has no time zone (nor the setting o2c_kpi.tz), so the engine
# counts their facts in UTC, and date_trunc('month', ...) of the UTC timestamps stored is their
# local month (main() checks it; a company in another zone would need
# date_trunc('month', ts AT TIME ZONE 'UTC' AT TIME ZONE its zone)).
# Each family is grouped by GROUPING SETS; the result is one row per (KPI, month, dimension,
# company, key of the dimension) with its value (NULL: nothing measured).

# The four dimensions of a grouped family, the name and key of each group, and the groups kept
# (a group without its key, e.g. orders without sales team, is no figure).
_KEPT = """
    HAVING company_id IS NOT NULL
           AND (GROUPING(team_id, user_id, coordinator_id) = 7
                OR COALESCE(team_id, user_id, coordinator_id) IS NOT NULL)"""
_DIMENSIONS = f"""
    GROUP BY GROUPING SETS ((month, company_id), (month, company_id, team_id),
                            (month, company_id, user_id), (month, company_id, coordinator_id))
    {_KEPT}"""
_DIMENSION = """
    CASE GROUPING(team_id, user_id, coordinator_id) WHEN 7 THEN 'company' WHEN 3 THEN 'team'
         WHEN 5 THEN 'salesperson' ELSE 'coordinator' END AS dimension,
    COALESCE(team_id, user_id, coordinator_id) AS key_id"""

# Leads created, converted when a confirmed order came of them (lead-to-order conversion):
# when CRM and its sales link are installed.
_LEAD_FACTS = """
    UNION ALL
    SELECT lead.company_id, lead.team_id, lead.user_id, NULL::int,
           date_trunc('month', lead.create_date)::date, 'sales_lead_conversion_pct',
           100.0 * COUNT(won.opportunity_id), COUNT(*)
      FROM crm_lead lead
      LEFT JOIN (SELECT DISTINCT opportunity_id FROM sale_order WHERE state = 'sale') won
             ON won.opportunity_id = lead.id
     WHERE lead.create_date >= %(date_from)s AND lead.create_date < %(range_end)s
     GROUP BY 1, 2, 3, 4, 5"""

HAND_WRITTEN = f"""
WITH months AS (
    SELECT month::date AS month
      FROM generate_series(%(date_from)s::timestamp, %(last_month)s::timestamp,
                           INTERVAL '1 month') AS month
),
-- Orders with a claim or an order-entry error (customer changes excluded): not perfect.
claimed AS (SELECT DISTINCT order_id FROM sales_support_claim),
faulty AS (
    SELECT DISTINCT order_id FROM sales_support_order_error
     WHERE NOT COALESCE(is_customer_request, FALSE)
),
-- The numerator and denominator of each KPI that adds up, per person (the company, sales
-- team, salesperson and coordinator of the thing measured) and month: each source is summed
-- where it is read; the percentages carry their factor 100 in the numerator.
person_month AS (
    -- orders entered: hours since the customer's request; what entry errors are counted
    -- against; the salespeople whose orders a coordinator handled
    SELECT entered.company_id, entered.team_id, entered.user_id, entered.coordinator_id,
           entered.month, kpi.code, kpi.numerator, kpi.denominator
      FROM (SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
                   date_trunc('month', so.date_o2c_entered)::date AS month,
                   COUNT(*) AS orders, COUNT(so.date_o2c_request) AS timed,
                   SUM(EXTRACT(EPOCH FROM so.date_o2c_entered - so.date_o2c_request) / 3600)
                       AS hours
              FROM sale_order so
             WHERE so.state = 'sale' AND so.date_o2c_entered >= %(date_from)s
                   AND so.date_o2c_entered < %(range_end)s
             GROUP BY 1, 2, 3, 4, 5) entered
     CROSS JOIN LATERAL (VALUES
           ('orders_processing_hours', entered.hours, entered.timed),
           ('orders_errors_per_100', 0, entered.orders),
           ('support_salespeople_per_coordinator', NULL, entered.orders)
         ) AS kpi(code, numerator, denominator)
    UNION ALL
    -- orders shipped: hours since entry, on time (of those with a commitment date), perfect
    -- (on time or without commitment date, fully delivered, no claim, no entry error); what
    -- claims are counted against
    SELECT shipped.company_id, shipped.team_id, shipped.user_id, shipped.coordinator_id,
           shipped.month, kpi.code, kpi.numerator, kpi.denominator
      FROM (SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
                   date_trunc('month', so.date_o2c_shipped)::date AS month,
                   COUNT(*) AS orders, COUNT(so.date_o2c_entered) AS timed,
                   SUM(EXTRACT(EPOCH FROM so.date_o2c_shipped - so.date_o2c_entered) / 3600)
                       AS hours,
                   COUNT(so.commitment_date) AS committed,
                   COUNT(*) FILTER (WHERE so.date_o2c_shipped <= so.commitment_date) AS on_time,
                   COUNT(*) FILTER (
                       WHERE COALESCE(so.date_o2c_shipped <= so.commitment_date, TRUE)
                             AND COALESCE(so.delivery_status = 'full', TRUE)
                             AND claimed.order_id IS NULL AND faulty.order_id IS NULL)
                       AS perfect
              FROM sale_order so
              LEFT JOIN claimed ON claimed.order_id = so.id
              LEFT JOIN faulty ON faulty.order_id = so.id
             WHERE so.state = 'sale' AND so.date_o2c_shipped >= %(date_from)s
                   AND so.date_o2c_shipped < %(range_end)s
             GROUP BY 1, 2, 3, 4, 5) shipped
     CROSS JOIN LATERAL (VALUES
           ('orders_shipment_hours', shipped.hours, shipped.timed),
           ('orders_on_time_pct', 100.0 * shipped.on_time, shipped.committed),
           ('orders_perfect_pct', 100.0 * shipped.perfect, shipped.orders),
           ('orders_claims_per_100', 0, shipped.orders)
         ) AS kpi(code, numerator, denominator)
    UNION ALL
    -- orders paid: days since the customer's request
    SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
           date_trunc('month', so.date_o2c_paid)::date, 'orders_cycle_days',
           SUM(EXTRACT(EPOCH FROM so.date_o2c_paid - so.date_o2c_request) / 86400),
           COUNT(so.date_o2c_request)
      FROM sale_order so
     WHERE so.state = 'sale' AND so.date_o2c_paid >= %(date_from)s
           AND so.date_o2c_paid < %(range_end)s
     GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    -- order-entry errors found (customer changes excluded), in their order's dimensions
    SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
           date_trunc('month', error.date_found)::date, 'orders_errors_per_100',
           100.0 * COUNT(*), 0
      FROM sales_support_order_error error
      JOIN sale_order so ON so.id = error.order_id
     WHERE NOT COALESCE(error.is_customer_request, FALSE)
           AND error.date_found >= %(date_from)s AND error.date_found < %(range_end)s
     GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    -- claims opened, in their order's dimensions (without order: their own)
    SELECT claim.company_id, so.team_id, COALESCE(so.user_id, claim.user_id),
           COALESCE(so.coordinator_id, claim.coordinator_id),
           date_trunc('month', claim.date_claim)::date, 'orders_claims_per_100',
           100.0 * COUNT(*), 0
      FROM sales_support_claim claim
      LEFT JOIN sale_order so ON so.id = claim.order_id
     WHERE claim.date_claim >= %(date_from)s AND claim.date_claim < %(range_end)s
     GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    -- orders confirmed (by their order date): untaxed amount in the company's currency
    SELECT confirmed.company_id, confirmed.team_id, confirmed.user_id,
           confirmed.coordinator_id, confirmed.month, kpi.code, kpi.numerator, kpi.denominator
      FROM (SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
                   date_trunc('month', so.date_order)::date AS month, COUNT(*) AS orders,
                   SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS amount,
                   COUNT(so.amount_untaxed) AS priced
              FROM sale_order so
             WHERE so.state = 'sale' AND so.date_order >= %(date_from)s
                   AND so.date_order < %(range_end)s
             GROUP BY 1, 2, 3, 4, 5) confirmed
     CROSS JOIN LATERAL (VALUES
           ('sales_volume', confirmed.amount, confirmed.orders),
           ('sales_average_order_value', confirmed.amount, confirmed.priced)
         ) AS kpi(code, numerator, denominator)
    UNION ALL
    -- quotations created, converted if confirmed since
    SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
           date_trunc('month', so.create_date)::date, 'sales_quote_conversion_pct',
           100.0 * COUNT(*) FILTER (WHERE so.state = 'sale'), COUNT(*)
      FROM sale_order so
     WHERE so.create_date >= %(date_from)s AND so.create_date < %(range_end)s
     GROUP BY 1, 2, 3, 4, 5
    {{lead_facts}}
    UNION ALL
    -- requests first answered: working hours to the first response
    SELECT request.company_id, salesperson.sale_team_id, request.user_id,
           request.coordinator_id, date_trunc('month', request.date_first_response)::date,
           'support_first_response_avg', SUM(request.first_response_hours)::numeric,
           COUNT(request.first_response_hours)
      FROM sales_support_request request
      LEFT JOIN res_users salesperson ON salesperson.id = request.user_id
     WHERE request.date_first_response >= %(date_from)s
           AND request.date_first_response < %(range_end)s
     GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    -- requests done (cancelled excluded): working hours to done; within SLA
    SELECT done.company_id, done.team_id, done.user_id, done.coordinator_id, done.month,
           kpi.code, kpi.numerator, kpi.denominator
      FROM (SELECT request.company_id, salesperson.sale_team_id AS team_id, request.user_id,
                   request.coordinator_id, date_trunc('month', request.date_done)::date AS month,
                   COUNT(*) AS requests, SUM(request.resolution_hours)::numeric AS hours,
                   COUNT(request.resolution_hours) AS timed,
                   COUNT(*) FILTER (WHERE NOT COALESCE(request.is_first_response_breached, FALSE)
                                      AND NOT COALESCE(request.is_resolution_breached, FALSE))
                       AS within_sla
              FROM sales_support_request request
              LEFT JOIN res_users salesperson ON salesperson.id = request.user_id
             WHERE request.state != 'cancel' AND request.date_done >= %(date_from)s
                   AND request.date_done < %(range_end)s
             GROUP BY 1, 2, 3, 4, 5) done
     CROSS JOIN LATERAL (VALUES
           ('support_resolution_avg', done.hours, done.timed),
           ('support_within_sla_pct', 100.0 * done.within_sla, done.requests)
         ) AS kpi(code, numerator, denominator)
),
-- A coordinator's open requests (received, not done, not cancelled) and open orders
-- (confirmed, entered, not shipped, with deliveries) change by +1 in the month received or
-- entered and by -1 in the month done or shipped (the changes before the range in its first
-- month); the open count at a month's end is the running sum of the changes up to it, over
-- every month of the range.
open_changes AS (
    SELECT request.company_id, salesperson.sale_team_id AS team_id, request.user_id,
           request.coordinator_id, 'support_open_requests_per_coordinator' AS code,
           GREATEST(date_trunc('month', change.at)::date, %(date_from)s) AS month,
           SUM(change.step) AS change
      FROM sales_support_request request
      LEFT JOIN res_users salesperson ON salesperson.id = request.user_id
     CROSS JOIN LATERAL (VALUES (request.date_received, 1), (request.date_done, -1))
           AS change(at, step)
     WHERE request.state != 'cancel' AND request.coordinator_id IS NOT NULL
           AND request.date_received < %(range_end)s
           AND (request.date_done IS NULL
                OR date_trunc('month', request.date_done)
                   >= date_trunc('month', request.date_received))
           AND change.at < %(range_end)s
     GROUP BY 1, 2, 3, 4, 5, 6
    UNION ALL
    SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
           'support_open_orders_per_coordinator',
           GREATEST(date_trunc('month', change.at)::date, %(date_from)s), SUM(change.step)
      FROM sale_order so
     CROSS JOIN LATERAL (VALUES (so.date_o2c_entered, 1), (so.date_o2c_shipped, -1))
           AS change(at, step)
     WHERE so.state = 'sale' AND so.coordinator_id IS NOT NULL
           AND COALESCE(so.has_o2c_deliveries, TRUE) AND so.date_o2c_entered < %(range_end)s
           AND (so.date_o2c_shipped IS NULL
                OR date_trunc('month', so.date_o2c_shipped)
                   >= date_trunc('month', so.date_o2c_entered))
           AND change.at < %(range_end)s
     GROUP BY 1, 2, 3, 4, 5, 6
),
open_at_month_end AS (
    SELECT company_id, team_id, user_id, coordinator_id, code, month,
           SUM(change) OVER (PARTITION BY company_id, team_id, user_id, coordinator_id, code
                             ORDER BY month) AS open
      FROM (SELECT company_id, team_id, user_id, coordinator_id, code, month,
                   SUM(change) AS change
              FROM (SELECT * FROM open_changes
                    UNION ALL
                    SELECT person.*, months.month, 0
                      FROM (SELECT DISTINCT company_id, team_id, user_id, coordinator_id, code
                              FROM open_changes) person
                     CROSS JOIN months) change
             GROUP BY 1, 2, 3, 4, 5, 6) per_month
),
-- Every KPI that adds up, and the coordinator workload, by month and dimension.
by_dimension AS (
    SELECT code, month, company_id, {_DIMENSION},
           CASE code
                WHEN 'sales_volume'
                     THEN CASE WHEN SUM(denominator) > 0 THEN COALESCE(SUM(numerator), 0) END
                -- distinct salespeople / distinct coordinators of the orders entered
                WHEN 'support_salespeople_per_coordinator'
                     THEN 1.0 * COUNT(DISTINCT user_id) FILTER (WHERE coordinator_id IS NOT NULL)
                          / NULLIF(COUNT(DISTINCT coordinator_id), 0)
                -- open at the month's end / coordinators with open ones
                WHEN 'support_open_requests_per_coordinator'
                     THEN SUM(numerator)
                          / NULLIF(COUNT(DISTINCT coordinator_id) FILTER (WHERE numerator > 0), 0)
                WHEN 'support_open_orders_per_coordinator'
                     THEN SUM(numerator)
                          / NULLIF(COUNT(DISTINCT coordinator_id) FILTER (WHERE numerator > 0), 0)
                ELSE SUM(numerator) / NULLIF(SUM(denominator), 0)
           END AS value
      FROM (SELECT company_id, team_id, user_id, coordinator_id, month, code, numerator,
                   denominator
              FROM person_month
            UNION ALL
            SELECT company_id, team_id, user_id, coordinator_id, month, code, open, NULL
              FROM open_at_month_end) figure
     GROUP BY GROUPING SETS ((code, month, company_id), (code, month, company_id, team_id),
                             (code, month, company_id, user_id),
                             (code, month, company_id, coordinator_id))
    {_KEPT}
),
-- Medians of the working hours to the first response and to done (cancelled excluded).
request_medians AS (
    SELECT month, company_id, {_DIMENSION},
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FILTER (WHERE step = 'answered')
               AS first_response,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FILTER (WHERE step = 'done')
               AS resolution
      FROM (SELECT request.company_id, salesperson.sale_team_id AS team_id, request.user_id,
                   request.coordinator_id, 'answered' AS step,
                   date_trunc('month', request.date_first_response)::date AS month,
                   request.first_response_hours AS hours
              FROM sales_support_request request
              LEFT JOIN res_users salesperson ON salesperson.id = request.user_id
             WHERE request.date_first_response >= %(date_from)s
                   AND request.date_first_response < %(range_end)s
            UNION ALL
            SELECT request.company_id, salesperson.sale_team_id, request.user_id,
                   request.coordinator_id, 'done', date_trunc('month', request.date_done)::date,
                   request.resolution_hours
              FROM sales_support_request request
              LEFT JOIN res_users salesperson ON salesperson.id = request.user_id
             WHERE request.state != 'cancel' AND request.date_done >= %(date_from)s
                   AND request.date_done < %(range_end)s) request
    {_DIMENSIONS}
),
-- Customers (commercial entities, per company): every confirmed order with its customer's
-- first order and the customer's next order after it.
customer_orders AS (
    SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
           so.commercial_partner_id AS customer, so.date_order,
           MIN(so.date_order) OVER customer AS first_order,
           LEAD(so.date_order) OVER (customer ORDER BY so.date_order, so.id) AS next_order
      FROM sale_order so
     WHERE so.state = 'sale' AND so.commercial_partner_id IS NOT NULL
    WINDOW customer AS (PARTITION BY so.company_id, so.commercial_partner_id)
),
customers AS (
    SELECT month, company_id, {_DIMENSION},
           AVG(score) AS rating_avg,
           100.0 * COUNT(*) FILTER (WHERE score >= 4) / NULLIF(COUNT(score), 0)
               AS satisfied_pct,
           COUNT(DISTINCT customer) FILTER (WHERE kind = 'won') AS won,
           COUNT(DISTINCT customer) FILTER (WHERE kind = 'retained') AS retained,
           COUNT(DISTINCT customer) FILTER (WHERE kind = 'lost') AS lost
      FROM (-- an order of the month: its customer won (first order in that month) or
            -- retained (ordered before)
            SELECT company_id, team_id, user_id, coordinator_id,
                   date_trunc('month', date_order)::date AS month, customer,
                   CASE WHEN date_trunc('month', first_order) = date_trunc('month', date_order)
                        THEN 'won' ELSE 'retained' END AS kind, NULL::float8 AS score
              FROM customer_orders
             WHERE date_order >= %(date_from)s AND date_order < %(range_end)s
            UNION ALL
            -- lost: an order followed by none within 365 days, in the month those days have
            -- passed (if they have)
            SELECT company_id, team_id, user_id, coordinator_id,
                   date_trunc('month', date_order + INTERVAL '365 days')::date, customer,
                   'lost', NULL
              FROM customer_orders
             WHERE (next_order IS NULL OR next_order > date_order + INTERVAL '365 days')
                   AND date_order + INTERVAL '365 days' <= NOW() AT TIME ZONE 'UTC'
                   AND date_order + INTERVAL '365 days' >= %(date_from)s
            UNION ALL
            -- a rating given to an order (an answered rating request, 1 to 5)
            SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
                   date_trunc('month', rating.date_o2c_rated)::date, NULL, 'rating',
                   rating.rating
              FROM rating_rating rating
              JOIN sale_order so ON so.id = rating.res_id
             WHERE rating.res_model = 'sale.order' AND rating.consumed AND rating.rating > 0
                   AND rating.date_o2c_rated >= %(date_from)s
                   AND rating.date_o2c_rated < %(range_end)s) customer
    {_DIMENSIONS}
),
-- Money. The dimensions of the posted customer invoices and credit notes: their sales team
-- and salesperson, the salesperson's coordinator.
sale_moves AS MATERIALIZED (
    SELECT move.id, move.team_id, move.invoice_user_id AS user_id,
           salesperson.support_coordinator_id AS coordinator_id
      FROM account_move move
      LEFT JOIN res_users salesperson ON salesperson.id = move.invoice_user_id
     WHERE move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
),
-- The posted receivable items up to the end of the range, in the dimensions of their invoice
-- or credit note (other items, e.g. payments not reconciled yet: their company only); a debit
-- item (an invoice) is overdue from its due date.
receivable_items AS MATERIALIZED (
    SELECT item.id, item.company_id, sale.team_id, sale.user_id, sale.coordinator_id,
           item.balance, item.date,
           CASE WHEN item.balance > 0 AND item.date_maturity IS NOT NULL
                THEN GREATEST(item.date, item.date_maturity) END AS due
      FROM account_move_line item
      JOIN account_account account ON account.id = item.account_id
      LEFT JOIN sale_moves sale ON sale.id = item.move_id
     WHERE account.account_type = 'asset_receivable' AND item.parent_state = 'posted'
           AND item.date < %(range_end)s
),
-- A reconciliation lowers the open amount of its two items from its date (the later of the
-- two items' dates): the debit item by its amount, the credit item (negative) back up by it.
reconciled AS MATERIALIZED (
    SELECT item.company_id, item.team_id, item.user_id, item.coordinator_id, item.balance,
           item.due, partial.max_date, -partial.amount AS change
      FROM account_partial_reconcile partial
      JOIN receivable_items item ON item.id = partial.debit_move_id
    UNION ALL
    SELECT item.company_id, item.team_id, item.user_id, item.coordinator_id, item.balance,
           item.due, partial.max_date, partial.amount
      FROM account_partial_reconcile partial
      JOIN receivable_items item ON item.id = partial.credit_move_id
),
-- The changes per person and month (those before the range in its first month) of: the
-- receivables, the number of items, the open amount of the debit items, its overdue part;
-- and what was invoiced in the month (receivable debits).
money_changes AS (
    SELECT company_id, team_id, user_id, coordinator_id,
           GREATEST(date_trunc('month', date::timestamp)::date, %(date_from)s) AS month,
           SUM(balance) AS receivable, COUNT(*) AS items,
           SUM(GREATEST(balance, 0)) AS invoiced_open, 0 AS overdue,
           SUM(balance) FILTER (WHERE balance > 0 AND date >= %(date_from)s) AS billed
      FROM receivable_items
     GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    SELECT company_id, team_id, user_id, coordinator_id,
           GREATEST(date_trunc('month', due::timestamp)::date, %(date_from)s), 0, 0, 0,
           SUM(balance), NULL
      FROM receivable_items
     WHERE due IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    SELECT company_id, team_id, user_id, coordinator_id,
           GREATEST(date_trunc('month', max_date::timestamp)::date, %(date_from)s),
           SUM(change), 0, SUM(change) FILTER (WHERE balance > 0), 0, NULL
      FROM reconciled
     GROUP BY 1, 2, 3, 4, 5
    UNION ALL
    SELECT company_id, team_id, user_id, coordinator_id,
           GREATEST(date_trunc('month', GREATEST(max_date, due)::timestamp)::date,
                    %(date_from)s), 0, 0, 0, SUM(change), NULL
      FROM reconciled
     WHERE due IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
),
-- The amounts at each month's end: running sums of the changes, over every month of the range.
money_at_month_end AS (
    SELECT company_id, team_id, user_id, coordinator_id, month, billed,
           SUM(receivable) OVER running AS receivable, SUM(items) OVER running AS items,
           SUM(invoiced_open) OVER running AS invoiced_open,
           SUM(overdue) OVER running AS overdue
      FROM (SELECT company_id, team_id, user_id, coordinator_id, month,
                   SUM(receivable) AS receivable, SUM(items) AS items,
                   SUM(invoiced_open) AS invoiced_open, SUM(overdue) AS overdue,
                   SUM(billed) AS billed
              FROM (SELECT * FROM money_changes
                    UNION ALL
                    SELECT person.*, months.month, 0, 0, 0, 0, NULL
                      FROM (SELECT DISTINCT company_id, team_id, user_id, coordinator_id
                              FROM money_changes) person
                     CROSS JOIN months) change
             WHERE month <= %(last_month)s
             GROUP BY 1, 2, 3, 4, 5) per_month
    WINDOW running AS (PARTITION BY company_id, team_id, user_id, coordinator_id
                       ORDER BY month)
),
money AS (
    SELECT month, company_id, {_DIMENSION},
           SUM(receivable) AS receivable, SUM(invoiced_open) AS invoiced_open,
           SUM(overdue) AS overdue, SUM(billed) AS billed,
           (month + INTERVAL '1 month')::date - month AS days
      FROM money_at_month_end
     WHERE items > 0
    {_DIMENSIONS}
)
SELECT code, month, dimension, company_id, key_id, value::float8
  FROM by_dimension
UNION ALL
SELECT kpi.code, figure.month, figure.dimension, figure.company_id, figure.key_id, kpi.value
  FROM request_medians figure
 CROSS JOIN LATERAL (VALUES ('support_first_response_median', figure.first_response),
                            ('support_resolution_median', figure.resolution))
       AS kpi(code, value)
UNION ALL
SELECT kpi.code, figure.month, figure.dimension, figure.company_id, figure.key_id, kpi.value
  FROM customers figure
 CROSS JOIN LATERAL (VALUES ('customers_rating_avg', figure.rating_avg),
                            ('customers_satisfied_pct', figure.satisfied_pct),
                            ('customers_won', figure.won),
                            ('customers_retained', figure.retained),
                            ('customers_lost', figure.lost)) AS kpi(code, value)
UNION ALL
SELECT kpi.code, figure.month, figure.dimension, figure.company_id, figure.key_id, kpi.value
  FROM money figure
 CROSS JOIN LATERAL (VALUES
       ('money_receivables', figure.receivable),
       ('money_overdue_pct', 100.0 * figure.overdue / NULLIF(figure.invoiced_open, 0)),
       ('money_dso', figure.receivable * figure.days / NULLIF(figure.billed, 0))
     ) AS kpi(code, value)
"""


def hand_written_query(cr, date_from, date_to):
    """The hand-written query for the months of ``date_from`` (a month start) to ``date_to``
    (lead conversion only when CRM links leads to orders, as in the engine)."""
    cr.execute(
        "SELECT COUNT(*) FROM information_schema.columns"
        " WHERE (table_name, column_name) IN (('sale_order', 'opportunity_id'), ('crm_lead', 'id'))"
    )
    has_leads = cr.fetchone()[0] == 2
    last_month = date_to.replace(day=1)
    return SQL(
        HAND_WRITTEN.replace("{lead_facts}", _LEAD_FACTS if has_leads else ""),
        date_from=date_from,
        last_month=last_month,
        range_end=(last_month + timedelta(days=31)).replace(day=1),
    )


def compare_with_snapshots(cr, hand_rows, date_from, date_to):
    """Compare the hand-written figures with the stored month snapshots of the same range,
    keyed by (KPI, month, dimension, company, key of the dimension): a figure missing on one
    side is NULL, NULL equals NULL, numbers are equal within 1e-6 relative (1e-9 absolute
    around 0). Returns the number of figures compared, the differences
    [(key, hand-written, stored)] and the KPIs with a figure on each side."""
    cr.execute(
        """
        SELECT kpi_code, date_start, dimension, company_id,
               CASE dimension WHEN 'team' THEN team_id WHEN 'salesperson' THEN user_id
                              WHEN 'coordinator' THEN coordinator_id END, value
          FROM o2c_kpi_value
         WHERE period_type = 'month' AND date_start >= %s AND date_start <= %s
        """,
        (date_from, date_to),
    )
    stored = {tuple(row[:5]): row[5] for row in cr.fetchall()}
    hand = {tuple(row[:5]): row[5] for row in hand_rows}
    assert len(hand) == len(hand_rows), "the hand-written query gives a figure twice"
    differences = []
    keys = sorted(stored.keys() | hand.keys(), key=lambda key: tuple(map(str, key)))
    for key in keys:
        mine, engine = hand.get(key), stored.get(key)
        if mine is None and engine is None:
            continue
        if (
            mine is None
            or engine is None
            or not math.isclose(mine, engine, rel_tol=1e-6, abs_tol=1e-9)
        ):
            differences.append((key, mine, engine))
    kpis_with_figures = (
        {key[0] for key, value in hand.items() if value is not None},
        {key[0] for key, value in stored.items() if value is not None},
    )
    return len(keys), differences, kpis_with_figures


def bench_incremental(env, n_orders):
    """The nightly job (``_refresh_incremental``) after 1 % of the orders changed: printed."""
    cr = env.cr
    Value = env["o2c.kpi.value"]
    # Incremental: the nightly job after 1 % of the orders changed, each run in its own
    # transaction (rolled back): the median of several runs, the machine's noise (disk
    # writes of the refresh before, autovacuum) is as large as the differences measured.
    cr.commit()
    # The writes of the refresh and the recording above go to disk before (a nightly run
    # does not start in the middle of a checkpoint of them): CHECKPOINT needs a superuser
    # or pg_checkpoint, without which the runs just meet the checkpointer at work.
    try:
        with cr.savepoint():
            cr.execute("CHECKPOINT")
    except psycopg2.Error:
        print("  (no CHECKPOINT before the incremental runs: not allowed to this user)")
    n_changed = max(1, n_orders // 100)

    def vacuum():
        # A day passes between two nightly runs, and autovacuum with it: the rows the last
        # run rewrote (rolled back here) are cleaned before the next one, as they would be.
        # (VACUUM runs outside a transaction: a connection of its own, in autocommit)
        dsn = odoo.sql_db.connection_info_for(cr.dbname)[1]
        with closing(psycopg2.connect(**dsn)) as connection:
            connection.autocommit = True
            connection.cursor().execute(
                "VACUUM sale_order, account_move_line, o2c_kpi_value, o2c_kpi_order_seen,"
                " o2c_kpi_pending_change"
            )

    def nightly(change, period_types="month", forget=False):
        # change: the SQL of the day's changes, or a list of them (each with the number of
        # rows it changes as its parameter)
        cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        watermark = cr.fetchone()[0]
        for query, n_rows in change if isinstance(change, list) else [(change, n_changed)]:
            cr.execute(SQL(query, n_rows))
        if forget:
            # as before o2c.kpi.order.seen: every figure of each changed order, from its
            # earliest date
            cr.execute("DELETE FROM o2c_kpi_order_seen")
        env.invalidate_all()
        env["ir.config_parameter"].set_param("o2c_kpi.period_types", period_types)
        _, wall = timed("incremental", Value._refresh_incremental, watermark)
        cr.rollback()
        vacuum()
        # the settings cached during the run (its period types) went with the transaction
        env.registry.clear_cache()
        return wall

    def runs(walls):
        walls = sorted(walls)
        median = walls[len(walls) // 2]
        return f"{median:>8.3f}s  (median of {len(walls)}: {walls[0]:.3f}-{walls[-1]:.3f})"

    vacuum()
    # The most recent orders, as a day of work changes them: shipped today, amounts changed.
    recent = """
        WITH changed AS (
            SELECT id FROM sale_order WHERE starts_with(name, 'KB') AND state = 'sale'
             ORDER BY date_order DESC LIMIT %s)
        UPDATE sale_order so
           SET date_o2c_shipped = COALESCE(so.date_o2c_shipped, NOW() AT TIME ZONE 'UTC'),
               amount_untaxed = so.amount_untaxed + 1,
               write_date = NOW() AT TIME ZONE 'UTC'
          FROM changed WHERE changed.id = so.id
    """
    # Orders at random over the two years, as a day of work on old orders changes them:
    # backorders shipped today, old invoices paid today. With the orders' recorded values,
    # only what moved is recomputed (today's shipments, workload and cycles).
    spread = """
        WITH changed AS (
            SELECT id FROM sale_order WHERE starts_with(name, 'KB') AND state = 'sale'
             ORDER BY md5(id::text) LIMIT %s)
        UPDATE sale_order so
           SET date_o2c_shipped = COALESCE(so.date_o2c_shipped, NOW() AT TIME ZONE 'UTC'),
               date_o2c_paid = COALESCE(so.date_o2c_paid, NOW() AT TIME ZONE 'UTC'),
               write_date = NOW() AT TIME ZONE 'UTC'
          FROM changed WHERE changed.id = so.id
    """
    # A day of the back office also posts invoices and reconciles payments: the receivable
    # items of the last days written today (their figures from their dates on).
    receivables = """
        WITH changed AS (
            SELECT aml.id FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
             WHERE account.account_type = 'asset_receivable'
             ORDER BY aml.date DESC, aml.id DESC LIMIT %s)
        UPDATE account_move_line aml SET write_date = NOW() AT TIME ZONE 'UTC'
          FROM changed WHERE changed.id = aml.id
    """
    day_of_work = [(recent, n_changed), (receivables, 300)]
    recent_walls = [nightly(recent) for _run in range(5)]
    day_walls = [nightly(day_of_work) for _run in range(3)]
    spread_walls = [nightly(spread) for _run in range(3)]
    spread_before = nightly(spread, forget=True)
    # Every period type (the default setting): the first nightly run stores the figures of
    # every type, which the next runs update.
    Value = env["o2c.kpi.value"]
    today = fields.Date.context_today(Value)
    every_type = ["week", "month", "quarter", "year"]
    _, every_type_wall = timed(
        "every type",
        Value._refresh,
        (today - timedelta(days=DAYS)).replace(day=1),
        today,
        every_type,
    )
    cr.commit()
    every_type_walls = [nightly(recent, ",".join(every_type)) for _run in range(3)]
    every_type_day_walls = [nightly(day_of_work, ",".join(every_type)) for _run in range(3)]
    print(
        f"  {f'incremental refresh after {n_changed} orders (1 %) changed, months':<62} "
        f"{runs(recent_walls)}"
    )
    print(
        f"  {'same, and 300 receivable items changed today (a day of work)':<62} "
        f"{runs(day_walls)}"
    )
    print(
        f"  {f'{n_changed} orders at random over two years shipped or paid today':<62} "
        f"{runs(spread_walls)}"
    )
    print(
        f"  {'  same, without the orders values recorded (as before)':<62} "
        f"{spread_before:>8.3f}s"
    )
    print(
        f"  {'full refresh of every period type (week, month, quarter, year)':<62} "
        f"{every_type_wall:>8.3f}s"
    )
    print(
        f"  {f'incremental after {n_changed} orders changed, every period type':<62} "
        f"{runs(every_type_walls)}"
    )
    print(
        f"  {'  same, and 300 receivable items changed today':<62} " f"{runs(every_type_day_walls)}"
    )
    env["ir.config_parameter"].set_param("o2c_kpi.period_types", "month")


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
        # The hand-written query counts months in UTC: the engine's too when every company is
        # in UTC (its partner's zone, else the setting o2c_kpi.tz), as in the generated history.
        cr.execute(
            "SELECT COALESCE(NULLIF(partner.tz, ''), %s) FROM res_company company"
            " JOIN res_partner partner ON partner.id = company.partner_id",
            [Value._get_default_tz()],
        )
        zones = {row[0] for row in cr.fetchall()} - {"UTC", "Etc/UTC"}
        if zones:
            print(
                f"  warning: companies in {', '.join(sorted(zones))}: the hand-written SQL counts "
                "months in UTC, its figures of those companies differ from the engine's"
            )
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
        # The engine alone (every calculator in one query, no storage) and the hand-written
        # query, computing the same figures; both fetch their rows, in the refresh's
        # transaction (its work_mem and jit settings hold for both).
        params = kpi_functions.KpiParams(date_from, today, "month")
        every_calculator = dict.fromkeys(kpi_functions.KPI_QUERIES)
        engine_rows, engine_wall = timed(
            "engine", kpi_functions.compute_kpis, cr, params, every_calculator
        )
        hand_query = hand_written_query(cr, date_from, today)
        start = time.perf_counter()
        cr.execute(hand_query)
        hand_rows = cr.fetchall()
        hand_wall = time.perf_counter() - start
        compared, differences, (hand_kpis, stored_kpis) = compare_with_snapshots(
            cr, hand_rows, date_from, today
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
            f"  {'engine alone, every KPI, no storage (one query)':<62} {engine_wall:>8.3f}s"
            f"  ({len(engine_rows)} figures)"
        )
        print(
            f"  {'hand-written SQL, every KPI, one query':<62} {hand_wall:>8.3f}s"
            f"  ({len(hand_rows)} figures)"
        )
        print(
            f"  {'same figures? hand-written vs stored month snapshots':<62} "
            f"{compared} compared, {len(differences)} differ  (KPIs with figures: "
            f"hand-written {len(hand_kpis)}, snapshots {len(stored_kpis)})"
        )
        for (code, month, dimension, company_id, key_id), mine, engine in differences[:10]:
            print(
                f"    {code} {month} {dimension} company {company_id} key {key_id}: "
                f"hand-written {mine}, engine {engine}"
            )
        print(
            f"  {'ratio full refresh (again) / hand-written, same figures':<62} "
            f"{again_wall / hand_wall:>8.2f}x  (engine alone / hand-written: "
            f"{engine_wall / hand_wall:.2f}x)"
        )
        for function_name, wall, n_rows in per_function:
            print(f"  {f'  calculator {function_name} alone':<62} {wall:>8.3f}s  ({n_rows} rows)")
        print(f"  snapshot md5 (every figure, ordered, 6 decimals): {checksum}")
        # The nightly job's first run also records the values of every order the figures
        # reflect (o2c.kpi.order.seen): the next runs compare the orders changed with them.
        _, record_wall = timed("record", env["o2c.kpi.order.seen"]._record)
        print(
            f"  {'orders values recorded (first nightly run, after its refresh)':<62} "
            f"{record_wall:>8.3f}s"
        )
        bench_incremental(env, counts["sale_order"])
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
