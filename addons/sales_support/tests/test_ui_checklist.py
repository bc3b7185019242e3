from odoo import Command
from odoo.tests import tagged

from .test_ui import SalesSupportHttpCase


@tagged("post_install", "-at_install")
class TestUiChecklist(SalesSupportHttpCase):
    def test_coordinator_marks_ready_and_delivers(self):
        self._require_browser()
        coordinator = self._role_user("coordinator")
        salesperson = self.env["res.users"].search([("login", "=", "sales01")])
        self.env["sales.support.checklist.template"].search([]).action_archive()
        self.env.company.country_id = self.env.ref("base.us")
        self.env["sales.support.checklist.template"].create(
            {
                "name": "Export (tour)",
                "is_export_only": True,
                "line_ids": [
                    Command.create(
                        {
                            "document_type_id": self.env.ref(
                                "sales_support.document_type_commercial_invoice"
                            ).id,
                            "blocks": "delivery",
                        }
                    ),
                    Command.create(
                        {
                            "document_type_id": self.env.ref(
                                "sales_support.document_type_packing_list"
                            ).id,
                        }
                    ),
                ],
            }
        )
        customer = self.env["res.partner"].create(
            {
                "name": "Tokyo Trading (tour)",
                "is_company": True,
                "user_id": salesperson.id,
                "country_id": self.env.ref("base.jp").id,
            }
        )
        product = self.env["product.product"].create(
            {"name": "Export Crate", "type": "consu", "is_storable": True, "list_price": 50.0}
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 5)
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": salesperson.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        self.assertEqual(order.coordinator_id, coordinator)
        self.assertEqual(order.checklist_progress, "0 / 2 ready")
        self.start_tour(
            f"/odoo/action-sales_support.sale_order_action_support/{order.id}",
            "sales_support_checklist_tour",
            login="coordinator",
        )
        ci = order.support_document_ids.filtered(lambda d: d.document_type_id.code == "CI")
        self.assertEqual(ci.state, "ready")
        self.assertEqual(order.picking_ids.state, "done")
        self.assertIn(
            "document_ready", order.o2c_event_ids.mapped("event_type"), "logged in the ledger"
        )
