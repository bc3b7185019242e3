from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SalesSupportRequestCommon


@tagged("post_install", "-at_install")
class TestRequest(SalesSupportRequestCommon):
    def test_sla_in_working_hours(self):
        # Friday 16 January 2026, 17:00 in Brussels (UTC+1) = 16:00 UTC: logged by the coordinator
        request = self._request(user=self.coordinator, date_received=datetime(2026, 1, 16, 16, 0))
        self.assertTrue(request.name.startswith("REQ/"))
        self.assertEqual(request.coordinator_id, self.coordinator)
        self.assertEqual(request.user_id, self.salesperson_1)
        # 4 working hours: Monday 8:00-12:00 Brussels = 11:00 UTC
        self.assertEqual(request.date_first_response_deadline, datetime(2026, 1, 19, 11, 0))
        # 16 working hours: Monday 9 h + Tuesday 8:00-15:00 Brussels = 14:00 UTC
        self.assertEqual(request.date_resolution_deadline, datetime(2026, 1, 20, 14, 0))
        # a priority-specific SLA (set by the support manager) wins over the type's default
        self.env["sales.support.request.sla"].with_user(self.support_manager).create(
            {
                "type_id": self.rtype.id,
                "priority": "3",
                "first_response_hours": 1,
                "resolution_hours": 9,
            }
        )
        request.with_user(self.coordinator).priority = "3"
        self.assertEqual(request.date_first_response_deadline, datetime(2026, 1, 19, 8, 0))

    def test_sla_status_and_late_cron(self):
        # Adapted on purpose: "at risk" is now 75 % of the WORKING hours (3 of 4 h: Monday 11:00
        # Brussels), not of the wall-clock window; the status is stored and stamped by the cron,
        # which warns the coordinator when at risk AND when overdue.
        request = self._request(user=self.coordinator, date_received=datetime(2026, 1, 16, 16, 0))
        Request = self.env["sales.support.request"]
        with freeze_time("2026-01-16 17:00:00"):
            Request._cron_sla_late_activities()
            self.assertEqual(request.sla_status, "on_time")
            self.assertIn(request, Request.search([("sla_status", "=", "on_time")]))
        with freeze_time("2026-01-19 09:00:00"):  # Monday 10:00 Brussels: 2 of the 4 h used
            Request._cron_sla_late_activities()
            self.assertEqual(request.sla_status, "on_time")
            self.assertFalse(request.activity_ids)
        with freeze_time("2026-01-19 10:30:00"):  # Monday 11:30 Brussels: 3.5 of 4 h used
            Request._cron_sla_late_activities()
            self.assertEqual(request.sla_status, "at_risk")
            self.assertIn(request, Request.search([("sla_status", "=", "at_risk")]))
            self.assertNotIn(request, Request.search([("sla_status", "=", "breached")]))
            self.assertEqual(
                request.activity_ids.activity_type_id,
                self.env.ref("sales_support.mail_activity_type_request_at_risk"),
            )
        with freeze_time("2026-01-19 11:30:00"):  # Monday 12:30 Brussels: first response overdue
            Request._cron_sla_late_activities()
            self.assertEqual(request.sla_status, "breached")
            self.assertTrue(request.is_first_response_breached)
            self.assertIn(request, Request.search([("sla_status", "in", ["breached"])]))
            late = request.activity_ids.filtered(
                lambda a: a.activity_type_id
                == self.env.ref("sales_support.mail_activity_type_request_late")
            )
            self.assertEqual(len(late), 1)
            self.assertEqual(late.user_id, self.coordinator)
            activities = request.activity_ids
            Request._cron_sla_late_activities()
            self.assertEqual(
                request.activity_ids, activities, "no second activity for the same deadline"
            )
            request.with_user(self.coordinator).action_start()
        self.assertEqual(request.date_first_response, datetime(2026, 1, 19, 11, 30))
        self.assertTrue(request.is_first_response_breached)
        # Adapted on purpose: durations are in working hours (Monday 8:00 to 12:30 Brussels)
        self.assertAlmostEqual(request.first_response_hours, 4.5)

    def test_first_response_stamps(self):
        with freeze_time("2026-02-02 09:00:00"):
            request = self._request(user=self.coordinator)
            self.assertFalse(request.date_first_response)
            request.with_user(self.coordinator).message_post(
                body="internal", message_type="comment", subtype_xmlid="mail.mt_note"
            )
            self.assertFalse(request.date_first_response, "an internal note is no response")
        with freeze_time("2026-02-02 10:15:00"):
            request.with_user(self.coordinator).message_post(
                body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self.assertEqual(request.date_first_response, datetime(2026, 2, 2, 10, 15))
            self.assertEqual(request.first_response_hours, 1.25)
        with freeze_time("2026-02-03 10:00:00"):
            request.with_user(self.coordinator).action_done()
            self.assertEqual(request.date_done, datetime(2026, 2, 3, 10, 0))
            self.assertFalse(request.is_resolution_breached)
        request.with_user(self.coordinator).action_reset()
        self.assertFalse(request.date_done)
        self.assertEqual(
            request.date_first_response, datetime(2026, 2, 2, 10, 15), "first response is kept"
        )

    def test_request_from_email(self):
        raw = (
            "From: Customer One <buyer@customer-one.example.com>\r\n"
            "To: sales-support@example.com\r\n"
            "Subject: Price of 300 lathes?\r\n"
            "Message-ID: <test-request-1@customer-one.example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Hello, please send a quotation.\r\n"
        )
        request_id = self.env["mail.thread"].message_process("sales.support.request", raw)
        request = self.env["sales.support.request"].browse(request_id)
        self.assertEqual(request.subject, "Price of 300 lathes?")
        self.assertEqual(request.channel, "email")
        self.assertEqual(request.partner_id, self.customer_1)
        self.assertEqual(request.coordinator_id, self.coordinator)
        self.assertIn("please send a quotation", request.description)
        alias = self.env.ref("sales_support.mail_alias_sales_support_request")
        self.assertEqual(alias.alias_model_id.model, "sales.support.request")

    def test_quotation_and_claim_from_request(self):
        request = self._request(user=self.salesperson_1, channel="meeting")
        self.assertEqual(request.requester_id, self.salesperson_1)
        action = request.with_user(self.coordinator).action_create_quotation()
        order = self.env["sale.order"].browse(action["res_id"])
        self.assertEqual(order.partner_id, self.customer_1)
        self.assertEqual(order.user_id, self.salesperson_1)
        self.assertEqual(order.support_request_id, request)
        self.assertEqual(order.date_o2c_request, request.date_received)
        self.assertEqual(request.order_ids, order)
        self.assertEqual(request.order_count, 1)
        self.assertEqual(request.state, "in_progress")
        self.assertTrue(request.date_first_response, "starting work is the first response")
        self.assertEqual(
            order.with_user(self.coordinator).action_view_support_request()["res_id"], request.id
        )
        claim = self.env["sales.support.claim"].browse(
            request.with_user(self.coordinator).action_create_claim()["res_id"]
        )
        self.assertEqual(claim.request_id, request)
        self.assertEqual(claim.partner_id, self.customer_1)
        self.assertEqual(request.claim_count, 1)

    def test_contact_of_another_company_refused(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        stranger = self.env["res.partner"].create(
            {"name": "Stranger", "company_id": other_company.id}
        )
        count = self.env["sales.support.request"].search_count([])
        with self.assertRefused(ValidationError, "belongs to Other Co"):
            self._request(user=self.salesperson_1, partner_id=stranger.id)
        self.assertEqual(
            self.env["sales.support.request"].search_count([]), count, "nothing written"
        )

    def test_requests_access_like_orders(self):
        mine = self._request()
        theirs = self._request(partner_id=self.customer_3.id)
        self.assertEqual(theirs.coordinator_id, self.coordinator_2)
        Request = self.env["sales.support.request"].with_user(self.coordinator)
        self.assertEqual(Request.search([("id", "in", (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.coordinator).read(["subject"])
        # a salesperson asks the coordinator for a quotation
        asked = (
            self.env["sales.support.request"]
            .with_user(self.salesperson_1)
            .create(
                {
                    "subject": "Quote please",
                    "partner_id": self.customer_1.id,
                    "type_id": self.rtype.id,
                }
            )
        )
        self.assertEqual(asked.requester_id, self.salesperson_1)
        self.assertEqual(asked.coordinator_id, self.coordinator)
        self.assertNotIn(
            theirs, self.env["sales.support.request"].with_user(self.salesperson_1).search([])
        )

    def test_coordinator_of_requests_and_claims_checked(self):
        """The same rules as an order's coordinator, whatever the client (forms or RPC): no
        assistant, no archived user, nobody who does not work for the record's company; a
        coordinator who can no longer coordinate is not kept when the contact changes."""
        company_b = self.env["res.company"].create({"name": "Company B"})
        coordinator_b = new_test_user(
            self.env,
            login="ss_coordinator_b",
            groups="sales_support.group_support_coordinator",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        retired = new_test_user(
            self.env,
            login="ss_coordinator_retired",
            groups="sales_support.group_support_coordinator",
            company_id=self.company.id,
        )
        retired.action_archive()
        request = self._request(user=self.coordinator)
        claim = (
            self.env["sales.support.claim"]
            .with_user(self.coordinator)
            .create({"partner_id": self.customer_1.id, "claim_type": "late"})
        )
        self.assertEqual(claim.coordinator_id, self.coordinator)
        for record in (request, claim):
            record = record.with_user(self.support_manager)
            for user, reason in (
                (self.assistant, "is an assistant and cannot be the coordinator of"),
                (retired, "is archived and cannot be the coordinator of"),
                (coordinator_b, "does not work for .* and cannot be the coordinator of"),
                (self.salesperson_2, "is in no Sales Support group"),
            ):
                with self.assertRefused(ValidationError, reason):
                    record.write({"coordinator_id": user.id})
            self.assertEqual(record.coordinator_id, self.coordinator)
            self.assertIn(
                "('support_level', 'in', ('coordinator', 'manager'))",
                record._fields["coordinator_id"].domain,
            )
            self.assertIn(
                "('company_ids', 'in', company_id)", record._fields["coordinator_id"].domain
            )
        # a coordinator who can no longer coordinate is not kept when the contact changes
        request_3 = self._request(user=self.coordinator_2, partner_id=self.customer_3.id)
        claim_3 = (
            self.env["sales.support.claim"]
            .with_user(self.coordinator_2)
            .create({"partner_id": self.customer_3.id, "claim_type": "late"})
        )
        self.assertEqual(request_3.coordinator_id, self.coordinator_2)
        self.assertEqual(claim_3.coordinator_id, self.coordinator_2)
        self.coordinator_2.action_archive()
        buyer_3 = self.env["res.partner"].create(
            {"name": "Buyer of Customer 3", "parent_id": self.customer_3.id}
        )
        request_3.with_user(self.support_manager).partner_id = buyer_3
        claim_3.with_user(self.support_manager).partner_id = buyer_3
        self.assertFalse(request_3.coordinator_id, "not the archived coordinator")
        self.assertFalse(claim_3.coordinator_id, "not the archived coordinator")
