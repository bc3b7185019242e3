import logging
import time

from odoo.tests import tagged

from .common import SalesSupportCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestPerformance(SalesSupportCommon):

    def test_batch_reapply_1000_orders_bounded_queries(self):
        """Re-applying the rules to 1,000 orders costs a fixed number of queries, not one per order."""
        self.Rule.create([
            {"sequence": 1, "country_id": self.env.ref("base.il").id, "coordinator_id": self.coordinator_2.id},
            {"sequence": 2, "product_categ_id": self.categ_parent.id, "coordinator_id": self.assistant.id},
        ])
        customers = self.customer_1 | self.customer_il
        vals = [{
            "partner_id": customers[i % 2].id,
            "user_id": (self.salesperson_1 if i % 3 else self.salesperson_2).id,
            "order_line": [(0, 0, {"product_id": (self.lathe if i % 5 == 0 else self.product).id})],
        } for i in range(1000)]
        orders = self.env["sale.order"].create(vals)
        self.assertEqual(len(orders), 1000)
        # the salespeople change coordinators: every non-rule order must move
        (self.salesperson_1 | self.salesperson_2).support_coordinator_id = self.coordinator_2
        expected_moves = len(orders.filtered(lambda o: o.coordinator_id == self.coordinator))
        self.assertGreater(expected_moves, 300)
        self.env.invalidate_all()
        orders = self.env["sale.order"].browse(orders.ids)
        start = time.perf_counter()
        with self.assertQueryCount(20):  # measured: 19
            changed = orders._apply_support_assignment()
            self.env.flush_all()
        elapsed = time.perf_counter() - start
        _logger.info("batch re-assignment of 1,000 orders: %.3f s, %s changed", elapsed, changed)
        self.assertEqual(changed, expected_moves)
        self.assertFalse(orders.filtered(lambda o: o.coordinator_id == self.coordinator))
        self.assertEqual(orders.filtered(lambda o: o.partner_id == self.customer_il).coordinator_id,
                         self.coordinator_2)
