"""Upgrade and uninstall on a copy of the test database (the demo data of `make test`).

1. A user edits records the addon loads as ``noupdate`` data (a record rule, a request type's
   SLA, an activity type, a cron); ``-u sales_support,o2c_kpi,sales_support_loyalty`` keeps
   every edit.
2. Uninstalling ``sales_support_loyalty``, ``o2c_kpi``, then ``sales_support``, leaves no
   column, table, field, view, rule, action or cron of theirs, and Odoo's own flow still works
   afterwards: a salesperson's order is confirmed, delivered and invoiced (invoice posted).

Before the upgrade the copy is taken back to the schema of 18.0.1.0.0 (a customer's coordinator
in a plain integer column): ``migrations/18.0.1.1.0/pre-migrate.py`` converts it.

The copy is made with pg_dump (``createdb -T`` needs the source without connections, and the
end-to-end server and pytest-odoo hold some); each step is an ``odoo-bin`` of its own, as an
administrator would run it. The copy is dropped at the end."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

ROOT = Path(__file__).resolve().parent.parent
ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo")
# ours, in the order of installation (uninstalled in the reverse order)
ADDONS = ("sales_support", "o2c_kpi", "sales_support_loyalty")
LOG_ERROR = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ \d+ (ERROR|CRITICAL) ", re.M)

# Noupdate records a user may edit, with the value the test writes and reads back.
EDITS = [
    (
        "sales_support.sales_support_assignment_rule_rule_company",
        "domain_force",
        "[('company_id', 'in', company_ids), ('id', '!=', 0)]",
    ),
    ("sales_support.request_type_quotation", "first_response_hours", 7.0),
    ("sales_support.mail_activity_type_o2c_late", "summary", "Late order: call the customer"),
    ("sales_support.mail_activity_type_o2c_late", "delay_count", 3),
]

EDIT_SCRIPT = """
for xmlid, fname, value in {edits!r}:
    env.ref(xmlid).write({{fname: value}})
cron = env['ir.cron'].search([('ir_actions_server_id.model_id.model', '=', 'sale.order'),
                              ('ir_actions_server_id.code', 'ilike', '_cron_o2c')], limit=1)
assert cron, 'no Order-to-Cash cron'
cron.write({{'interval_number': 5, 'interval_type': 'hours'}})
env.cr.commit()
print('EDITED', cron.id)
"""

CHECK_EDITS_SCRIPT = """
for xmlid, fname, value in {edits!r}:
    got = env.ref(xmlid)[fname]
    assert got == value, (xmlid, fname, got, value)
cron = env['ir.cron'].browse({cron_id})
assert (cron.interval_number, cron.interval_type) == (5, 'hours'), cron.read()
print('EDITS KEPT')
"""

UNINSTALL_SCRIPT = """
module = env['ir.module.module'].search([('name', '=', {name!r})])
assert module.state == 'installed', module.state
module.button_immediate_uninstall()
env.cr.commit()
print('UNINSTALLED', {name!r})
"""

# Odoo's flow after both uninstalls, as a salesperson with stock and invoicing rights (demo's
# Marc Demo) and as the administrator; the sale.order views must still combine.
FLOW_SCRIPT = """
from odoo import Command
for view_type in ('form', 'list', 'search', 'kanban'):
    env['sale.order'].get_views([(False, view_type)])
env['res.partner'].get_views([(False, 'form')])
env['res.users'].get_views([(False, 'form')])
customer = env.ref('base.res_partner_2')
product = env['product.product'].search([('is_storable', '=', True), ('sale_ok', '=', True)],
                                        limit=1)
for user in (env.ref('base.user_demo'), env.ref('base.user_admin')):
    uenv = env(user=user)
    order = uenv['sale.order'].create({
        'partner_id': customer.id,
        'user_id': user.id,
        'order_line': [Command.create({'product_id': product.id, 'product_uom_qty': 3})],
    })
    order.action_confirm()
    assert order.state == 'sale', order.state
    picking = order.picking_ids
    assert picking, 'no delivery'
    for move in picking.move_ids:
        move.write({'quantity': move.product_uom_qty, 'picked': True})
    # skip_sms: stock_sms asks once per company whether to text customers (a wizard)
    result = picking.with_context(skip_sms=True).button_validate()
    assert picking.state == 'done', (picking.state, result)
    ctx = {'active_model': 'sale.order', 'active_ids': order.ids, 'active_id': order.id}
    wizard = uenv['sale.advance.payment.inv'].with_context(**ctx).create(
        {'advance_payment_method': 'delivered'})
    wizard.create_invoices()
    invoice = order.invoice_ids
    invoice.action_post()
    assert invoice.state == 'posted', invoice.state
    assert order.invoice_status == 'invoiced', order.invoice_status
    print('FLOW OK', user.login, order.name, picking.name, invoice.name)
