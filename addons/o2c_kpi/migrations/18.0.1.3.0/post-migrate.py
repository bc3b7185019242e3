"""Overdue % is now the share of the invoices' open amounts that is overdue (0 to 100 %), no
longer measured against the receivables (which credit notes and payments not reconciled with
an invoice lower, so that it went over 100 %): the definition loaded by the data file
(``noupdate``) gets the new wording unless a manager reworded it, and the stored overdue
figures are recomputed (the periods of each stored period type, from the earliest one)."""

from odoo import SUPERUSER_ID, api, fields

OLD = (
    "100 x open amounts at the end of the period (reconciliations up to then deducted) of the"
    " receivable items due before then / receivables at the end of the period."
)
NEW = (
    "100 x open amounts at the end of the period (reconciliations up to then deducted) of the"
    " invoices (receivable debit items) due before then / open amounts of all the invoices"
    " then: the share of what is owed on invoices that is overdue, from 0 to 100 %. Credit"
    " notes and payments not reconciled with an invoice lower neither side."
)


def migrate(cr, version):
    cr.execute(
        """
        UPDATE o2c_kpi_definition
           SET description = jsonb_build_object('en_US', %s::text)
         WHERE code = 'money_overdue_pct' AND description->>'en_US' = %s
        """,
        [NEW, OLD],
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    kpi = (
        env["o2c.kpi.definition"]
        .with_context(active_test=False)
        .search([("code", "=", "money_overdue_pct")])
    )
    if not kpi:
        return
    today = fields.Date.context_today(env["o2c.kpi.value"])
    cr.execute(
        """
        SELECT period_type, MIN(date_start) FROM o2c_kpi_value
         WHERE kpi_id = %s GROUP BY period_type
        """,
        [kpi.id],
    )
    for period_type, date_from in cr.fetchall():
        env["o2c.kpi.value"]._refresh(date_from, today, [period_type], kpis=kpi)
