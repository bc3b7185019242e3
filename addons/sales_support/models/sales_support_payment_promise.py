from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import without_client_defaults

PROMISE_STATES = [("open", "Open"), ("kept", "Kept"), ("broken", "Broken")]
# Settled by the server from the payments (daily cron); never written by users or scripts.
SERVER_FIELDS = {"state", "amount_paid"}
# Who took the promise and when: set at creation (today, the user taking it), then fixed, so that
# a promise cannot be back-dated to count older payments.
CREATION_FIELDS = {"date", "user_id"}


class SalesSupportPaymentPromise(models.Model):
    """A customer's promise to pay an amount by a date. Kept or broken is known from the
    payments: the promise is kept when the payments reconciled with the customer's receivables
    of its entries (invoices, or journal entries such as opening balances; without entries, any
    receivable of the customer) in the promise's currency since the promise reach its amount by
    the promised date. The daily cron settles open promises in one query."""

    _name = "sales.support.payment.promise"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Promise to Pay"
    _order = "date_promised desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["partner_id"]

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    move_ids = fields.Many2many(
        "account.move",
        "sales_support_payment_promise_move_rel",
        "promise_id",
        "move_id",
        string="Invoices",
        domain="[('state', '=', 'posted'), ('company_id', '=', company_id), "
        "('line_ids', 'any', [('account_type', '=', 'asset_receivable'), "
        "('partner_id', 'child_of', partner_id), ('currency_id', '=', currency_id)])]",
        help="The invoices (or journal entries, such as opening balances) the customer "
        "promised to pay; empty: any open invoice of the customer in this currency.",
    )
    date = fields.Date(
        string="Promised On",
        required=True,
        default=fields.Date.context_today,
        help="Payments from this day on count for the promise.",
    )
    date_promised = fields.Date(string="Pay By", required=True, tracking=True, index=True)
    amount = fields.Monetary(required=True, tracking=True)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    amount_paid = fields.Monetary(
        string="Paid Since",
        readonly=True,
        help="Payments reconciled with the invoices since the promise, as of the last check "
        "(daily).",
    )
    state = fields.Selection(
        PROMISE_STATES, default="open", required=True, readonly=True, tracking=True, index=True
    )
    user_id = fields.Many2one(
        "res.users", string="Taken By", required=True, default=lambda self: self.env.user
    )
    salesperson_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_people",
        store=True,
        precompute=True,
        index=True,
    )
    coordinator_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        compute="_compute_people",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
    )
    note = fields.Text()

    @api.depends("partner_id", "company_id", "move_ids")
    def _compute_people(self):
        for promise in self:
            partner = promise.partner_id.commercial_partner_id.with_company(promise.company_id)
            # as on the worklist and the follow-ups: the salesperson of the invoice promised
            # (of one of them), else the customer's
            # sudo: coordinators without accounting rights promise on invoices they may not open
            salesperson = promise.move_ids.sudo().invoice_user_id[:1] or partner.user_id
            promise.salesperson_id = salesperson
            promise.coordinator_id = (
                partner.support_coordinator_id or salesperson.support_coordinator_id
            )

    @api.depends("partner_id", "amount", "currency_id", "date_promised")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = _(
                "%(customer)s: %(amount)s by %(date)s",
                customer=promise.partner_id.display_name,
                amount=promise.currency_id.format(promise.amount) if promise.currency_id else "",
                date=promise.date_promised or "",
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            today = fields.Date.context_today(self)
            for vals in vals_list:
                self._check_server_fields(vals)
                if "date" in vals and fields.Date.to_date(vals["date"]) != today:
                    raise UserError(
                        _(
                            "A promise to pay is recorded the day it is given (%(today)s), "
                            "not on %(date)s.",
                            today=today,
                            date=vals["date"],
                        )
                    )
                if vals.get("user_id", self.env.uid) != self.env.uid:
                    raise UserError(_("A promise to pay is recorded by the person who takes it."))
        return super(
            SalesSupportPaymentPromise,
            without_client_defaults(self, SERVER_FIELDS | CREATION_FIELDS),
        ).create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_server_fields(vals)
            fixed = CREATION_FIELDS & vals.keys()
            if fixed:
                raise UserError(
                    _(
                        "%(fields)s of a promise to pay are set when it is recorded and "
                        "cannot change.",
                        fields=", ".join(
                            sorted(
                                self._fields[f].get_description(self.env)["string"] for f in fixed
                            )
                        ),
                    )
                )
        return super().write(vals)

    def _check_server_fields(self, vals):
        if SERVER_FIELDS & vals.keys():
            raise UserError(
                _(
                    "Whether a promise to pay is kept and what was paid since are settled from "
                    "the customer's payments every day: they cannot be written."
                )
            )

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("amount")
    def _check_amount(self):
        for promise in self:
            if promise.currency_id.compare_amounts(promise.amount, 0.0) <= 0:
                raise ValidationError(
                    _(
                        "The promised amount must be positive (it is %(amount)s): enter what "
                        "the customer promised to pay.",
                        amount=promise.amount,
                    )
                )

    @api.constrains("date", "date_promised")
    def _check_date_promised(self):
        for promise in self:
            if promise.date_promised < promise.date:
                raise ValidationError(
                    _(
                        "The promised payment date %(date)s is in the past: a promise to pay "
                        "is for a day from %(today)s on.",
                        date=promise.date_promised,
                        today=promise.date,
                    )
                )

    @api.constrains("move_ids", "partner_id", "currency_id", "company_id")
    def _check_move_ids(self):
        for promise in self:
            # sudo: the coordinator chooses among entries they see through the worklist
            moves = promise.move_ids.sudo()
            customer = promise.partner_id.commercial_partner_id
            # an entry fits when it has receivables of the customer in the promise's currency
            # (an opening-balance entry holds those of many customers)
            wrong = moves.filtered(
                lambda m, p=promise, c=customer: m.company_id != p.company_id
                or not m.line_ids.filtered(
                    lambda line: line.account_type == "asset_receivable"
                    and line.partner_id.commercial_partner_id == c
                    and line.currency_id == p.currency_id
                )
            )
            if wrong:
                raise ValidationError(
                    _(
                        "Invoices %(moves)s are not invoices of %(customer)s in %(currency)s "
                        "of %(company)s: a promise covers invoices of one customer, currency "
                        "and company.",
                        moves=", ".join(wrong.mapped("name")),
                        customer=promise.partner_id.display_name,
                        currency=promise.currency_id.name,
                        company=promise.company_id.name,
                    )
                )

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _get_paid_amounts(self):
        """{promise id: amount paid since the promise, up to the promised date (in the promise's
        currency)}, from the partial reconciliations with payments or bank lines of the
        receivable lines of the invoices (of any invoice of the customer when the promise names
        none), in one query."""
        if not self:
            return {}
        self.flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model(
            ["move_id", "partner_id", "currency_id", "company_id", "account_id", "parent_state"]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT promise.id, COALESCE(SUM(apr.debit_amount_currency), 0)
                  FROM sales_support_payment_promise promise
                  JOIN res_partner partner ON partner.commercial_partner_id = promise.partner_id
                  JOIN account_move_line aml ON aml.partner_id = partner.id
                       AND aml.company_id = promise.company_id
                       AND aml.currency_id = promise.currency_id
                       AND aml.parent_state = 'posted'
                  JOIN account_account account ON account.id = aml.account_id
                       AND account.account_type = 'asset_receivable'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                       AND apr.max_date BETWEEN promise.date AND promise.date_promised
                  -- paid: settled by a payment or a bank line, not by a credit note or a
                  -- write-off (the customer did not pay what they promised)
                  JOIN account_move_line credit ON credit.id = apr.credit_move_id
                  JOIN account_move credit_move ON credit_move.id = credit.move_id
                       AND (credit_move.origin_payment_id IS NOT NULL
                            OR credit_move.statement_line_id IS NOT NULL)
                 WHERE promise.id IN %s
                   AND (
                        NOT EXISTS (
                            SELECT 1 FROM sales_support_payment_promise_move_rel rel
                             WHERE rel.promise_id = promise.id)
                        OR aml.move_id IN (
                            SELECT rel.move_id
                              FROM sales_support_payment_promise_move_rel rel
                             WHERE rel.promise_id = promise.id)
                   )
              GROUP BY promise.id
                """,
                tuple(self.ids),
            )
        )
        return dict(rows)

    def _settle(self, today=None):
        """Kept when paid enough (even before the date); broken once the date passed unpaid.
        A broken promise gives its coordinator an activity (once: the promise leaves 'open')."""
        today = today or fields.Date.context_today(self)
        paid = self._get_paid_amounts()
        kept, broken = self.browse(), self.browse()
        for promise in self:
            amount_paid = paid.get(promise.id, 0.0)
            if promise.currency_id.compare_amounts(amount_paid, promise.amount) >= 0:
                kept |= promise
            elif promise.date_promised < today:
                broken |= promise
            if promise.currency_id.compare_amounts(amount_paid, promise.amount_paid):
                promise.amount_paid = amount_paid
        kept.state = "kept"
        broken.state = "broken"
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": promise.id,
                    "activity_type_id": activity_type.id,
                    "user_id": (
                        promise.coordinator_id or promise.salesperson_id or promise.user_id
                    ).id,
                    "date_deadline": today,
                    "summary": self.env._(
                        "Broken promise to pay: %(customer)s",
                        customer=promise.partner_id.display_name,
                    ),
                }
                for promise in broken
            ]
        )
        return kept, broken

    @api.model
    def _cron_settle_promises(self):
        # sudo: the cron settles the promises of every coordinator and company
        self.sudo().search([("state", "=", "open")])._settle()
