from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common_accounting import SalesSupportAccountingCommon


@tagged("post_install", "-at_install")
class TestCollections(SalesSupportAccountingCommon):
    """Overdue invoices of customer 1 (salesperson 1, served by coordinator 1): 10, 40 and 100
    days overdue, one not yet due, one paid; customer 3 (coordinator 2) one 20 days overdue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()  # the worklist counts days in the database's date
        cls.customer_1.email = "ap@customer-one.example.com"
        cls.env["sales.support.followup.level"].with_context(active_test=False).search([]).unlink()
        cls.template = cls.env.ref("sales_support.mail_template_followup_reminder")
        Level = cls.env["sales.support.followup.level"]
        cls.level_mail = Level.create(
            {
                "name": "Mail",
                "delay": 7,
                "channel": "email",
                "mail_template_id": cls.template.id,
                "company_id": cls.company.id,
            }
        )
        cls.level_call = Level.create(
            {"name": "Call", "delay": 21, "channel": "call", "company_id": cls.company.id}
        )
        cls.level_escalation = Level.create(
            {
                "name": "Escalate",
                "delay": 45,
                "channel": "escalation",
                "company_id": cls.company.id,
            }
        )

        def invoice(partner, amount, days_overdue, currency=None):
            due = cls.today - timedelta(days=days_overdue)
            move = cls._invoice(partner, amount, due - timedelta(days=30), currency, due=due)
            move.invoice_user_id = partner.user_id
            return move

        cls.inv_10 = invoice(cls.customer_1, 100.0, 10)
        cls.inv_40 = invoice(cls.customer_1, 400.0, 40, cls.eur)
        cls.inv_100 = invoice(cls.customer_1, 1000.0, 100)
        cls.inv_future = invoice(cls.customer_1, 50.0, -5)
        cls.inv_paid = invoice(cls.customer_1, 70.0, 15)
        cls._pay(cls.inv_paid, 70.0, cls.today)
        cls.inv_other = invoice(cls.customer_3, 200.0, 20)

    def _worklist(self, user):
        return self.env["sales.support.collection.report"].with_user(user).search([])

    def test_worklist_of_the_coordinator(self):
        rows = self._worklist(self.coordinator)
        self.assertEqual(rows.move_id, self.inv_10 | self.inv_40 | self.inv_100)
        buckets = {row.move_id: row.aging_bucket for row in rows}
        self.assertEqual(buckets[self.inv_10], "1_30")
        self.assertEqual(buckets[self.inv_40], "31_60")
        self.assertEqual(buckets[self.inv_100], "90_plus")
        row_40 = rows.filtered(lambda r: r.move_id == self.inv_40)
        self.assertEqual(row_40.days_overdue, 40)
        self.assertEqual(row_40.currency_id, self.eur)
        self.assertAlmostEqual(row_40.amount_residual, 400.0)
        self.assertAlmostEqual(row_40.amount_residual_signed, 200.0)  # 2 EUR for 1 USD
        self.assertEqual(row_40.coordinator_id, self.coordinator)
        # each sees the customers they serve, whatever their rights on invoices
        self.assertEqual(self._worklist(self.coordinator_2).move_id, self.inv_other)
        self.assertEqual(self._worklist(self.salesperson_1).move_id, rows.move_id)
        self.assertFalse(self._worklist(self.salesperson_2))
        self.assertEqual(self._worklist(self.assistant).move_id, rows.move_id)
        self.assertEqual(
            self._worklist(self.support_manager).move_id.filtered(
                lambda m: m.partner_id in self.customer_1 | self.customer_3
            ),
            rows.move_id | self.inv_other,
        )
        # grouped by bucket for the kanban of aging
        groups = (
            self.env["sales.support.collection.report"]
            .with_user(self.coordinator)
            ._read_group([], ["aging_bucket"], ["amount_residual_signed:sum"])
        )
        self.assertEqual(dict(groups), {"1_30": 100.0, "31_60": 200.0, "90_plus": 1000.0})

    def test_instalments_overdue_from_the_first_one(self):
        """Payment terms in two instalments (half at 30 days, half at 90): 60 days after the
        invoice, the first half is overdue although Odoo's due date (the last instalment's) is
        30 days ahead, and only that half is due on the worklist; once it is paid, the invoice
        leaves the worklist."""
        term = self.env["account.payment.term"].create(
            {
                "name": "Half at 30, half at 90 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 90}),
                ],
            }
        )
        day = self.today - timedelta(days=60)
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer_1.id,
                "invoice_user_id": self.salesperson_1.id,
                "invoice_date": day,
                "date": day,
                "invoice_payment_term_id": term.id,
                "company_id": self.company.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": 600.0, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        self.assertEqual(move.invoice_date_due, self.today + timedelta(days=30))
        row = self._worklist(self.coordinator).filtered(lambda r: r.move_id == move)
        self.assertEqual(row.invoice_date_due, self.today - timedelta(days=30))
        self.assertEqual((row.days_overdue, row.aging_bucket), (30, "1_30"))
        self.assertEqual(row.move_type, "out_invoice")
        self.assertAlmostEqual(row.amount_residual, 300.0)
        self.assertAlmostEqual(row.amount_total, 300.0)
        # the levels: the first instalment is 30 days overdue (the call level)
        Followup = self.env["sales.support.followup"]
        Followup._cron_run_followup_levels()
        first_log = Followup.search([("move_id", "=", move.id)])
        self.assertEqual(first_log.level_id, self.level_call)
        self._pay(move, 300.0, self.today)
        self.env.invalidate_all()
        self.assertNotIn(move, self._worklist(self.coordinator).move_id)
        # later: the call was 20 days ago, the second instalment is 8 days overdue: it starts
        # from the first level again (not skipped because the first instalment reached the call)
        first_log.date = self.today - timedelta(days=20)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move_line SET date_maturity = %s"
            " WHERE move_id = %s AND display_type = 'payment_term' AND NOT reconciled",
            [self.today - timedelta(days=8), move.id],
        )
        self.env.invalidate_all()
        row = self._worklist(self.coordinator).filtered(lambda r: r.move_id == move)
        self.assertEqual(row.days_overdue, 8)
        Followup._cron_run_followup_levels()
        self.assertEqual(
            Followup.search([("move_id", "=", move.id)]).level_id,
            self.level_call | self.level_mail,
        )

    def test_promise_on_invoice_of_another_salesperson(self):
        """Customer 3 is salesperson 3's, but salesperson 1 (served by the coordinator) sold
        this invoice: the coordinator sees it on the worklist and records the promise to pay
        from its row (the invoice's salesperson, as on the worklist)."""
        invoice = self._invoice(
            self.customer_3,
            250.0,
            self.today - timedelta(days=40),
            due=self.today - timedelta(days=10),
        )
        invoice.invoice_user_id = self.salesperson_1
        row = self._worklist(self.coordinator).filtered(lambda r: r.move_id == invoice)
        self.assertEqual(row.user_id, self.salesperson_1)
        action = row.with_user(self.coordinator).action_promise_to_pay()
        promise = (
            self.env["sales.support.payment.promise"]
            .with_user(self.coordinator)
            .with_context(**action["context"])
            .create({"date_promised": self.today + timedelta(days=7)})
        )
        self.assertEqual(promise.salesperson_id, self.salesperson_1)
        self.assertEqual(promise.move_ids, invoice)
        self.assertEqual(promise.amount, 250.0)

    def test_customer_with_open_credit_not_chased(self):
        """A credit note not matched yet covers what customer 1 owes (1,350 open, credit
        1,400): no level fires for it; customer 3 is still chased."""
        self._invoice(self.customer_1, 1400.0, self.today, move_type="out_refund")
        Followup = self.env["sales.support.followup"]
        Followup._cron_run_followup_levels()
        chased = Followup.search([("move_id", "!=", False)]).partner_id.commercial_partner_id
        self.assertNotIn(self.customer_1, chased)
        self.assertIn(self.customer_3, chased)
        # the rows stay on the worklist: the coordinator matches the credit
        self.assertIn(self.inv_100, self._worklist(self.coordinator).move_id)

    def test_outbound_payment_to_customer_not_dunned(self):
        """Money paid out to a customer (a refund by payment, left open on the receivable
        account) is no debt of theirs: not on the worklist, no reminder."""
        refund = self.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "customer",
                "partner_id": self.customer_1.id,
                "amount": 90.0,
                "journal_id": self.bank_journal.id,
                "date": self.today - timedelta(days=30),
            }
        )
        refund.action_post()
        debit = refund.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertGreater(debit.balance, 0)
        self.assertFalse(debit.reconciled)
        self.assertNotIn(refund.move_id, self._worklist(self.coordinator).move_id)

    def test_opening_balance_entry(self):
        """Receivables migrated before the install as one opening-balance entry for two
        customers: each coordinator sees the part of the customers they serve, with its amount,
        due date and bucket; the salesperson is the customer's (an entry has none)."""
        entry = self._opening_entry(
            [
                (self.customer_1, 250.0, self.today - timedelta(days=50)),
                (self.customer_1, 150.0, self.today - timedelta(days=70)),
                (self.customer_1, 90.0, self.today + timedelta(days=10)),  # not due yet
                (self.customer_3, 80.0, self.today - timedelta(days=10)),
            ],
            self.today - timedelta(days=120),
        )
        row = self._worklist(self.coordinator).filtered(lambda r: r.move_id == entry)
        self.assertEqual(len(row), 1)
        self.assertEqual(
            (row.partner_id, row.user_id, row.coordinator_id, row.move_type),
            (self.customer_1, self.salesperson_1, self.coordinator, "entry"),
        )
        self.assertEqual(row.invoice_date_due, self.today - timedelta(days=70))
        self.assertEqual((row.days_overdue, row.aging_bucket), (70, "61_90"))
        self.assertEqual(row.currency_id, self.usd)
        self.assertAlmostEqual(row.amount_residual, 400.0)
        self.assertAlmostEqual(row.amount_residual_signed, 400.0)
        other = self._worklist(self.coordinator_2).filtered(lambda r: r.move_id == entry)
        self.assertEqual((other.partner_id, other.user_id), (self.customer_3, self.salesperson_3))
        self.assertAlmostEqual(other.amount_residual, 80.0)
        self.assertEqual(other.aging_bucket, "1_30")
        # the salesperson reads their customers' part only
        self.assertEqual(
            self._worklist(self.salesperson_1).filtered(lambda r: r.move_id == entry).partner_id,
            self.customer_1,
        )
        # a payment of the customer reconciled with the oldest item leaves the other one
        self._pay_entry(entry, self.customer_1, 150.0, self.today)
        self.env.invalidate_all()
        row = self._worklist(self.coordinator).filtered(lambda r: r.move_id == entry)
        self.assertAlmostEqual(row.amount_residual, 250.0)
        self.assertEqual((row.days_overdue, row.aging_bucket), (50, "31_60"))

    def test_partial_payment_and_credit_note(self):
        """A partial payment lowers the amount due; a credit note reconciled with the invoice
        takes it off the worklist."""
        self._pay(self.inv_100, 300.0, self.today)
        self.env.invalidate_all()
        rows = self._worklist(self.coordinator)
        row = rows.filtered(lambda r: r.move_id == self.inv_100)
        self.assertAlmostEqual(row.amount_residual, 700.0)
        self.assertAlmostEqual(row.amount_total, 1000.0)
        self.assertEqual(row.aging_bucket, "90_plus")
        self.inv_10._reverse_moves(cancel=True)
        self.env.invalidate_all()
        self.assertEqual(self._worklist(self.coordinator).move_id, self.inv_40 | self.inv_100)

    def test_opening_balance_followup_and_promise(self):
        """The coordinator logs a call and records a promise on an opening-balance entry's row;
        the promise is kept when the customer's payment is reconciled with the entry."""
        entry = self._opening_entry(
            [
                (self.customer_1, 250.0, self.today - timedelta(days=50)),
                (self.customer_3, 80.0, self.today - timedelta(days=10)),
            ],
            self.today - timedelta(days=120),
        )
        row = self._worklist(self.coordinator).filtered(lambda r: r.move_id == entry)
        action = row.action_log_followup()
        Followup = self.env["sales.support.followup"].with_user(self.coordinator)
        followup = Followup.with_context(**action["context"]).create(
            {"note": "<p>Will pay on Friday</p>", "next_action_date": self.today}
        )
        self.assertEqual((followup.move_id, followup.partner_id), (entry, self.customer_1))
        self.assertEqual(followup.salesperson_id, self.salesperson_1)
        self.assertEqual(followup.coordinator_id, self.coordinator)
        # an entry of several customers: the follow-up names its customer
        with self.assertRefused(UserError, "several customers"):
            Followup.create({"move_id": entry.id})
        with self.assertRefused(ValidationError, "no receivable of"):
            Followup.create({"move_id": self.inv_40.id, "partner_id": self.customer_3.id})
        action = row.action_promise_to_pay()
        Promise = self.env["sales.support.payment.promise"].with_user(self.coordinator)
        promise = Promise.with_context(**action["context"]).create(
            {"date_promised": self.today + timedelta(days=3)}
        )
        self.assertEqual(promise.move_ids, entry)
        self.assertAlmostEqual(promise.amount, 250.0)
        self.env.invalidate_all()
        row = self._worklist(self.coordinator).filtered(lambda r: r.move_id == entry)
        self.assertEqual(
            (row.next_action_date, row.promise_id, row.promise_state),
            (self.today, promise, "open"),
        )
        # the other customer's row of the entry has neither
        other = self._worklist(self.coordinator_2).filtered(lambda r: r.move_id == entry)
        self.assertFalse(other.promise_id or other.last_followup_date)
        # a promise of customer 3 cannot name an entry in another currency
        with self.assertRefused(ValidationError, "one customer, currency"):
            Promise.create(
                {
                    "partner_id": self.customer_1.id,
                    "currency_id": self.eur.id,
                    "move_ids": [entry.id],
                    "date_promised": self.today + timedelta(days=3),
                    "amount": 10.0,
                }
            )
        # the other customer's payment does not count; the customer's does
        self._pay_entry(entry, self.customer_3, 80.0, self.today)
        self.env["sales.support.payment.promise"]._cron_settle_promises()
        self.assertEqual((promise.state, promise.amount_paid), ("open", 0.0))
        self._pay_entry(entry, self.customer_1, 250.0, self.today)
        self.env["sales.support.payment.promise"]._cron_settle_promises()
        self.assertEqual(promise.state, "kept")
        self.assertAlmostEqual(promise.amount_paid, 250.0)
        self.env.invalidate_all()
        self.assertNotIn(entry, self._worklist(self.coordinator).move_id)

    def test_followup_levels_on_opening_balance(self):
        """The daily levels reach opening-balance entries too, once per entry and customer:
        the reminder e-mail goes to the customer (posted on them: the levels' templates are for
        invoices), the escalation to the customer's salesperson."""
        entry = self._opening_entry(
            [
                (self.customer_1, 250.0, self.today - timedelta(days=50)),
                (self.customer_3, 80.0, self.today - timedelta(days=10)),
            ],
            self.today - timedelta(days=120),
        )
        self.customer_3.email = "ap@customer-three.example.com"
        Followup = self.env["sales.support.followup"]
        Followup._cron_run_followup_levels()
        Followup._cron_run_followup_levels()
        logs = Followup.search([("move_id", "=", entry.id)])
        self.assertEqual(
            {(log.partner_id, log.level_id) for log in logs},
            {(self.customer_1, self.level_escalation), (self.customer_3, self.level_mail)},
        )
        reminder = self.customer_3.message_ids.filtered(lambda m: entry.name in (m.subject or ""))
        self.assertEqual(len(reminder), 1)
        self.assertIn("80.00", reminder.body)
        self.assertEqual(reminder.partner_ids, self.customer_3)
        escalation = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.customer_1.id),
                ("summary", "like", entry.name),
            ]
        )
        self.assertEqual(escalation.user_id, self.salesperson_1)
        row = self._worklist(self.coordinator_2).filtered(lambda r: r.move_id == entry)
        self.assertEqual(row.last_level_id, self.level_mail)

    def test_archived_salesperson(self):
        """A salesperson who left: their customers' overdue invoices stay on the coordinator's
        worklist, and the invoices they made are still collected."""
        self.salesperson_1.action_archive()
        self.assertEqual(
            self._worklist(self.coordinator).move_id, self.inv_10 | self.inv_40 | self.inv_100
        )
        self.assertEqual(self._worklist(self.coordinator_2).move_id, self.inv_other)

    def test_followup_levels_fire_once(self):
        Followup = self.env["sales.support.followup"]
        Activity = self.env["mail.activity"]
        messages_before = len(self.inv_10.message_ids)
        Followup._cron_run_followup_levels()
        logs = Followup.search([("move_id", "in", (self.inv_10 | self.inv_40 | self.inv_100).ids)])
        self.assertEqual(
            {(log.move_id, log.level_id) for log in logs},
            {
                (self.inv_10, self.level_mail),
                (self.inv_40, self.level_call),
                (self.inv_100, self.level_escalation),
            },
        )
        # e-mail to the customer on the invoice; a call for the coordinator; escalation to
        # the salesperson, both on the customer
        self.assertEqual(len(self.inv_10.message_ids), messages_before + 1)
        self.assertIn("payment reminder", self.inv_10.message_ids[0].subject)
        activities = Activity.search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer_1.id)]
        )
        self.assertEqual(
            sorted((a.user_id.login, a.activity_type_id.category) for a in activities),
            sorted([("ss_coordinator", "phonecall"), ("ss_sales_1", "default")]),
        )
        log_mail = logs.filtered(lambda log: log.move_id == self.inv_10)
        # the call level is next: due when the invoice is 21 days overdue
        self.assertEqual(
            log_mail.next_action_date, self.inv_10.invoice_date_due + timedelta(days=21)
        )
        row = self._worklist(self.coordinator).filtered(lambda r: r.move_id == self.inv_10)
        self.assertEqual(row.last_level_id, self.level_mail)
        # again the same day: nothing more
        Followup._cron_run_followup_levels()
        customers = [("partner_id", "in", (self.customer_1 | self.customer_3).ids)]
        self.assertEqual(Followup.search_count([*customers, ("id", "not in", logs.ids)]), 1)
        self.assertEqual(
            len(activities),
            Activity.search_count(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.customer_1.id)]
            ),
        )
        # 11 days later the first invoice reaches the call level, once (its due date, and the
        # instalment's the worklist counts from, moved back 11 days)
        self.inv_10.invoice_date_due -= timedelta(days=11)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move_line SET date_maturity = date_maturity - 11"
            " WHERE move_id = %s AND display_type = 'payment_term'",
            [self.inv_10.id],
        )
        self.env.invalidate_all()
        Followup._cron_run_followup_levels()
        Followup._cron_run_followup_levels()
        self.assertEqual(
            Followup.search([("move_id", "=", self.inv_10.id)]).level_id,
            self.level_mail | self.level_call,
        )

    def test_call_notes_by_the_coordinator(self):
        row = self._worklist(self.coordinator).filtered(lambda r: r.move_id == self.inv_40)
        action = row.action_log_followup()
        Followup = self.env["sales.support.followup"].with_user(self.coordinator)
        followup = Followup.with_context(**action["context"]).create(
            {"note": "<p>Will pay next week</p>", "next_action_date": self.today}
        )
        self.assertEqual(followup.partner_id, self.customer_1)
        self.assertEqual(followup.salesperson_id, self.salesperson_1)
        self.assertEqual(followup.coordinator_id, self.coordinator)
        row.invalidate_recordset()
        self.assertEqual(row.next_action_date, self.today)
        # salespeople read their customers' log, others not
        self.assertTrue(followup.with_user(self.salesperson_1).read(["note"]))
        self.assertFalse(
            self.env["sales.support.followup"].with_user(self.salesperson_3).search([])
        )

    def test_promise_bad_input(self):
        Promise = self.env["sales.support.payment.promise"].with_user(self.coordinator)
        values = {
            "partner_id": self.customer_1.id,
            "move_ids": [self.inv_100.id],
            "date_promised": self.today + timedelta(days=3),
            "amount": 100.0,
        }
        with self.assertRefused(ValidationError, "in the past"):
            Promise.create({**values, "date_promised": self.today - timedelta(days=1)})
        with self.assertRefused(ValidationError, "must be positive"):
            Promise.create({**values, "amount": -10.0})
        with self.assertRefused(ValidationError, "one customer, currency"):
            Promise.create({**values, "move_ids": [self.inv_other.id]})
        self.assertFalse(
            self.env["sales.support.payment.promise"].search(
                [("partner_id", "=", self.customer_1.id)]
            )
        )
        # kept or broken, and what was paid, come from the payments; when and by whom, from the
        # day and the user recording it
        with self.assertRefused(UserError, "cannot be written"):
            Promise.create({**values, "state": "kept"})
        with self.assertRefused(UserError, "the day it is given"):
            Promise.create({**values, "date": self.today - timedelta(days=30)})
        with self.assertRefused(UserError, "person who takes it"):
            Promise.create({**values, "user_id": self.salesperson_1.id})
        promise = Promise.create(values)
        self.assertEqual((promise.date, promise.user_id), (self.today, self.coordinator))
        with self.assertRefused(UserError, "cannot be written"):
            promise.write({"state": "kept", "amount_paid": 100.0})
        with self.assertRefused(UserError, "cannot change"):
            promise.write({"date": self.today - timedelta(days=30)})
        self.assertEqual(promise.state, "open")

    def test_promise_kept_and_broken_from_payments(self):
        Promise = self.env["sales.support.payment.promise"].with_user(self.coordinator)
        kept = Promise.create(
            {
                "partner_id": self.customer_1.id,
                "move_ids": [self.inv_100.id],
                "date_promised": self.today + timedelta(days=5),
                "amount": 600.0,
            }
        )
        partial = Promise.create(
            {
                "partner_id": self.customer_1.id,
                "move_ids": [self.inv_10.id],
                "date_promised": self.today + timedelta(days=5),
                "amount": 100.0,
            }
        )
        # a promise taken 10 days ago for 3 days ago: nothing came (taken today, then 10 days
        # pass: the dates are moved back by SQL, as no user may back-date a promise)
        broken = Promise.create(
            {
                "partner_id": self.customer_1.id,
                "move_ids": [self.inv_40.id],
                "currency_id": self.eur.id,
                "date_promised": self.today,
                "amount": 400.0,
            }
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sales_support_payment_promise SET date = %s, date_promised = %s WHERE id = %s",
            (self.today - timedelta(days=10), self.today - timedelta(days=3), broken.id),
        )
        broken.invalidate_recordset(["date", "date_promised"])
        self._pay(self.inv_100, 400.0, self.today)
        self._pay(self.inv_100, 200.0, self.today)
        self._pay(self.inv_10, 40.0, self.today)
        # a credit note of 60 closes the rest of inv_10: a credit, not the payment promised
        refund = self._invoice(self.customer_1, 60.0, self.today, move_type="out_refund")
        (refund | self.inv_10).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        ).reconcile()
        self.assertEqual(self.inv_10.payment_state, "paid")
        Promise.env["sales.support.payment.promise"]._cron_settle_promises()
        self.assertEqual(kept.state, "kept")
        self.assertAlmostEqual(kept.amount_paid, 600.0)
        self.assertEqual(partial.state, "open")  # 40 of 100 paid, still time
        self.assertAlmostEqual(partial.amount_paid, 40.0)
        self.assertEqual(broken.state, "broken")
        activity = broken.activity_ids
        self.assertEqual(activity.user_id, self.coordinator)
        # settled once: no second activity
        self.env["sales.support.payment.promise"]._cron_settle_promises()
        self.assertEqual(broken.activity_ids, activity)
        # the worklist shows the last promise of each invoice
        rows = self._worklist(self.coordinator)
        self.assertEqual(rows.filtered(lambda r: r.move_id == self.inv_40).promise_state, "broken")
        # share kept per customer: 1 kept of 2 settled
        partner = self.customer_1.with_user(self.salesperson_1)
        self.assertEqual(partner.payment_promise_count, 3)
        self.assertEqual(partner.payment_promise_kept_rate, 50.0)

    def _clone_entries(self, template, count):
        """``count`` copies of the posted entry ``template`` with its lines, written by SQL (the
        worklist reads the receivable lines and the entry's header): thousands in a second."""
        self.env.flush_all()

        def columns(model, *skip):
            fields_ = self.env[model]._fields
            return [
                name
                for name, field in fields_.items()
                if field.store and field.column_type and name not in ("id", *skip)
            ]

        move_cols = columns("account.move", "name")
        line_cols = columns("account.move.line", "move_id")
        self.env.cr.execute(
            SQL(
                """WITH copies AS (
                       INSERT INTO account_move (name, %(cols)s)
                       SELECT name || '-' || n, %(cols)s
                         FROM account_move, generate_series(1, %(count)s) n
                        WHERE id = %(template)s
                    RETURNING id)
                   INSERT INTO account_move_line (move_id, %(line_cols)s)
                   SELECT copies.id, %(line_cols)s
                     FROM copies, account_move_line
                    WHERE account_move_line.move_id = %(template)s""",
                cols=SQL(", ").join(SQL.identifier(c) for c in move_cols),
                line_cols=SQL(", ").join(SQL.identifier(c) for c in line_cols),
                count=count,
                template=template.id,
            )
        )

    def _read_worklist(self, user):
        Report = self.env["sales.support.collection.report"].with_user(user)
        fnames = [
            "name",
            "partner_id",
            "user_id",
            "invoice_date_due",
            "days_overdue",
            "aging_bucket",
            "amount_residual",
            "currency_id",
            "last_level_id",
            "next_action_date",
            "promise_state",
        ]
        Report.invalidate_model()
        Report.web_search_read([], {f: {} for f in fnames}, limit=80)
        Report.web_read_group([], fnames, ["aging_bucket"])

    def test_worklist_5000_invoices_in_bounded_queries(self):
        """5,000 rows: invoices and opening-balance entries (of two customers, one served by
        another coordinator)."""
        entry = self._opening_entry(
            [
                (self.customer_1, 250.0, self.today - timedelta(days=50)),
                (self.customer_3, 80.0, self.today - timedelta(days=10)),
            ],
            self.today - timedelta(days=120),
        )
        self._clone_entries(self.inv_40, 100)
        self._read_worklist(self.coordinator)  # warm-up (caches, rules)
        with self.assertQueryCount(12) as _counter:
            self._read_worklist(self.coordinator)
        self._clone_entries(self.inv_100, 4400)
        self._clone_entries(entry, 499)
        self.assertEqual(
            self.env["sales.support.collection.report"]
            .with_user(self.coordinator)
            .search_count([]),
            3 + 1 + 100 + 4400 + 499,  # customer 3's part of the entries is coordinator 2's
        )
        # the same queries at 5,000 rows (the timings: scripts/bench_collections.py)
        with self.assertQueryCount(12):
            self._read_worklist(self.coordinator)
