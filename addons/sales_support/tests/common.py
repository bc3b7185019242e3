from contextlib import contextmanager

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.sale.tests.common import SaleCommon


class SalesSupportCommon(SaleCommon):
    """Two coordinators with their salespeople and customers, an assistant, a support manager.

    Demo assignment rules are archived so that every test starts from known rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["sales.support.assignment.rule"]
        cls.Rule.search([]).action_archive()
        cls.group_assistant = cls.env.ref("sales_support.group_support_assistant")
        cls.group_coordinator = cls.env.ref("sales_support.group_support_coordinator")
        cls.group_support_manager = cls.env.ref("sales_support.group_support_manager")

        def user(login, groups):
            return new_test_user(cls.env, login=login, name=login.replace("_", " ").title(),
                                 groups=groups, company_id=cls.company.id)

        cls.assistant = user("ss_assistant", "sales_support.group_support_assistant")
        cls.coordinator = user("ss_coordinator", "sales_support.group_support_coordinator")
        cls.coordinator_2 = user("ss_coordinator_2", "sales_support.group_support_coordinator")
        cls.support_manager = user("ss_manager", "sales_support.group_support_manager")
        cls.salesperson_1 = user("ss_sales_1", "sales_team.group_sale_salesman")
        cls.salesperson_2 = user("ss_sales_2", "sales_team.group_sale_salesman")
        cls.salesperson_3 = user("ss_sales_3", "sales_team.group_sale_salesman")
        (cls.salesperson_1 | cls.salesperson_2).write({
            "support_coordinator_id": cls.coordinator.id,
            "support_backup_coordinator_id": cls.assistant.id,
        })
        cls.salesperson_3.support_coordinator_id = cls.coordinator_2

        cls.customer_1 = cls.env["res.partner"].create({
            "name": "Customer of Sales 1", "is_company": True, "user_id": cls.salesperson_1.id,
            "country_id": cls.env.ref("base.us").id,
        })
        cls.customer_3 = cls.env["res.partner"].create({
            "name": "Customer of Sales 3", "is_company": True, "user_id": cls.salesperson_3.id,
            "country_id": cls.env.ref("base.us").id,
        })
        cls.customer_il = cls.env["res.partner"].create({
            "name": "Israeli Customer", "is_company": True, "user_id": cls.salesperson_1.id,
            "country_id": cls.env.ref("base.il").id,
        })
        cls.categ_parent = cls.env["product.category"].create({"name": "Machines"})
        cls.categ_child = cls.env["product.category"].create({
            "name": "Lathes", "parent_id": cls.categ_parent.id})
        cls.lathe = cls.env["product.product"].create({
            "name": "Lathe", "categ_id": cls.categ_child.id, "list_price": 1000.0})

    @contextmanager
    def assertRefused(self, exception, regex):
        """Like assertRaisesRegex, but rolled back like an RPC call: Odoo's assertRaises wraps the
        block in a savepoint (assertRaisesRegex does not), so 'nothing is half-written' can be checked."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)

    @classmethod
    def _create_order(cls, partner, salesperson=None, products=None, **values):
        return cls.env["sale.order"].create({
            "partner_id": partner.id,
            "user_id": (salesperson or partner.user_id).id,
            "team_id": cls.sale_team.id,
            "order_line": [Command.create({"product_id": p.id, "product_uom_qty": 1})
                           for p in (products or cls.product)],
            **values,
        })
