from contextlib import contextmanager

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.sale.tests.common import SaleCommon


class SalesSupportCommon(SaleCommon):
    """Two coordinators with their salespeople and customers, an assistant (who assists the first
    coordinator), a support manager (the backup of the first coordinator's salespeople).

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
            return new_test_user(
                cls.env,
                login=login,
                name=login.replace("_", " ").title(),
                groups=groups,
                company_id=cls.company.id,
            )

        cls.assistant = user("ss_assistant", "sales_support.group_support_assistant")
        cls.coordinator = user("ss_coordinator", "sales_support.group_support_coordinator")
        cls.coordinator_2 = user("ss_coordinator_2", "sales_support.group_support_coordinator")
        cls.support_manager = user("ss_manager", "sales_support.group_support_manager")
        cls.salesperson_1 = user("ss_sales_1", "sales_team.group_sale_salesman")
        cls.salesperson_2 = user("ss_sales_2", "sales_team.group_sale_salesman")
        cls.salesperson_3 = user("ss_sales_3", "sales_team.group_sale_salesman")
        (cls.salesperson_1 | cls.salesperson_2).write(
            {
                "support_coordinator_id": cls.coordinator.id,
                "support_backup_coordinator_id": cls.support_manager.id,
            }
        )
        cls.salesperson_3.support_coordinator_id = cls.coordinator_2
        # assistants are never coordinators nor backups: they do the paperwork of a coordinator
        cls.assistant.support_assisted_coordinator_ids = cls.coordinator

        cls.customer_1 = cls.env["res.partner"].create(
            {
                "name": "Customer of Sales 1",
                "is_company": True,
                "user_id": cls.salesperson_1.id,
                "country_id": cls.env.ref("base.us").id,
            }
        )
        cls.customer_3 = cls.env["res.partner"].create(
            {
                "name": "Customer of Sales 3",
                "is_company": True,
                "user_id": cls.salesperson_3.id,
                "country_id": cls.env.ref("base.us").id,
            }
        )
        cls.customer_il = cls.env["res.partner"].create(
            {
                "name": "Israeli Customer",
                "is_company": True,
                "user_id": cls.salesperson_1.id,
                "country_id": cls.env.ref("base.il").id,
            }
        )
        cls.categ_parent = cls.env["product.category"].create({"name": "Machines"})
        cls.categ_child = cls.env["product.category"].create(
            {"name": "Lathes", "parent_id": cls.categ_parent.id}
        )
        cls.lathe = cls.env["product.product"].create(
            {"name": "Lathe", "categ_id": cls.categ_child.id, "list_price": 1000.0}
        )

    @contextmanager
    def assertRefused(self, exception, regex):
        """Like assertRaisesRegex, but rolled back like an RPC call: Odoo's assertRaises wraps the
        block in a savepoint (assertRaisesRegex does not), so 'nothing is half-written' can be
        checked."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)

    @classmethod
    def _create_order(cls, partner, salesperson=None, products=None, **values):
        """A quotation entered by its salesperson (as they would, with their rights, in the
        order's company), returned in the test's environment. Without an active salesperson
        (none, or archived: nobody can log in as them), the test's own user enters it."""
        salesperson = salesperson or partner.user_id
        Order = cls.env["sale.order"]
        if values.get("user_id"):
            salesperson = cls.env["res.users"].browse(values["user_id"])
        if salesperson and salesperson.active:
            Order = Order.with_user(salesperson).with_company(
                values.get("company_id") or salesperson.company_id
            )
        order = Order.create(
            {
                "partner_id": partner.id,
                "user_id": salesperson.id,
                "team_id": cls.sale_team.id,
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": 1})
                    for p in (products or cls.product)
                ],
                **values,
            }
        )
        return order.with_env(cls.env)


class SalesSupportRequestCommon(SalesSupportCommon):
    """Customer requests: the company works Monday-Friday 8:00-17:00 in Brussels (UTC+1 in
    winter, 9 working hours a day); a request type with a 4 h first-response and a 16 h
    resolution target (risk at 3 h and 12 h)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Mon-Fri 8-17",
                "tz": "Europe/Brussels",
                "company_id": cls.company.id,
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 8,
                            "hour_to": 17,
                            "day_period": "morning",
                        }
                    )
                    for day in range(5)
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.rtype = cls.env["sales.support.request.type"].create(
            {
                "name": "Quote",
                "code": "test_quote",
                "first_response_hours": 4,
                "resolution_hours": 16,
                "is_quotation_request": True,
            }
        )
        cls.customer_1.email = "buyer@customer-one.example.com"
        support = cls.coordinator | cls.coordinator_2 | cls.support_manager
        support.write({"tz": "Europe/Brussels"})

    def _request(self, user=None, **values):
        """A request of customer 1 of type ``rtype``, created by ``user`` (default: superuser)."""
        Request = self.env["sales.support.request"]
        if user:
            Request = Request.with_user(user)
        return Request.create(
            {
                "subject": "Need a quote",
                "partner_id": self.customer_1.id,
                "type_id": self.rtype.id,
                **values,
            }
        )
