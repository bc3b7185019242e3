from datetime import datetime

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SalesSupportRequestCommon

MONDAY_8 = datetime(2026, 1, 19, 7, 0)  # Monday 8:00 Brussels


@tagged("post_install", "-at_install")
class TestRequestReport(SalesSupportRequestCommon):
    def setUp(self):
        super().setUp()
        with freeze_time(MONDAY_8):
            self.answered = self._request(user=self.coordinator, date_received=MONDAY_8)
            self.waiting = self._request(user=self.coordinator, date_received=MONDAY_8)
            self.other = self._request(
                user=self.coordinator, date_received=MONDAY_8, channel="email"
            )
        with freeze_time("2026-01-19 09:00:00"):  # 2 working hours later
            self.answered.with_user(self.coordinator).action_start()
        with freeze_time("2026-01-19 11:00:00"):  # 4 working hours later
            self.other.with_user(self.coordinator).action_start()
        with freeze_time("2026-01-20 08:00:00"):  # Tuesday 9:00 Brussels: 10 working hours
            self.answered.with_user(self.coordinator).action_done()
        self.requests = self.answered | self.waiting | self.other

    def test_durations_null_until_reached(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, first_response_hours, resolution_hours FROM sales_support_request "
            "WHERE id IN %s",
            [tuple(self.requests.ids)],
        )
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.assertEqual(rows[self.waiting.id], (None, None), "not reached: NULL, not 0.0")
        self.assertEqual(rows[self.answered.id], (2.0, 10.0))
        self.assertEqual(rows[self.other.id], (4.0, None))
        # averages over the requests skip those not reached
        Request = self.env["sales.support.request"].with_user(self.support_manager)
        [(first_avg, resolution_avg)] = Request._read_group(
            [("id", "in", self.requests.ids)],
            [],
            ["first_response_hours:avg", "resolution_hours:avg"],
        )
        self.assertEqual(first_avg, 3.0)
        self.assertEqual(resolution_avg, 10.0)

    def test_report_one_row_per_request_for_managers(self):
        Report = self.env["sales.support.request.report"].with_user(self.support_manager)
        rows = Report.search([("request_id", "in", self.requests.ids)])
        self.assertEqual(rows.request_id, self.requests)
        row = rows.filtered(lambda r: r.request_id == self.answered)
        self.assertEqual((row.first_response_hours, row.resolution_hours), (2.0, 10.0))
        self.assertEqual(
            row.resolution_clock_hours, 25.0, "wall-clock: Monday 8:00 to Tuesday 9:00"
        )
        self.assertEqual(
            (row.coordinator_id, row.user_id, row.partner_id, row.type_id),
            (self.coordinator, self.salesperson_1, self.customer_1, self.rtype),
        )
        groups = Report._read_group(
            [("request_id", "in", self.requests.ids)],
            ["channel"],
            [
                "__count",
                "first_response_hours:avg",
                "resolution_hours:avg",
                "resolution_clock_hours:avg",
            ],
        )
        by_channel = {channel: values for channel, *values in groups}
        self.assertEqual(
            by_channel["phone"], [2, 2.0, 10.0, 25.0], "the waiting request is not averaged"
        )
        self.assertEqual(by_channel["email"][:2], [1, 4.0])
        self.assertIs(by_channel["email"][2], False, "no average of nothing, not 0 h")
        self.assertIs(by_channel["email"][3], False)
        by_status = dict(
            Report._read_group(
                [("request_id", "in", self.requests.ids)], ["sla_status"], ["__count"]
            )
        )
        self.assertEqual(sum(by_status.values()), 3)
        # pivot and graph views, and the menu under Sales Support > Reporting
        views = Report.get_views([(False, "pivot"), (False, "graph"), (False, "search")])["views"]
        self.assertIn("sla_status", views["pivot"]["arch"])
        search = etree.fromstring(views["search"]["arch"])
        self.assertIn("{'group_by': 'sla_status'}", search.xpath("//group/filter/@context"))
        menu = self.env.ref("sales_support.menu_sales_support_request_report")
        self.assertEqual(menu.parent_id, self.env.ref("sales_support.menu_sales_support_reporting"))
        visible = self.env["ir.ui.menu"].with_user(self.support_manager)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertNotIn(
            menu.id, self.env["ir.ui.menu"].with_user(self.coordinator)._visible_menu_ids()
        )

    def test_report_refused_to_coordinators(self):
        with self.assertRaises(AccessError):
            self.env["sales.support.request.report"].with_user(self.coordinator).search([])
