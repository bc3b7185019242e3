from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestCustomerStatus(SalesSupportCommon):
    """A company of its own (no demo order to rank against) with seven customers of
    salesperson 1 (served by coordinator 1) and this history of confirmed orders, in days
    before today (T), untaxed amount each:

    ========  ==============================  ======  ===========  ==========  =====
    customer  orders (days before T)          each    12 months    status      class
    ========  ==============================  ======  ===========  ==========  =====
    P1        10, 40, 70, 100, 130            1000    5000         active      A
    P2        60, 90, 120, 150                500     2000         at risk     A
    P3        20                              1500    1500         new         A
    P6        5, 100, 200                     300     900          active      B
    P7        30, 200                         100     200          active      C
    P4        400, 430                        700     0            dormant     C
    P5        800                             900     0            lost        C
    ========  ==============================  ======  ===========  ==========  =====

    Total 9,600: P1 starts at 0 %, P2 at 52 %, P3 at 73 % (A: before 80 %), P6 at 88.5 % (B:
    before 95 %), P7 at 97.9 % (C). P2 orders every 30 days and has not for 60: more than
    1.5 intervals, not more than 2 (at risk). P4 is silent for 400 days (> 365: dormant)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.care_company = cls.env["res.company"].create(
            {"name": "Care Company", "currency_id": cls.env.company.currency_id.id}
        )
        cls.env.user.company_ids |= cls.care_company
        cls.coordinator.company_ids |= cls.care_company
        history = {
            "P1": ([10, 40, 70, 100, 130], 1000.0),
            "P2": ([60, 90, 120, 150], 500.0),
            "P3": ([20], 1500.0),
            "P4": ([400, 430], 700.0),
            "P5": ([800], 900.0),
            "P6": ([5, 100, 200], 300.0),
            "P7": ([30, 200], 100.0),
        }
        cls.p = {}
        Order = cls.env["sale.order"].with_company(cls.care_company)
        for name, (days, price) in history.items():
            partner = cls.env["res.partner"].create(
                {
                    "name": name,
                    "is_company": True,
                    "company_id": cls.care_company.id,
                    "user_id": cls.salesperson_1.id,
                }
            )
            # the figures are per company: read in the Care Company
            cls.p[name] = partner.with_company(cls.care_company)
            orders = Order.create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": cls.care_company.id,
                        "user_id": cls.salesperson_1.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": cls.product.id,
                                    "product_uom_qty": 1,
                                    "price_unit": price,
                                    "tax_id": [],
                                }
                            )
                        ],
                    }
                    for _day in days
                ]
            )
            orders.action_confirm()
            for order, day in zip(orders, days, strict=True):
                order.date_order = datetime.combine(cls.today - timedelta(days=day), time(10))
        # a cancelled order counts for nothing
        cancelled = Order.create(
            {
                "partner_id": cls.p["P4"].id,
                "company_id": cls.care_company.id,
                "order_line": [
                    Command.create({"product_id": cls.product.id, "price_unit": 99999.0})
                ],
            }
        )
        cancelled._action_cancel()

    def _run(self, day=None, partners=None):
        return self.env["res.partner"]._run_customer_care(
            self.care_company, only_partners=partners, today=day or self.today
        )

    def _reminders(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    def test_status_and_abc_class(self):
        self._run()
        p = self.p
        expected = {
            "P1": ("active", "A", 5000.0),
            "P2": ("at_risk", "A", 2000.0),
            "P3": ("new", "A", 1500.0),
            "P4": ("dormant", "C", 0.0),
            "P5": ("lost", "C", 0.0),
            "P6": ("active", "B", 900.0),
            "P7": ("active", "C", 200.0),
        }
        # read as the coordinator who serves them
        for name, (status, abc, revenue) in expected.items():
            partner = p[name].with_user(self.coordinator)
            self.assertEqual(
                (partner.customer_status, partner.customer_abc_class), (status, abc), name
            )
            self.assertAlmostEqual(partner.customer_revenue_12m, revenue, msg=name)
        self.assertEqual(p["P1"].customer_order_interval, 30.0)
        self.assertEqual(p["P6"].customer_order_interval, 97.5)  # median of 95 and 100
        self.assertEqual(p["P1"].customer_last_order_date, self.today - timedelta(days=10))
        self.assertEqual(p["P2"].customer_status_date, self.today)
        # 40 days later P1 is silent for 50 days (more than 1.5 x 30): it went silent that day
        later = self.today + timedelta(days=40)
        self._run(later)
        self.assertEqual(p["P1"].customer_status, "at_risk")
        self.assertEqual(p["P1"].customer_status_date, later)
        self.assertEqual(p["P2"].customer_status, "dormant")  # 100 days > 2 x 30
        self.assertEqual(p["P3"].customer_status, "new")  # first order 60 days ago
        self.assertEqual(p["P3"].customer_status_date, self.today)  # unchanged
        # marked lost by hand
        p["P6"].is_customer_lost = True
        self._run(later)
        self.assertEqual(p["P6"].customer_status, "lost")
        silent = (
            self.env["res.partner"]
            .with_user(self.coordinator)
            .with_company(self.care_company)
            .search(
                [
                    ("customer_status", "in", ("at_risk", "dormant")),
                    ("customer_status_date", ">=", later - timedelta(days=30)),
                    ("company_id", "=", self.care_company.id),
                ]
            )
        )
        self.assertEqual(silent, p["P1"] | p["P2"])

    def test_shared_customer_per_company(self):
        """A customer shared by two companies, with orders in the Care Company only: class A
        and active there, nothing in the other company, as each company's coordinator sees
        it; each company's run keeps the other's figures; the cadence reminder and the "went
        silent" list are the company's."""
        other_company = self.env["res.company"].create({"name": "Other Care Company"})
        other_company.sales_support_cadence_a = 14
        self.care_company.sales_support_cadence_a = 14
        coordinator_b = new_test_user(
            self.env,
            login="ss_coordinator_b",
            # as Odoo's default internal user, the coordinator may edit contacts
            groups="sales_support.group_support_coordinator,base.group_partner_manager",
            company_id=other_company.id,
        )
        shared = self.env["res.partner"].create(
            {"name": "Shared", "is_company": True, "user_id": self.salesperson_1.id}
        )
        shared.with_company(other_company).support_coordinator_id = coordinator_b
        orders = (
            self.env["sale.order"]
            .with_company(self.care_company)
            .create(
                [
                    {
                        "partner_id": shared.id,
                        "company_id": self.care_company.id,
                        "user_id": self.salesperson_1.id,
                        "order_line": [
                            Command.create(
                                {"product_id": self.product.id, "price_unit": 2500.0, "tax_id": []}
                            )
                        ],
                    }
                    for _i in range(4)
                ]
            )
        )
        orders.action_confirm()
        for order, day in zip(orders, (10, 40, 70, 100), strict=True):
            order.date_order = datetime.combine(self.today - timedelta(days=day), time(10))
        # the other company's coordinator calls the customer: no contact for the Care Company
        shared.with_user(coordinator_b).message_post(
            body="Called about their next order", message_type="comment"
        )
        Partner = self.env["res.partner"]
        Partner._run_customer_care(self.care_company, include_shared=True, today=self.today)
        Partner._run_customer_care(other_company, include_shared=True, today=self.today)

        in_a = shared.with_user(self.coordinator).with_company(self.care_company)
        self.assertEqual(
            (in_a.customer_status, in_a.customer_abc_class, in_a.customer_revenue_12m),
            ("active", "A", 10000.0),
        )
        self.assertEqual(in_a.customer_order_interval, 30.0)
        self.assertFalse(in_a.customer_last_contact_date)
        # never contacted (by the Care Company): due 14 days after the first order, 100 days ago
        self.assertEqual(in_a.customer_next_contact_date, self.today - timedelta(days=86))
        in_b = shared.with_user(coordinator_b)
        self.assertEqual(in_b.env.company, other_company)
        self.assertEqual(
            (in_b.customer_status, in_b.customer_abc_class, in_b.customer_revenue_12m),
            (False, False, 0.0),
        )
        self.assertFalse(in_b.customer_next_contact_date)
        # ranked against the Care Company's own customers: P1 (5000) is still A, P7 C
        self.assertEqual(self.p["P1"].customer_abc_class, "A")
        self.assertEqual(self.p["P7"].customer_abc_class, "C")
        # the contact reminder (due 86 days ago in the Care Company) goes to its coordinator,
        # once; none in the other company
        self.assertEqual(self._reminders(shared).user_id, self.coordinator)
        # marked strategic and lost in the other company only: the Care Company's figures stay
        in_b.write({"is_customer_strategic": True, "is_customer_lost": True})
        self.assertEqual((in_b.is_customer_strategic, in_b.is_customer_lost), (True, True))
        self.assertEqual((in_a.is_customer_strategic, in_a.is_customer_lost), (False, False))
        # 40 days later, silent for 50 days in the Care Company (more than 1.5 x 30)
        later = self.today + timedelta(days=40)
        Partner._run_customer_care(self.care_company, include_shared=True, today=later)
        Partner._run_customer_care(other_company, include_shared=True, today=later)
        silent_domain = [
            ("customer_status", "in", ("at_risk", "dormant")),
            ("customer_status_date", ">=", later - timedelta(days=30)),
        ]
        self.assertIn(
            shared,
            Partner.with_user(self.coordinator)
            .with_company(self.care_company)
            .search(silent_domain),
        )
        self.assertNotIn(shared, Partner.with_user(coordinator_b).search(silent_domain))
        self.assertEqual(in_a.customer_status, "at_risk")
        self.assertFalse(in_b.customer_status)
        self.assertEqual(len(self._reminders(shared)), 1)
        # searching the next contact date works in each company
        overdue = [("customer_next_contact_date", "<", self.today)]
        self.assertIn(shared, Partner.with_company(self.care_company).search(overdue))
        self.assertNotIn(shared, Partner.with_company(other_company).search(overdue))
        # no contact due in the other company (strategic there, but no order to start from)
        none_due = [("customer_next_contact_date", "=", False), ("id", "=", shared.id)]
        self.assertFalse(Partner.with_company(self.care_company).search(none_due))
        self.assertEqual(Partner.with_company(other_company).search(none_due), shared)
        some_due = [("customer_next_contact_date", "!=", False), ("id", "=", shared.id)]
        self.assertEqual(Partner.with_company(self.care_company).search(some_due), shared)

    def test_recompute_on_demand(self):
        partner = self.p["P3"].with_user(self.coordinator)
        self.assertFalse(partner.customer_status)
        partner.action_recompute_customer_care()
        self.assertEqual(partner.customer_status, "new")
        self.assertEqual(partner.customer_abc_class, "A")  # ranked against all 7
        self.assertFalse(self.p["P1"].customer_status)  # only the one asked

    def test_cadence_activity_once(self):
        self.care_company.write(
            {
                "sales_support_cadence_a": 14,
                "sales_support_cadence_b": 30,
                "sales_support_cadence_c": 90,
            }
        )
        self.p["P7"].is_customer_strategic = True
        self._run()
        p1 = self.p["P1"]
        self.assertEqual(p1.customer_contact_cadence, 14)
        self.assertEqual(self.p["P7"].customer_contact_cadence, 14)  # strategic
        self.assertEqual(self.p["P6"].customer_contact_cadence, 30)
        # never contacted: due 14 days after the first order
        self.assertEqual(p1.customer_next_contact_date, self.today - timedelta(days=116))
        reminder = self._reminders(p1)
        self.assertEqual(reminder.user_id, self.coordinator)
        self.assertFalse(self._reminders(self.p["P5"]))  # lost: no reminder
        self._run()
        self._run(self.today + timedelta(days=1))
        self.assertEqual(self._reminders(p1), reminder)
        # the coordinator calls the customer (a note on it): next contact in 14 days
        reminder.with_user(self.coordinator).action_feedback(feedback="Called, all fine")
        self._run(self.today + timedelta(days=5))
        self.assertEqual(p1.customer_last_contact_date, self.today)
        self.assertEqual(p1.customer_next_contact_date, self.today + timedelta(days=14))
        self.assertFalse(self._reminders(p1))
        self._run(self.today + timedelta(days=20))
        self.assertEqual(len(self._reminders(p1)), 1)
        self._run(self.today + timedelta(days=21))
        self.assertEqual(len(self._reminders(p1)), 1)

    def test_archived_salesperson(self):
        """The customers of a salesperson who left keep their status and class, and their
        contact reminders go to the coordinator."""
        self.care_company.sales_support_cadence_a = 14
        self.salesperson_1.action_archive()
        self._run()
        p1 = self.p["P1"]
        self.assertEqual(p1.customer_status, "active")
        self.assertEqual(p1.customer_abc_class, "A")
        self.assertEqual(self._reminders(p1).user_id, self.coordinator)

    def test_shared_customer_ordering_in_both_companies(self):
        """A customer shared by two companies buys in both: each company's status, class,
        revenue and interval come from its own orders only, as its coordinator reads them."""
        other_company = self.env["res.company"].create({"name": "Branch Care Company"})
        self.coordinator.company_ids |= other_company
        shared = self.env["res.partner"].create(
            {"name": "Buys Everywhere", "is_company": True, "user_id": self.salesperson_1.id}
        )

        def order(company, price, days_ago):
            so = (
                self.env["sale.order"]
                .with_company(company)
                .create(
                    {
                        "partner_id": shared.id,
                        "company_id": company.id,
                        "user_id": self.salesperson_1.id,
                        "order_line": [
                            Command.create(
                                {"product_id": self.product.id, "price_unit": price, "tax_id": []}
                            )
                        ],
                    }
                )
            )
            so.action_confirm()
            so.date_order = datetime.combine(self.today - timedelta(days=days_ago), time(10))

        # Care Company: every 30 days, 4 x 2,500 (class A among its customers, active)
        for days_ago in (10, 40, 70, 100):
            order(self.care_company, 2500.0, days_ago)
        # the branch: one order of 100 twenty days ago (new there, class A: its only customer)
        order(other_company, 100.0, 20)
        Partner = self.env["res.partner"]
        Partner._run_customer_care(self.care_company, include_shared=True, today=self.today)
        Partner._run_customer_care(other_company, include_shared=True, today=self.today)
        coordinator = shared.with_user(self.coordinator)
        in_care = coordinator.with_company(self.care_company)
        in_branch = coordinator.with_company(other_company)
        self.assertEqual(
            (
                in_care.customer_status,
                in_care.customer_abc_class,
                in_care.customer_revenue_12m,
                in_care.customer_order_interval,
                in_care.customer_first_order_date,
            ),
            ("active", "A", 10000.0, 30.0, self.today - timedelta(days=100)),
        )
        self.assertEqual(
            (
                in_branch.customer_status,
                in_branch.customer_abc_class,
                in_branch.customer_revenue_12m,
                in_branch.customer_first_order_date,
            ),
            ("new", "A", 100.0, self.today - timedelta(days=20)),
        )
        # marked lost in the branch only
        in_branch.sudo().is_customer_lost = True
        Partner._run_customer_care(other_company, include_shared=True, today=self.today)
        Partner._run_customer_care(self.care_company, include_shared=True, today=self.today)
        self.assertEqual(in_branch.customer_status, "lost")
        self.assertEqual(in_care.customer_status, "active")
