from datetime import datetime

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import file_open
from odoo.tools.safe_eval import safe_eval

from .common import SalesSupportRequestCommon

# Buttons of the request form a coordinator or a salesperson sees, by state (a quotation request).
COORDINATOR_BUTTONS = {
    "new": {"Start", "Wait for Customer", "Create Quotation", "Open Claim", "Cancel"},
    "in_progress": {"Wait for Customer", "Done", "Create Quotation", "Open Claim", "Cancel"},
    "waiting": {"Resume", "Done", "Cancel"},
    "done": {"Reopen"},
    "cancel": {"Reopen"},
}


@tagged("post_install", "-at_install")
class TestRequestFlow(SalesSupportRequestCommon):
    def _header_buttons(self, user):
        """[(method, label, invisible expression)] of the request form's header, as ``user``
        gets it."""
        views = self.env["sales.support.request"].with_user(user).get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        return [
            (b.get("name"), b.get("string"), b.get("invisible") or "False")
            for b in arch.xpath("//header/button")
        ]

    def _visible(self, buttons, **values):
        return [
            (name, label)
            for name, label, invisible in buttons
            if not safe_eval(invisible, dict(values))
        ]

    def _request_in(self, state, user):
        request = self._request(user=user)
        if state == "in_progress":
            request.with_user(user).action_start()
        elif state == "waiting":
            request.with_user(user).action_wait()
        elif state == "done":
            request.with_user(user).action_done()
        elif state == "cancel":
            request.with_user(user).action_cancel()
        self.assertEqual(request.state, state)
        return request

    # ------------------------------------------------------------
    # 9. Buttons that fit the state and the role, and work when shown
    # ------------------------------------------------------------
    def test_buttons_fit_state_and_role(self):
        for user in (self.coordinator, self.salesperson_1):
            buttons = self._header_buttons(user)
            for state, labels in COORDINATOR_BUTTONS.items():
                with self.subTest(user=user.login, state=state):
                    visible = self._visible(
                        buttons, state=state, is_quotation_request=True, order_count=0
                    )
                    self.assertEqual({label for _name, label in visible}, labels)
                    self.assertEqual(len(visible), len(labels), "each button once")
                    # every button shown works for this user
                    for method, _label in visible:
                        request = self._request_in(state, user)
                        getattr(request.with_user(user), method)()
            # another type: Create Quotation is still there, once
            visible = self._visible(buttons, state="new", is_quotation_request=False, order_count=0)
            self.assertEqual([label for _name, label in visible].count("Create Quotation"), 1)
        # assistants read requests (of the coordinators they assist) and change none: no button
        self.assertEqual(self._header_buttons(self.assistant), [])

    def test_assistant_refused_in_plain_words(self):
        request = self._request(user=self.coordinator)
        self.assertEqual(request.with_user(self.assistant).read(["state"])[0]["state"], "new")
        with self.assertRefused(
            AccessError,
            r"Only salespeople and coordinators prepare quotations: ask "
            r"Ss Coordinator to quote request REQ/",
        ):
            request.with_user(self.assistant).action_create_quotation()
        with self.assertRefused(AccessError, "Only coordinators and salespeople open claims"):
            request.with_user(self.assistant).action_create_claim()
        self.assertFalse(request.order_ids)
        self.assertEqual(request.state, "new")

    # ------------------------------------------------------------
    # 10. First Response At shows right after sending a message
    # ------------------------------------------------------------
    def test_chatter_reloads_the_form_on_post(self):
        arch = etree.fromstring(self.env.ref("sales_support.sales_support_request_view_form").arch)
        self.assertEqual(arch.xpath("//chatter/@reload_on_post"), ["True"])
        with file_open("mail/static/src/chatter/web/form_compiler.js") as compiler:
            self.assertIn(
                'getAttribute("reload_on_post")',
                compiler.read(),
                "Odoo's chatter still knows reload_on_post",
            )

    # ------------------------------------------------------------
    # 11. The next deadline and the time left
    # ------------------------------------------------------------
    def test_next_deadline_and_time_left(self):
        Request = self.env["sales.support.request"].with_user(self.coordinator)
        with freeze_time("2026-01-19 07:00:00"):  # Monday 8:00 Brussels
            request = self._request(user=self.coordinator)
            self.assertEqual(
                request.date_next_deadline, datetime(2026, 1, 19, 11, 0), "first response first"
            )
            self.assertEqual(request.sla_time_left, "4 h 0 min left")
            self.assertIn(
                request, Request.search([("date_next_deadline", "<=", "2026-01-19 11:00:00")])
            )
        with freeze_time("2026-01-19 11:20:00"):
            request.invalidate_recordset(["sla_time_left"])
            self.assertEqual(request.sla_time_left, "Late by 20 min")
            request.with_user(self.coordinator).message_post(
                body="On it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self.assertEqual(
                request.date_next_deadline, datetime(2026, 1, 20, 14, 0), "then the resolution"
            )
            self.assertEqual(request.sla_time_left, "1 d 2 h left")
            self.assertNotIn(
                request, Request.search([("date_next_deadline", "<=", "2026-01-19 11:00:00")])
            )
            request.with_user(self.coordinator).action_wait()
            self.assertFalse(request.date_next_deadline)
            self.assertEqual(request.sla_time_left, "Paused")
            request.with_user(self.coordinator).action_done()
            self.assertFalse(request.date_next_deadline)
            self.assertFalse(request.sla_time_left)
        list_arch = etree.fromstring(Request.get_views([(False, "list")])["views"]["list"]["arch"])
        columns = list_arch.xpath("//field/@name")
        self.assertIn("date_next_deadline", columns)
        self.assertIn("sla_time_left", columns)
        self.assertEqual(
            list_arch.xpath("//field[@name='date_first_response_deadline']/@optional"), ["hide"]
        )

    # ------------------------------------------------------------
    # 12. Create Quotation carries the customer's text and products
    # ------------------------------------------------------------
    def test_quotation_carries_text_and_products(self):
        request = self._request(
            user=self.coordinator,
            description="<p>Please quote 3 lathes and 20 blue chairs</p>",
            line_ids=[
                Command.create({"product_id": self.lathe.id, "product_uom_qty": 3}),
                Command.create({"name": "20 blue chairs, like last year"}),
            ],
        )
        action = request.with_user(self.coordinator).action_create_quotation()
        order = self.env["sale.order"].browse(action["res_id"])
        product_lines = order.order_line.filtered("product_id")
        self.assertEqual(product_lines.product_id, self.lathe)
        self.assertEqual(product_lines.product_uom_qty, 3)
        self.assertEqual(product_lines.price_unit, 1000.0)
        note = order.order_line.filtered(lambda line: line.display_type == "line_note")
        self.assertEqual(note.name, "20 blue chairs, like last year")
        internal = order.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_note")
        )
        self.assertIn("Please quote 3 lathes and 20 blue chairs", str(internal.mapped("body")))
        self.assertIn(request.name, str(internal.mapped("body")))
        self.assertFalse(
            order.note and "blue chairs" in str(order.note), "the customer's text is not printed"
        )

    # ------------------------------------------------------------
    # 13. A quotation request is closed when its quotation is sent
    # ------------------------------------------------------------
    def test_quotation_sent_closes_quotation_requests(self):
        request = self._request(user=self.salesperson_1)
        other_type = self.env["sales.support.request.type"].create(
            {"name": "Order Status", "first_response_hours": 2, "resolution_hours": 8}
        )
        status_request = self._request(user=self.salesperson_1, type_id=other_type.id)
        orders = self.env["sale.order"]
        for req in (request, status_request):
            orders |= self.env["sale.order"].browse(
                req.with_user(self.coordinator).action_create_quotation()["res_id"]
            )
        orders.write({"state": "sent"})  # as if sent: the order's own step is the lead's hook
        (request | status_request).with_user(self.coordinator)._on_quotation_sent()
        self.assertEqual(request.state, "done")
        self.assertTrue(request.date_done)
        self.assertIn(orders[0].name, request.message_ids[0].body)
        self.assertEqual(
            status_request.state, "in_progress", "only quotation requests close by rule"
        )

    def test_quotation_sent_from_the_order_closes_request(self):
        # Through Odoo's own "Mark as sent": needs the lead's hook in sale.order
        request = self._request(user=self.salesperson_1)
        order = self.env["sale.order"].browse(
            request.with_user(self.coordinator).action_create_quotation()["res_id"]
        )
        order.with_user(self.salesperson_1).action_quotation_sent()
        self.assertEqual(order.state, "sent")
        self.assertEqual(request.state, "done")
        self.assertIn(order.name, request.message_ids[0].body)

    # ------------------------------------------------------------
    # 14. Default type: quotation request
    # ------------------------------------------------------------
    def test_default_type_is_quotation_request(self):
        quotation_type = self.env.ref("sales_support.request_type_quotation")
        with Form(self.env["sales.support.request"].with_user(self.coordinator)) as form:
            self.assertEqual(form.type_id, quotation_type)
            form.subject = "20 lathes"
            form.partner_id = self.customer_1
        self.assertEqual(form.record.type_id, quotation_type)
        # archived, the next quotation-request type takes over
        quotation_type.active = False
        request = (
            self.env["sales.support.request"]
            .with_user(self.coordinator)
            .create({"subject": "20 more lathes", "partner_id": self.customer_1.id})
        )
        self.assertEqual(request.type_id, self.rtype)
