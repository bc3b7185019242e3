from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.sales_support.tests.common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestO2cKpiAccess(SalesSupportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kpi_group = cls.env.ref("o2c_kpi.group_o2c_kpi_manager")
        cls.kpi_manager = new_test_user(
            cls.env, login="kpi_manager", groups="o2c_kpi.group_o2c_kpi_manager"
        )
        cls.order_1 = cls._create_order(cls.customer_1)
        cls.order_3 = cls._create_order(cls.customer_3)

    def test_managers_are_kpi_managers(self):
        self.assertIn(self.kpi_group, self.support_manager.groups_id)
        self.assertIn(self.kpi_group, self.sale_manager.groups_id)
        self.assertNotIn(self.kpi_group, self.coordinator.groups_id)
        self.assertNotIn(self.kpi_group, self.salesperson_1.groups_id)

    def test_kpi_manager_reads_orders_by_coordinator(self):
        """The Reporting menu's analysis groups every order of the company by coordinator."""
        Order = self.env["sale.order"].with_user(self.kpi_manager)
        groups = dict(
            Order._read_group(
                [("id", "in", (self.order_1 | self.order_3).ids)],
                ["coordinator_id"],
                ["amount_untaxed:sum"],
            )
        )
        self.assertEqual(set(groups), {self.coordinator, self.coordinator_2})
        self.assertAlmostEqual(groups[self.coordinator], self.order_1.amount_untaxed)
        with self.assertRaises(AccessError):
            self.order_1.with_user(self.kpi_manager).write({"note": "no"})

    def test_reporting_menu_visible_to_kpi_managers_only(self):
        menu = self.env.ref("sales_support.menu_sales_support_reporting")
        visible = self.env["ir.ui.menu"].with_user(self.kpi_manager)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertIn(self.env.ref("sales_support.menu_sales_support_root").id, visible)
        hidden = self.env["ir.ui.menu"].with_user(self.coordinator)._visible_menu_ids()
        self.assertNotIn(menu.id, hidden)
        action = self.env.ref("o2c_kpi.o2c_kpi_value_action")
        self.assertEqual(action.res_model, "o2c.kpi.value")
        self.assertIn(self.env.ref("o2c_kpi.menu_o2c_kpi_values").id, visible)
        self.assertIn(self.env.ref("o2c_kpi.menu_o2c_kpi_refresh").id, visible)
        self.assertNotIn(self.env.ref("o2c_kpi.menu_o2c_kpi_values").id, hidden)
        # Salespeople read their own figures from Sales > Reporting.
        mine = self.env["ir.ui.menu"].with_user(self.salesperson_1)._visible_menu_ids()
        self.assertIn(self.env.ref("o2c_kpi.menu_o2c_kpi_my_values").id, mine)

    def test_kpi_manager_reads_the_o2c_analysis(self):
        self.order_1.action_confirm()
        rows = (
            self.env["sales.support.o2c.report"]
            .with_user(self.kpi_manager)
            .search([("order_id", "in", (self.order_1 | self.order_3).ids)])
        )
        self.assertEqual(rows.order_id, self.order_1 | self.order_3)
        row = rows.filtered(lambda r: r.order_id == self.order_1)
        self.assertEqual(row.o2c_stage, self.order_1.o2c_stage)
        self.assertEqual(row.date_o2c_entered, self.order_1.date_o2c_entered)
        self.assertTrue(row.processing_hours is not False and row.processing_hours >= 0)