env.cr.commit()
"""

OUR_COLUMNS = re.compile(r"^(support_|coordinator_id$|is_coordinator_manual$|.*o2c|order_entry_)")


def _odoo(db, *args, script=None, timeout=600):
    cmd = [
        sys.executable,
        f"{ODOO_SRC}/odoo-bin",
        *(["shell"] if script is not None else []),
        "-c",
        str(ROOT / "odoo.conf"),
        "-d",
        db,
        "--no-http",
        "--max-cron-threads=0",
        "--log-level=warn",
        *args,
    ]
    env = {**os.environ, "PROJECT_ROOT": str(ROOT), "ODOO_SRC": ODOO_SRC}
    proc = subprocess.run(
        cmd, input=script, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{output[-4000:]}"
    # Uninstalling deletes the module's records one by one in savepoints; those still used by
    # others (demo products on orders, request types on requests) stay until their table goes,
    # and PostgreSQL's refusal is logged as a "bad query" by odoo.sql_db: Odoo's own way.
    errors = [
        line
        for line in output.splitlines()
        if LOG_ERROR.match(line) and " odoo.sql_db: bad query: " not in line
    ]
    assert not errors, "\n".join(errors[:10]) + "\n" + output[-4000:]
    return output


def _filestore(db):
    from odoo.tools import config  # parsed by pytest-odoo from odoo.conf

    return Path(config.filestore(db))


@pytest.fixture(scope="module")
def db_copy():
    source = os.environ.get("SALES_SUPPORT_TEST_DB", "sales_support_test")
    copy = f"{source}_upgrade"
    subprocess.run(["dropdb", "--if-exists", copy], check=True)
    subprocess.run(["createdb", copy], check=True)
    # pg_dump reads a snapshot while other sessions (pytest-odoo, the e2e server) are connected
    dump = subprocess.Popen(["pg_dump", "--no-owner", source], stdout=subprocess.PIPE)
    restore = subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", copy],
        stdin=dump.stdout,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    dump.stdout.close()
    assert dump.wait() == 0 and restore.returncode == 0, f"copying {source} to {copy} failed"
    if _filestore(source).is_dir():
        shutil.copytree(_filestore(source), _filestore(copy), dirs_exist_ok=True)
    yield copy
    subprocess.run(["dropdb", "--if-exists", copy], check=False)
    shutil.rmtree(_filestore(copy), ignore_errors=True)


def _query(db, query, params=(), fetch=True):
    conn = psycopg2.connect(dbname=db)
    try:
        with conn, conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if fetch else None
    finally:
        conn.close()


def _execute(db, query, params=()):
    _query(db, query, params, fetch=False)


def _partner_coordinators(db):
    """{partner id: (coordinator id, manual)} in the partner's company (else the first one)."""
    rows = _query(
        db,
        """SELECT id, (support_coordinator_id ->> key)::int4,
                  COALESCE((is_support_coordinator_manual ->> key)::bool, false)
             FROM (SELECT p.*, COALESCE(p.company_id, (SELECT MIN(id) FROM res_company))::text
                          AS key FROM res_partner p) p
            WHERE support_coordinator_id ->> key IS NOT NULL""",
    )
    return {row[0]: row[1:] for row in rows}


def _downgrade_to_18_0_1_0_0(db):
    """The schema of 18.0.1.0.0: the customer's coordinator in plain shared columns."""
    _execute(
        db,
        """ALTER TABLE res_partner ADD COLUMN key text;
           UPDATE res_partner SET key = COALESCE(company_id, (SELECT MIN(id) FROM res_company));
           ALTER TABLE res_partner
               ALTER COLUMN support_coordinator_id TYPE int4
                   USING (support_coordinator_id ->> key)::int4,
               ALTER COLUMN is_support_coordinator_manual TYPE bool
                   USING (is_support_coordinator_manual ->> key)::bool,
               ADD CONSTRAINT res_partner_support_coordinator_id_fkey
                   FOREIGN KEY (support_coordinator_id) REFERENCES res_users (id)
                   ON DELETE SET NULL;
           ALTER TABLE res_partner DROP COLUMN key;
           UPDATE ir_module_module SET latest_version = '18.0.1.0.0'
            WHERE name = 'sales_support';""",
    )


