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
            cls.env, login="ss_coordinator_b", groups="sales_support.group_support_coordinator",
            company_id=cls.company_b.id, company_ids=[cls.company_b.id])
        cls.salesperson_b = new_test_user(
            cls.env, login="ss_sales_b", groups="sales_team.group_sale_salesman",
            company_id=cls.company_b.id, company_ids=[cls.company_b.id])
        cls.salesperson_b.support_coordinator_id = cls.coordinator_b
        cls.customer_b = cls.env["res.partner"].create({
            "name": "Customer B", "company_id": cls.company_b.id, "user_id": cls.salesperson_b.id})
        cls.order_b = cls.env["sale.order"].with_company(cls.company_b).create({
            "partner_id": cls.customer_b.id, "user_id": cls.salesperson_b.id,
            "company_id": cls.company_b.id})

    def test_other_company_orders_invisible(self):
        self.assertEqual(self.order_b.coordinator_id, self.coordinator_b)
        # even the support manager of company A, who sees every order of their companies
        Order = self.env["sale.order"].with_user(self.support_manager)
        self.assertFalse(Order.search([("id", "=", self.order_b.id)]))
        with self.assertRaises(AccessError):
            Order.browse(self.order_b.id).read(["name"])
        self.assertFalse(self.env["res.partner"].with_user(self.support_manager).search(
            [("id", "=", self.customer_b.id)]))

    def test_rules_stay_in_their_company(self):
        rule_b = self.Rule.create({"company_id": self.company_b.id, "coordinator_id": self.coordinator_b.id,
                                   "salesperson_id": self.salesperson_b.id})
        self.assertFalse(self.Rule.with_user(self.support_manager).search([("id", "=", rule_b.id)]))
        # a company-B rule never assigns a company-A order
        self.assertEqual(self._create_order(self.customer_1).coordinator_id, self.coordinator)

    def test_coordinator_of_another_company_refused(self):
        with self.assertRefused(ValidationError, "does not work for"):
            self.Rule.create({"company_id": self.company_b.id, "coordinator_id": self.coordinator.id})
        with self.assertRefused(ValidationError, "does not work for"):
            self.order_b.coordinator_id = self.coordinator

    def test_branch_order_never_gets_a_coordinator_of_another_company(self):
        """A salesperson selling for a branch keeps working: their coordinator, who does not work
        for the branch, is passed over (the order is saved without a coordinator)."""
        branch = self.env["res.company"].create({"name": "Branch", "parent_id": self.company.id})
        self.salesperson_1.company_ids |= branch
        order = self.env["sale.order"].with_company(branch).create({
            "partner_id": self.customer_1.id, "user_id": self.salesperson_1.id, "company_id": branch.id})
        self.assertFalse(order.coordinator_id)
        self.assertFalse(order.is_coordinator_manual)
        # once the backup works for the branch, the backup serves it
        self.assistant.company_ids |= branch
        order.action_apply_assignment_rules()
        self.assertEqual(order.coordinator_id, self.assistant)
