from odoo import _, api, fields, models
from odoo.tools import SQL

from ..models.sales_support_payment_promise import PROMISE_STATES

AGING_BUCKETS = [
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("90_plus", "Over 90 days"),
]
# the due date of a receivable item: its own, else (entries keyed in without one) its date
MATURITY = SQL("COALESCE(aml.date_maturity, aml.date)")


class SalesSupportCollectionReport(models.Model):
    """Collections worklist: one row per journal entry and customer with receivable items past
    due (posted, not reconciled): customer invoices, but also the instalments of invoices with
    payment terms in several due dates and opening-balance entries (receivables migrated as
    miscellaneous entries, one entry for many customers). A row sums the overdue items of the
    entry for the customer (a later instalment, not yet due, is not in it), is due from the
    oldest of them, and carries its aging bucket, its last follow-up and its last promise to pay.

    The salesperson of a row is the invoice's, else the customer's; its coordinator is the
    customer's coordinator in the entry's company, else the salesperson's coordinator.
    Coordinators and salespeople without accounting rights read the receivables through this
    view, limited by its record rules (customers they serve, their companies)."""

    _name = "sales.support.collection.report"
    _description = "Collections Worklist"
    _auto = False
    _rec_name = "move_id"
    _order = "days_overdue desc, id"
    # flushed before the view is read (search, read_group)
    _depends = {
        "account.move.line": [
            "move_id",
            "account_id",
            "partner_id",
            "company_id",
            "currency_id",
            "company_currency_id",
            "parent_state",
            "reconciled",
            "balance",
            "amount_currency",
            "amount_residual",
            "amount_residual_currency",
            "date",
            "date_maturity",
        ],
        "account.move": ["name", "move_type", "invoice_user_id", "invoice_date", "date"],
        "account.account": ["account_type"],
        "res.partner": ["commercial_partner_id", "user_id", "support_coordinator_id"],
        "res.users": ["support_coordinator_id"],
        "sales.support.followup": ["move_id", "partner_id", "date", "level_id", "next_action_date"],
        "sales.support.payment.promise": ["move_ids", "partner_id", "state", "date_promised"],
    }

    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    move_type = fields.Selection(
        selection=lambda self: self.env["account.move"]._fields["move_type"].selection,
        string="Type",
        readonly=True,
    )
    name = fields.Char(string="Number", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    coordinator_id = fields.Many2one("res.users", string="Coordinator", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="The currency of the overdue items; the company's currency when they are in "
        "several currencies.",
    )
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    invoice_date = fields.Date(string="Date", readonly=True)
    invoice_date_due = fields.Date(
        string="Due Date", readonly=True, help="The due date of the oldest overdue item."
    )
    amount_total = fields.Monetary(
        string="Total", readonly=True, help="The original amount of the overdue items."
    )
    amount_residual = fields.Monetary(string="Amount Due", readonly=True)
    amount_residual_signed = fields.Monetary(
        string="Amount Due (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
    )
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    aging_bucket = fields.Selection(AGING_BUCKETS, readonly=True)
    last_followup_date = fields.Date(readonly=True)
    last_level_id = fields.Many2one(
        "sales.support.followup.level", string="Last Level", readonly=True
    )
    next_action_date = fields.Date(readonly=True)
    promise_id = fields.Many2one(
        "sales.support.payment.promise", string="Last Promise", readonly=True
    )
    promise_state = fields.Selection(PROMISE_STATES, readonly=True)
    promise_date = fields.Date(string="Promised For", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            "%s %s",
            self._select(),
            self._from(self._receivable_groups_query()),
        )

    @api.model
    def _receivable_groups_query(self, date_from=None, date_to=None):
        """SQL: the open receivable items (posted debit lines of a receivable account, not
        reconciled, of a customer) due from ``date_from`` (included, if given) to ``date_to``
        (excluded; default: the database's today, as the aging counts), grouped by entry and
        commercial partner; one column set for the worklist and the digest. Amounts are in the
        items' currency when they share one, else in the company's currency."""
        condition = SQL("%s < %s", MATURITY, date_to or SQL("CURRENT_DATE"))
        if date_from:
            condition = SQL("%s AND %s >= %s", condition, MATURITY, date_from)
        return SQL(
            """
            SELECT MIN(aml.id) AS id,
                   aml.move_id,
                   partner.id AS partner_id,
                   COALESCE(move.invoice_user_id, partner.user_id) AS user_id,
                   aml.company_id,
                   CASE WHEN COUNT(DISTINCT aml.currency_id) = 1 THEN MIN(aml.currency_id)
                        ELSE MIN(aml.company_currency_id)
                   END AS currency_id,
                   MIN(aml.company_currency_id) AS company_currency_id,
                   MIN(%(maturity)s) AS date_due,
                   CASE WHEN COUNT(DISTINCT aml.currency_id) = 1 THEN SUM(aml.amount_currency)
                        ELSE SUM(aml.balance)
                   END AS amount_total,
                   CASE WHEN COUNT(DISTINCT aml.currency_id) = 1
                        THEN SUM(aml.amount_residual_currency)
                        ELSE SUM(aml.amount_residual)
                   END AS amount_residual,
                   SUM(aml.amount_residual) AS amount_residual_signed
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner line_partner ON line_partner.id = aml.partner_id
              JOIN res_partner partner ON partner.id = line_partner.commercial_partner_id
             WHERE account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE
               AND aml.balance > 0
               -- amounts the customer owes: invoices, receipts, opening balances and other
               -- journal entries; not a payment or bank line paying money out to them
               AND move.move_type IN ('out_invoice', 'out_receipt', 'entry')
               AND move.origin_payment_id IS NULL
               AND move.statement_line_id IS NULL
               AND %(condition)s
          GROUP BY aml.move_id, partner.id, move.invoice_user_id, aml.company_id
            """,
            maturity=MATURITY,
            condition=condition,
        )

    @api.model
    def _select(self):
        return SQL("""
            SELECT receivable.id,
                   receivable.move_id,
                   move.move_type,
                   move.name,
                   receivable.partner_id,
                   receivable.user_id,
                   COALESCE(
                       (partner.support_coordinator_id ->> receivable.company_id::text)::int4,
                       salesperson.support_coordinator_id
                   ) AS coordinator_id,
                   receivable.company_id,
                   receivable.currency_id,
                   receivable.company_currency_id,
                   COALESCE(move.invoice_date, move.date) AS invoice_date,
                   receivable.date_due AS invoice_date_due,
                   receivable.amount_total,
                   receivable.amount_residual,
                   receivable.amount_residual_signed,
                   CURRENT_DATE - receivable.date_due AS days_overdue,
                   CASE
                       WHEN CURRENT_DATE - receivable.date_due <= 30 THEN '1_30'
                       WHEN CURRENT_DATE - receivable.date_due <= 60 THEN '31_60'
                       WHEN CURRENT_DATE - receivable.date_due <= 90 THEN '61_90'
                       ELSE '90_plus'
                   END AS aging_bucket,
                   followup.date AS last_followup_date,
                   followup.level_id AS last_level_id,
                   followup.next_action_date,
                   promise.id AS promise_id,
                   promise.state AS promise_state,
                   promise.date_promised AS promise_date
        """)

    @api.model
    def _from(self, receivable_groups):
        # follow-ups and promises name the entry and the customer (an opening-balance entry
        # holds the receivables of many customers); matched on the commercial partner
        return SQL(
            """
              FROM (%s) receivable
              JOIN account_move move ON move.id = receivable.move_id
              JOIN res_partner partner ON partner.id = receivable.partner_id
         LEFT JOIN res_users salesperson ON salesperson.id = receivable.user_id
         LEFT JOIN LATERAL (
                   SELECT f.date, f.level_id, f.next_action_date
                     FROM sales_support_followup f
                     JOIN res_partner fp ON fp.id = f.partner_id
                    WHERE f.move_id = receivable.move_id
                      AND fp.commercial_partner_id = receivable.partner_id
                 ORDER BY f.date DESC, f.id DESC
                    LIMIT 1
                   ) followup ON TRUE
         LEFT JOIN LATERAL (
                   SELECT p.id, p.state, p.date_promised
                     FROM sales_support_payment_promise_move_rel rel
                     JOIN sales_support_payment_promise p ON p.id = rel.promise_id
                     JOIN res_partner pp ON pp.id = p.partner_id
                    WHERE rel.move_id = receivable.move_id
                      AND pp.commercial_partner_id = receivable.partner_id
                 ORDER BY p.date_promised DESC, p.id DESC
                    LIMIT 1
                   ) promise ON TRUE
            """,
            receivable_groups,
        )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def _action_new(self, model, name, values):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {f"default_{key}": value for key, value in values.items()},
        }

    def action_log_followup(self):
        self.ensure_one()
        return self._action_new(
            "sales.support.followup",
            _("Log a Follow-up"),
            {
                "move_id": self.move_id.id,
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "channel": "call",
            },
        )

    def action_promise_to_pay(self):
        self.ensure_one()
        return self._action_new(
            "sales.support.payment.promise",
            _("Promise to Pay"),
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "currency_id": self.currency_id.id,
                "amount": self.amount_residual,
                "move_ids": [self.move_id.id],
            },
        )
