import logging
import time
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import SalesSupportCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestPerformance(SalesSupportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule.create(
            [
                {
                    "sequence": 1,
                    "country_id": cls.env.ref("base.il").id,
                    "coordinator_id": cls.coordinator_2.id,
                },
                {
                    "sequence": 2,
                    "product_categ_id": cls.categ_parent.id,
                    "coordinator_id": cls.support_manager.id,
                },
            ]
        )

    def _create_orders(self, n):
        customers = self.customer_1 | self.customer_il
        return self.env["sale.order"].create(
            [
                {
                    "partner_id": customers[i % 2].id,
                    "user_id": (self.salesperson_1 if i % 3 else self.salesperson_2).id,
                    "order_line": [
                        Command.create(
                            {"product_id": (self.lathe if i % 5 == 0 else self.product).id}
                        )
                    ],
                }
                for i in range(n)
            ]
        )

    def test_batch_reapply_1000_orders_bounded_queries(self):
        """Re-applying the rules to 1,000 orders costs a fixed number of queries, not one per
        order."""
        orders = self._create_orders(1000)
        self.assertEqual(len(orders), 1000)
        # the salespeople change coordinators: every non-rule order must move
        (self.salesperson_1 | self.salesperson_2).support_coordinator_id = self.coordinator_2
        expected_moves = len(orders.filtered(lambda o: o.coordinator_id == self.coordinator))
        self.assertGreater(expected_moves, 300)
        self.env.invalidate_all()
        orders = self.env["sale.order"].browse(orders.ids)
        start = time.perf_counter()
        # measured: 21 (+1 since checklist documents keep their order's coordinator)
        with self.assertQueryCount(21):
            changed = orders._apply_support_assignment()
            self.env.flush_all()
        elapsed = time.perf_counter() - start
        _logger.info("batch re-assignment of 1,000 orders: %.3f s, %s changed", elapsed, changed)
        self.assertEqual(changed, expected_moves)
        self.assertFalse(orders.filtered(lambda o: o.coordinator_id == self.coordinator))
        self.assertEqual(
            orders.filtered(lambda o: o.partner_id == self.customer_il).coordinator_id,
            self.coordinator_2,
        )

    def _age_everything(self):
        for table in ("res_users", "res_partner", "sales_support_assignment_rule", "sale_order"):
            self.env.cr.execute(f"UPDATE {table} SET write_date = write_date - interval '2 days'")  # noqa: S608
        self.env.invalidate_all()

    def _check_daily_cron_queries(self, size):
        """The daily cron re-assigns what changed in a number of queries that does not depend on
        how many orders changed (here one batch; the two tests below run it at two sizes)."""
        orders = self._create_orders(size)
        self._age_everything()
        # the salespeople's coordinator is absent from today (entered last week): their orders
        # go to the backup, except those the rules give to someone else
        self.env.cr.execute(
            "UPDATE res_users SET support_absence_date_from = %s WHERE id = %s",
            (fields.Date.context_today(self.coordinator), self.coordinator.id),
        )
        self.env.invalidate_all()
        moving = orders.filtered(
            lambda o: o.partner_id == self.customer_1 and self.lathe not in o.order_line.product_id
        )
        self.assertTrue(moving)
        self.assertEqual(moving.coordinator_id, self.coordinator)
        lastcall = fields.Datetime.now() - timedelta(hours=1)
        start = time.perf_counter()
        # measured: 25 (30 orders), 26 (300 orders, whose export orders have checklist
        # documents that follow their coordinator)
        with self.assertQueryCount(26):
            done = self.Rule.with_context(lastcall=lastcall)._cron_apply_assignment_rules()
        _logger.info("daily cron, %s orders in scope: %.3f s", size, time.perf_counter() - start)
        self.assertEqual(done, size)
        self.assertEqual(moving.coordinator_id, self.support_manager)
        self.assertEqual(
            orders.filtered(lambda o: o.partner_id == self.customer_il).coordinator_id,
            self.coordinator_2,
        )

    def test_daily_cron_queries_30_orders(self):
        self._check_daily_cron_queries(30)

    def test_daily_cron_queries_300_orders(self):
        self._check_daily_cron_queries(300)

    def _check_daily_cron_customer_queries(self, size):
        """Same for the customers of salespeople whose coordinator changed (and their contacts)."""
        customers = self.env["res.partner"].create(
            [
                {
                    "name": f"Customer {i}",
                    "is_company": True,
                    "user_id": (self.salesperson_1 if i % 2 else self.salesperson_2).id,
                    "child_ids": [Command.create({"name": f"Buyer {i}"})],
                }
                for i in range(size)
            ]
        )
        self._age_everything()
        (self.salesperson_1 | self.salesperson_2).support_coordinator_id = self.coordinator_2
        lastcall = fields.Datetime.now() - timedelta(hours=1)
        self.env.invalidate_all()
        with self.assertQueryCount(31):  # measured: 31 (20 and 200 customers)
            done = self.Rule.with_context(lastcall=lastcall)._cron_apply_assignment_rules()
        self.assertEqual(
            done, size + 2, "the customers, and customers 1 and Israel of salesperson 1"
        )
        self.assertEqual(customers.support_coordinator_id, self.coordinator_2)
        self.assertEqual(customers.child_ids.support_coordinator_id, self.coordinator_2)

    def test_daily_cron_queries_20_customers(self):
        self._check_daily_cron_customer_queries(20)

    def test_daily_cron_queries_200_customers(self):
        self._check_daily_cron_customer_queries(200)
