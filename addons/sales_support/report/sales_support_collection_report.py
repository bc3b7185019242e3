from odoo import _, api, fields, models
from odoo.tools import SQL

from ..models.sales_support_payment_promise import PROMISE_STATES

AGING_BUCKETS = [
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("90_plus", "Over 90 days"),
]


class SalesSupportCollectionReport(models.Model):
    """Collections worklist: one row per overdue customer invoice (posted, not paid, due date
    past), with its aging bucket, its last follow-up and its last promise to pay.

    The coordinator of a row is the customer's coordinator in the invoice's company, else the
    coordinator of the invoice's salesperson. Coordinators and salespeople without accounting
    rights read the invoices through this view, limited by its record rules (customers they
    serve, their companies)."""

    _name = "sales.support.collection.report"
    _description = "Collections Worklist"
    _auto = False
    _rec_name = "move_id"
    _order = "days_overdue desc, id"

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    name = fields.Char(string="Number", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    coordinator_id = fields.Many2one("res.users", string="Coordinator", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    invoice_date = fields.Date(readonly=True)
    invoice_date_due = fields.Date(string="Due Date", readonly=True)
    amount_total = fields.Monetary(string="Total", readonly=True)
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
        return SQL("%s %s %s", self._select(), self._from(), self._where())

    @api.model
    def _select(self):
        return SQL("""
            SELECT move.id AS id,
                   move.id AS move_id,
                   move.name,
                   move.commercial_partner_id AS partner_id,
                   move.invoice_user_id AS user_id,
                   COALESCE(
                       (partner.support_coordinator_id ->> move.company_id::text)::int4,
                       salesperson.support_coordinator_id
                   ) AS coordinator_id,
                   move.company_id,
                   move.currency_id,
                   company.currency_id AS company_currency_id,
                   move.invoice_date,
                   due.date_due AS invoice_date_due,
                   move.amount_total,
                   move.amount_residual,
                   move.amount_residual_signed,
                   CURRENT_DATE - due.date_due AS days_overdue,
                   CASE
                       WHEN CURRENT_DATE - due.date_due <= 30 THEN '1_30'
                       WHEN CURRENT_DATE - due.date_due <= 60 THEN '31_60'
                       WHEN CURRENT_DATE - due.date_due <= 90 THEN '61_90'
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
    def _from(self):
        return SQL("""
              FROM account_move move
              JOIN res_company company ON company.id = move.company_id
              JOIN res_partner partner ON partner.id = move.commercial_partner_id
         LEFT JOIN res_users salesperson ON salesperson.id = move.invoice_user_id
              -- the first instalment still open (Odoo's invoice_date_due is the last one's):
              -- with payment terms in instalments, an invoice is overdue from its first one
              CROSS JOIN LATERAL (
                   SELECT COALESCE(MIN(l.date_maturity), move.invoice_date_due) AS date_due
                     FROM account_move_line l
                    WHERE l.move_id = move.id
                      AND l.display_type = 'payment_term'
                      AND NOT l.reconciled
                      AND l.amount_residual <> 0
                   ) due
         LEFT JOIN LATERAL (
                   SELECT f.date, f.level_id, f.next_action_date
                     FROM sales_support_followup f
                    WHERE f.move_id = move.id
                 ORDER BY f.date DESC, f.id DESC
                    LIMIT 1
                   ) followup ON TRUE
         LEFT JOIN LATERAL (
                   SELECT p.id, p.state, p.date_promised
                     FROM sales_support_payment_promise_move_rel rel
                     JOIN sales_support_payment_promise p ON p.id = rel.promise_id
                    WHERE rel.move_id = move.id
                 ORDER BY p.date_promised DESC, p.id DESC
                    LIMIT 1
                   ) promise ON TRUE
        """)

    @api.model
    def _where(self):
        return SQL("""
             WHERE move.move_type = 'out_invoice'
               AND move.state = 'posted'
               AND move.payment_state NOT IN ('paid', 'in_payment', 'reversed')
               AND due.date_due < CURRENT_DATE
        """)

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