# The customer-care columns up to 18.0.1.3.0 (plain, one company's figures): name -> type
CARE_COLUMNS = {
    "customer_status": "varchar",
    "customer_status_date": "date",
    "customer_first_order_date": "date",
    "customer_last_order_date": "date",
    "customer_order_interval": "float8",
    "customer_revenue_12m": "numeric",
    "customer_abc_class": "varchar",
    "customer_last_contact_date": "date",
    "customer_contact_reminded_date": "date",
}


def _downgrade_customer_care(db):
    """The customer-care figures up to 18.0.1.3.0: plain columns, and a stored next contact date.
    A shared customer (computed for the cron's company) and a customer of a company get some;
    returns {partner id: the company they were computed for}."""
    _execute(
        db,
        "ALTER TABLE res_partner "
        + ", ".join(
            f"ALTER COLUMN {column} TYPE {kind} USING NULL" for column, kind in CARE_COLUMNS.items()
        )
        + ", ADD COLUMN customer_next_contact_date date"
        # up to 18.0.1.4.0: the manual flags shared by every company
        + ", ALTER COLUMN is_customer_strategic TYPE bool USING NULL"
        + ", ALTER COLUMN is_customer_lost TYPE bool USING NULL",
    )
    [(shared, owned, owned_company, cron_company)] = _query(
        db,
        """SELECT (SELECT MIN(id) FROM res_partner WHERE company_id IS NULL AND is_company),
                  (SELECT MIN(id) FROM res_partner WHERE company_id IS NOT NULL),
                  (SELECT company_id FROM res_partner
                    WHERE id = (SELECT MIN(id) FROM res_partner WHERE company_id IS NOT NULL)),
                  (SELECT u.company_id FROM ir_model_data d
                     JOIN ir_cron c ON c.id = d.res_id JOIN res_users u ON u.id = c.user_id
                    WHERE d.module = 'sales_support' AND d.name = 'ir_cron_customer_care')""",
    )
    _execute(
        db,
        """UPDATE res_partner SET customer_status = 'active', customer_abc_class = 'A',
                  customer_revenue_12m = 5000.5, customer_status_date = '2026-01-15',
                  customer_order_interval = 30.5, customer_next_contact_date = '2026-02-01',
                  is_customer_strategic = TRUE
            WHERE id = %s;
           UPDATE res_partner SET customer_status = 'dormant', customer_abc_class = 'C',
                  customer_revenue_12m = 0, is_customer_strategic = TRUE, is_customer_lost = TRUE
            WHERE id = %s""",
        (shared, owned),
    )
    return {shared: cron_company, owned: owned_company}


def _seed_18_0_1_2_0(db):
    """What 18.0.1.2.0 left that 18.0.1.3.0 migrates: a claim replacement marked by
    ``to_refund``, a stale late-step mark, a payment deadline at the end of the due day in UTC,
    ledger descriptions in a plain text column."""
    ((move_id,),) = _query(
        db,
        """SELECT MIN(m.id) FROM stock_move m
             JOIN stock_location l ON l.id = m.location_dest_id
            WHERE l.usage = 'customer' AND m.state = 'done'""",
    )
    ((order_id, deadline),) = _query(
        db,
        """SELECT id, date_o2c_next_deadline FROM sale_order
            WHERE o2c_next_step = 'paid' AND date_o2c_next_deadline IS NOT NULL
         ORDER BY id LIMIT 1""",
    )
    ((event_id, name),) = _query(
        db,
        """SELECT id, name ->> 'en_US' FROM sales_support_o2c_event
            WHERE name IS NOT NULL ORDER BY id LIMIT 1""",
    )
    assert move_id and order_id and event_id, "the demo data has them"
    _execute(
        db,
        """UPDATE stock_move SET is_o2c_exchange = TRUE, to_refund = TRUE,
                  is_o2c_exchange_counted = FALSE WHERE id = %(move)s;
           UPDATE sale_order SET o2c_late_notified_step = 'invoiced',
                  date_o2c_next_deadline = '2000-01-01 23:59:59' WHERE id = %(order)s;
           ALTER TABLE sales_support_o2c_event
               ALTER COLUMN name TYPE varchar USING name ->> 'en_US';""",
        {"move": move_id, "order": order_id},
    )
    return {"move": move_id, "order": order_id, "deadline": deadline, "event": (event_id, name)}


def _check_18_0_1_3_0(db, seeds):
    assert _query(
        db,
        "SELECT is_o2c_exchange_counted, to_refund FROM stock_move WHERE id = %s",
        [seeds["move"]],
    ) == [(True, False)], "the replacement's mark moved off to_refund"
    assert _query(
        db,
        "SELECT o2c_late_notified_step, date_o2c_next_deadline FROM sale_order WHERE id = %s",
        [seeds["order"]],
    ) == [(None, seeds["deadline"])], "stale mark cleared, payment deadline recomputed"
    event_id, name = seeds["event"]
    assert _query(
        db, "SELECT name ->> 'en_US' FROM sales_support_o2c_event WHERE id = %s", [event_id]
    ) == [(name,)], "the description kept, in the translated column"


