from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestAccessRights(SalesSupportCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_1 = cls._create_order(cls.customer_1)   # coordinator, backup assistant
        cls.order_3 = cls._create_order(cls.customer_3)   # coordinator_2

    def test_coordinator_reads_own_orders_only(self):
        Order = self.env["sale.order"].with_user(self.coordinator)
        self.assertEqual(Order.browse(self.order_1.id).read(["name"])[0]["name"], self.order_1.name)
        with self.assertRaises(AccessError):
            Order.browse(self.order_3.id).read(["name"])
        found = Order.search([("id", "in", (self.order_1 | self.order_3).ids)])
        self.assertEqual(found, self.order_1)
        # and the order lines follow
        Line = self.env["sale.order.line"].with_user(self.coordinator)
        self.assertEqual(Line.search([("order_id", "in", (self.order_1 | self.order_3).ids)]),
                         self.order_1.order_line)

    def test_coordinator_works_orders(self):
        order = self.order_1.with_user(self.coordinator)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.picking_ids, "coordinators see and work the shipments")
        order.picking_ids.with_user(self.coordinator).read(["name", "state"])

    def test_coordinator_sees_orders_coordinated_by_hand(self):
        self.order_3.coordinator_id = self.coordinator
        Order = self.env["sale.order"].with_user(self.coordinator)
        self.assertIn(self.order_3, Order.search([]))

    def test_backup_sees_the_salespeople_they_back_up(self):
        Order = self.env["sale.order"].with_user(self.assistant)
        self.assertIn(self.order_1, Order.search([]))
        self.assertNotIn(self.order_3, Order.search([]))

    def test_assistant_cannot_confirm_nor_write(self):
        order = self.order_1.with_user(self.assistant)
        self.assertEqual(order.read(["state"])[0]["state"], "draft")
        with self.assertRefused(AccessError, "do not confirm"):
            order.action_confirm()
        with self.assertRaises(AccessError):
            order.write({"note": "changed"})
        with self.assertRaises(AccessError):
            self.customer_1.with_user(self.assistant).write({"phone": "123"})
        self.assertEqual(self.order_1.state, "draft")

    def test_customers_visibility(self):
        Partner = self.env["res.partner"].with_user(self.coordinator)
        customers = self.customer_1 | self.customer_3
        self.assertEqual(Partner.search([("id", "in", customers.ids)]), self.customer_1)
        with self.assertRaises(AccessError):
            Partner.browse(self.customer_3.id).read(["name"])
        # partners that are nobody's customer stay visible (colleagues, suppliers)
        self.assertTrue(Partner.search([("id", "=", self.salesperson_3.partner_id.id)]))

    def test_support_and_sales_managers_see_everything(self):
        both = self.order_1 | self.order_3
        for manager in (self.support_manager, self.sale_manager):
            self.assertEqual(self.env["sale.order"].with_user(manager).search([("id", "in", both.ids)]), both)
            self.assertEqual(
                self.env["res.partner"].with_user(manager).search(
                    [("id", "in", (self.customer_1 | self.customer_3).ids)]),
                self.customer_1 | self.customer_3)

    def test_assignment_rules_access(self):
        rule = self.Rule.with_user(self.support_manager).create({
            "salesperson_id": self.salesperson_1.id, "coordinator_id": self.coordinator.id})
        self.assertTrue(rule.with_user(self.coordinator).read(["name"]))
        with self.assertRaises(AccessError):
            rule.with_user(self.coordinator).write({"sequence": 1})
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.assistant).create({"coordinator_id": self.coordinator.id})
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.salesperson_1).search([])
