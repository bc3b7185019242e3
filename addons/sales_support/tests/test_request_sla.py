from datetime import datetime

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesSupportRequestCommon

# Monday 19 January 2026, 8:00 in Brussels = 7:00 UTC (the calendar's days are 9 h long)
MONDAY_8 = datetime(2026, 1, 19, 7, 0)


@tagged("post_install", "-at_install")
class TestRequestSla(SalesSupportRequestCommon):
    def _cron(self):
        return self.env["sales.support.request"]._cron_sla_late_activities()

    def _activities(self, request, xmlid):
        return request.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(xmlid))

    # ------------------------------------------------------------
    # 1. At risk at a share of the WORKING hours
    # ------------------------------------------------------------
    def test_at_risk_in_working_hours_not_on_sunday(self):
        # Friday 16 January 2026, 17:00 Brussels: the working day is over
        request = self._request(user=self.coordinator, date_received=datetime(2026, 1, 16, 16, 0))
        # first response: 3 of 4 working hours = Monday 11:00 Brussels (10:00 UTC)
        self.assertEqual(request.date_first_response_risk, datetime(2026, 1, 19, 10, 0))
        # resolution: 12 of 16 working hours = Monday 9 h + Tuesday 3 h = Tuesday 11:00 Brussels
        self.assertEqual(request.date_resolution_risk, datetime(2026, 1, 20, 10, 0))
        for moment in ("2026-01-17 12:00:00", "2026-01-18 20:00:00", "2026-01-19 09:55:00"):
            with freeze_time(moment):
                self._cron()
                self.assertEqual(request.sla_status, "on_time", f"not at risk at {moment} (UTC)")
                self.assertFalse(request.activity_ids)
        with freeze_time("2026-01-19 10:05:00"):
            self._cron()
            self.assertEqual(request.sla_status, "at_risk")

    # ------------------------------------------------------------
    # 2. Closed requests keep their deadlines
    # ------------------------------------------------------------
    def test_configuration_changes_move_open_requests_only(self):
        with freeze_time(MONDAY_8):
            open_request = self._request(user=self.coordinator, date_received=MONDAY_8)
            done_request = self._request(user=self.coordinator, date_received=MONDAY_8)
            cancelled = self._request(user=self.coordinator, date_received=MONDAY_8)
        with freeze_time("2026-01-19 08:00:00"):
            done_request.with_user(self.coordinator).action_done()
            cancelled.with_user(self.coordinator).action_cancel()
        kept = {
            r: (r.date_first_response_deadline, r.date_resolution_deadline, r.date_resolution_risk)
            for r in (done_request, cancelled)
        }
        self.assertEqual(open_request.date_first_response_deadline, datetime(2026, 1, 19, 11, 0))

        # the support manager shortens the type's targets
        self.rtype.with_user(self.support_manager).write(
            {"first_response_hours": 2, "resolution_hours": 8}
        )
        self.assertEqual(open_request.date_first_response_deadline, datetime(2026, 1, 19, 9, 0))
        self.assertEqual(open_request.date_resolution_deadline, datetime(2026, 1, 19, 15, 0))
        # ... adds an SLA line for normal priority
        sla = (
            self.env["sales.support.request.sla"]
            .with_user(self.support_manager)
            .create(
                {
                    "type_id": self.rtype.id,
                    "priority": "1",
                    "first_response_hours": 1,
                    "resolution_hours": 4,
                }
            )
        )
        self.assertEqual(open_request.date_first_response_deadline, datetime(2026, 1, 19, 8, 0))
        sla.with_user(self.support_manager).resolution_hours = 5
        self.assertEqual(open_request.date_resolution_deadline, datetime(2026, 1, 19, 12, 0))
        # ... and the administrator gives the company a 9:00-17:00 calendar
        late_calendar = self.calendar.copy({"name": "Mon-Fri 9-17"})
        late_calendar.attendance_ids.write({"hour_from": 9})
        self.company.with_user(self.env.ref("base.user_admin")).resource_calendar_id = late_calendar
        self.assertEqual(open_request.date_first_response_deadline, datetime(2026, 1, 19, 9, 0))
        for request, deadlines in kept.items():
            self.assertEqual(
                (
                    request.date_first_response_deadline,
                    request.date_resolution_deadline,
                    request.date_resolution_risk,
                ),
                deadlines,
                f"{request.state} request keeps its deadlines",
            )
        self.assertFalse(done_request.is_resolution_breached)
        # reopened, it is measured against today's targets again
        done_request.with_user(self.coordinator).action_reset()
        self.assertEqual(done_request.date_first_response_deadline, datetime(2026, 1, 19, 9, 0))

    # ------------------------------------------------------------
    # 3. A target of 0 hours is refused
    # ------------------------------------------------------------
    def test_zero_targets_refused(self):
        Type = self.env["sales.support.request.type"].with_user(self.support_manager)
        with self.assertRefused(
            ValidationError,
            "first-response target of Samples must be a positive "
            "number of working hours: enter for example 4",
        ):
            Type.create({"name": "Samples", "first_response_hours": 0, "resolution_hours": 8})
        with self.assertRefused(
            ValidationError, "resolution target of Quote must be a positive number"
        ):
            self.rtype.with_user(self.support_manager).resolution_hours = 0
        with self.assertRefused(
            ValidationError,
            r"resolution target of Quote, priority Urgent must be a "
            r"positive number of working hours",
        ):
            self.env["sales.support.request.sla"].with_user(self.support_manager).create(
                {
                    "type_id": self.rtype.id,
                    "priority": "3",
                    "first_response_hours": 1,
                    "resolution_hours": 0,
                }
            )
        with self.assertRefused(
            ValidationError, "cannot be shorter than its first-response target"
        ):
            self.rtype.with_user(self.support_manager).write(
                {"first_response_hours": 8, "resolution_hours": 4}
            )
        self.assertEqual(
            (self.rtype.first_response_hours, self.rtype.resolution_hours),
            (4, 16),
            "nothing written",
        )
        self.assertFalse(self.rtype.sla_ids)

    # ------------------------------------------------------------
    # 4. The contact's salesperson and coordinator follow the contact
    # ------------------------------------------------------------
    def test_contact_change_moves_salesperson_and_coordinator(self):
        request = self._request(user=self.salesperson_1)
        self.assertEqual(
            (request.user_id, request.coordinator_id), (self.salesperson_1, self.coordinator)
        )
        request.with_user(self.salesperson_1).partner_id = self.customer_3
        self.assertEqual(
            (request.user_id, request.coordinator_id), (self.salesperson_3, self.coordinator_2)
        )
        # set by hand afterwards: kept
        request.with_user(self.salesperson_1).write({"user_id": self.salesperson_2.id})
        request.with_user(self.salesperson_1).write({"coordinator_id": self.coordinator.id})
        request.with_user(self.salesperson_1).subject = "Quote for 20 lathes"
        self.assertEqual(
            (request.user_id, request.coordinator_id), (self.salesperson_2, self.coordinator)
        )
        # in the form, as the salesperson types it
        contact = self.env["res.partner"].create(
            {"name": "Buyer at Customer 3", "parent_id": self.customer_3.id}
        )
        with Form(request.with_user(self.salesperson_1)) as form:
            form.partner_id = contact
            self.assertEqual(form.user_id, self.salesperson_3)
            self.assertEqual(form.coordinator_id, self.coordinator_2)

    def test_archived_coordinator_not_assigned(self):
        self.customer_1.support_coordinator_id = self.coordinator_2
        self.coordinator_2.action_archive()
        request = self._request(user=self.salesperson_1)
        self.assertEqual(
            request.coordinator_id, self.coordinator, "the salesperson's coordinator instead"
        )

    # ------------------------------------------------------------
    # 5. The clock pauses while waiting for the customer
    # ------------------------------------------------------------
    def test_clock_pauses_while_waiting_for_customer(self):
        with freeze_time(MONDAY_8):
            request = self._request(user=self.coordinator, date_received=MONDAY_8)
        # resolution: Monday 9 h + Tuesday 7 h = Tuesday 15:00 Brussels
        self.assertEqual(request.date_resolution_deadline, datetime(2026, 1, 20, 14, 0))
        with freeze_time("2026-01-19 09:00:00"):  # Monday 10:00 Brussels: 2 working hours used
            request.with_user(self.coordinator).action_wait()
        self.assertEqual(request.state, "waiting")
        self.assertEqual(request.date_first_response, datetime(2026, 1, 19, 9, 0))
        self.assertEqual(request.date_sla_paused, datetime(2026, 1, 19, 9, 0))
        self.assertEqual(request.sla_consumed_hours, 2)
        with freeze_time("2026-01-21 12:00:00"):  # Wednesday: the old deadline passed while paused
            self._cron()
            self.assertEqual(request.sla_status, "on_time")
            self.assertFalse(request.is_resolution_breached)
            self.assertFalse(request.activity_ids, "no warning while the clock is stopped")
            self.assertEqual(request.sla_time_left, "Paused")
        with freeze_time("2026-01-22 08:00:00"):  # Thursday 9:00 Brussels: the customer answers
            request.with_user(self.coordinator).action_start()
        self.assertFalse(request.date_sla_paused)
        # 14 h left: Thursday 9:00-17:00 (8 h) + Friday 8:00-14:00 (6 h) Brussels
        self.assertEqual(request.date_resolution_deadline, datetime(2026, 1, 23, 13, 0))
        # at risk when 12 of 16 h are used: 10 h after the resume = Friday 10:00 Brussels
        self.assertEqual(request.date_resolution_risk, datetime(2026, 1, 23, 9, 0))
        self.assertEqual(
            request.date_first_response_deadline,
            datetime(2026, 1, 19, 11, 0),
            "the first response was given before the pause: its deadline stays",
        )
        with freeze_time("2026-01-23 11:00:00"):  # Friday 12:00 Brussels
            request.with_user(self.coordinator).action_done()
        self.assertFalse(request.is_resolution_breached)
        self.assertEqual(request.sla_status, "on_time")
        # 2 h on Monday + 8 h on Thursday + 4 h on Friday; the paused days do not count
        self.assertEqual(request.resolution_hours, 14)

    def test_closed_from_waiting_measured_against_moved_deadline(self):
        with freeze_time(MONDAY_8):
            request = self._request(user=self.coordinator, date_received=MONDAY_8)
        with freeze_time("2026-01-19 09:00:00"):
            request.with_user(self.coordinator).action_wait()
        with freeze_time("2026-01-21 12:00:00"):  # Wednesday: done straight from waiting
            request.with_user(self.coordinator).action_done()
        self.assertEqual(request.state, "done")
        self.assertFalse(request.is_resolution_breached)
        self.assertEqual(request.resolution_hours, 2)
        self.assertGreater(request.date_resolution_deadline, request.date_done)

    def test_sla_clock_cannot_be_forged(self):
        request = self._request(user=self.coordinator)
        for values in (
            {"date_first_response": "2020-01-01 00:00:00"},
            {"sla_consumed_hours": -100},
            {"date_resolution_deadline": "2030-01-01 00:00:00"},
            {"sla_status": "on_time"},
            {"first_response_hours": 0.1},
        ):
            with self.assertRefused(UserError, "set by the system"):
                request.with_user(self.coordinator).write(values)
        with self.assertRefused(UserError, "set by the system"):
            self._request(user=self.coordinator, date_done="2020-01-01 00:00:00")
        self.assertFalse(request.date_first_response)

    # ------------------------------------------------------------
    # 6. Warned before a breach, once per deadline, in bounded queries
    # ------------------------------------------------------------
    def test_coordinator_warned_before_and_after_breach_once(self):
        with freeze_time(MONDAY_8):
            request = self._request(user=self.coordinator, date_received=MONDAY_8)
        at_risk = "sales_support.mail_activity_type_request_at_risk"
        late = "sales_support.mail_activity_type_request_late"
        with freeze_time(
            "2026-01-19 10:15:00"
        ):  # Monday 11:15 Brussels: 45 min before the deadline
            self._cron()
            warning = self._activities(request, at_risk)
            self.assertEqual(len(warning), 1)
            self.assertEqual(warning.user_id, self.coordinator)
            # due 11:00 UTC = 12:00 in the coordinator's time zone
            self.assertIn("12:00", str(warning.note))
            self.assertNotIn("11:00", str(warning.note))
            self.assertIn("45 min left", str(warning.note))
            self.assertEqual(request.sla_first_response_notified, "at_risk")
            self._cron()
            self.assertEqual(len(request.activity_ids), 1, "warned once")
        with freeze_time("2026-01-19 11:10:00"):
            self._cron()
            self.assertEqual(len(self._activities(request, late)), 1)
            self._cron()
            self.assertEqual(len(request.activity_ids), 2)
            request.with_user(self.coordinator).message_post(
                body="Working on it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        with freeze_time("2026-01-20 10:30:00"):  # Tuesday 11:30 Brussels: 12.5 of 16 h used
            self._cron()
            resolution_warning = self._activities(request, at_risk) - warning
            self.assertEqual(len(resolution_warning), 1)
            self.assertIn("must be resolved", str(resolution_warning.note))
        with freeze_time("2026-01-20 15:00:00"):
            self._cron()
            self._cron()
            self.assertEqual(len(self._activities(request, late)), 2)
            self.assertEqual(len(request.activity_ids), 4)

    def test_cron_bounded_in_queries(self):
        Request = self.env["sales.support.request"]

        def batch(count):
            return Request.create(
                [
                    {
                        "subject": f"Quote {i}",
                        "partner_id": (self.customer_1, self.customer_3)[i % 2].id,
                        "type_id": self.rtype.id,
                        "date_received": MONDAY_8,
                    }
                    for i in range(count)
                ]
            )

        with freeze_time("2026-01-19 10:30:00"):  # every request of the batch is at risk
            self._cron()  # requests of the database (demo) warned first
            small = batch(2)
            self.env.flush_all()
            queries = self.env.cr.sql_log_count
            self._cron()
            self.env.flush_all()
            small_count = self.env.cr.sql_log_count - queries
            large = batch(12)
            self.env.flush_all()
            queries = self.env.cr.sql_log_count
            self._cron()
            self.env.flush_all()
            large_count = self.env.cr.sql_log_count - queries
        self.assertEqual(len((small | large).activity_ids), 14)
        self.assertEqual(set((small | large).mapped("sla_status")), {"at_risk"})
        self.assertLessEqual(large_count, small_count, "no query per request")

    # ------------------------------------------------------------
    # 15. SLA status: stored, groupable, plain words in the search view
    # ------------------------------------------------------------
    def test_sla_status_groupable_by_managers(self):
        with freeze_time(MONDAY_8):
            on_time = self._request(
                user=self.coordinator, date_received=datetime(2026, 1, 19, 6, 0)
            )
            breached = self._request(
                user=self.coordinator, date_received=datetime(2026, 1, 12, 7, 0)
            )
            # Friday 15:00 Brussels: 3 of 4 h used on Monday 9:00, due at 10:00 Brussels
            at_risk = self._request(
                user=self.coordinator, date_received=datetime(2026, 1, 16, 14, 0)
            )
        ids = (on_time | breached | at_risk).ids
        Request = self.env["sales.support.request"].with_user(self.support_manager)
        with freeze_time("2026-01-19 08:30:00"):
            self._cron()
            groups = dict(Request._read_group([("id", "in", ids)], ["sla_status"], ["__count"]))
        self.assertEqual(groups, {"on_time": 1, "at_risk": 1, "breached": 1})
        self.assertTrue(Request.fields_get(["sla_status"])["sla_status"]["groupable"])
        arch = etree.fromstring(Request.get_views([(False, "search")])["views"]["search"]["arch"])
        group_bys = {
            node.get("string"): node.get("context") for node in arch.xpath("//group/filter")
        }
        self.assertEqual(group_bys["SLA Status"], "{'group_by': 'sla_status'}")
        for label in group_bys:
            self.assertNotIn("notified", label.lower())
            self.assertNotIn("sla notified", label.lower())
        filters = {node.get("string") for node in arch.xpath("//filter")}
        self.assertTrue({"On Time", "At Risk", "Breached", "Waiting for Customer"} <= filters)
        # a change recomputes it at once, without waiting for the cron
        with freeze_time("2026-01-19 08:30:00"):
            at_risk.with_user(self.coordinator).message_post(
                body="Hello", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self.assertEqual(at_risk.sla_status, "on_time")

    def test_request_lines_follow_the_request(self):
        request = self._request(
            user=self.coordinator,
            line_ids=[Command.create({"product_id": self.lathe.id, "product_uom_qty": 3})],
        )
        self.assertEqual(request.line_ids.with_user(self.coordinator).product_id, self.lathe)
        with self.assertRefused(ValidationError, "must be positive"):
            request.line_ids.with_user(self.coordinator).product_uom_qty = 0
        with self.assertRefused(ValidationError, "neither a product nor a description"):
            request.with_user(self.coordinator).line_ids = [Command.create({"product_uom_qty": 2})]
        theirs = self._request(
            partner_id=self.customer_3.id, line_ids=[Command.create({"name": "20 blue chairs"})]
        )
        Line = self.env["sales.support.request.line"].with_user(self.coordinator)
        self.assertEqual(
            Line.search([("request_id", "in", (request | theirs).ids)]), request.line_ids
        )
