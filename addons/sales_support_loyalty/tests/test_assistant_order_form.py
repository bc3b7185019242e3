from odoo import Command
from odoo.tests import tagged

from odoo.addons.sales_support.tests.common import SalesSupportCommon
from odoo.addons.sales_support.tests.test_access_rights import fields_spec


@tagged("post_install", "-at_install")
class TestAssistantOrderForm(SalesSupportCommon):
    """An assistant reads the orders of the coordinator they assist, also those that earned
    loyalty points: the order form opens for them (sale_loyalty's points are left out of it,
    they may not read the loyalty cards) and has no coupon or reward button."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Points for Every Order",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "rule_ids": [
                    Command.create({"reward_point_mode": "order", "reward_point_amount": 10})
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 5,
                            "discount_mode": "percent",
                            "required_points": 100,
                        }
                    )
                ],
            }
        )
        cls.order = cls._create_order(cls.customer_1)
        cls.order._update_programs_and_rewards()
        cls.order.action_confirm()

    def test_assistant_opens_order_with_loyalty_history(self):
        self.assertTrue(self.order.coupon_point_ids, "the order earned points on a card")
        card = self.order.coupon_point_ids.coupon_id
        self.assertEqual(card.points, 10)
        Order = self.env["sale.order"].with_user(self.assistant)
        form = Order.get_views([(False, "form")])["views"]["form"]
        spec = fields_spec(self.env, "sale.order", form["arch"])
        self.env.invalidate_all()  # a new request: nothing in cache
        [record] = Order.browse(self.order.ids).web_read(spec)
        self.assertEqual(record["name"], self.order.name)
        self.assertEqual(record["state"], "sale")
        self.assertNotIn('name="loyalty_data"', form["arch"])
        self.assertNotIn("action_open_reward_wizard", form["arch"])
        # the coordinator (a salesperson too) sees the points
        coordinator_form = (
            self.env["sale.order"]
            .with_user(self.coordinator)
            .get_views([(False, "form")])["views"]["form"]
        )
        self.assertIn('name="loyalty_data"', coordinator_form["arch"])
