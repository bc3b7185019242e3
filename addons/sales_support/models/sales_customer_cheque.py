from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import without_client_defaults

CHEQUE_STATES = [
    ("received", "Received"),
    ("deposited", "Deposited"),
    ("cleared", "Cleared"),
    ("bounced", "Bounced"),
    ("replaced", "Replaced"),
    ("cancelled", "Cancelled"),
]
# Cheques the bank has not paid yet: still credit given to the customer.
UNCLEARED_STATES = ("received", "deposited")
# Written by the cheque's own actions only (which check the state), never by a plain write.
PROTECTED_FIELDS = {
    "state",
    "payment_id",
    "reversal_move_id",
    "date_bounced",
    "bounce_reason",
    "replaced_by_id",
}
# What the cheque says: fixed once a payment is registered or the cheque left "received", so that
# the exposure and the accounts keep telling the same story.
MONEY_FIELDS = {"amount", "currency_id", "partner_id", "invoice_ids", "company_id"}


class SalesCustomerCheque(models.Model):
    """A cheque received from a customer, often post-dated, followed until the bank pays it.

    The payment it settles is an ordinary ``account.payment`` ("Register Payment"); a bounced
    cheque reverses that payment's journal entry so that the invoices it paid are open again."""

    _name = "sales.customer.cheque"
    _description = "Customer Cheque"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_due desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id", "bank_id"]

    # ------------------------------------------------------------
    # Fields: the cheque
    # ------------------------------------------------------------
    name = fields.Char(string="Cheque Number", required=True, tracking=True, index="trigram")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        tracking=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
        string="Commercial Entity",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        help="Salesperson of the customer, told when the cheque bounces.",
    )
    bank_id = fields.Many2one("res.bank", string="Bank", tracking=True)
    amount = fields.Monetary(required=True, tracking=True)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    date_received = fields.Date(
        string="Reception Date", required=True, default=fields.Date.context_today, tracking=True
    )
    date_due = fields.Date(
        string="Due Date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Date written on the cheque: the bank pays it from that day (post-dated cheque).",
    )
    state = fields.Selection(
        CHEQUE_STATES,
        required=True,
        default="received",
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    note = fields.Html()

    # ------------------------------------------------------------
    # Fields: accounting
    # ------------------------------------------------------------
    journal_id = fields.Many2one(
        "account.journal",
        string="Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Journal of the payment registered from the cheque.",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices Paid",
        check_company=True,
        copy=False,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', commercial_partner_id), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Invoices the cheque pays: its payment is reconciled with them.",
    )
    payment_id = fields.Many2one(
        "account.payment",
        string="Payment",
        readonly=True,
        copy=False,
        check_company=True,
        index="btree_not_null",
    )
    reversal_move_id = fields.Many2one(
        "account.move",
        string="Reversal Entry",
        readonly=True,
        copy=False,
        help="Entry that reversed the payment when the cheque bounced.",
    )

    # ------------------------------------------------------------
    # Fields: bounce and replacement
    # ------------------------------------------------------------
    date_bounced = fields.Date(string="Bounce Date", readonly=True, copy=False, tracking=True)
    bounce_reason = fields.Char(readonly=True, copy=False, tracking=True)
    replaces_id = fields.Many2one(
        "sales.customer.cheque",
        string="Replaces",
        readonly=True,
        copy=False,
        check_company=True,
        help="The bounced cheque this one replaces.",
    )
    replaced_by_id = fields.Many2one(
        "sales.customer.cheque",
        string="Replaced By",
        readonly=True,
        copy=False,
        check_company=True,
    )

    # ------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------
    @api.depends("partner_id")
    def _compute_user_id(self):
        for cheque in self:
            cheque.user_id = cheque.partner_id.commercial_partner_id.user_id or cheque.user_id

    @api.depends("company_id")
    def _compute_journal_id(self):
        for cheque in self:
            if cheque.journal_id.company_id == cheque.company_id:
                continue
            cheque.journal_id = self.env["account.journal"].search(
                [
                    *self.env["account.journal"]._check_company_domain(cheque.company_id),
                    ("type", "=", "bank"),
                ],
                limit=1,
            )

    @api.depends("name", "bank_id")
    def _compute_display_name(self):
        for cheque in self:
            cheque.display_name = (
                f"{cheque.bank_id.name} {cheque.name}" if cheque.bank_id else cheque.name or ""
            )

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("amount")
    def _check_amount(self):
        for cheque in self:
            if cheque.currency_id.compare_amounts(cheque.amount, 0.0) <= 0:
                raise ValidationError(
                    _(
                        "The amount of cheque %(number)s must be positive (it is %(amount)s): "
                        "enter the amount written on the cheque.",
                        number=cheque.name,
                        amount=cheque.amount,
                    )
                )

    @api.constrains("date_received", "date_due")
    def _check_dates(self):
        for cheque in self:
            if cheque.date_due < cheque.date_received:
                raise ValidationError(
                    _(
                        "Cheque %(number)s is due on %(due)s, before it was received "
                        "(%(received)s): check the due date written on the cheque.",
                        number=cheque.name,
                        due=cheque.date_due,
                        received=cheque.date_received,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a new cheque is "received": anything else is the work of its buttons
            self._check_protected_fields(
                {k: v for k, v in vals.items() if not (k == "state" and v == "received")}
            )
        cheques = super(
            SalesCustomerCheque, without_client_defaults(self, PROTECTED_FIELDS)
        ).create(vals_list)
        for cheque in cheques.filtered("replaces_id"):
            old = cheque.replaces_id
            if old.state != "bounced":
                raise UserError(
                    _(
                        "Only a bounced cheque can be replaced; cheque %(number)s is %(state)s.",
                        number=old.display_name,
                        state=dict(CHEQUE_STATES)[old.state],
                    )
                )
            if old.commercial_partner_id != cheque.commercial_partner_id:
                raise UserError(
                    _(
                        "Cheque %(number)s of %(old)s cannot be replaced by a cheque of "
                        "%(new)s: a replacement comes from the same customer.",
                        number=old.display_name,
                        old=old.commercial_partner_id.display_name,
                        new=cheque.commercial_partner_id.display_name,
                    )
                )
            # sudo: protected fields, written by this step only (see write)
            old.sudo().write({"state": "replaced", "replaced_by_id": cheque.id})
            old.activity_feedback(["mail.mail_activity_data_todo"])
        return cheques

    def write(self, vals):
        self._check_protected_fields(vals)
        locked = MONEY_FIELDS & vals.keys()
        if locked and not self.env.su:
            done = self.filtered(lambda c: c.payment_id or c.state != "received")
            if done:
                raise UserError(
                    _(
                        "%(cheques)s: the amount, currency, customer, company and invoices of a "
                        "cheque cannot change once its payment is registered or it left "
                        "'Received'. Cancel or bounce it and record a new cheque.",
                        cheques=", ".join(done.mapped("display_name")),
                    )
                )
        return super().write(vals)

    def _check_protected_fields(self, vals):
        forged = PROTECTED_FIELDS & vals.keys()
        if forged and not self.env.su:
            raise UserError(
                _(
                    "%(fields)s of a cheque change through its buttons (Register Payment, "
                    "Deposited, Cleared, Bounced, Replace, Cancel), not by editing them.",
                    fields=", ".join(
                        sorted(self._fields[f].get_description(self.env)["string"] for f in forged)
                    ),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_paid(self):
        if any(cheque.payment_id or cheque.state != "received" for cheque in self):
            raise UserError(
                _(
                    "A cheque with a payment or past its reception cannot be deleted: cancel "
                    "it or bounce it instead."
                )
            )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_register_payment(self):
        """Register the customer's payment for the cheque in its journal (reconciled with the
        invoices it pays, when given)."""
        self.check_access("write")
        for cheque in self:
            if cheque.payment_id:
                raise UserError(
                    _("Cheque %(number)s already has a payment.", number=cheque.display_name)
                )
            if cheque.state not in UNCLEARED_STATES + ("cleared",):
                raise UserError(
                    _(
                        "Cheque %(number)s is %(state)s: no payment can be registered for it.",
                        number=cheque.display_name,
                        state=dict(CHEQUE_STATES)[cheque.state],
                    )
                )
            if not cheque.journal_id:
                raise UserError(
                    _(
                        "Choose the bank journal of cheque %(number)s before registering its "
                        "payment.",
                        number=cheque.display_name,
                    )
                )
            payment = cheque._create_payment()
            # sudo: protected field, set by this action only
            cheque.sudo().payment_id = payment
        return True

    def action_deposit(self):
        self._check_state(("received",), _("deposited"))
        self._set_state("deposited")

    def action_clear(self):
        self._check_state(UNCLEARED_STATES, _("cleared"))
        self._set_state("cleared")

    def action_cancel(self):
        self._check_state(UNCLEARED_STATES, _("cancelled"))
        if self.filtered(lambda c: c.payment_id.state not in (False, "draft", "canceled")):
            raise UserError(
                _(
                    "A cheque whose payment is registered cannot be cancelled: record that it "
                    "bounced (the payment is then reversed)."
                )
            )
        self.payment_id.filtered(lambda p: p.state == "draft").action_cancel()
        self._set_state("cancelled")

    def action_open_bounce_wizard(self):
        self._check_state(UNCLEARED_STATES + ("cleared",), _("bounced"))
        return {
            "type": "ir.actions.act_window",
            "name": _("Cheque Bounced"),
            "res_model": "sales.customer.cheque.bounce",
            "view_mode": "form",
            "target": "new",
            "context": {"default_cheque_ids": self.ids},
        }

    def action_replace(self):
        self.ensure_one()
        self._check_state(("bounced",), _("replaced"))
        return {
            "type": "ir.actions.act_window",
            "name": _("Replacement Cheque"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_replaces_id": self.id,
                "default_partner_id": self.partner_id.id,
                "default_company_id": self.company_id.id,
                "default_amount": self.amount,
                "default_currency_id": self.currency_id.id,
                "default_bank_id": self.bank_id.id,
                "default_journal_id": self.journal_id.id,
            },
        }

    def action_view_payment(self):
        self.ensure_one()
        return self.payment_id._get_records_action()

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _set_state(self, state):
        self.check_access("write")
        # sudo: the state is protected from plain writes; the caller checked the transition
        self.sudo().write({"state": state})

    def _check_state(self, allowed, target):
        wrong = self.filtered(lambda c: c.state not in allowed)
        if wrong:
            raise UserError(
                _(
                    "Cheques %(numbers)s cannot be %(target)s from their present state "
                    "(%(states)s).",
                    numbers=", ".join(wrong.mapped("display_name")),
                    target=target,
                    states=", ".join(
                        sorted({dict(CHEQUE_STATES)[s] for s in wrong.mapped("state")})
                    ),
                )
            )

    def _prepare_payment_values(self):
        self.ensure_one()
        return {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": self.commercial_partner_id.id,
            "amount": self.amount,
            "currency_id": self.currency_id.id,
            "journal_id": self.journal_id.id,
            "company_id": self.company_id.id,
            "date": self.date_received,
            "memo": _("Cheque %(number)s", number=self.display_name),
        }

    def _create_payment(self):
        """Odoo's own register-payment wizard when the cheque pays given invoices (it reconciles
        them), else a posted customer payment left outstanding."""
        self.ensure_one()
        values = self._prepare_payment_values()
        if self.invoice_ids:
            wizard = (
                self.env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=self.invoice_ids.ids)
                .create(
                    {
                        "amount": values["amount"],
                        "currency_id": values["currency_id"],
                        "journal_id": values["journal_id"],
                        "payment_date": values["date"],
                        "communication": values["memo"],
                        "group_payment": True,
                    }
                )
            )
            return wizard._create_payments()
        payment = self.env["account.payment"].create(values)
        payment.action_post()
        return payment

    def _bounce(self, date, reason):
        """The bank refused the cheques: reverse their payments (the invoices they paid are due
        again), tell the salesperson and the coordinator, flag the customer."""
        if not reason:
            raise UserError(_("Say why the cheque bounced (e.g. insufficient funds)."))
        self._check_state(UNCLEARED_STATES + ("cleared",), _("bounced"))
        for cheque in self:
            values = {"state": "bounced", "date_bounced": date, "bounce_reason": reason}
            reversal = cheque._reverse_payment(date, reason)
            if reversal:
                values["reversal_move_id"] = reversal.id
            cheque.check_access("write")
            # sudo: protected fields, written by this step only
            cheque.sudo().write(values)
            cheque._notify_bounce()
        return True

    def _reverse_payment(self, date, reason):
        """Reverse the payment's journal entry with Odoo's cancelling reversal: the payment is
        unreconciled from the invoices, which are open again, and reconciled with the reversal.
        A payment without a posted entry is simply reset and cancelled."""
        self.ensure_one()
        payment = self.payment_id
        if not payment or payment.state == "canceled":
            return self.env["account.move"]
        move = payment.move_id
        if not move or move.state != "posted":
            payment.action_draft()
            payment.action_cancel()
            return self.env["account.move"]
        reversal = move._reverse_moves(
            [
                {
                    "date": max(date, move.date),
                    "ref": _(
                        "Bounced cheque %(number)s: %(reason)s",
                        number=self.display_name,
                        reason=reason,
                    ),
                }
            ],
            cancel=True,
        )
        return reversal

    def _notify_bounce(self):
        self.ensure_one()
        customer = self.commercial_partner_id
        coordinator = customer.with_company(self.company_id).support_coordinator_id
        if not coordinator:
            coordinator = self.user_id.support_coordinator_id
        summary = _(
            "Cheque %(number)s of %(customer)s bounced",
            number=self.display_name,
            customer=customer.display_name,
        )
        note = _(
            "Reason: %(reason)s. Ask the customer for a replacement cheque; the invoices it "
            "paid are due again.",
            reason=self.bounce_reason,
        )
        for user in (self.user_id | coordinator).filtered(lambda u: u.active and not u.share):
            self.activity_schedule(
                "mail.mail_activity_data_todo", user_id=user.id, summary=summary, note=note
            )
        # sudo: the bounce is logged on the customer's chatter even by a coordinator who may
        # not edit the customer; the note is authored by the user who recorded the bounce
        customer.sudo().message_post(
            body=summary + ". " + note,
            author_id=self.env.user.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )

    @api.model
    def _get_bounced_counts(self, partners, company=None):
        """Bounced cheques of the last 12 months per commercial partner, in one query."""
        since = fields.Date.context_today(self) - relativedelta(months=12)
        domain = [
            ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
            ("date_bounced", ">=", since),
        ]
        if company:
            domain.append(("company_id", "=", company.id))
        return {
            partner.id: count
            for partner, count in self._read_group(domain, ["commercial_partner_id"], ["__count"])
        }
