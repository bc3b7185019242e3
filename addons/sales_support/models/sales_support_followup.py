from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from .sales_support_followup_level import FOLLOWUP_CHANNELS


class SalesSupportFollowup(models.Model):
    """One step of the collections follow-up of a customer: an e-mail, a call (with its notes),
    an escalation, logged by the daily cron or by the coordinator. Append-only in spirit: the
    coordinator writes the notes and the next action date of their own entries."""

    _name = "sales.support.followup"
    _description = "Collections Follow-up"
    _order = "date desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index=True,
        ondelete="cascade",
        domain="[('move_type', '=', 'out_invoice'), ('partner_id', 'child_of', partner_id)]",
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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("move_id") and not vals.get("partner_id"):
                # sudo: the coordinator logs on an invoice they read through the worklist only
                move = self.env["account.move"].sudo().browse(vals["move_id"])
                vals["partner_id"] = move.commercial_partner_id.id
                vals.setdefault("company_id", move.company_id.id)
        return super().create(vals_list)

    # ------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------
    @api.model
    def _get_due_levels(self):
        """([(collection row id, level)], {company id: levels}): for each overdue invoice, the
        highest follow-up level of its company that it reached and that was not run yet (a level
        above every level already logged on it). An invoice found 50 days overdue on its first
        run only gets the 45-day escalation, not the 7-day e-mail: each level fires once per
        invoice. One query."""
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
        rows = self.env.execute_query(
            SQL(
                """
                SELECT r.id, r.company_id, r.days_overdue,
                       (SELECT MAX(level.delay)
                          FROM sales_support_followup f
                          JOIN sales_support_followup_level level ON level.id = f.level_id
                         WHERE f.move_id = r.id)
                  FROM (%s) r
                 WHERE r.company_id IN %s
                """,
                Report._table_query,
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
        """Run the follow-up levels due today: e-mail the customer (template on the invoice),
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
            ]
        )
        level_of = dict(due)
        by_template = defaultdict(lambda: self.env["account.move"].sudo())
        activities, logs = [], []
        call_type = self.env.ref("mail.mail_activity_data_call")
        todo_type = self.env.ref("mail.mail_activity_data_todo")
        partner_model_id = self.env["ir.model"]._get_id("res.partner")
        for row in rows:
            level = level_of[row.id]
            responsible = row.coordinator_id or row.user_id
            if level.channel == "email":
                by_template[level.mail_template_id] |= row.move_id
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
        for template, moves in by_template.items():
            moves.message_post_with_source(template, subtype_xmlid="mail.mt_comment")
        self.env["mail.activity"].sudo().create(activities)
        self.sudo().create(logs)
        # the worklist shows the last follow-up of each invoice: not what was read above
        rows.invalidate_model()

    @api.model
    def _cron_collections(self):
        self._cron_run_followup_levels()
        self.env["sales.support.payment.promise"]._cron_settle_promises()