def _downgrade_o2c_kpi_to_18_0_1_0_0(db):
    """o2c_kpi 18.0.1.0.0: a KPI's calculator was free text (a manager could break it), the
    money KPIs worded as the balance of the receivable items."""
    _execute(
        db,
        """UPDATE o2c_kpi_definition SET compute_function = 'customer_kpis_v0'
            WHERE code = 'customers_won';
           UPDATE o2c_kpi_definition
              SET description = description || jsonb_build_object('en_US',
                  'Balance of the posted receivable journal items dated up to the end of the'
                  ' period, in the company''s currency.')
            WHERE code = 'money_receivables';
           UPDATE ir_module_module SET latest_version = '18.0.1.0.0' WHERE name = 'o2c_kpi';""",
    )


def test_upgrade_keeps_edits_then_uninstall_leaves_odoo_working(db_copy):
    # 1. from 18.0.1.0.0 (plain coordinator columns on res_partner): the pre-migration converts
    # them to company-dependent jsonb, keeping each customer's coordinator and manual flag
    coordinators = _partner_coordinators(db_copy)
    assert coordinators, "the demo data has customers with a coordinator"
    _downgrade_to_18_0_1_0_0(db_copy)
    cared_for = _downgrade_customer_care(db_copy)
    seeds = _seed_18_0_1_2_0(db_copy)
    _downgrade_o2c_kpi_to_18_0_1_0_0(db_copy)
    # before 18.0.1.6.0, an order created after its order date (Odoo's back-dated demo orders,
    # imported history) had its request dated by its creation, after its entry
    imported = _query(
        db_copy,
        """UPDATE sale_order SET date_o2c_request = create_date
            WHERE date_o2c_request IS NULL AND create_date > date_o2c_entered RETURNING id""",
    )
    assert imported, "the demo data has orders created after their order date"
    # edits of noupdate data survive the upgrade of both addons
    output = _odoo(db_copy, script=EDIT_SCRIPT.format(edits=EDITS))
    cron_id = int(re.search(r"EDITED (\d+)", output).group(1))
    _odoo(db_copy, "-u", ",".join(ADDONS), "--stop-after-init")
    assert _partner_coordinators(db_copy) == coordinators
    # the customer-care figures: jsonb, each value the value of the company it was computed for
    # (migrations/18.0.1.4.0), the next contact date no longer stored
    shared, owned = cared_for
    assert _query(
        db_copy,
        """SELECT id, customer_status, customer_abc_class, customer_revenue_12m,
                  customer_status_date, customer_order_interval, customer_last_order_date
             FROM res_partner WHERE id IN %s ORDER BY id""",
        (tuple(cared_for),),
    ) == sorted(
        [
            (
                shared,
                {str(cared_for[shared]): "active"},
                {str(cared_for[shared]): "A"},
                {str(cared_for[shared]): 5000.5},
                {str(cared_for[shared]): "2026-01-15"},
                {str(cared_for[shared]): 30.5},
                None,
            ),
            (
                owned,
                {str(cared_for[owned]): "dormant"},
                {str(cared_for[owned]): "C"},
                {str(cared_for[owned]): 0},
                None,
                None,
                None,
            ),
        ]
    )
    # the manual flags (migrations/18.0.1.5.0): a company's customer keeps them in its company,
    # a shared customer in every company
    [(every_company,)] = _query(db_copy, "SELECT array_agg(id::text) FROM res_company")
    assert _query(
        db_copy,
        """SELECT id, is_customer_strategic, is_customer_lost
             FROM res_partner WHERE id IN %s ORDER BY id""",
        (tuple(cared_for),),
    ) == sorted(
        [
            (shared, dict.fromkeys(every_company, True), None),
            (owned, {str(cared_for[owned]): True}, {str(cared_for[owned]): True}),
        ]
    )
    assert not _query(
        db_copy,
        "SELECT 1 FROM information_schema.columns WHERE table_name = 'res_partner' "
        "AND column_name = 'customer_next_contact_date'",
    )
    assert _query(
        db_copy,
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'res_partner' "
        "AND column_name IN ('support_coordinator_id', 'is_support_coordinator_manual')",
    ) == [("jsonb",), ("jsonb",)]
    # migrations/18.0.1.6.0: their request is unknown again (no negative duration)
    assert (
        _query(
            db_copy,
            "SELECT id FROM sale_order WHERE id IN %s AND date_o2c_request IS NOT NULL",
            (tuple(row[0] for row in imported),),
        )
        == []
    )
    manifest = ast.literal_eval((ROOT / "addons/sales_support/__manifest__.py").read_text())
    assert _query(
        db_copy,
        "SELECT latest_version FROM ir_module_module WHERE name = 'sales_support'",
    ) == [(manifest["version"],)]
    # o2c_kpi 18.0.1.1.0: a calculator that does not exist becomes its category's; the
    # receivables get the new wording (open amounts)
    assert _query(
        db_copy,
        "SELECT code, compute_function, description->>'en_US' LIKE 'Open amount%%'"
        " FROM o2c_kpi_definition WHERE code IN ('customers_won', 'money_receivables')"
        " ORDER BY code",
    ) == [("customers_won", "customer_kpis", False), ("money_receivables", "money_kpis", True)]
    assert "EDITS KEPT" in _odoo(
        db_copy, script=CHECK_EDITS_SCRIPT.format(edits=EDITS, cron_id=cron_id)
    )
    _check_18_0_1_3_0(db_copy, seeds)

    # 2. uninstall the bridge, o2c_kpi, then sales_support
    for name in reversed(ADDONS):
        assert f"UNINSTALLED {name}" in _odoo(db_copy, script=UNINSTALL_SCRIPT.format(name=name))
    states = dict(
        _query(
            db_copy,
            "SELECT name, state FROM ir_module_module WHERE name IN %s",
            (ADDONS,),
        )
    )
    assert states == dict.fromkeys(ADDONS, "uninstalled")

    # nothing of theirs is left behind
    leftovers = {
        "columns": _query(
            db_copy,
            """SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name IN ('sale_order', 'sale_order_line',
                      'res_partner', 'res_users', 'res_company', 'account_move', 'stock_picking',
                      'stock_move', 'account_partial_reconcile', 'res_config_settings',
                      'rating_rating')""",
        ),
        "tables": _query(
            db_copy,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND (table_name LIKE 'sales\\_support%%' OR table_name LIKE 'o2c\\_kpi%%' "
            "OR table_name LIKE 'sales\\_tender%%')",
        ),
        "xmlids": _query(
            db_copy,
            # business records still used by others (demo users who sold, a product on order
            # lines, an activity type of existing activities) are kept by Odoo, with their XML
            # id; what defines the addon (models, views, rules, menus, actions...) must be gone
            "SELECT module, model, name FROM ir_model_data "
            "WHERE module IN %s AND (model LIKE 'sales.support.%%' "
            "OR model LIKE 'o2c.%%' OR model LIKE 'ir.%%' OR model = 'res.groups')",
            (ADDONS,),
        ),
        "fields": _query(
            db_copy,
            "SELECT model, name FROM ir_model_fields WHERE model LIKE 'sales.support.%%' "
            "OR model LIKE 'o2c.kpi%%' OR name IN ('coordinator_id', 'support_coordinator_id', "
            "'is_coordinator_manual', 'order_entry_user_id')",
        ),
        "views": _query(
            db_copy,
            "SELECT id, name FROM ir_ui_view WHERE arch_db::text ~ "
            "'(coordinator_id|support_coordinator|o2c_|sales_support)'",
        ),
        "rules": _query(
            db_copy,
            "SELECT id, name FROM ir_rule WHERE domain_force ~ " "'(coordinator|support_|o2c)'",
        ),
        "crons": _query(
            db_copy,
            "SELECT c.id, a.name->>'en_US' FROM ir_cron c "
            "JOIN ir_act_server a ON a.id = c.ir_actions_server_id WHERE a.code ~ "
            "'(o2c|support|sla)'",
        ),
        "indexes": _query(
            db_copy,
            # the KPI engine's indexes on the tables Odoo keeps (orders, journal items...)
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
            r"AND indexname LIKE '%%\_o2c\_kpi\_%%\_idx'",
        ),
        "groups": _query(
            db_copy,
            "SELECT id, name->>'en_US' FROM res_groups WHERE name->>'en_US' ~ "
            "'(Support|O2C|Order-to-Cash)'",
        ),
    }
    leftovers["columns"] = [row for row in leftovers["columns"] if OUR_COLUMNS.match(row[1])]
    assert not any(leftovers.values()), {k: v for k, v in leftovers.items() if v}

    # 3. Odoo's own flow works afterwards
    output = _odoo(db_copy, script=FLOW_SCRIPT)
    assert output.count("FLOW OK") == 2, output[-3000:]
