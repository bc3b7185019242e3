from datetime import timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestMultiCompany(SalesSupportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.env.user.company_ids |= cls.company_b
        cls.coordinator_b = new_test_user(
            cls.env,
            login="ss_coordinator_b",
            groups="sales_support.group_support_coordinator",
            company_id=cls.company_b.id,
            company_ids=[cls.company_b.id],
        )
        cls.salesperson_b = new_test_user(
            cls.env,
            login="ss_sales_b",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_b.id,
            company_ids=[cls.company_b.id],
        )
        cls.salesperson_b.support_coordinator_id = cls.coordinator_b
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Customer B", "company_id": cls.company_b.id, "user_id": cls.salesperson_b.id}
        )
        cls.order_b = (
            cls.env["sale.order"]
            .with_company(cls.company_b)
            .create(
                {
                    "partner_id": cls.customer_b.id,
                    "user_id": cls.salesperson_b.id,
                    "company_id": cls.company_b.id,
                }
            )
        )

    def test_other_company_orders_invisible(self):
        self.assertEqual(self.order_b.coordinator_id, self.coordinator_b)
        # even the support manager of company A, who sees every order of their companies
        Order = self.env["sale.order"].with_user(self.support_manager)
        self.assertFalse(Order.search([("id", "=", self.order_b.id)]))
        with self.assertRaises(AccessError):
            Order.browse(self.order_b.id).read(["name"])
        self.assertFalse(
            self.env["res.partner"]
            .with_user(self.support_manager)
            .search([("id", "=", self.customer_b.id)])
        )

    def test_rules_stay_in_their_company(self):
        rule_b = self.Rule.create(
            {
                "company_id": self.company_b.id,
                "coordinator_id": self.coordinator_b.id,
                "salesperson_id": self.salesperson_b.id,
            }
        )
        self.assertFalse(self.Rule.with_user(self.support_manager).search([("id", "=", rule_b.id)]))
        # a company-B rule never assigns a company-A order
        self.assertEqual(self._create_order(self.customer_1).coordinator_id, self.coordinator)

    def test_coordinator_of_another_company_refused(self):
        with self.assertRefused(ValidationError, "does not work for"):
            self.Rule.create(
                {"company_id": self.company_b.id, "coordinator_id": self.coordinator.id}
            )
        with self.assertRefused(ValidationError, "does not work for"):
            self.order_b.coordinator_id = self.coordinator
        with self.assertRefused(ValidationError, "does not work for"):
            self.customer_b.support_coordinator_id = self.coordinator

    def test_branch_order_never_gets_a_coordinator_of_another_company(self):
        """A salesperson selling for a branch keeps working: their coordinator, who does not work
        for the branch, is passed over (the order is saved without a coordinator)."""
        branch = self.env["res.company"].create({"name": "Branch", "parent_id": self.company.id})
        self.salesperson_1.company_ids |= branch
        order = (
            self.env["sale.order"]
            .with_company(branch)
            .create(
                {
                    "partner_id": self.customer_1.id,
                    "user_id": self.salesperson_1.id,
                    "company_id": branch.id,
                }
            )
        )
        self.assertFalse(order.coordinator_id)
        self.assertFalse(order.is_coordinator_manual)
        # once the backup works for the branch, the backup serves it
        self.support_manager.company_ids |= branch
        order.action_apply_assignment_rules()
        self.assertEqual(order.coordinator_id, self.support_manager)
        # a request of the branch follows the same precedence
        self.assertEqual(
            self.Rule._get_coordinator_for(self.customer_1, self.salesperson_1, branch),
            self.support_manager,
        )

    def test_coordinator_leaving_a_company_releases_its_records(self):
        self.coordinator_b.company_ids |= self.company
        self.salesperson_3.support_coordinator_id = self.coordinator_b
        order_a = self._create_order(self.customer_3)
        self.assertEqual(order_a.coordinator_id, self.coordinator_b)
        self.coordinator_b.company_ids = self.company_b
        self.assertFalse(order_a.coordinator_id, "salesperson 3 has nobody else in company A")
        self.assertEqual(self.order_b.coordinator_id, self.coordinator_b, "company B orders stay")

    def test_shared_customer_has_a_coordinator_per_company(self):
        """A partner without company is served in each company by that company's people, never
        by whichever company edited it last."""
        self.salesperson_1.company_ids |= self.company_b
        self.coordinator_b.company_ids |= self.company  # works for both
        self.Rule.create(
            {
                "company_id": self.company_b.id,
                "country_id": self.env.ref("base.us").id,
                "coordinator_id": self.coordinator_b.id,
            }
        )
        shared = self.env["res.partner"].create(
            {
                "name": "Shared Inc.",
                "is_company": True,
                "user_id": self.salesperson_1.id,
                "country_id": self.env.ref("base.us").id,
            }
        )
        contact = self.env["res.partner"].create({"name": "Shared Buyer", "parent_id": shared.id})
        in_a, in_b = shared.with_company(self.company), shared.with_company(self.company_b)
        self.assertEqual(in_a.support_coordinator_id, self.coordinator)
        self.assertEqual(in_b.support_coordinator_id, self.coordinator_b)
        self.assertEqual(
            contact.with_company(self.company_b).support_coordinator_id, self.coordinator_b
        )
        # editing it from company B changes company B only
        in_b.write({"country_id": self.env.ref("base.be").id})
        self.assertFalse(
            in_b.support_coordinator_id, "no rule in B, salesperson's coordinator is not of B"
        )
        self.assertEqual(in_a.support_coordinator_id, self.coordinator)
        in_b.support_coordinator_id = self.coordinator_b
        self.assertTrue(in_b.is_support_coordinator_manual)
        self.assertFalse(in_a.is_support_coordinator_manual)
        self.assertEqual(in_a.support_coordinator_id, self.coordinator)
        # each company's orders get their company's coordinator
        order_a = self._create_order(shared)
        order_b = (
            self.env["sale.order"]
            .with_company(self.company_b)
            .create(
                {
                    "partner_id": shared.id,
                    "user_id": self.salesperson_1.id,
                    "company_id": self.company_b.id,
                }
            )
        )
        self.assertEqual(order_a.coordinator_id, self.coordinator)
        self.assertEqual(order_b.coordinator_id, self.coordinator_b)
        # searches and filters read the current company's value
        Partner = self.env["res.partner"]
        self.assertIn(
            shared,
            Partner.with_company(self.company).search(
                [("support_coordinator_id", "=", self.coordinator.id)]
            ),
        )
        self.assertNotIn(
            shared,
            Partner.with_company(self.company_b).search(
                [("support_coordinator_id", "=", self.coordinator.id)]
            ),
        )

    def test_coordinators_kanban_counts_respect_companies(self):
        self.coordinator_b.company_ids |= self.company
        self.salesperson_3.support_coordinator_id = self.coordinator_b
        self._create_order(self.customer_3)
        self.env["sales.support.request"].with_company(self.company_b).create(
            {
                "subject": "B question",
                "partner_id": self.customer_b.id,
                "company_id": self.company_b.id,
            }
        )
        self.assertEqual(
            self.env["sales.support.request"]
            .search([("partner_id", "=", self.customer_b.id)])
            .coordinator_id,
            self.coordinator_b,
        )
        manager_a = self.support_manager  # works for company A only
        counts = self.coordinator_b.with_user(manager_a).read(
            ["support_open_order_count", "support_open_request_count"]
        )[0]
        self.assertEqual(
            (counts["support_open_order_count"], counts["support_open_request_count"]),
            (1, 0),
            "company B's order and request are not counted in company A",
        )
        both = self.coordinator_b.with_context(
            allowed_company_ids=[self.company.id, self.company_b.id]
        )
        self.assertEqual((both.support_open_order_count, both.support_open_request_count), (2, 1))
        self.assertEqual(
            self.coordinator_b.with_company(self.company_b)
            .with_context(allowed_company_ids=[self.company_b.id])
            .support_open_order_count,
            1,
        )

    def test_support_manager_of_company_a_cannot_touch_company_b_users(self):
        with self.assertRaises(AccessError):
            self.salesperson_b.with_user(self.support_manager).write(
                {"support_coordinator_id": self.coordinator.id}
            )

    def test_step_target_of_a_company_moves_its_orders_only(self):
        """A support manager of company A changes A's target: the deadlines of company B's orders
        stay on the shared target, and B's manager cannot even see A's target."""
        manager_b = new_test_user(
            self.env,
            login="ss_manager_b",
            groups="sales_support.group_support_manager",
            company_id=self.company_b.id,
            company_ids=[self.company_b.id],
        )
        order_a = self._create_order(self.customer_1)
        self.assertEqual(order_a.o2c_next_step, "quotation_sent")
        self.assertEqual(self.order_b.o2c_next_step, "quotation_sent")
        deadline_b = self.order_b.date_o2c_next_deadline
        self.assertEqual(deadline_b, self.order_b.date_o2c_request + timedelta(hours=24))
        Step = self.env["sales.support.o2c.step"]
        step_a = Step.with_user(self.support_manager).create(
            {"code": "quotation_sent", "name": "Quotation Sent", "target_hours": 2}
        )
        self.assertEqual(step_a.company_id, self.company)
        self.assertEqual(
            order_a.date_o2c_next_deadline, order_a.date_o2c_request + timedelta(hours=2)
        )
        step_a.with_user(self.support_manager).target_hours = 3
        self.assertEqual(
            order_a.date_o2c_next_deadline, order_a.date_o2c_request + timedelta(hours=3)
        )
        self.assertEqual(self.order_b.date_o2c_next_deadline, deadline_b, "B keeps its deadline")
        # a new order of B (computed, not the UPDATE) uses the shared target too
        order_b2 = self.order_b.copy()
        self.assertEqual(
            order_b2.date_o2c_next_deadline, order_b2.date_o2c_request + timedelta(hours=24)
        )
        self.assertNotIn(step_a, Step.with_user(manager_b).search([]))
        with self.assertRefused(AccessError, "doesn't have 'read' access"):  # not even seen
            step_a.with_user(manager_b).target_hours = 1
        with self.assertRefused(AccessError, "doesn't have 'create' access"):
            Step.with_user(manager_b).create(
                {
                    "code": "entered",
                    "name": "Entered",
                    "target_hours": 1,
                    "company_id": self.company.id,
                }
            )
        # the shared targets are the administrators': they move every company's orders
        shared = self.env.ref("sales_support.o2c_step_quotation_sent")
        shared.with_user(self.env.ref("base.user_admin")).target_hours = 48
        self.assertEqual(
            self.order_b.date_o2c_next_deadline, self.order_b.date_o2c_request + timedelta(hours=48)
        )
        self.assertEqual(
            order_a.date_o2c_next_deadline,
            order_a.date_o2c_request + timedelta(hours=3),
            "A keeps its own target",
        )
        # what each may change shows in the list: the rows others decide are read-only there
        steps = Step.with_user(self.support_manager).search([("code", "=", "quotation_sent")])
        self.assertEqual(
            {s.company_id: s.is_editable for s in steps},
            {self.company: True, self.env["res.company"]: False},
            "the manager of A edits A's own target, not the shared one",
        )
        with self.assertRefused(AccessError, "doesn't have 'write' access"):
            shared.with_user(self.support_manager).target_hours = 12
        admin_steps = Step.with_user(self.env.ref("base.user_admin")).browse(steps.ids)
        self.assertTrue(all(admin_steps.mapped("is_editable")), "administrators edit both")
