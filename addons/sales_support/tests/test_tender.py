from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestTender(SalesSupportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Tender = cls.env["sales.tender"]
        cls.Event = cls.env["sales.support.o2c.event"]
        cls.ministry = cls.env["res.partner"].create(
            {
                "name": "Ministry of Health",
                "is_company": True,
                "user_id": cls.salesperson_1.id,
                "tz": "Asia/Jerusalem",
                "country_id": cls.env.ref("base.il").id,
            }
        )
        cls.competitor_a = cls.env["res.partner"].create({"name": "Rival A", "is_company": True})
        cls.competitor_b = cls.env["res.partner"].create({"name": "Rival B", "is_company": True})
        cls.now = fields.Datetime.now().replace(microsecond=0)

    def _tender(self, user=None, **values):
        Tender = self.Tender.with_user(user or self.salesperson_1)
        return Tender.create(
            {
                "partner_id": self.ministry.id,
                "customer_reference": "MOH-2026-17",
                "title": "Lathes for the workshops",
                "date_publication": fields.Date.today() - timedelta(days=5),
                "date_clarification_deadline": self.now + timedelta(days=4),
                "date_submission_deadline": self.now + timedelta(days=10),
                "estimated_value": 50000.0,
                "line_ids": [
                    Command.create(
                        {
                            "lot_number": "1",
                            "product_id": self.lathe.id,
                            "quantity": 4,
                            "price_unit": 9000.0,
                        }
                    )
                ],
                **values,
            }
        )

    def _prepare(self, tender):
        """Go decided and every required document ready (by the coordinator)."""
        tender.with_user(self.salesperson_1).action_go()
        tender.support_document_ids.with_user(self.coordinator).action_mark_ready()

    def test_tender_from_new_to_won(self):
        tender = self._tender()
        self.assertTrue(tender.name.startswith("TND/"))
        self.assertEqual(tender.user_id, self.salesperson_1)
        self.assertEqual(tender.coordinator_id, self.coordinator)
        self.assertEqual(tender.amount_offered, 36000.0)
        tender.action_go_no_go()
        self.assertEqual(tender.state, "go_no_go")
        tender.action_go()
        self.assertEqual((tender.state, tender.decision), ("preparation", "go"))
        as_sales = tender.with_user(self.salesperson_1)
        quotation = self.env["sale.order"].browse(as_sales.action_new_quotation()["res_id"])
        self.assertEqual(quotation.tender_id, tender)
        self.assertEqual(quotation.partner_id, self.ministry)
        self.assertEqual(quotation.order_line.product_id, self.lathe)
        self.assertEqual(quotation.order_line.price_unit, 9000.0)
        self.assertEqual(quotation.client_order_ref, "MOH-2026-17")
        variant = self.env["sale.order"].browse(as_sales.action_new_quotation()["res_id"])
        self.assertEqual(tender.order_count, 2)
        # the coordinator prepares the documents and submits
        docs = tender.with_user(self.coordinator).support_document_ids
        self.assertTrue(docs, "the tender template applies")
        docs.action_mark_ready()
        tender.with_user(self.coordinator).action_submit()
        self.assertEqual(tender.state, "submitted")
        self.assertTrue(tender.date_submitted)
        # several quotations: the winning one must be chosen
        with self.assertRaisesRegex(UserError, "choose the Winning Quotation"):
            as_sales.action_won()
        as_sales.won_order_id = quotation
        as_sales.action_won()
        self.assertEqual(tender.state, "won")
        self.assertEqual(quotation.state, "sale", "the quotation becomes the order")
        self.assertEqual(variant.state, "cancel")
        self.assertEqual(tender.winner_id, tender.company_id.partner_id)
        self.assertEqual(tender.our_rank, 1)
        events = self.Event.search(
            [("tender_id", "=", tender.id), ("event_type", "like", "tender_")]
        )
        self.assertEqual(sorted(events.mapped("event_type")), ["tender_submitted", "tender_won"])
        won = events.filtered(lambda e: e.event_type == "tender_won")
        self.assertEqual(won.order_id, quotation)
        self.assertEqual(won.user_id, self.salesperson_1)

    def test_submission_refused_while_a_document_is_missing(self):
        tender = self._tender()
        tender.with_user(self.salesperson_1).action_go()
        docs = tender.support_document_ids
        self.assertEqual(
            set(docs.mapped("blocks")), {"submission"}, "the tender documents block submission"
        )
        missing = docs.filtered(lambda d: d.document_type_id.code == "TF")
        (docs - missing).with_user(self.coordinator).action_mark_ready()
        as_coordinator = tender.with_user(self.coordinator)
        with self.assertRefused(UserError, "Tender Form"):
            as_coordinator.action_submit()
        self.assertEqual(tender.state, "preparation")
        self.assertFalse(
            self.Event.search([("tender_id", "=", tender.id), ("event_type", "like", "tender_")])
        )
        missing.with_user(self.coordinator).action_mark_ready()
        as_coordinator.action_submit()
        self.assertEqual(tender.state, "submitted")

    def test_submission_refused_after_the_deadline(self):
        tender = self._tender(
            date_clarification_deadline=False,
            date_submission_deadline=self.now + timedelta(hours=1),
        )
        self._prepare(tender)
        # the deadline passed (the tendering organisation's clock: 14:00 in Jerusalem)
        tender.date_submission_deadline = self.now - timedelta(minutes=1)
        with self.assertRefused(UserError, "deadline .* passed"):
            tender.with_user(self.coordinator).action_submit()
        self.assertEqual(tender.state, "preparation")

    def test_lost_with_competitors(self):
        tender = self._tender()
        self._prepare(tender)
        as_sales = tender.with_user(self.salesperson_1)
        quotation = self.env["sale.order"].browse(as_sales.action_new_quotation()["res_id"])
        as_sales.action_submit()
        as_sales.write(
            {
                "winner_id": self.competitor_a.id,
                "winning_price": 31000.0,
                "our_rank": 3,
                "competitor_ids": [
                    Command.create(
                        {"partner_id": self.competitor_a.id, "price": 31000.0, "rank": 1}
                    ),
                    Command.create(
                        {"partner_id": self.competitor_b.id, "price": 33500.0, "rank": 2}
                    ),
                ],
            }
        )
        with self.assertRefused(UserError, "Loss Reason"):
            as_sales.action_lost()
        as_sales.loss_reason = "Price: 14% above the winner."
        as_sales.action_lost()
        self.assertEqual(tender.state, "lost")
        self.assertEqual(quotation.state, "cancel")
        self.assertEqual(
            tender.competitor_ids.sorted("rank").mapped("partner_id"),
            self.competitor_a | self.competitor_b,
        )
        self.assertEqual(tender.competitor_ids.mapped("price"), [31000.0, 33500.0])
        lost = self.Event.search(
            [("tender_id", "=", tender.id), ("event_type", "=", "tender_lost")]
        )
        self.assertEqual(len(lost), 1)
        self.assertFalse(lost.order_id)

    def test_no_bid_needs_a_reason(self):
        tender = self._tender().with_user(self.salesperson_1)
        with self.assertRefused(UserError, "Decision Reason"):
            tender.action_no_bid()
        tender.decision_reason = "Certification we do not have."
        tender.action_no_bid()
        self.assertEqual((tender.state, tender.decision), ("no_bid", "no_go"))
        self.assertFalse(
            tender.activity_ids.filtered(
                lambda a: a.activity_type_id
                == self.env.ref("sales_support.mail_activity_type_tender_submission")
            ),
            "no reminder for a tender we do not bid on",
        )

    def test_deadline_in_the_customers_time_zone(self):
        tender = self._tender(
            date_clarification_deadline=False,
            date_submission_deadline=datetime(2030, 12, 1, 12, 0),
        )
        self.assertEqual(tender.submission_deadline_display, "2030-12-01 14:00 (Asia/Jerusalem)")

    def test_deadline_activities(self):
        tender = self._tender(
            bond_amount=2000.0, bond_date_expiry=fields.Date.today() + timedelta(days=60)
        )
        types = {
            self.env.ref(f"sales_support.mail_activity_type_tender_{kind}"): kind
            for kind in ("clarification", "submission", "bond")
        }
        activities = tender.activity_ids
        self.assertEqual(set(activities.activity_type_id), set(types))
        self.assertEqual(set(activities.user_id), {self.coordinator})
        submission = activities.filtered(lambda a: types[a.activity_type_id] == "submission")
        self.assertEqual(submission.date_deadline, (self.now + timedelta(days=5)).date())
        # the organisation extends the deadline: the reminder moves
        tender.with_user(self.salesperson_1).date_submission_deadline = self.now + timedelta(
            days=20
        )
        submission = tender.activity_ids.filtered(
            lambda a: types[a.activity_type_id] == "submission"
        )
        self.assertEqual(submission.date_deadline, (self.now + timedelta(days=15)).date())
        # submitted: the questions and submission reminders go; the bond one stays until returned
        self._prepare(tender)
        tender.with_user(self.coordinator).action_submit()
        self.assertEqual([types[t] for t in tender.activity_ids.activity_type_id], ["bond"])
        tender.with_user(self.salesperson_1).bond_returned = True
        self.assertFalse(tender.activity_ids)
        self.assertEqual(tender.bond_date_returned, fields.Date.context_today(tender))

    def test_bad_input(self):
        for values, message in [
            (
                {"date_submission_deadline": self.now - timedelta(days=10)},
                "before its publication",
            ),
            (
                {"date_clarification_deadline": self.now + timedelta(days=11)},
                "questions deadline",
            ),
            ({"date_opening": self.now + timedelta(days=9)}, "opened before"),
            ({"estimated_value": -1.0}, "cannot be negative"),
            ({"our_rank": -2}, "cannot be negative"),
            ({"kind": "secret"}, "choose one of"),
        ]:
            with self.subTest(values=values), self.assertRefused(ValidationError, message):
                self._tender(**values)
        self.assertFalse(self.Tender.search([("partner_id", "=", self.ministry.id)]))
        tender = self._tender()
        with self.assertRefused(ValidationError, "cannot be negative"):
            tender.line_ids.with_user(self.salesperson_1).price_unit = -5
        with self.assertRefused(AccessError, "Submitted On"):
            tender.with_user(self.salesperson_1).date_submitted = self.now
        # the steps go through the actions (deadline and documents checked): no forged state
        with self.assertRefused(AccessError, "Status"):
            tender.with_user(self.salesperson_1).state = "won"
        with self.assertRefused(AccessError, "Status"):
            self._tender(state="submitted")
        other = self._tender(partner_id=self.customer_1.id)
        quotation = self.env["sale.order"].browse(
            other.with_user(self.salesperson_1).action_new_quotation()["res_id"]
        )
        with self.assertRefused(ValidationError, "must be one of its quotations"):
            tender.with_user(self.salesperson_1).won_order_id = quotation

    def test_access_per_role(self):
        tender = self._tender()
        self._prepare(tender)
        tender.with_user(self.coordinator).action_submit()
        for user in (self.salesperson_1, self.coordinator, self.assistant, self.support_manager):
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.Tender.with_user(user).search([("id", "=", tender.id)]), tender
                )
                self.assertIn(
                    "tender_submitted",
                    self.Event.with_user(user)
                    .search([("tender_id", "=", tender.id)])
                    .mapped("event_type"),
                    "orderless tender events follow the tender",
                )
        for user in (self.salesperson_3, self.coordinator_2):
            with self.subTest(user=user.login):
                self.assertFalse(self.Tender.with_user(user).search([("id", "=", tender.id)]))
                self.assertFalse(
                    self.Event.with_user(user).search([("tender_id", "=", tender.id)]),
                    "an event without order is not everybody's",
                )
                with self.assertRaises(AccessError):
                    tender.with_user(user).read(["name"])
        with self.assertRaises(AccessError):
            tender.with_user(self.assistant).title = "Changed"
        # order events keep their rules: salesperson 3 still sees orders without salesperson
        order = self._create_order(self.customer_3, salesperson=self.salesperson_3)
        order.user_id = False
        self.Event._log_events([{"order_id": order, "event_type": "request"}])
        self.assertTrue(
            self.Event.with_user(self.salesperson_3).search([("order_id", "=", order.id)])
        )

    def test_register_pdf(self):
        won = self._tender(title="Won one")
        self._prepare(won)
        won.with_user(self.coordinator).action_submit()
        won.with_user(self.salesperson_1).action_won()
        self._tender(title="Another", estimated_value=1234.0)
        register = (
            self.env["sales.tender.register"]
            .with_user(self.support_manager)
            .create(
                {
                    "date_from": fields.Date.today(),
                    "date_to": fields.Date.today() + timedelta(days=30),
                }
            )
        )
        self.assertEqual(
            register.action_print()["report_name"], "sales_support.report_tender_register"
        )
        report = self.env.ref("sales_support.action_report_tender_register").with_user(
            self.support_manager
        )
        html = report._render_qweb_html(report.report_name, register.ids)[0].decode()
        self.assertIn(won.name, html)
        self.assertIn("MOH-2026-17", html)
        self.assertIn("Won", html)
        self.assertNotIn("text-left", html)
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, register.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        with self.assertRefused(ValidationError, "ends before it starts"):
            register.date_to = fields.Date.today() - timedelta(days=1)
        with self.assertRaises(AccessError):
            self.env["sales.tender.register"].with_user(self.coordinator).create({})

    def test_multi_company(self):
        branch = self.env["res.company"].create({"name": "Branch Tenders"})
        tender = self._tender(user=self.env.user, company_id=branch.id)
        self.assertFalse(
            self.Tender.with_user(self.support_manager).search([("id", "=", tender.id)]),
            "managers see all tenders of their companies, not of other companies",
        )
        self.env["sales.tender.competitor"].create(
            {"tender_id": tender.id, "partner_id": self.competitor_a.id, "price": 10.0}
        )
        self.assertFalse(
            self.env["sales.tender.competitor"]
            .with_user(self.support_manager)
            .search([("tender_id", "=", tender.id)])
        )
        # the register of a company lists its tenders only
        register = self.env["sales.tender.register"].create(
            {"date_from": fields.Date.today(), "date_to": fields.Date.today() + timedelta(30)}
        )
        self.assertNotIn(tender, register._get_tenders())
        register.company_id = branch
        self.assertIn(tender, register._get_tenders())
