from datetime import date, timedelta

from odoo import Command
from odoo.tests import tagged

from odoo.addons.sales_support.tests.common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestDailyDigestLoyalty(SalesSupportCommon):
    """The digest of Wednesday 13 March 2030 for salesperson 1 (company of the tests only):
    the loyalty programs running that day are in its promotions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Digest = cls.env["sales.support.digest"]
        cls.Program = cls.env["loyalty.program"]
        cls.day = date(2030, 3, 13)
        cls.since = date(2030, 3, 12)
        cls.salesperson_1.email = "field@example.com"
        cls.other_company = cls.env["res.company"].create({"name": "Other Company"})
        # only the programs below exist (the demo data has some)
        cls.Program.search([]).action_archive()

        def program(name, program_type, start, end, **values):
            return cls.Program.create(
                {
                    "name": name,
                    "program_type": program_type,
                    "date_from": start is not None and cls.day + timedelta(days=start),
                    "date_to": end is not None and cls.day + timedelta(days=end),
                    "company_id": cls.company.id,
                    **values,
                }
            )

        cls.spring = program(
            "Spring Sale",
            "promotion",
            -3,
            10,
            reward_ids=[
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount": 10,
                        "discount_mode": "percent",
                        "discount_applicability": "order",
                    }
                )
            ],
        )
        # a discount code shared by every company, ending today (the end date is included)
        cls.code = program(
            "Trade Fair Code",
            "promo_code",
            None,
            0,
            company_id=False,
            currency_id=cls.company.currency_id.id,
            rule_ids=[Command.create({"code": "FAIR30", "minimum_amount": 0})],
            reward_ids=[
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount": 30,
                        "discount_mode": "percent",
                        "discount_applicability": "order",
                    }
                )
            ],
        )
        cls.expired = program("Winter Sale", "promotion", -30, -1)
        cls.future = program("Summer Sale", "promotion", 1, 30)
        cls.other = program(
            "Other Company Sale", "promotion", -3, 10, company_id=cls.other_company.id
        )
        cls.gift_card = program("Gift Cards", "gift_card", None, None)
        cls.archived = program("Archived Sale", "promotion", -3, 10, active=False)
        # a permanent program is no news (else the same mail every morning); one for the shop or
        # the point of sale only is not offered on sales orders; one used up is over
        cls.permanent = program("Permanent Sale", "promotion", None, None)
        cls.shop_only = program("Web Shop Sale", "promotion", -3, 10, sale_ok=False)
        cls.used_up = program(
            "Used Up Sale",
            "promotion",
            -3,
            10,
            limit_usage=True,
            max_usage=1,
            reward_ids=[
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount": 5,
                        "discount_mode": "percent",
                        "discount_applicability": "order",
                    }
                )
            ],
        )
        reward = cls.used_up.reward_ids
        # its one use: an order with its reward line
        cls.env["sale.order.line"].create(
            {
                "order_id": cls._create_order(cls.customer_1).id,
                "product_id": reward.discount_line_product_id.id,
                "reward_id": reward.id,
                "name": "5% on your order",
                "product_uom_qty": 1,
                "price_unit": -5.0,
            }
        )

    def _loyalty_rows(self, rows):
        """The programs' rows: labelled in the salesperson's language in the digest data, a
        label to translate in the hook's output."""
        return [
            row
            for row in rows
            if row["source"] in ("Promotions", "Discount Code")
            or getattr(row["source"], "model", None) == "loyalty.program"
        ]

    def test_programs_running_today_in_the_digest(self):
        digest = self.Digest.with_user(self.salesperson_1)
        data = digest._get_digest_data(self.salesperson_1, self.day, self.since)
        rows = self._loyalty_rows(data[self.salesperson_1.id]["promotions"])
        self.assertEqual(
            rows,
            [
                {
                    "source": "Promotions",
                    "name": "Spring Sale",
                    "code": "",
                    "reward": "10% on your order",
                    "date_start": "03/10/2030",
                    "date_end": "03/23/2030",
                    "company_id": self.company.id,
                },
                {
                    "source": "Discount Code",
                    "name": "Trade Fair Code",
                    "code": "FAIR30",
                    "reward": "30% on your order",
                    "date_start": "",
                    "date_end": "03/13/2030",
                    "company_id": False,
                },
            ],
        )

        (mail,) = digest._send_digest(self.salesperson_1, self.day, self.since)
        self.assertIn(
            "Promotions: Spring Sale (10% on your order) from 03/10/2030 until 03/23/2030",
            " ".join(mail.body_html.split()),
        )
        self.assertIn(
            "Discount Code: Trade Fair Code (30% on your order) with code <b>FAIR30</b> "
            "until 03/13/2030",
            " ".join(mail.body_html.split()),
        )
        self.assertEqual(self.used_up.total_order_count, 1, "used up")
        for name in (
            "Winter Sale",
            "Summer Sale",
            "Other Company Sale",
            "Gift Cards",
            "Archived",
            "Permanent Sale",
            "Web Shop Sale",
            "Used Up Sale",
        ):
            self.assertNotIn(name, mail.body_html)

    def test_other_company_salesperson(self):
        """A salesperson of the other company gets its program and the shared code only."""
        self.salesperson_3.write(
            {
                "company_ids": [Command.set(self.other_company.ids)],
                "company_id": self.other_company.id,
            }
        )
        data = self.Digest.with_user(self.salesperson_3)._get_digest_data(
            self.salesperson_3, self.day, self.since
        )
        rows = self._loyalty_rows(data[self.salesperson_3.id]["promotions"])
        self.assertEqual([row["name"] for row in rows], ["Trade Fair Code", "Other Company Sale"])

    def test_programs_read_in_constant_queries(self):
        """A fixed number of queries for the programs, their usage, rewards and codes, however
        many there are (their labels and dates are formatted afterwards, per language)."""

        def count():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            promotions = self.Digest._get_digest_promotions(self.day)
            return self.env.cr.sql_log_count - before, len(self._loyalty_rows(promotions))

        count()  # warm-up
        few, shown = count()
        self.assertEqual(shown, 3)  # of every company: split by salesperson afterwards
        self.Program.create(
            [
                {
                    "name": f"Spring Sale {i}",
                    "company_id": self.company.id,
                    "date_from": self.day,
                    "rule_ids": [Command.create({"code": f"SPRING{i}", "minimum_amount": 0})],
                }
                for i in range(30)
            ]
        )
        count()  # the creation cleared the caches of the language (dates)
        many, shown = count()
        self.assertEqual(shown, 33)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 10)
