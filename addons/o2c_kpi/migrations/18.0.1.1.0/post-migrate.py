"""The receivables of a team, salesperson or coordinator are now the open amounts of their
invoices (payments lower them once reconciled): the definitions loaded by the data file
(``noupdate``) get the new wording, unless a manager reworded them. A definition still worded
as before in English gets the new English text alone: its translations (he, ar, ru) say the old
thing, and the module's new translations fill them in when its terms are loaded."""

DESCRIPTIONS = {
    "money_receivables": (
        "Balance of the posted receivable journal items dated up to the end of the period, in"
        " the company's currency.",
        "Open amount at the end of the period of the posted receivable journal items dated up"
        " to then (balance minus the reconciliations dated up to then), in the company's"
        " currency. For a team, salesperson or coordinator: the open amounts of their invoices"
        " and credit notes (a payment lowers them once reconciled with the invoice).",
    ),
    "money_overdue_pct": (
        "100 x amounts of receivable items due before the end of the period and still open"
        " then (reconciliations up to then deducted) / receivables at the end of the period.",
        "100 x open amounts at the end of the period (reconciliations up to then deducted) of"
        " the receivable items due before then / receivables at the end of the period.",
    ),
}


def migrate(cr, version):
    for code, (old, new) in DESCRIPTIONS.items():
        cr.execute(
            """
            UPDATE o2c_kpi_definition
               SET description = jsonb_build_object('en_US', %s::text)
             WHERE code = %s AND description->>'en_US' = %s
            """,
            [new, code, old],
        )
