from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# Aging buckets by days past due at the as-of date (SQL CASE in _query_statement_rows).
AGING_BUCKETS = ["not_due", "days_0_30", "days_31_60", "days_61_90", "days_90_plus"]
# Kind of statement line -> total of its section.
SECTION_TOTALS = {
    "invoice": "invoiced",
    "credit_note": "credit_notes",
    "payment": "payments",
    "other": "other",
}


class SalesSupportStatement(models.AbstractModel):
    """Statement of account of a customer, rebuilt from the receivable journal items.

    Open amounts are rebuilt from the reconciliations (``account.partial.reconcile``) dated up to
    the as-of date, not from today's residuals: a statement of a past date never changes when
    later payments are recorded. One section per document currency (amounts in that currency,
    plus their value in the company currency). The figures are read by two SQL queries, for
    salespeople and coordinators without accounting rights, once the user is checked to serve
    the customer (see ``res.partner._check_support_served``)."""

    _name = "sales.support.statement"
    _description = "Customer Statement of Account"

    @api.model
    def _get_statement_data(self, partner, date_from, date_to, as_of=None, company=None):
        """Statement of ``partner`` (its commercial entity) in ``company`` (default: current)
        for the period ``date_from``..``date_to``, open amounts as of ``as_of`` (default
        ``date_to``). Raises AccessError when the user does not serve the customer."""
        company = company or self.env.company
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        as_of = fields.Date.to_date(as_of) or date_to
        if not (date_from and date_to):
            raise UserError(_("Give the first and last day of the statement's period."))
        if date_from > date_to:
            raise UserError(
                _(
                    "The statement's period starts (%(start)s) after it ends (%(end)s): swap "
                    "the dates.",
                    start=date_from,
                    end=date_to,
                )
            )
        if as_of < date_to:
            raise UserError(
                _(
                    "The as-of date (%(as_of)s) cannot be before the end of the period "
                    "(%(end)s): open amounts are known from the end of the period on.",
                    as_of=as_of,
                    end=date_to,
                )
            )
        if company not in self.env.user.company_ids:
            raise AccessError(
                _(
                    "You do not work for %(company)s: its statements are not yours to read.",
                    company=company.name,
                )
            )
        customer = partner.commercial_partner_id
        customer._check_support_served()
        # sudo: the user serves this customer (checked just above); these are exactly the
        # customer's receivable figures, which salespeople without accounting rights may read.
        rows = self.sudo()._query_statement_rows(customer, company, date_from, date_to, as_of)
        return self._build_statement(customer, company, date_from, date_to, as_of, rows)

    @api.model
    def _query_statement_rows(self, customer, company, date_from, date_to, as_of):
        """Receivable items of the customer up to ``date_to``: the items of the period one by
        one with their running balance (opening included) and open amount as of ``as_of``;
        the items before the period summed per currency and aging bucket (one row each)."""
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        companies = self.env["res.company"].sudo().search([("id", "child_of", company.id)])
        bucket_case = SQL(
            """CASE WHEN l.date_maturity IS NULL OR l.date_maturity >= %(as_of)s THEN 'not_due'
                    WHEN %(as_of)s - l.date_maturity <= 30 THEN 'days_0_30'
                    WHEN %(as_of)s - l.date_maturity <= 60 THEN 'days_31_60'
                    WHEN %(as_of)s - l.date_maturity <= 90 THEN 'days_61_90'
                    ELSE 'days_90_plus' END""",
            as_of=as_of,
        )
        query = SQL(
            """
            WITH items AS (
                SELECT l.id, l.date, l.date_maturity, l.move_id, l.currency_id,
                       l.amount_currency, l.balance, l.name AS label,
                       m.name AS move_name, m.move_type, m.ref,
                       m.origin_payment_id IS NOT NULL OR m.statement_line_id IS NOT NULL
                           AS is_payment,
                       %(bucket)s AS bucket
                  FROM account_move_line l
                  JOIN account_account a ON a.id = l.account_id
                  JOIN account_move m ON m.id = l.move_id
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE a.account_type = 'asset_receivable'
                   AND l.parent_state = 'posted'
                   AND l.company_id IN %(companies)s
                   AND p.commercial_partner_id = %(customer)s
                   AND l.date <= %(date_to)s
            ),
            -- an item settled by an item of another currency (a EUR invoice paid in USD): in
            -- the invoice's section, what it received in its currency; in the payment's, what
            -- the payment gave away in its own. Each section then balances to its open
            -- amounts; in the company currency the two rows cancel out.
            cross_items AS (
                SELECT NULL::int AS id, pr.max_date AS date, NULL::date AS date_maturity,
                       c.move_id, d.currency_id, -pr.debit_amount_currency AS amount_currency,
                       -pr.amount AS balance, d.move_name AS label, c.move_name, c.move_type,
                       c.ref, c.is_payment, 'not_due' AS bucket, 'paid' AS cross_kind,
                       c.currency_id AS cross_currency_id, c.move_id AS sort_move_id
                  FROM account_partial_reconcile pr
                  JOIN items d ON d.id = pr.debit_move_id
                  JOIN items c ON c.id = pr.credit_move_id
                 WHERE d.currency_id <> c.currency_id AND pr.max_date <= %(date_to)s
                UNION ALL
                SELECT NULL::int, pr.max_date, NULL::date, d.move_id, c.currency_id,
                       pr.credit_amount_currency, pr.amount, c.move_name, d.move_name,
                       d.move_type, d.ref, FALSE, 'not_due', 'applied', d.currency_id, c.move_id
                  FROM account_partial_reconcile pr
                  JOIN items d ON d.id = pr.debit_move_id
                  JOIN items c ON c.id = pr.credit_move_id
                 WHERE d.currency_id <> c.currency_id AND pr.max_date <= %(date_to)s
            ),
            applied AS (
                SELECT item_id, SUM(amount) AS amount, SUM(amount_currency) AS amount_currency
                  FROM (
                    SELECT pr.debit_move_id AS item_id, -pr.amount AS amount,
                           -pr.debit_amount_currency AS amount_currency
                      FROM account_partial_reconcile pr
                      JOIN items ON items.id = pr.debit_move_id
                     WHERE pr.max_date <= %(as_of)s
                    UNION ALL
                    SELECT pr.credit_move_id, pr.amount, pr.credit_amount_currency
                      FROM account_partial_reconcile pr
                      JOIN items ON items.id = pr.credit_move_id
                     WHERE pr.max_date <= %(as_of)s
                  ) AS partials
                 GROUP BY item_id
            ),
            all_items AS (
                SELECT items.*, NULL AS cross_kind, NULL::int AS cross_currency_id,
                       items.move_id AS sort_move_id,
                       items.balance + COALESCE(applied.amount, 0) AS open_balance,
                       items.amount_currency + COALESCE(applied.amount_currency, 0)
                           AS open_amount_currency
                  FROM items
             LEFT JOIN applied ON applied.item_id = items.id
                UNION ALL
                SELECT cross_items.*, 0, 0 FROM cross_items
            ),
            opened AS (
                SELECT all_items.*,
                       SUM(amount_currency) OVER running AS running_amount_currency,
                       SUM(balance) OVER running AS running_balance
                  FROM all_items
                WINDOW running AS (PARTITION BY currency_id
                                   ORDER BY date, sort_move_id, id NULLS LAST, cross_kind)
            )
            SELECT FALSE AS is_opening, id, date, date_maturity, move_id, currency_id,
                   amount_currency, balance, label, move_name, move_type, ref, is_payment,
                   bucket, open_balance, open_amount_currency,
                   running_amount_currency, running_balance, cross_kind, cross_currency_id,
                   sort_move_id
              FROM opened
             WHERE date >= %(date_from)s
            UNION ALL
            SELECT TRUE, NULL, NULL, NULL, NULL, currency_id,
                   SUM(amount_currency), SUM(balance), NULL, NULL, NULL, NULL, NULL,
                   bucket, SUM(open_balance), SUM(open_amount_currency), NULL, NULL, NULL, NULL,
                   NULL
              FROM opened
             WHERE date < %(date_from)s
             GROUP BY currency_id, bucket
             ORDER BY is_opening DESC, currency_id, date, sort_move_id, id NULLS LAST,
                      cross_kind
            """,
            bucket=bucket_case,
            companies=tuple(companies.ids),
            customer=customer.id,
            date_from=date_from,
            date_to=date_to,
            as_of=as_of,
        )
        self.env.cr.execute(query)
        return self.env.cr.dictfetchall()

    @api.model
    def _get_aging_labels(self):
        return [
            ("not_due", _("Not due")),
            ("days_0_30", _("0-30 days")),
            ("days_31_60", _("31-60 days")),
            ("days_61_90", _("61-90 days")),
            ("days_90_plus", _("90+ days")),
        ]

    @api.model
    def _get_line_kind(self, row):
        if row.get("cross_kind") == "paid":
            return "payment", _(
                "Paid in %(currency)s", currency=self._currency_name(row["cross_currency_id"])
            )
        if row.get("cross_kind") == "applied":
            return "other", _(
                "Applied in %(currency)s", currency=self._currency_name(row["cross_currency_id"])
            )
        if row["move_type"] == "out_invoice":
            return "invoice", _("Invoice")
        if row["move_type"] == "out_refund":
            return "credit_note", _("Credit Note")
        if row["is_payment"]:
            return "payment", _("Payment")
        return "other", _("Journal Entry")

    @api.model
    def _currency_name(self, currency_id):
        return self.env["res.currency"].browse(currency_id).name

    @api.model
    def _build_statement(self, customer, company, date_from, date_to, as_of, rows):
        """Sections per currency from the query rows (already aggregated by SQL)."""
        company_currency = company.currency_id
        currencies = self.env["res.currency"].browse({r["currency_id"] for r in rows})
        empty_aging = dict.fromkeys(AGING_BUCKETS, 0.0)
        sections = {}

        def section_of(currency_id):
            if currency_id not in sections:
                currency = currencies.browse(currency_id)
                sections[currency_id] = {
                    "currency": currency,
                    "currency_name": currency.name,
                    "opening": 0.0,
                    "opening_company": 0.0,
                    "invoiced": 0.0,
                    "credit_notes": 0.0,
                    "payments": 0.0,
                    "other": 0.0,
                    "closing": 0.0,
                    "closing_company": 0.0,
                    "overdue": 0.0,
                    "overdue_company": 0.0,
                    "aging": dict(empty_aging),
                    "aging_company": dict(empty_aging),
                    "lines": [],
                }
            return sections[currency_id]

        def add_open(section, row):
            section["aging"][row["bucket"]] += row["open_amount_currency"] or 0.0
            section["aging_company"][row["bucket"]] += row["open_balance"] or 0.0
            if row["bucket"] != "not_due":
                section["overdue"] += row["open_amount_currency"] or 0.0
                section["overdue_company"] += row["open_balance"] or 0.0

        for row in rows:
            section = section_of(row["currency_id"])
            add_open(section, row)
            if row["is_opening"]:
                section["opening"] += row["amount_currency"]
                section["opening_company"] += row["balance"]
                continue
            kind, kind_label = self._get_line_kind(row)
            section[SECTION_TOTALS[kind]] += row["amount_currency"]
            is_open = not section["currency"].is_zero(row["open_amount_currency"]) or (
                not company_currency.is_zero(row["open_balance"])
            )
            section["lines"].append(
                {
                    "id": row["id"],
                    "move_id": row["move_id"],
                    "date": row["date"],
                    "date_maturity": row["date_maturity"],
                    "kind": kind,
                    "kind_label": kind_label,
                    "name": row["move_name"],
                    "ref": row["ref"] or (row["label"] if row["label"] != row["move_name"] else ""),
                    "debit": max(row["amount_currency"], 0.0),
                    "credit": max(-row["amount_currency"], 0.0),
                    "amount": row["amount_currency"],
                    "amount_company": row["balance"],
                    "open_amount": row["open_amount_currency"],
                    "open_amount_company": row["open_balance"],
                    "is_overdue": is_open and row["bucket"] != "not_due" and row["balance"] > 0,
                    "days_overdue": (as_of - row["date_maturity"]).days
                    if is_open and row["date_maturity"] and row["date_maturity"] < as_of
                    else 0,
                    "running_balance": row["running_amount_currency"],
                    "running_balance_company": row["running_balance"],
                }
            )
        for section in sections.values():
            last = section["lines"][-1] if section["lines"] else None
            section["closing"] = last["running_balance"] if last else section["opening"]
            section["closing_company"] = (
                last["running_balance_company"] if last else section["opening_company"]
            )
        ordered = sorted(
            sections.values(),
            key=lambda s: (s["currency"] != company_currency, s["currency_name"]),
        )
        totals = {
            "opening": sum(s["opening_company"] for s in ordered),
            "closing": sum(s["closing_company"] for s in ordered),
            "overdue": sum(s["overdue_company"] for s in ordered),
            "aging": {key: sum(s["aging_company"][key] for s in ordered) for key in empty_aging},
        }
        return {
            "partner": customer,
            "company": company,
            "company_currency": company_currency,
            "date_from": date_from,
            "date_to": date_to,
            "as_of": as_of,
            "sections": ordered,
            "totals": totals,
            "aging_buckets": self._get_aging_labels(),
        }

    @api.model
    def _statement_to_json(self, data):
        """The statement with plain values (for RPC): dates as ISO strings, currencies by name,
        empty values (a payment's due date, a missing reference) as False, since XML-RPC cannot
        send None."""

        def plain(value):
            if value is None:
                return False
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            if isinstance(value, models.BaseModel):
                return value.display_name if value._name != "res.currency" else value.name
            if hasattr(value, "isoformat"):
                return value.isoformat()
            return value

        result = plain({k: v for k, v in data.items() if k != "partner"})
        result["partner_id"] = data["partner"].id
        result["partner"] = data["partner"].display_name
        return result
