from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date

from .sales_support_followup_level import FOLLOWUP_CHANNELS


class SalesSupportFollowup(models.Model):
    """One step of the collections follow-up of a customer: an e-mail, a call (with its notes),
    an escalation, logged by the daily cron or by the coordinator. Append-only in spirit: the
    coordinator writes the notes and the next action date of their own entries.

    A step names the customer and, optionally, the journal entry followed: an invoice, or any
    entry with receivables of the customer (an opening-balance entry carries those of many
    customers: the worklist matches a step on the entry and the customer)."""

    _name = "sales.support.followup"
    _description = "Collections Follow-up"
    _order = "date desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Entry",
        index=True,
        ondelete="cascade",
        domain="[('state', '=', 'posted'), ('line_ids', 'any', ["
        "('account_type', '=', 'asset_receivable'), "
        "('partner_id', 'child_of', partner_id)])]",
        help="The invoice or journal entry (e.g. an opening balance) with the customer's "
        "overdue receivables.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    salesperson_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_people",
        store=True,
        readonly=False,
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
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    level_id = fields.Many2one(
        "sales.support.followup.level", string="Level", check_company=True, index=True
    )
    channel = fields.Selection(
        FOLLOWUP_CHANNELS + [("note", "Note")], required=True, default="call"
    )
    note = fields.Html(string="Call Notes")
    user_id = fields.Many2one(
        "res.users", string="Done By", required=True, default=lambda self: self.env.user
    )
    next_action_date = fields.Date(index=True)

    @api.depends("partner_id", "move_id", "company_id")
    def _compute_people(self):
        for followup in self:
            partner = followup.partner_id.commercial_partner_id.with_company(followup.company_id)
            # sudo: coordinators without accounting rights follow invoices they may not open
            salesperson = followup.move_id.sudo().invoice_user_id or partner.user_id
            followup.salesperson_id = salesperson
            followup.coordinator_id = (
                partner.support_coordinator_id or salesperson.support_coordinator_id
            )

    @api.constrains("move_id", "partner_id")
    def _check_move_id(self):
        for followup in self.filtered("move_id"):
            # sudo: the coordinator logs on an entry they read through the worklist only
            move = followup.move_id.sudo()
            if followup.company_id and move.company_id != followup.company_id:
                raise ValidationError(
                    _(
                        "%(entry)s belongs to %(company)s: log the follow-up in that company.",
                        entry=move.display_name,
                        company=move.company_id.name,
                    )
                )
            if followup.partner_id.commercial_partner_id not in move._get_receivable_customers():
                raise ValidationError(
                    _(
                        "%(entry)s has no receivable of %(customer)s: choose an invoice or "
                        "journal entry of this customer, or no entry.",
                        entry=move.display_name,
                        customer=followup.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("move_id") and not vals.get("partner_id"):
                # sudo: the coordinator logs on an entry they read through the worklist only
                move = self.env["account.move"].sudo().browse(vals["move_id"])
                customers = move._get_receivable_customers()
                if len(customers) != 1:
                    raise UserError(
                        _(
                            "%(entry)s holds the receivables of several customers: choose the "
                            "customer of the follow-up.",
                            entry=move.display_name,
                        )
                    )
                vals["partner_id"] = customers.id
                vals.setdefault("company_id", move.company_id.id)
        return super().create(vals_list)

    # ------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------
    @api.model
    def _get_due_levels(self):
        """([(collection row id, level)], {company id: levels}): for each row of the worklist
        (overdue receivables of an entry and a customer), the highest follow-up level of its
        company that it reached and that was not run yet (a level above every level already
        logged on the entry for the customer since the row's due date). An invoice found 50
        days overdue on its first run only gets the 45-day escalation, not the 7-day e-mail:
        each level fires once per entry, customer and due date. Customers whose open credits
        cover their debts are skipped. One query."""
        # sudo: the cron follows the invoices of every company
        Level = self.env["sales.support.followup.level"].sudo()
        levels_by_company = defaultdict(list)
        for level in Level.search([]):
            levels_by_company[level.company_id.id].append(level)
        if not levels_by_company:
            return [], levels_by_company
        Report = self.env["sales.support.collection.report"]
        self.flush_model()
        Level.flush_model()
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT r.id, r.company_id, r.days_overdue,
                       (SELECT MAX(level.delay)
                          FROM sales_support_followup f
                          JOIN res_partner fp ON fp.id = f.partner_id
                          JOIN sales_support_followup_level level ON level.id = f.level_id
                         WHERE f.move_id = r.move_id
                           AND fp.commercial_partner_id = r.partner_id
                           -- the levels of the item overdue now (an instalment paid, the
                           -- next one starts from the first level again)
                           AND f.date >= r.invoice_date_due)
                  FROM (%s) r
                 WHERE r.company_id IN %s
                   -- a customer whose open credits (a payment on account, a credit note not
                   -- matched yet) cover what it owes is not chased: nothing is due overall
                   AND (r.partner_id, r.company_id) NOT IN (
                        SELECT partner.commercial_partner_id, aml.company_id
                          FROM account_move_line aml
                          JOIN account_account account ON account.id = aml.account_id
                          JOIN res_partner partner ON partner.id = aml.partner_id
                         WHERE account.account_type = 'asset_receivable'
                           AND aml.parent_state = 'posted'
                           AND aml.reconciled IS NOT TRUE
                           AND aml.company_id IN %s
                      GROUP BY partner.commercial_partner_id, aml.company_id
                        HAVING SUM(aml.amount_residual) <= 0
                   )
                """,
                Report._table_query,
                tuple(levels_by_company),
                tuple(levels_by_company),
            )
        )
        due = []
        for row_id, company_id, days_overdue, done_delay in rows:
            reached = [
                level
                for level in levels_by_company[company_id]
                if (done_delay or 0) < level.delay <= days_overdue
            ]
            if reached:
                due.append((row_id, reached[-1]))
        return due, levels_by_company

    @api.model
    def _cron_run_followup_levels(self):
        """Run the follow-up levels due today: e-mail the customer (the level's template on an
        invoice; for other entries, such as opening balances, a reminder posted on the customer),
        plan a call for the coordinator, or escalate to the salesperson (activity on the
        customer, which every role can open), and log each step."""
        today = fields.Date.today()  # as the worklist, which counts in the database's date
        due, levels_by_company = self._get_due_levels()
        if not due:
            return
        # sudo: the cron reads every company's worklist and invoices
        rows = self.env["sales.support.collection.report"].sudo().browse([r for r, _l in due])
        rows.fetch(
            [
                "move_id",
                "partner_id",
                "user_id",
                "coordinator_id",
                "company_id",
                "days_overdue",
                "invoice_date_due",
                "amount_residual",
                "currency_id",
            ]
        )
        rows.move_id.fetch(["move_type", "commercial_partner_id", "name"])
        level_of = dict(due)
        by_template = defaultdict(lambda: self.env["account.move"].sudo())
        entry_reminders = self.env["sales.support.collection.report"]
        activities, logs = [], []
        call_type = self.env.ref("mail.mail_activity_data_call")
        todo_type = self.env.ref("mail.mail_activity_data_todo")
        partner_model_id = self.env["ir.model"]._get_id("res.partner")
        for row in rows:
            level = level_of[row.id]
            responsible = row.coordinator_id or row.user_id
            if level.channel == "email":
                move = row.move_id
                if move.is_invoice() and move.commercial_partner_id == row.partner_id:
                    by_template[level.mail_template_id] |= move
                else:
                    entry_reminders |= row
            else:
                escalation = level.channel == "escalation"
                activities.append(
                    {
                        "res_model_id": partner_model_id,
                        "res_id": row.partner_id.id,
                        "activity_type_id": (todo_type if escalation else call_type).id,
                        "user_id": ((row.user_id if escalation else None) or responsible).id
                        or self.env.uid,
                        "date_deadline": today,
                        "summary": _(
                            "%(level)s: invoice %(invoice)s, %(days)s days overdue",
                            level=level.name,
                            invoice=row.move_id.name,
                            days=row.days_overdue,
                        ),
                        "note": level.note,
                    }
                )
            # the next level is due when the invoice reaches its delay
            next_delays = [
                other.delay
                for other in levels_by_company[row.company_id.id]
                if other.delay > level.delay
            ]
            logs.append(
                {
                    "move_id": row.move_id.id,
                    "partner_id": row.partner_id.id,
                    "company_id": row.company_id.id,
                    "salesperson_id": row.user_id.id,
                    "coordinator_id": row.coordinator_id.id,
                    "level_id": level.id,
                    "channel": level.channel,
                    "date": today,
                    "user_id": self.env.uid,
                    "next_action_date": (
                        row.invoice_date_due + timedelta(days=next_delays[0])
                        if next_delays
                        else False
                    ),
                }
            )
        # one activity per customer, person and kind (the entries listed in its summary); as
        # Odoo subscribes the person of each activity of a batch without removing duplicates,
        # a batch has one activity per customer and person
        merged = {}
        for values in activities:
            key = (values["res_id"], values["user_id"], values["activity_type_id"])
            if key in merged:
                merged[key]["summary"] += "; " + values["summary"]
            else:
                merged[key] = values
        batches = []
        for values in merged.values():
            person = (values["res_id"], values["user_id"])
            batch = next((b for b in batches if person not in b), None)
            if batch is None:
                batch = {}
                batches.append(batch)
            batch[person] = values
        for template, moves in by_template.items():
            moves.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
        self._send_entry_reminders(entry_reminders)
        for batch in batches:
            self.env["mail.activity"].sudo().create(list(batch.values()))
        self.sudo().create(logs)
        # the worklist shows the last follow-up of each invoice: not what was read above
        rows.invalidate_model()

    @api.model
    def _send_entry_reminders(self, rows):
        """E-mail the reminder of worklist ``rows`` whose entry is not an invoice of the
        customer (an opening balance, entries of several customers): the invoice templates of
        the levels do not fit them, the reminder is posted on the customer, in their language,
        with the entry, its oldest due date and the amount overdue."""
        view = self.env.ref("sales_support.collection_reminder_entry")
        for row in rows:
            # sudo: the cron posts on customers of every company
            partner = row.partner_id.sudo().with_context(lang=row.partner_id.lang)
            lang = partner.lang or self.env.lang
            partner.message_post_with_source(
                view,
                render_values={
                    "entry": row.move_id.name,
                    "company": row.company_id.name,
                    "signature": row.user_id.name or row.company_id.name,
                    "due": format_date(self.env, row.invoice_date_due, lang_code=lang),
                    "amount": format_amount(
                        self.env, row.amount_residual, row.currency_id, lang_code=lang
                    ),
                },
                subject=partner.env._(
                    "%(company)s: payment reminder for %(entry)s",
                    company=row.company_id.name,
                    entry=row.move_id.name,
                ),
                partner_ids=partner.ids,
                email_from=row.user_id.email_formatted or row.company_id.email_formatted,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    @api.model
    def _cron_collections(self):
        self._cron_run_followup_levels()
        self.env["sales.support.payment.promise"]._cron_settle_promises()
