from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestRequest(SalesSupportCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Monday-Friday 8:00-17:00 in Brussels, no lunch break
        cls.calendar = cls.env["resource.calendar"].create({
            "name": "Mon-Fri 8-17", "tz": "Europe/Brussels", "company_id": cls.company.id,
            "attendance_ids": [Command.clear()] + [
                Command.create({"name": f"Day {day}", "dayofweek": str(day), "hour_from": 8, "hour_to": 17,
                                "day_period": "morning"})
                for day in range(5)
            ],
        })
        cls.company.resource_calendar_id = cls.calendar
        cls.rtype = cls.env["sales.support.request.type"].create({
            "name": "Quote", "code": "test_quote", "first_response_hours": 4, "resolution_hours": 16})
        cls.customer_1.email = "buyer@customer-one.example.com"

    def _request(self, **values):
        return self.env["sales.support.request"].create({
            "subject": "Need a quote", "partner_id": self.customer_1.id, "type_id": self.rtype.id, **values})

    def test_sla_in_working_hours(self):
        # Friday 16 January 2026, 17:00 in Brussels (UTC+1) = 16:00 UTC
        request = self._request(date_received=datetime(2026, 1, 16, 16, 0))
        self.assertTrue(request.name.startswith("REQ/"))
        self.assertEqual(request.coordinator_id, self.coordinator)
        self.assertEqual(request.user_id, self.salesperson_1)
        # 4 working hours: Monday 8:00-12:00 Brussels = 11:00 UTC
        self.assertEqual(request.date_first_response_deadline, datetime(2026, 1, 19, 11, 0))
        # 16 working hours: Monday 9 h + Tuesday 8:00-15:00 Brussels = 14:00 UTC
        self.assertEqual(request.date_resolution_deadline, datetime(2026, 1, 20, 14, 0))
        # a priority-specific SLA wins over the type's default
        self.env["sales.support.request.sla"].create({
            "type_id": self.rtype.id, "priority": "3", "first_response_hours": 1, "resolution_hours": 9})
        request.priority = "3"
        self.assertEqual(request.date_first_response_deadline, datetime(2026, 1, 19, 8, 0))

    def test_sla_status_and_late_cron(self):
        request = self._request(date_received=datetime(2026, 1, 16, 16, 0))
        Request = self.env["sales.support.request"]
        with freeze_time("2026-01-16 17:00:00"):
            self.assertEqual(request.sla_status, "on_time")
            self.assertIn(request, Request.search([("sla_status", "=", "on_time")]))
        with freeze_time("2026-01-19 09:00:00"):  # Monday 10:00 Brussels: 75 % of the window gone
            request.invalidate_recordset(["sla_status"])
            self.assertEqual(request.sla_status, "at_risk")
            self.assertIn(request, Request.search([("sla_status", "=", "at_risk")]))
            self.assertNotIn(request, Request.search([("sla_status", "=", "breached")]))
        with freeze_time("2026-01-19 11:30:00"):  # Monday 12:30 Brussels: first response overdue
            request.invalidate_recordset(["sla_status"])
            self.assertEqual(request.sla_status, "breached")
            self.assertIn(request, Request.search([("sla_status", "in", ["breached"])]))
            Request._cron_sla_late_activities()
            activities = request.activity_ids
            self.assertEqual(len(activities), 1)
            self.assertEqual(activities.user_id, self.coordinator)
            self.assertEqual(activities.activity_type_id, self.env.ref("sales_support.mail_activity_type_request_late"))
            Request._cron_sla_late_activities()
            self.assertEqual(request.activity_ids, activities, "no second activity for the same deadline")
            request.action_start()
        self.assertEqual(request.date_first_response, datetime(2026, 1, 19, 11, 30))
        self.assertTrue(request.is_first_response_breached)
        self.assertGreater(request.first_response_hours, 67)

    def test_first_response_stamps(self):
        with freeze_time("2026-02-02 09:00:00"):
            request = self._request()
            self.assertFalse(request.date_first_response)
            request.with_user(self.coordinator).message_post(
                body="internal", message_type="comment", subtype_xmlid="mail.mt_note")
            self.assertFalse(request.date_first_response, "an internal note is no response")
        with freeze_time("2026-02-02 10:15:00"):
            request.with_user(self.coordinator).message_post(
                body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment")
            self.assertEqual(request.date_first_response, datetime(2026, 2, 2, 10, 15))
            self.assertEqual(request.first_response_hours, 1.25)
        with freeze_time("2026-02-03 10:00:00"):
            request.action_done()
            self.assertEqual(request.date_done, datetime(2026, 2, 3, 10, 0))
            self.assertFalse(request.is_resolution_breached)
        request.action_reset()
        self.assertFalse(request.date_done)
        self.assertEqual(request.date_first_response, datetime(2026, 2, 2, 10, 15), "first response is kept")

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
        request = self._request(channel="meeting", requester_id=self.salesperson_1.id)
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
        self.assertEqual(order.action_view_support_request()["res_id"], request.id)
        claim = self.env["sales.support.claim"].browse(request.action_create_claim()["res_id"])
        self.assertEqual(claim.request_id, request)
        self.assertEqual(claim.partner_id, self.customer_1)
        self.assertEqual(request.claim_count, 1)

    def test_contact_of_another_company_refused(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        stranger = self.env["res.partner"].create({"name": "Stranger", "company_id": other_company.id})
        count = self.env["sales.support.request"].search_count([])
        with self.assertRefused(ValidationError, "belongs to Other Co"):
            self._request(partner_id=stranger.id)
        self.assertEqual(self.env["sales.support.request"].search_count([]), count, "nothing written")

    def test_requests_access_like_orders(self):
        mine = self._request()
        theirs = self._request(partner_id=self.customer_3.id)
        self.assertEqual(theirs.coordinator_id, self.coordinator_2)
        Request = self.env["sales.support.request"].with_user(self.coordinator)
        self.assertEqual(Request.search([("id", "in", (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.coordinator).read(["subject"])
        # a salesperson asks the coordinator for a quotation
        asked = self.env["sales.support.request"].with_user(self.salesperson_1).create({
            "subject": "Quote please", "partner_id": self.customer_1.id, "type_id": self.rtype.id})
        self.assertEqual(asked.requester_id, self.salesperson_1)
        self.assertEqual(asked.coordinator_id, self.coordinator)
        self.assertNotIn(theirs, self.env["sales.support.request"].with_user(self.salesperson_1).search([]))
