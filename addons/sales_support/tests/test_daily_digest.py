from datetime import date, datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common_accounting import SalesSupportAccountingCommon


@tagged("post_install", "-at_install")
class TestDailyDigest(SalesSupportAccountingCommon):
    """The digest of tomorrow morning (changes since today) for salesperson 1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Digest = cls.env["sales.support.digest"]
        cls.today = fields.Date.today()
        cls.day = cls.today + timedelta(days=1)
        (cls.salesperson_1 | cls.salesperson_2 | cls.salesperson_3).write(
            {"email": "field@example.com"}
        )
        cls.salesperson_3.sales_support_digest_optout = True
        # price-lists: a new rule today, a promotion running now, an old promotion
        now = fields.Datetime.now()
        cls.pricelist = cls.env["product.pricelist"].create({"name": "Field Prices"})
        cls.env["product.pricelist.item"].create(
            [
                {
                    "pricelist_id": cls.pricelist.id,
                    "applied_on": "0_product_variant",
                    "product_id": cls.lathe.id,
                    "compute_price": "fixed",
                    "fixed_price": 900.0,
                },
                {
                    "pricelist_id": cls.pricelist.id,
                    "applied_on": "3_global",
                    "compute_price": "percentage",
                    "percent_price": 10.0,
                    "date_start": now - timedelta(days=2),
                    "date_end": now + timedelta(days=5),
                },
            ]
        )
        # stock: a drill ordered 12 a half-year with none on hand; a saw well stocked
        cls.drill, cls.saw = cls.env["product.product"].create(
            [
                {"name": "Drill", "is_storable": True, "list_price": 50.0},
                {"name": "Saw", "is_storable": True, "list_price": 20.0},
            ]
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.env["stock.quant"]._update_available_quantity(cls.saw, warehouse.lot_stock_id, 100.0)
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer_1.id,
                "user_id": cls.salesperson_1.id,
                "order_line": [
                    Command.create({"product_id": cls.drill.id, "product_uom_qty": 12}),
                    Command.create({"product_id": cls.saw.id, "product_uom_qty": 6}),
                ],
            }
        )
        cls.order.action_confirm()
        # invoices: one due today (overdue tomorrow), one overdue for long
        cls.inv_new = cls._invoice(
            cls.customer_1, 300.0, cls.today - timedelta(days=30), due=cls.today
        )
        cls.inv_old = cls._invoice(
            cls.customer_1,
            200.0,
            cls.today - timedelta(days=60),
            due=cls.today - timedelta(days=30),
        )
        (cls.inv_new | cls.inv_old).invoice_user_id = cls.salesperson_1
        # an opening balance migrated for customers 1 and 3, due today: overdue tomorrow, for
        # the customers' salespeople (an entry has none of its own)
        cls.opening = cls._opening_entry(
            [(cls.customer_1, 120.0, cls.today), (cls.customer_3, 80.0, cls.today)],
            cls.today - timedelta(days=90),
        )

    def test_digest_content(self):
        users = self.Digest._get_digest_recipients(self.company)
        self.assertIn(self.salesperson_1, users)
        self.assertNotIn(self.salesperson_3, users)  # opted out
        data = self.Digest._get_digest_data(
            self.salesperson_1 | self.salesperson_2, self.day, self.today
        )
        mine = data[self.salesperson_1.id]
        lathe = [v for v in mine["pricelist_changes"] if v["name"] == "Lathe"]
        self.assertEqual(len(lathe), 1)
        self.assertIn("Field Prices", lathe[0]["pricelist"])
        self.assertIn("900.00", lathe[0]["price"])
        promotions = [v for v in mine["promotions"] if "Field Prices" in v["source"]]
        self.assertEqual([v["name"] for v in promotions], ["All products"])
        self.assertEqual([v["product"] for v in mine["low_stock"]], ["Drill"])
        self.assertAlmostEqual(mine["low_stock"][0]["monthly"], 2.0)
        self.assertTrue(mine["order_events"])
        self.assertEqual({v["order"] for v in mine["order_events"]}, {self.order.name})
        self.assertEqual(
            sorted((v["invoice"], v["customer"]) for v in mine["new_overdue"]),
            sorted(
                [
                    (self.inv_new.name, self.customer_1.display_name),
                    (self.opening.name, self.customer_1.display_name),
                ]
            ),
        )
        opening = [v for v in mine["new_overdue"] if v["invoice"] == self.opening.name]
        self.assertIn("120.00", opening[0]["amount"])
        # customer 3's part of the entry is salesperson 3's
        data_3 = self.Digest._get_digest_data(self.salesperson_3, self.day, self.today)
        self.assertEqual(
            [(v["invoice"], v["customer"]) for v in data_3[self.salesperson_3.id]["new_overdue"]],
            [(self.opening.name, self.customer_3.display_name)],
        )
        theirs = data[self.salesperson_2.id]
        self.assertFalse(theirs["low_stock"] or theirs["order_events"] or theirs["new_overdue"])
        self.assertTrue(theirs["pricelist_changes"])

        mails = self.Digest._send_digest(
            self.salesperson_1 | self.salesperson_2, self.day, self.today
        )
        mail = mails.filtered(lambda m: m.recipient_ids == self.salesperson_1.partner_id)
        self.assertIn(self.inv_new.name, mail.body_html)
        self.assertNotIn(self.inv_old.name, mail.body_html)
        self.assertIn("Drill", mail.body_html)
        self.assertIn(self.order.name, mail.body_html)
        other = mails - mail
        self.assertNotIn(self.inv_new.name, other.body_html)

    def test_archived_salesperson_gets_none(self):
        """A salesperson who left gets no digest; their customers' overdue invoices do not go
        to the other salespeople."""
        self.salesperson_1.action_archive()
        users = self.Digest._get_digest_recipients(self.company)
        self.assertNotIn(self.salesperson_1, users)
        self.assertIn(self.salesperson_2, users)
        mails = self.Digest._send_digest(users, self.day, self.today)
        self.assertFalse(mails.filtered(lambda m: m.recipient_ids == self.salesperson_1.partner_id))
        self.assertNotIn(self.inv_new.name, "".join(mails.mapped("body_html")))

    def test_no_digest_on_weekends(self):
        saturday = date(2026, 11, 28)
        self.assertEqual(saturday.weekday(), 5)
        self.assertFalse(self.Digest._cron_send_digest(day=saturday))
        monday = date(2026, 11, 30)
        friday = self.Digest._get_previous_working_day(self.company, monday)
        self.assertEqual(friday, date(2026, 11, 27))

    def _count_queries(self, users):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        mails = self.Digest._send_digest(users, self.day, self.today)
        self.env.flush_all()
        self.assertEqual(len(mails), len(users))
        return self.env.cr.sql_log_count - before

    def test_digest_of_200_salespeople_in_constant_queries(self):
        group = self.env.ref("sales_team.group_sale_salesman")
        people = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "name": f"Field {i}",
                        "login": f"field_{i}",
                        "email": f"field_{i}@example.com",
                        "groups_id": [Command.set(group.ids)],
                    }
                    for i in range(200)
                ]
            )
        )
        # each has a customer with an invoice overdue since today
        customers = self.env["res.partner"].create(
            [{"name": f"Shop {i}", "user_id": user.id} for i, user in enumerate(people)]
        )
        invoices = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_user_id": customer.user_id.id,
                    "invoice_date": self.today - timedelta(days=30),
                    "invoice_date_due": self.today,
                    "invoice_line_ids": [
                        Command.create({"name": "Goods", "quantity": 1, "price_unit": 10.0})
                    ],
                }
                for customer in customers
            ]
        )
        invoices.action_post()
        self._count_queries(people[:5])  # warm-up
        small = self._count_queries(people[:20])
        large = self._count_queries(people)
        # a fixed bound whatever the number of salespeople (the mails are inserted in batches)
        self.assertLessEqual(small, 30)
        self.assertLessEqual(large, 30)

    def test_digest_in_salesperson_language(self):
        """A salesperson who reads Russian: dates in their language's format, price-list
        validity dates in their time zone (a rule from 23:30 UTC starts the next day in
        Jerusalem)."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.salesperson_1.write({"lang": "ru_RU", "tz": "Asia/Jerusalem"})
        self.drill.product_tmpl_id.update_field_translations("name", {"ru_RU": "Дрель"})
        start = datetime.combine(self.today, time(23, 30))
        self.env["product.pricelist.item"].create(
            {
                "pricelist_id": self.pricelist.id,
                "applied_on": "0_product_variant",
                "product_id": self.saw.id,
                "compute_price": "fixed",
                "fixed_price": 15.0,
                "date_start": start,
            }
        )
        data = self.Digest._get_digest_data(self.salesperson_1, self.day, self.today)
        mine = data[self.salesperson_1.id]
        self.assertEqual(mine["new_overdue"][0]["due"], self.today.strftime("%d.%m.%Y"))
        [saw] = [v for v in mine["pricelist_changes"] if v["name"] == "Saw"]
        self.assertEqual(saw["date_start"], self.day.strftime("%d.%m.%Y"))
        # product names in their language, read for their language only
        self.assertEqual([v["product"] for v in mine["low_stock"]], ["Дрель"])
        theirs = self.Digest._get_digest_data(self.salesperson_2, self.day, self.today)
        self.assertNotIn("Дрель", str(theirs))
        mail = self.Digest._send_digest(self.salesperson_1, self.day, self.today)
        self.assertIn(self.day.strftime("%d.%m.%Y"), mail.subject)
        self.assertIn(self.today.strftime("%d.%m.%Y"), mail.body_html)
