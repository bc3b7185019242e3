from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestLetterOfCredit(SalesSupportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.bank = cls.env["res.bank"].create({"name": "Bank Leumi", "bic": "LUMIILITXXX"})
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 0.5)])
        cls.eur_pricelist = cls.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": cls.eur.id, "company_id": cls.company.id}
        )
        cls.LC = cls.env["sales.letter.of.credit"]

    def _lc(self, user=None, **values):
        LC = self.LC.with_user(user) if user else self.LC
        return LC.create(
            {
                "name": "ILC-001",
                "partner_id": self.customer_il.id,
                "issuing_bank_id": self.bank.id,
                "amount": 10000.0,
                "tolerance": 10.0,
                "date_issue": self.today,
                "date_latest_shipment": self.today + timedelta(days=30),
                "date_expiry": self.today + timedelta(days=60),
                **values,
            }
        )

    def _order(self, lc, price, user=None, **values):
        Order = self.env["sale.order"].with_user(user) if user else self.env["sale.order"]
        return Order.create(
            {
                "partner_id": lc.partner_id.id,
                "user_id": self.salesperson_1.id,
                "letter_of_credit_id": lc.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": price}
                    )
                ],
                **values,
            }
        )

    def test_people_and_defaults(self):
        lc = self._lc(user=self.coordinator)
        self.assertEqual(lc.user_id, self.salesperson_1, "the applicant's salesperson")
        self.assertEqual(lc.coordinator_id, self.coordinator, "the salesperson's coordinator")
        self.assertEqual(lc.presentation_days, 21)
        self.assertEqual(lc.date_presentation_deadline, self.today + timedelta(days=51))
        self.assertEqual(lc.amount_max, 11000.0)
        self.assertEqual(lc.amount_available, 11000.0)

    def test_shipment_after_latest_shipment_date_warned(self):
        lc = self._lc(user=self.coordinator)
        lc.with_user(self.coordinator).action_receive()
        late = fields.Datetime.now() + timedelta(days=45)
        order = self._order(lc, 1000.0, user=self.coordinator, commitment_date=late)
        self.assertIn("after the latest shipment date", order.letter_of_credit_warning)
        on_time = self._order(
            lc, 1000.0, user=self.coordinator, commitment_date=fields.Datetime.now()
        )
        self.assertFalse(on_time.letter_of_credit_warning)
        order.with_user(self.coordinator).action_confirm()
        picking = order.picking_ids.with_user(self.coordinator)
        self.assertTrue(picking)
        self.assertEqual(picking.scheduled_date.date(), late.date())
        self.assertIn("after the latest shipment date", picking.letter_of_credit_warning)
        # the bank extends the latest shipment date (amendment): no more warning
        lc.with_user(self.coordinator).date_latest_shipment = self.today + timedelta(days=50)
        picking.invalidate_recordset(["letter_of_credit_warning"])
        self.assertFalse(picking.letter_of_credit_warning)

    def test_amount_used_two_orders_two_currencies(self):
        lc = self._lc(user=self.coordinator, amount=5000.0, tolerance=10.0)
        lc.with_user(self.coordinator).action_confirm()
        order_usd = self._order(lc, 3000.0, user=self.coordinator)
        order_eur = self._order(
            lc, 1000.0, user=self.coordinator, pricelist_id=self.eur_pricelist.id
        )
        self.assertEqual(order_eur.currency_id, self.eur)
        self.assertEqual(lc.amount_used, 0.0, "quotations draw nothing")
        order_usd.with_user(self.coordinator).action_confirm()
        lc.invalidate_recordset()
        self.assertEqual(lc.amount_used, 3000.0)
        self.assertEqual(lc.amount_available, 2500.0)
        self.assertFalse(lc.activity_ids)
        # 1,000 EUR at 0.5 EUR per USD = 2,000 USD: 5,000 of the 5,500 allowed
        self.assertFalse(order_eur.letter_of_credit_warning)
        order_eur.with_user(self.coordinator).action_confirm()
        lc.invalidate_recordset()
        self.assertAlmostEqual(lc.amount_used, 5000.0)
        self.assertAlmostEqual(lc.amount_available, 500.0)
        self.assertEqual(lc.order_count, 2)
        # a third order above what is left: warned before and after confirmation
        order_3 = self._order(lc, 800.0, user=self.coordinator)
        self.assertIn("exceed", order_3.letter_of_credit_warning)
        order_3.with_user(self.coordinator).action_confirm()
        lc.invalidate_recordset()
        self.assertAlmostEqual(lc.amount_available, -300.0)
        activity = lc.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.coordinator)
        self.assertIn(order_3.name, activity.note)
        # cancelled orders draw nothing
        order_3.with_user(self.coordinator)._action_cancel()
        lc.invalidate_recordset()
        self.assertAlmostEqual(lc.amount_available, 500.0)

    def test_amounts_of_many_letters_in_one_query(self):
        lcs = self.LC.create(
            [
                {
                    "name": f"LC-{i}",
                    "partner_id": self.customer_il.id,
                    "amount": 1000.0,
                    "date_expiry": self.today + timedelta(days=60),
                    "state": "confirmed",
                }
                for i in range(5)
            ]
        )
        orders = self.env["sale.order"]
        for lc in lcs:
            orders |= self._order(lc, 100.0)
        orders.action_confirm()
        lcs.invalidate_recordset()
        with self.assertQueryCount(2):  # the grouped sum (and its currency rates)
            self.assertEqual(lcs.mapped("amount_used"), [100.0] * 5)

    def test_expired_by_date_cron_and_presentation_reminder(self):
        running = self._lc(name="RUNNING")
        running.action_confirm()
        expired = self._lc(
            name="OLD",
            date_issue=self.today - timedelta(days=90),
            date_latest_shipment=self.today - timedelta(days=40),
            date_expiry=self.today - timedelta(days=1),
        )
        expired.action_confirm()
        shipped = self._lc(
            name="SHIPPED",
            date_shipment=self.today - timedelta(days=18),
        )
        shipped.action_confirm()
        self.assertEqual(shipped.date_presentation_deadline, self.today + timedelta(days=3))
        self.env["sales.letter.of.credit"]._cron_letter_of_credit()
        self.assertEqual(expired.state, "expired")
        self.assertEqual(running.state, "confirmed")
        self.assertEqual(shipped.state, "confirmed")
        activity = shipped.activity_ids
        self.assertEqual(activity.user_id, self.coordinator)
        self.assertIn("SHIPPED", activity.summary)
        self.assertFalse(running.activity_ids, "its deadline is weeks away")
        # once reminded, not again; a new shipment date gets a new reminder
        self.env["sales.letter.of.credit"]._cron_letter_of_credit()
        self.assertEqual(len(shipped.activity_ids), 1)
        shipped.with_user(self.coordinator).date_shipment = self.today - timedelta(days=19)
        self.assertFalse(shipped.presentation_reminded)

    def test_amendments_logged(self):
        lc = self._lc(user=self.coordinator)
        lc.amount = 12000.0  # a draft: no amendment
        self.assertFalse(lc.amendment_ids)
        lc.with_user(self.coordinator).action_receive()
        lc.with_user(self.coordinator).write(
            {"amount": 15000.0, "date_latest_shipment": self.today + timedelta(days=40)}
        )
        amendments = lc.amendment_ids
        self.assertEqual(
            sorted(amendments.mapped("field_name")), ["amount", "date_latest_shipment"]
        )
        amount = amendments.filtered(lambda a: a.field_name == "amount")
        self.assertIn("12,000.00", amount.old_value)
        self.assertIn("15,000.00", amount.new_value)
        self.assertTrue(
            any("Amendment" in (m.body or "") for m in lc.message_ids),
            "amendments are in the chatter too",
        )

    def test_discrepancies(self):
        lc = self._lc(user=self.coordinator)
        discrepancy = self.env["sales.letter.of.credit.discrepancy"].with_user(self.coordinator)
        found = discrepancy.create(
            {"letter_of_credit_id": lc.id, "name": "Late presentation", "date_found": self.today}
        )
        self.assertEqual(lc.open_discrepancy_count, 1)
        with self.assertRaisesRegex(ValidationError, "how discrepancy"):
            found.date_resolved = self.today
        with self.assertRaisesRegex(ValidationError, "before it was found"):
            found.write({"resolution": "waived", "date_resolved": self.today - timedelta(1)})
        found.write({"resolution": "waived", "date_resolved": self.today})
        lc.invalidate_recordset(["open_discrepancy_count"])
        self.assertEqual(lc.open_discrepancy_count, 0)

    def test_bad_input(self):
        for values, message in [
            ({"date_expiry": self.today - timedelta(days=1)}, "before it is issued"),
            ({"amount": -1.0}, "cannot be negative"),
            ({"tolerance": 150.0}, "between 0 and 100"),
            ({"tolerance": -5.0}, "between 0 and 100"),
            ({"presentation_days": -1}, "cannot be negative"),
            ({"date_latest_shipment": self.today + timedelta(days=90)}, "after its expiry"),
            ({"amount": "a lot"}, "Amount"),
        ]:
            with self.subTest(values=values), self.assertRefused(ValidationError, message):
                self._lc(user=self.coordinator, **values)
        self.assertFalse(self.LC.search([("name", "=", "ILC-001")]), "nothing half-written")
        lc = self._lc(user=self.coordinator)
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            lc.with_user(self.coordinator).tolerance = 101
        with self.assertRaisesRegex(AccessError, "Presentation"):
            lc.with_user(self.coordinator).presentation_reminded = True
        with self.assertRaisesRegex(AccessError, "Status"):
            lc.with_user(self.coordinator).state = "confirmed"

    def test_state_buttons(self):
        lc = self._lc(user=self.coordinator).with_user(self.coordinator)
        with self.assertRaisesRegex(UserError, "not possible"):
            lc.action_mark_used()
        lc.action_receive()
        lc.action_confirm()
        lc.action_mark_used()
        lc.action_close()
        self.assertEqual(lc.state, "closed")
        with self.assertRaisesRegex(UserError, "Only draft"):
            lc.with_user(self.support_manager).unlink()

    def test_access_per_role(self):
        lc = self._lc()
        # the salesperson of the applicant, their coordinator, the assistant and manager see it
        for user in (self.salesperson_1, self.coordinator, self.assistant, self.support_manager):
            with self.subTest(user=user.login):
                self.assertEqual(self.LC.with_user(user).search([("id", "=", lc.id)]), lc)
        # another salesperson and another coordinator do not
        for user in (self.salesperson_3, self.coordinator_2):
            with self.subTest(user=user.login):
                self.assertFalse(self.LC.with_user(user).search([("id", "=", lc.id)]))
                with self.assertRaises(AccessError):
                    lc.with_user(user).read(["name"])
        # the assistant reads, but writes nothing
        with self.assertRaises(AccessError):
            lc.with_user(self.assistant).amount = 1.0
        with self.assertRaises(AccessError):
            self._lc(user=self.assistant, name="BY-ASSISTANT")
        # amendments and discrepancies follow their letter of credit
        self.env["sales.letter.of.credit.discrepancy"].create(
            {"letter_of_credit_id": lc.id, "name": "Typo in the invoice"}
        )
        Discrepancy = self.env["sales.letter.of.credit.discrepancy"]
        self.assertEqual(Discrepancy.with_user(self.coordinator).search_count([]), 1)
        self.assertEqual(Discrepancy.with_user(self.coordinator_2).search_count([]), 0)

    def test_multi_company(self):
        other = self.env["res.company"].create({"name": "Branch LC"})
        lc = self._lc(company_id=other.id)
        self.assertFalse(
            self.LC.with_user(self.support_manager).search([("id", "=", lc.id)]),
            "managers see all of their companies, not other companies",
        )

    def _ship(self, order, user):
        picking = order.picking_ids.with_user(user)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        return picking

    def test_default_template_blocks_lc_orders_only(self):
        """The data template "Letter of Credit" (not archived here): the pre-shipment documents
        of an order paid by a letter of credit block its delivery, with the list of what is
        missing; a plain order of the same customer (no letter of credit) is not blocked."""
        goods = self.env["product.product"].create(
            {"name": "LC Crate", "type": "consu", "list_price": 100.0}
        )
        lc = self._lc(user=self.coordinator)
        lc.with_user(self.coordinator).action_receive()

        def order(**values):
            return (
                self.env["sale.order"]
                .with_user(self.coordinator)
                .create(
                    {
                        "partner_id": self.customer_il.id,
                        "user_id": self.salesperson_1.id,
                        "order_line": [Command.create({"product_id": goods.id})],
                        **values,
                    }
                )
            )

        with_lc = order(letter_of_credit_id=lc.id)
        codes = {d.document_type_id.code: d for d in with_lc.support_document_ids}
        self.assertEqual(
            {code for code, doc in codes.items() if doc.blocks == "delivery"},
            {"CI", "PL", "INS"},
        )
        self.assertEqual(
            {code for code, doc in codes.items() if doc.blocks == "invoicing"},
            {"BL", "BOE", "BEN"},
        )
        with_lc.with_user(self.coordinator).action_confirm()
        with self.assertRaises(UserError) as caught:
            self._ship(with_lc, self.coordinator)
        message = str(caught.exception)
        self.assertIn("Delivery Validation is blocked", message)
        self.assertIn(with_lc.name, message)
        for name in ("Commercial Invoice", "Packing List", "Insurance Certificate"):
            self.assertIn(name, message)
        self.assertNotIn("Bill of Lading", message, "it blocks the invoice, not the delivery")
        self.assertEqual(with_lc.picking_ids.state, "assigned")
        # the documents ready: the delivery goes
        (codes["CI"] | codes["PL"] | codes["INS"]).with_user(self.coordinator).action_mark_ready()
        self.assertEqual(self._ship(with_lc, self.coordinator).state, "done")

        # the same customer without a letter of credit: no LC document, nothing blocks
        plain = order()
        self.assertFalse(
            plain.support_document_ids.filtered(
                lambda d: d.template_id
                == self.env.ref("sales_support.checklist_template_letter_of_credit")
            )
        )
        self.assertFalse(plain._checklist_missing("delivery"))
        plain.with_user(self.coordinator).action_confirm()
        self.assertEqual(self._ship(plain, self.coordinator).state, "done")
