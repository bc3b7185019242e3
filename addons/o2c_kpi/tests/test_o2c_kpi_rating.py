from datetime import datetime

from freezegun import freeze_time

from odoo import Command, http
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.sales_support.tests.common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestO2cKpiRating(SalesSupportCommon):
    """Customers are asked once per shipped order to rate it; their answer lands on the order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.chair = cls.env["product.product"].create(
            {"name": "Chair", "is_storable": True, "list_price": 100.0}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.chair, cls.warehouse.lot_stock_id, 100
        )
        cls.customer_1.email = "buyer@customer-1.example.com"
        cls.customer_3.email = "buyer@customer-3.example.com"
        cls.template = cls.env.ref("o2c_kpi.mail_template_sale_order_rating_request")

    def _shipped_order(self, partner, when):
        with freeze_time(when):
            order = self._create_order(partner, products=self.chair)
            order.with_user(self.coordinator).action_confirm()
            for move in order.picking_ids.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            order.picking_ids.button_validate()
        self.assertEqual(order.date_o2c_shipped, when)
        return order

    def _rating_messages(self, order):
        return order.message_ids.filtered(lambda m: "/rate/" in (m.body or ""))

    def test_request_sent_once_per_shipped_order(self):
        before = self._shipped_order(self.customer_1, datetime(2026, 3, 2, 10, 0))
        with freeze_time(datetime(2026, 3, 2, 12, 0)):
            self.env["sale.order"]._cron_send_rating_requests()
            self.assertFalse(before.rating_request_date, "the option is off")
            self.company.o2c_kpi_rating_request = True
        self.assertEqual(self.company.o2c_kpi_rating_request_date_start, datetime(2026, 3, 2, 12))

        shipped = self._shipped_order(self.customer_1, datetime(2026, 3, 3, 9, 0))
        not_shipped = self._create_order(self.customer_3, products=self.chair)
        not_shipped.action_confirm()
        with freeze_time(datetime(2026, 3, 3, 10, 0)):
            self.env["sale.order"]._cron_send_rating_requests()
        self.assertEqual(shipped.rating_request_date, datetime(2026, 3, 3, 10, 0))
        self.assertFalse(before.rating_request_date, "shipped before the option was enabled")
        self.assertFalse(not_shipped.rating_request_date, "not delivered yet")
        message = self._rating_messages(shipped)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.customer_1)
        rating = shipped.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertIn(f"/rate/{rating.access_token}/5", message.body)
        self.assertEqual(rating.rated_partner_id, self.salesperson_1.partner_id)
        self.assertFalse(rating.consumed)
        self.assertFalse(rating.date_o2c_rated, "asked, not given yet")

        # a second run asks nobody again, even if the order is shipped again (a return)
        with freeze_time(datetime(2026, 3, 4, 10, 0)):
            self.env["sale.order"]._cron_send_rating_requests()
            self.assertFalse(shipped._send_rating_requests())
        self.assertEqual(len(self._rating_messages(shipped)), 1)
        self.assertEqual(shipped.rating_request_date, datetime(2026, 3, 3, 10, 0))

    def test_customer_rating_lands_on_the_order(self):
        self.company.o2c_kpi_rating_request = True
        order = self._shipped_order(self.customer_1, datetime.now().replace(microsecond=0))
        order._send_rating_requests()
        token = order.rating_ids.access_token
        self.assertTrue(token)
        # what the public /rate/<token>/submit_feedback route does, as the public user
        public_env = self.env(user=self.env.ref("base.public_user"))
        rating = public_env["rating.rating"].sudo().search([("access_token", "=", token)])
        record = public_env[rating.res_model].sudo().browse(rating.res_id)
        record.rating_apply(5, rating=rating, feedback="Fast and complete", subtype_xmlid=None)

        order.invalidate_recordset()
        self.assertEqual(order.rating_last_value, 5)
        self.assertEqual(order.rating_count, 1)
        self.assertEqual(order.rating_ids.feedback, "Fast and complete")
        self.assertTrue(order.rating_ids.consumed)
        # the satisfaction KPIs count it when given (the database's clock, as write dates)
        self.assertEqual(order.rating_ids.date_o2c_rated, self.env.cr.now())
        self.assertEqual(order.rating_ids.message_id.author_id, self.customer_1)
        # the salesperson reads it on the order
        self.assertEqual(order.with_user(self.salesperson_1).rating_last_value, 5)

    def test_rating_posted_with_a_message_is_dated(self):
        """The customer-service manager logs the score a customer gave by phone (a message
        with a rating): the rating counts from then; nobody dates it otherwise."""
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.support_manager).message_post(
            body="4 out of 5 by phone", rating_value=4, message_type="comment"
        )
        rating = order.rating_ids
        self.assertEqual(rating.rating, 4)
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.date_o2c_rated, self.env.cr.now())
        for user in (self.salesperson_1, self.support_manager):
            with self.assertRaises(UserError):
                rating.with_user(user).write({"date_o2c_rated": datetime(2026, 1, 1)})

    def test_staff_measured_cannot_rate_their_orders(self):
        """Any employee may write ratings in Odoo. The scores of orders are the satisfaction
        KPIs of the salesperson and coordinator: neither they nor the assistant give, change
        or take back one, nor create a rating of an order (its link would let them answer as
        the customer), over the UI or RPC; a sales administrator may record one."""
        order = self._create_order(self.customer_1, products=self.chair)
        token = order._rating_get_access_token()  # asked (the rating e-mail)
        rating = order.rating_ids
        order_model_id = self.env["ir.model"]._get_id("sale.order")
        for user in (self.salesperson_1, self.coordinator, self.assistant):
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    rating.with_user(user).write({"rating": 5, "consumed": True})
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    rating.with_user(user).write({"rating": 5})
                for score in ({"rating": 5, "consumed": True}, {}):
                    with self.assertRefused(UserError, "only a KPI manager"):
                        self.env["rating.rating"].with_user(user).create(
                            {
                                "res_model_id": order_model_id,
                                "res_id": order.id,
                                "partner_id": self.customer_1.id,
                                **score,
                            }
                        )
                # the rating page with the link, opened while logged in (it answers as
                # superuser for whoever follows the link)
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    self.env(user=user, su=True)["rating.rating"].search(
                        [("access_token", "=", token)]
                    ).write({"rating": 5, "feedback": "Perfect", "consumed": True})
        for user in (self.salesperson_1, self.coordinator):
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    order.with_user(user).rating_apply(5, token=token)
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    order.with_user(user).message_post(body="5/5", rating_value=5)
                # (the chatter's routes post as superuser: the logged-in user is checked)
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    order.with_user(user).sudo().message_post(body="5/5", rating_value=5)
        self.assertEqual(
            self.env["rating.rating"].search_count(
                [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
            ),
            1,
            "no rating was created",
        )
        rating.invalidate_recordset()
        self.assertFalse(rating.consumed)
        self.assertEqual(rating.rating, 0)
        self.assertFalse(rating.date_o2c_rated)
        # writing a comment stays open, and asking for a rating through the rating e-mail
        rating.with_user(self.salesperson_1).write({"feedback": "Asked by phone too"})
        other = self._create_order(self.customer_1, products=self.chair)
        self.assertTrue(other.with_user(self.coordinator)._rating_get_access_token())
        self.assertEqual(len(other.rating_ids), 1)
        # a rating of another app moved to an order with its score: refused too
        elsewhere = self.env["rating.rating"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.customer_1.id,
                "rating": 5,
                "consumed": True,
            }
        )
        with self.assertRefused(UserError, "Only the customer rates an order"):
            elsewhere.with_user(self.salesperson_1).write(
                {"res_model_id": order_model_id, "res_id": order.id}
            )
        # the customer, following the link (the public user, as superuser), answers
        public = self.env.ref("base.public_user")
        self.env(user=public, su=True)["rating.rating"].search(
            [("access_token", "=", token)]
        ).write({"rating": 3, "consumed": True})
        self.assertEqual(rating.rating, 3)
        # a sales administrator records the score the customer gave by phone
        administrator = new_test_user(
            self.env,
            login="kpi_sales_admin",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
        )
        rating.with_user(administrator).write({"rating": 4})
        self.assertEqual(rating.rating, 4)
        self.assertEqual(rating.date_o2c_rated, self.env.cr.now())

    def test_score_given_not_taken_back_with_its_message(self):
        """A rating given goes with its chatter message (ON DELETE CASCADE): the salesperson
        and coordinator of the order neither delete that message (directly or through the
        order) nor link the rating to another message to delete; a KPI manager who neither
        sells nor coordinates the order may, and records scores; one who coordinates it
        may not."""
        order = self._create_order(self.customer_1, products=self.chair)
        token = order._rating_get_access_token()
        public = self.env.ref("base.public_user")
        # the customer rates 1 through the link (as the rating page does)
        order.with_env(self.env(user=public, su=True)).rating_apply(1, token=token)
        rating = order.rating_ids
        message = rating.message_id
        self.assertTrue(message, "the answer is posted with its rating")
        self.assertEqual(order.coordinator_id, self.coordinator)
        for user in (self.salesperson_1, self.coordinator):
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    message.with_user(user).unlink()
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    order.with_user(user).write({"message_ids": [Command.delete(message.id)]})
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    order.with_user(user).write(
                        {"rating_ids": [Command.update(rating.id, {"rating": 5})]}
                    )
                note = order.with_user(user).message_post(body="Called the customer")
                with self.assertRefused(UserError, "Only the customer rates an order"):
                    rating.with_user(user).write({"message_id": note.id})
        self.assertTrue(rating.exists())
        self.assertEqual((rating.rating, rating.message_id), (1, message))
        # a KPI manager coordinating the order: their own figures
        order.coordinator_id = self.support_manager
        with self.assertRefused(UserError, "Only the customer rates an order"):
            order.with_user(self.support_manager).message_post(body="5/5", rating_value=5)
        with self.assertRefused(UserError, "Only the customer rates an order"):
            message.with_user(self.support_manager).unlink()
        # one who neither sells nor coordinates it records the score given by phone, or
        # takes back one posted by mistake
        order.coordinator_id = self.coordinator
        order.with_user(self.support_manager).message_post(body="4/5", rating_value=4)
        self.assertEqual(len(order.rating_ids), 2)
        message.with_user(self.support_manager).unlink()
        self.assertFalse(rating.exists())

    def test_other_company_not_asked(self):
        with freeze_time(datetime(2026, 3, 1, 8, 0)):
            self.company.o2c_kpi_rating_request = True
        order = self._shipped_order(self.customer_1, datetime(2026, 3, 2, 8, 0))
        self.assertIn(order, self.env["sale.order"].search(order._get_rating_request_domain()))
        self.company.o2c_kpi_rating_request = False
        other = self.env["res.company"].create({"name": "Other Co"})
        other.o2c_kpi_rating_request = True
        self.assertFalse(order._send_rating_requests(), "its own company no longer asks")
        self.env["sale.order"]._cron_send_rating_requests()
        self.assertFalse(order.rating_request_date)

    def test_settings_toggle(self):
        settings = self.env["res.config.settings"].create({})
        settings.o2c_kpi_rating_request = True
        settings.execute()
        self.assertTrue(self.company.o2c_kpi_rating_request)
        self.assertTrue(self.company.o2c_kpi_rating_request_date_start)
        self.assertEqual(
            self.template.model_id.model, "sale.order", "the rating e-mail is a sale.order template"
        )
        self.assertEqual(
            self.env.ref("o2c_kpi.ir_cron_sale_order_rating_request").code,
            "model._cron_send_rating_requests()",
        )


@tagged("post_install", "-at_install")
class TestO2cKpiRatingController(HttpCase):
    """The customer follows the link of the rating e-mail, anonymously."""

    def test_customer_rates_through_the_rating_page(self):
        customer = self.env["res.partner"].create(
            {"name": "Rating Customer", "email": "rating.customer@example.com"}
        )
        product = self.env["product.product"].create({"name": "Desk", "type": "consu"})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        token = order._rating_get_access_token()  # what the e-mail template links to
        self.authenticate(None, None)
        page = self.url_open(f"/rate/{token}/5")
        self.assertEqual(page.status_code, 200)
        self.assertFalse(order.rating_ids.consumed, "opening the page does not rate yet")
        self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"rate": 5, "feedback": "On time", "csrf_token": http.Request.csrf_token(self)},
        ).raise_for_status()
        order.invalidate_recordset()
        self.assertEqual(order.rating_last_value, 5)
        self.assertEqual(order.rating_ids.feedback, "On time")
        self.assertEqual(order.rating_ids.partner_id, customer)
        self.assertIn("On time", order.message_ids[0].body)
        # (given in the request's transaction: after this test's, before now)
        self.assertTrue(self.env.cr.now() <= order.rating_ids.date_o2c_rated <= datetime.now())

    def test_no_score_through_the_chatter(self):
        """The chatter's route posts as superuser, for an employee as for anyone holding the
        order's portal link: a score sent with the message is dropped (portal_rating allows
        one on every document); the message is posted."""
        salesperson = new_test_user(
            self.env, login="kpi_chatter_seller", groups="sales_team.group_sale_salesman"
        )
        customer = self.env["res.partner"].create({"name": "Chatter Customer"})
        order = self.env["sale.order"].create(
            {"partner_id": customer.id, "user_id": salesperson.id}
        )
        order._portal_ensure_token()
        self.authenticate(salesperson.login, salesperson.login)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "sale.order",
                "thread_id": order.id,
                "post_data": {"body": "The customer loved it", "rating_value": 5},
            },
        )
        self.authenticate(None, None)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "sale.order",
                "thread_id": order.id,
                "token": order.access_token,
                "post_data": {"body": "Five stars", "rating_value": 5},
            },
        )
        bodies = order.message_ids.mapped("body")
        self.assertTrue(any("The customer loved it" in body for body in bodies))
        self.assertTrue(any("Five stars" in body for body in bodies))
        self.assertFalse(
            self.env["rating.rating"].search(
                [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
            )
        )
