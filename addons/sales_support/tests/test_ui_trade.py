"""Browser tours of the foreign-trade paperwork: a coordinator submits a tender from its form;
a coordinator records a letter of credit and prepares the documents of the order it pays."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .test_ui import SalesSupportHttpCase


@tagged("post_install", "-at_install")
class TestUiTrade(SalesSupportHttpCase):
    def _salesperson(self):
        return self.env["res.users"].search([("login", "=", "sales01")])

    def _goods(self):
        return self.env["product.product"].create(
            {"name": "Tour Export Desk", "type": "consu", "list_price": 400.0}
        )

    def test_coordinator_submits_a_tender(self):
        self._require_browser()
        coordinator = self._role_user("coordinator")
        salesperson = self._salesperson()
        customer = self.env["res.partner"].create(
            {"name": "Tour School District", "is_company": True, "user_id": salesperson.id}
        )
        tender = self.env["sales.tender"].create(
            {
                "partner_id": customer.id,
                "user_id": salesperson.id,
                "coordinator_id": coordinator.id,
                "customer_reference": "RFQ-TOUR-7",
                "date_submission_deadline": fields.Datetime.now() + timedelta(days=7),
                "line_ids": [
                    Command.create(
                        {"product_id": self._goods().id, "quantity": 5, "price_unit": 380.0}
                    )
                ],
            }
        )
        tender.action_go()
        self.assertEqual(tender.checklist_progress, "0 / 4 ready")
        self.start_tour(
            f"/odoo/action-sales_support.sales_tender_action/{tender.id}",
            "sales_support_tender_tour",
            login="coordinator",
        )
        self.assertEqual(tender.state, "submitted")
        self.assertTrue(tender.date_submitted)
        self.assertEqual(set(tender.support_document_ids.mapped("state")), {"ready"})
        self.assertEqual(
            tender.support_document_ids.mapped("write_uid"), coordinator, "done by the coordinator"
        )
        event = self.env["sales.support.o2c.event"].search(
            [("tender_id", "=", tender.id), ("event_type", "=", "tender_submitted")]
        )
        self.assertEqual(event.user_id, coordinator, "the submission is in the ledger")

    def test_coordinator_records_a_letter_of_credit_and_its_documents(self):
        self._require_browser()
        coordinator = self._role_user("coordinator")
        salesperson = self._salesperson()
        self.env.company.country_id = self.env.ref("base.us")
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Importer Ltd",
                "is_company": True,
                "user_id": salesperson.id,
                "country_id": self.env.ref("base.il").id,
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": salesperson.id,
                "order_line": [
                    Command.create({"product_id": self._goods().id, "product_uom_qty": 10})
                ],
            }
        )
        self.assertEqual(order.coordinator_id, coordinator)
        self.start_tour(
            "/odoo/action-sales_support.sales_letter_of_credit_action/new",
            "sales_support_letter_of_credit_tour",
            login="coordinator",
        )
        lc = self.env["sales.letter.of.credit"].search([("name", "=", "ILC/TOUR/0042")])
        today = fields.Date.context_today(coordinator)
        self.assertRecordValues(
            lc,
            [
                {
                    "partner_id": customer.id,
                    "amount": 20000.0,
                    "tolerance": 10.0,
                    "amount_max": 22000.0,
                    "state": "received",
                    "date_latest_shipment": today + timedelta(days=30),
                    "date_expiry": today + timedelta(days=60),
                    "date_presentation_deadline": today + timedelta(days=51),
                    "coordinator_id": coordinator.id,
                    "create_uid": coordinator.id,
                    "open_discrepancy_count": 1,
                }
            ],
        )
        self.assertIn("gross weight", lc.discrepancy_ids.name)

        self.start_tour(
            f"/odoo/action-sales_support.sale_order_action_support/{order.id}",
            "sales_support_letter_of_credit_documents_tour",
            login="coordinator",
        )
        self.assertEqual(order.letter_of_credit_id, lc)
        self.assertEqual(order.state, "sale")
        docs = {d.document_type_id.code: d for d in order.support_document_ids}
        for code in ("CI", "PL", "INS"):
            self.assertEqual((docs[code].blocks, docs[code].state), ("delivery", "ready"), code)
        self.assertEqual(docs["BL"].state, "to_prepare")
        self.assertFalse(order._checklist_missing("delivery"))
        self.assertEqual(lc.amount_used, order.amount_total)
