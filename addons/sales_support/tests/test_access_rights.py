from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import SalesSupportCommon


def fields_spec(env, model, arch):
    """The ``web_read``/``web_search_read`` specification the web client sends for a view: every
    field of the view, relations with their display name, x2many fields with the fields of their
    inline sub-views (list, kanban, form)."""

    def spec_of(model, node):
        spec = {}
        for child in node.iterchildren():
            if not isinstance(child.tag, str):
                continue
            if child.tag != "field":
                spec.update(spec_of(model, child))
                continue
            field = env[model]._fields[child.get("name")]
            if field.type in ("one2many", "many2many"):
                sub = {"display_name": {}}
                for view in child.iterchildren("list", "kanban", "form"):
                    sub.update(spec_of(field.comodel_name, view))
                spec[field.name] = {"fields": sub}
            elif field.relational:
                spec[field.name] = {"fields": {"display_name": {}}}
            else:
                spec[field.name] = {}
        return spec

    return spec_of(model, etree.fromstring(arch))


@tagged("post_install", "-at_install")
class TestAccessRights(SalesSupportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_1 = cls._create_order(cls.customer_1)  # coordinator (assisted by the assistant)
        cls.order_3 = cls._create_order(cls.customer_3)  # coordinator_2
        cls.contact_1 = cls.env["res.partner"].create(
            {"name": "Buyer of 1", "parent_id": cls.customer_1.id}
        )
        cls.contact_3 = cls.env["res.partner"].create(
            {"name": "Buyer of 3", "parent_id": cls.customer_3.id}
        )
        cls.supplier = cls.env["res.partner"].create(
            {"name": "Steel Supplier", "is_company": True, "supplier_rank": 1}
        )

    def _open_views(self, user, orders, action_xmlid):
        """Open ``orders`` as ``user`` the way the web client does from ``action_xmlid``: the
        action, its list and kanban (search_read with their fields) and each record's form."""
        action = self.env["ir.actions.act_window"].with_user(user)._for_xml_id(action_xmlid)
        Order = (
            self.env["sale.order"]
            .with_user(user)
            .with_context(**safe_eval(action.get("context") or "{}"))
        )
        views = Order.get_views(
            [(view_id, mode) for view_id, mode in action["views"] if mode in ("list", "kanban")]
            + [(False, "search")]
        )
        for mode in ("list", "kanban"):
            if mode in views["views"]:
                spec = fields_spec(self.env, "sale.order", views["views"][mode]["arch"])
                self.env.invalidate_all()  # a new request: nothing in cache
                found = Order.web_search_read([("id", "in", orders.ids)], spec)
                self.assertEqual({r["id"] for r in found["records"]}, set(orders.ids), mode)
        form_view = Order.get_views([(False, "form")])["views"]["form"]
        spec = fields_spec(self.env, "sale.order", form_view["arch"])
        self.env.invalidate_all()
        for record in Order.browse(orders.ids).web_read(spec):
            self.assertIn(record["id"], orders.ids)

    # ------------------------------------------------------------
    # Coordinators
    # ------------------------------------------------------------
    def test_coordinator_reads_own_orders_only(self):
        Order = self.env["sale.order"].with_user(self.coordinator)
        self.assertEqual(Order.browse(self.order_1.id).read(["name"])[0]["name"], self.order_1.name)
        with self.assertRaises(AccessError):
            Order.browse(self.order_3.id).read(["name"])
        found = Order.search([("id", "in", (self.order_1 | self.order_3).ids)])
        self.assertEqual(found, self.order_1)
        # and the order lines follow
        Line = self.env["sale.order.line"].with_user(self.coordinator)
        self.assertEqual(
            Line.search([("order_id", "in", (self.order_1 | self.order_3).ids)]),
            self.order_1.order_line,
        )

    def test_coordinator_sees_orders_coordinated_by_hand(self):
        self.order_3.coordinator_id = self.coordinator
        Order = self.env["sale.order"].with_user(self.coordinator)
        self.assertIn(self.order_3, Order.search([]))

    def test_backup_sees_salesperson_only_during_absence(self):
        self.salesperson_3.support_backup_coordinator_id = self.coordinator
        Order = self.env["sale.order"].with_user(self.coordinator)
        Partner = self.env["res.partner"].with_user(self.coordinator)
        self.assertNotIn(self.order_3, Order.search([]), "no absence: the backup does not see it")
        self.assertNotIn(self.customer_3, Partner.search([]))
        today = fields.Date.context_today(self.coordinator_2)
        self.coordinator_2.write(
            {
                "support_absence_date_from": today - timedelta(days=1),
                "support_absence_date_to": today + timedelta(days=2),
            }
        )
        self.assertIn(self.order_3, Order.search([]), "during the absence the backup sees it")
        self.assertEqual(
            self.customer_3.with_user(self.coordinator).read(["name"])[0]["name"],
            self.customer_3.name,
        )
        # ended two days ago: "today" of the rule is the server's day, which may differ by one
        # from the coordinator's local day (near midnight UTC)
        self.coordinator_2.write(
            {
                "support_absence_date_from": today - timedelta(days=10),
                "support_absence_date_to": today - timedelta(days=2),
            }
        )
        self.assertNotIn(self.order_3, Order.search([]), "absence over: no more")
        with self.assertRaises(AccessError):
            Order.browse(self.order_3.id).read(["name"])

    def test_coordinator_reads_customers_of_every_order_coordinated(self):
        Partner = self.env["res.partner"].with_user(self.coordinator)
        self.assertEqual(
            Partner.search([("id", "in", (self.customer_1 | self.customer_3).ids)]), self.customer_1
        )
        with self.assertRaises(AccessError):
            Partner.browse(self.customer_3.id).read(["name"])
        with self.assertRaises(AccessError):
            Partner.browse(self.supplier.id).read(["name"])
        self.assertFalse(Partner.search([("id", "=", self.supplier.id)]), "suppliers are not shown")
        # an order of customer 3 placed on its contact and coordinated by hand: its customer and
        # the customer's contacts open for the coordinator
        self._create_order(
            self.contact_3, salesperson=self.salesperson_3, coordinator_id=self.coordinator.id
        )
        self.assertEqual(
            Partner.search([("id", "in", (self.customer_3 | self.contact_3).ids)]),
            self.customer_3 | self.contact_3,
        )
        # colleagues and the company stay visible
        visible = Partner.search(
            [("id", "in", (self.salesperson_3.partner_id | self.company.partner_id).ids)]
        )
        self.assertEqual(visible, self.salesperson_3.partner_id | self.company.partner_id)
        # a partner the coordinator creates (Contact Creation role) stays readable; one created
        # by someone else, nobody's customer, is not
        self.coordinator.groups_id |= self.env.ref("base.group_partner_manager")
        walk_in = self.env["res.partner"].with_user(self.coordinator).create({"name": "Walk-in"})
        self.assertEqual(walk_in.read(["name"])[0]["name"], "Walk-in")
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        with self.assertRaises(AccessError):
            stranger.with_user(self.coordinator).read(["name"])

    def test_coordinator_reads_customer_of_order_of_salesperson_served(self):
        """An order of a salesperson the coordinator serves, sent by a rule (here by hand) to
        another coordinator: she still works it (delivery, invoicing), so she reads its customer
        (found by `make load`: the back office could not validate the delivery)."""
        order = self._create_order(
            self.customer_3, salesperson=self.salesperson_1, coordinator_id=self.coordinator_2.id
        )
        order.action_confirm()
        as_coordinator = order.with_user(self.coordinator)
        self.assertEqual(as_coordinator.partner_id.read(["name"])[0]["name"], "Customer of Sales 3")
        self.assertTrue(as_coordinator.picking_ids.partner_id.read(["name"]))

    def test_coordinator_opens_order_delivery_and_invoice(self):
        """A coordinator confirms, ships and invoices (Invoicing role): every form opens."""
        order = self.order_1.with_user(self.coordinator)
        order.action_confirm()
        self._open_views(self.coordinator, self.order_1, "sales_support.sale_order_action_support")
        picking = order.picking_ids
        self.assertTrue(picking)
        picking_form = Form(picking.with_user(self.coordinator))
        self.assertEqual(picking_form.partner_id, self.customer_1)
        picking.move_ids.quantity = 1
        picking.with_user(self.coordinator).button_validate()
        self.assertEqual(picking.state, "done")
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_user(self.coordinator)
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "delivered"})
        )
        wizard.create_invoices()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1, "one invoice, nothing half-done")
        invoice_form = Form(invoice.with_user(self.coordinator))
        self.assertEqual(invoice_form.partner_id, self.customer_1)
        invoice.with_user(self.coordinator).action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self.order_1.invoice_status, "invoiced")

    # ------------------------------------------------------------
    # Assistants
    # ------------------------------------------------------------
    def test_assistant_opens_orders_of_the_coordinator_assisted(self):
        """Issue 11 blocker: an assistant opens orders from the kanban, the list and the form."""
        self.order_1.write(
            {
                "sale_order_option_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "name": "Option",
                            "quantity": 1,
                            "price_unit": 5.0,
                        }
                    )
                ],
                "tag_ids": [Command.create({"name": "Key account"})],
            }
        )
        self._open_views(self.assistant, self.order_1, "sales_support.sale_order_action_support")
        if self.env.ref("o2c_kpi.sale_order_action_o2c_kpi_coordinator", raise_if_not_found=False):
            self._open_views(
                self.assistant, self.order_1, "o2c_kpi.sale_order_action_o2c_kpi_coordinator"
            )
        self._open_views(self.assistant, self.order_1, "sale.action_orders")
        self._open_views(self.assistant, self.order_1, "sale.action_quotations_with_onboarding")
        Order = self.env["sale.order"].with_user(self.assistant)
        self.assertEqual(
            Order.search([("id", "in", (self.order_1 | self.order_3).ids)]), self.order_1
        )
        with self.assertRaises(AccessError):
            Order.browse(self.order_3.id).read(["name"])
        Partner = self.env["res.partner"].with_user(self.assistant)
        self.assertEqual(
            Partner.search(
                [("id", "in", (self.customer_1 | self.contact_1 | self.customer_3).ids)]
            ),
            self.customer_1 | self.contact_1,
        )
        # confirmed: the order and its delivery (paperwork) open, other coordinators' do not
        (self.order_1 | self.order_3).action_confirm()
        self.env.invalidate_all()
        self._open_views(self.assistant, self.order_1, "sales_support.sale_order_action_support")
        picking = self.order_1.picking_ids
        self.assertEqual(Form(picking.with_user(self.assistant)).partner_id, self.customer_1)
        Picking = self.env["stock.picking"].with_user(self.assistant)
        self.assertEqual(
            Picking.search([("id", "in", (self.order_1 | self.order_3).picking_ids.ids)]), picking
        )
        with self.assertRaises(AccessError):
            self.order_3.picking_ids.with_user(self.assistant).read(["name"])
        with self.assertRaises(AccessError):
            picking.with_user(self.assistant).write({"origin": "changed"})

    def test_assistant_reads_but_never_writes(self):
        order = self.order_1.with_user(self.assistant)
        self.assertEqual(order.read(["state"])[0]["state"], "draft")
        with self.assertRefused(AccessError, "do not confirm") as caught:
            order.action_confirm()
        self.assertNotIn("group_", str(caught.exception), "no technical group names")
        self.assertIn(self.coordinator.name, str(caught.exception), "says whom to ask")
        with self.assertRaises(AccessError):
            order.write({"note": "changed"})
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.assistant).create(
                {"partner_id": self.customer_1.id}
            )
        with self.assertRaises(AccessError):
            self.customer_1.with_user(self.assistant).write({"phone": "123"})
        self.assertEqual(self.order_1.state, "draft")
        # requests, claims and errors of the coordinator: read, not written
        request = self.env["sales.support.request"].create(
            {"subject": "Where is my order?", "partner_id": self.customer_1.id}
        )
        self.assertEqual(request.coordinator_id, self.coordinator)
        self.assertEqual(
            request.with_user(self.assistant).read(["subject"])[0]["subject"], request.subject
        )
        with self.assertRaises(AccessError):
            request.with_user(self.assistant).write({"subject": "changed"})
        with self.assertRaises(AccessError):
            self.env["sales.support.request"].with_user(self.assistant).create(
                {"subject": "x", "partner_id": self.customer_1.id}
            )
        other = self.env["sales.support.request"].create(
            {"subject": "Other", "partner_id": self.customer_3.id}
        )
        with self.assertRaises(AccessError):
            other.with_user(self.assistant).read(["subject"])

    def test_assistant_without_coordinator_sees_no_order(self):
        self.assistant.support_assisted_coordinator_ids = False
        self.assertFalse(
            self.env["sale.order"]
            .with_user(self.assistant)
            .search([("id", "in", (self.order_1 | self.order_3).ids)])
        )

    # ------------------------------------------------------------
    # Claims and their lines
    # ------------------------------------------------------------
    def test_claim_lines_follow_their_claim(self):
        for order in (self.order_1, self.order_3):
            order.action_confirm()
            order.picking_ids.move_ids.quantity = 1
            order.picking_ids.button_validate()
        claims = self.env["sales.support.claim"].create(
            [
                {
                    "partner_id": order.partner_id.id,
                    "order_id": order.id,
                    "line_ids": [
                        Command.create({"order_line_id": order.order_line.id, "quantity": 1})
                    ],
                }
                for order in (self.order_1, self.order_3)
            ]
        )
        claim_1, claim_3 = claims
        Line = self.env["sales.support.claim.line"]
        for user, visible in (
            (self.coordinator, claim_1),
            (self.assistant, claim_1),
            (self.coordinator_2, claim_3),
            (self.salesperson_1, claim_1),
            (self.support_manager, claims),
        ):
            self.assertEqual(
                Line.with_user(user).search([("claim_id", "in", claims.ids)]).claim_id,
                visible,
                user.name,
            )
        with self.assertRaises(AccessError):
            claim_3.line_ids.with_user(self.coordinator).read(["quantity"])
        with self.assertRaises(AccessError):
            claim_1.line_ids.with_user(self.assistant).write({"quantity": 2})
        with self.assertRaises(AccessError):
            claim_3.line_ids.with_user(self.coordinator).write({"quantity": 2})
        claim_1.line_ids.with_user(self.coordinator).write({"quantity": 1})

    # ------------------------------------------------------------
    # Managers
    # ------------------------------------------------------------
    def test_support_and_sales_managers_see_everything(self):
        both = self.order_1 | self.order_3
        for manager in (self.support_manager, self.sale_manager):
            self.assertEqual(
                self.env["sale.order"].with_user(manager).search([("id", "in", both.ids)]), both
            )
            self.assertEqual(
                self.env["res.partner"]
                .with_user(manager)
                .search([("id", "in", (self.customer_1 | self.customer_3 | self.supplier).ids)]),
                self.customer_1 | self.customer_3 | self.supplier,
            )

    def test_salespeople_action_opens_for_the_support_manager(self):
        """Issue 11 blocker: Team > Salespeople crashed with "Name 'ref' is not defined"."""
        action = (
            self.env["ir.actions.act_window"]
            .with_user(self.support_manager)
            ._for_xml_id("sales_support.res_users_action_support_salesperson")
        )
        self.assertNotIn("ref(", action["domain"])
        domain = safe_eval(
            action["domain"], {"uid": self.support_manager.id}
        )  # what the web client has
        Users = (
            self.env["res.users"]
            .with_user(self.support_manager)
            .with_context(**safe_eval(action["context"], {"uid": self.support_manager.id}))
        )
        found = Users.search(domain)
        self.assertIn(self.salesperson_1, found)
        self.assertNotIn(self.coordinator, found, "support staff are not listed as salespeople")
        views = Users.get_views([(v, m) for v, m in action["views"]] + [(False, "search")])
        spec = fields_spec(self.env, "res.users", views["views"]["list"]["arch"])
        Users.web_search_read(domain, spec)
        Users.web_read_group(domain, ["support_coordinator_id"], ["support_coordinator_id"])
        self.assertTrue(
            Users.env.context.get("support_can_assign"), "the list is editable for managers"
        )
        self.assertEqual(
            self.env.ref("sales_support.res_users_action_support_salesperson").groups_id,
            self.group_support_manager | self.env.ref("sales_team.group_sale_manager"),
            "the action is for those who may set who serves whom",
        )
        self.assertFalse(
            self.coordinator.with_user(self.coordinator).action_open_support_salespersons()[
                "context"
            ]["support_can_assign"]
        )
        # and from that list the managers set a coordinator (sales managers too)
        self.salesperson_2.with_user(self.sale_manager).write(
            {"support_backup_coordinator_id": self.coordinator_2.id}
        )
        self.assertEqual(self.salesperson_2.support_backup_coordinator_id, self.coordinator_2)
        self.salesperson_3.with_user(self.support_manager).write(
            {"support_backup_coordinator_id": self.coordinator.id}
        )
        self.assertEqual(self.salesperson_3.support_backup_coordinator_id, self.coordinator)

    def test_assignment_rules_access(self):
        rule = self.Rule.with_user(self.support_manager).create(
            {"salesperson_id": self.salesperson_1.id, "coordinator_id": self.coordinator.id}
        )
        self.assertTrue(rule.with_user(self.coordinator).read(["name"]))
        with self.assertRaises(AccessError):
            rule.with_user(self.coordinator).write({"sequence": 1})
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.assistant).create({"coordinator_id": self.coordinator.id})
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.salesperson_1).search([])

    # ------------------------------------------------------------
    # Landing page
    # ------------------------------------------------------------
    def test_support_users_land_in_sales_support(self):
        home = self.env.ref("sales_support.sale_order_action_support")
        for user in (self.assistant, self.coordinator, self.support_manager):
            self.assertEqual(user.action_id.id, home.id, user.name)
        self.assertFalse(self.salesperson_1.action_id)
        # a support role given later, by the user administrator
        self.salesperson_3.write({"groups_id": [Command.link(self.group_coordinator.id)]})
        self.assertEqual(self.salesperson_3.action_id.id, home.id)
        # a home action chosen before is kept
        chosen = self.env.ref("base.action_res_users")
        self.salesperson_2.action_id = chosen.id
        self.salesperson_2.write({"groups_id": [Command.link(self.group_assistant.id)]})
        self.assertEqual(self.salesperson_2.action_id.id, chosen.id)
