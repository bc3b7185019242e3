"""Browser tours: each role's day in the web client (Chromium, headless)."""

import shutil

from odoo import Command, http
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

# Demo logins of the roles (password = login), and the groups of a stand-in created when the
# database has no demo data.
ROLE_LOGINS = {
    "assistant": ("assistant", ["sales_support.group_support_assistant"]),
    "coordinator": (
        "coordinator",
        ["sales_support.group_support_coordinator", "base.group_partner_manager"],
    ),
    "csmanager": (
        "csmanager",
        ["sales_support.group_support_manager", "base.group_partner_manager"],
    ),
    "salesperson": ("sales01", ["sales_team.group_sale_salesman", "base.group_partner_manager"]),
}


class SalesSupportHttpCase(HttpCase):
    """Role users for browser tests: the demo users when they exist, else stand-ins."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The first requests of a browser, served in parallel threads, each read every
        # module's manifest (ast) to list the static folders, once per process: Python
        # 3.11 before 3.11.8 can fail to parse in two threads at once ("SystemError: AST
        # constructor recursion depth mismatch", CPython gh-106905), an error page in the
        # tour. Read them here first, in this thread alone.
        assert http.root.statics  # a lazy property: computed once, kept

    def _require_browser(self):
        """Odoo skips tours silently without a browser: here a missing browser is a failure."""
        if not any(
            shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
        ):
            self.fail(
                "No Chromium on PATH: install it (apt-get install chromium), the tours cannot run."
            )
        try:
            import websocket  # noqa: F401
        except ImportError:
            self.fail(
                "websocket-client is missing (pip install -r requirements.txt): "
                "the tours cannot run."
            )

    def _role_user(self, role):
        """The user of ``role``, logged in with password = login; onboarding tours off."""
        login, groups = ROLE_LOGINS[role]
        user = self.env["res.users"].search([("login", "=", login)], limit=1)
        if not user:
            user = new_test_user(
                self.env,
                login=login,
                password=login,
                groups=",".join(groups),
                name=f"{role.title()} (test)",
            )
        if "tour_enabled" in user._fields:
            user.tour_enabled = False
        return user


@tagged("post_install", "-at_install")
class TestUi(SalesSupportHttpCase):
    def test_coordinator_tour(self):
        self._require_browser()
        self._role_user("coordinator")
        self.start_tour("/odoo", "sales_support_coordinator_tour", login="coordinator")

    def _order_of(self, customer_name, salesperson_login="sales01", confirm=False):
        """A quotation (or a confirmed order) of a new customer of ``salesperson_login``, who is
        served by the demo coordinator Carla."""
        salesperson = self.env["res.users"].search([("login", "=", salesperson_login)])
        customer = self.env["res.partner"].create(
            {"name": customer_name, "is_company": True, "user_id": salesperson.id}
        )
        product = self.env["product.product"].create(
            {"name": "Tour Shelf", "type": "consu", "is_storable": True, "list_price": 100.0}
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10)
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": salesperson.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})],
            }
        )
        order.action_quotation_sent()
        if confirm:
            order.action_confirm()
        return order

    def test_assistant_opens_an_order(self):
        self._require_browser()
        self._role_user("assistant")
        order = self._order_of("Assistant Tour Customer")
        self.assertEqual(order.coordinator_id.login, "coordinator")
        self.start_tour("/odoo", "sales_support_assistant_tour", login="assistant")

    def test_coordinator_logs_an_entry_error(self):
        self._require_browser()
        coordinator = self._role_user("coordinator")
        order = self._order_of("Entry Error Tour Customer", confirm=True)
        self.start_tour(
            f"/odoo/action-sales_support.sale_order_action_support/{order.id}",
            "sales_support_entry_error_tour",
            login="coordinator",
        )
        error = order.order_error_ids
        self.assertEqual(len(error), 1, "the tour logged one entry error on the order")
        self.assertRecordValues(
            error,
            [
                {
                    "error_type": "quantity",
                    "found_by": "internal",
                    "origin": "manual",
                    "responsible_user_id": order.order_entry_user_id.id or order.user_id.id,
                }
            ],
        )
        self.assertEqual(error.create_uid, coordinator)

    def test_manager_opens_salespeople(self):
        self._require_browser()
        self._role_user("csmanager")
        self.start_tour("/odoo", "sales_support_manager_tour", login="csmanager")

    def test_claim_return_only_once(self):
        self._require_browser()
        coordinator = self._role_user("coordinator")
        order = self._order_of("Claim Return Tour Customer", confirm=True)
        delivery = order.picking_ids
        delivery.move_ids.quantity = 2
        delivery.move_ids.picked = True
        delivery.button_validate()
        claim = (
            self.env["sales.support.claim"]
            .with_user(coordinator)
            .create(
                {
                    "partner_id": order.partner_id.id,
                    "order_id": order.id,
                    "picking_id": delivery.id,
                    "claim_type": "damaged",
                    "resolution": "return",
                    "line_ids": [
                        Command.create(
                            {
                                "order_line_id": order.order_line.id,
                                "product_id": order.order_line.product_id.id,
                                "quantity": 2,
                            }
                        )
                    ],
                }
            )
        )
        self.start_tour(
            f"/odoo/action-sales_support.sales_support_claim_action/{claim.id}",
            "sales_support_claim_return_tour",
            login="coordinator",
        )
        returns = claim.return_picking_ids
        self.assertEqual(len(returns), 1, "the tour made one return")
        self.assertEqual(returns.move_ids.product_uom_qty, 2)
        # what the hidden button would have done: refused with a message, nothing written
        with self.assertRaises(UserError):
            claim.with_user(coordinator).action_create_return()
        self.assertEqual(claim.return_picking_ids, returns)
