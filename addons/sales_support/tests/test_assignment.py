from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestAssignment(SalesSupportCommon):

    # ------------------------------------------------------------
    # Rules, order of rules, fallback
    # ------------------------------------------------------------
    def test_fallback_to_salesperson_coordinator(self):
        order = self._create_order(self.customer_1)
        self.assertEqual(order.coordinator_id, self.coordinator)
        self.assertFalse(order.is_coordinator_manual)
        self.assertEqual(self._create_order(self.customer_3).coordinator_id, self.coordinator_2)
        # no salesperson, no rule: nobody
        self.assertFalse(self._create_order(self.partner, salesperson=self.env["res.users"]).coordinator_id)

    def test_first_matching_rule_wins(self):
        self.Rule.create([
            {"sequence": 20, "country_id": self.env.ref("base.il").id, "coordinator_id": self.assistant.id},
            {"sequence": 10, "salesperson_id": self.salesperson_1.id,
             "country_id": self.env.ref("base.il").id, "coordinator_id": self.coordinator_2.id},
        ])
        self.assertEqual(self._create_order(self.customer_il).coordinator_id, self.coordinator_2,
                         "the rule with the lowest sequence wins")
        other = self._create_order(self.customer_il, salesperson=self.salesperson_2)
        self.assertEqual(other.coordinator_id, self.assistant, "first rule does not match salesperson 2")
        self.assertEqual(self._create_order(self.customer_1).coordinator_id, self.coordinator,
                         "no rule matches a US customer: the salesperson's coordinator")

    def test_rule_criteria(self):
        export_team = self.env["crm.team"].create({"name": "Export"})
        europe_rule, team_rule, categ_rule = self.Rule.create([
            {"sequence": 1, "country_group_id": self.env.ref("base.europe").id,
             "coordinator_id": self.assistant.id},
            {"sequence": 2, "team_id": export_team.id, "coordinator_id": self.support_manager.id},
            {"sequence": 3, "product_categ_id": self.categ_parent.id, "coordinator_id": self.coordinator_2.id},
        ])
        belgian = self.customer_1.copy({"country_id": self.env.ref("base.be").id, "name": "Belgian"})
        self.assertEqual(self._create_order(belgian).coordinator_id, self.assistant)
        self.assertEqual(self._create_order(self.customer_1, team_id=export_team.id).coordinator_id,
                         self.support_manager)
        order = self._create_order(self.customer_1, products=self.lathe)
        self.assertEqual(order.coordinator_id, self.coordinator_2, "subcategory matches the parent category")
        self.assertEqual(self._create_order(self.customer_1).coordinator_id, self.coordinator)
        # adding a line of the category re-routes a quotation
        quotation = self._create_order(self.customer_1)
        quotation.order_line = [fields.Command.create({"product_id": self.lathe.id})]
        self.assertEqual(quotation.coordinator_id, self.coordinator_2)
        # a category rule never matches a customer
        self.assertEqual(self.customer_1.support_coordinator_id, self.coordinator)
        self.assertTrue(europe_rule and team_rule and categ_rule)

    def test_state_rule_and_partner_assignment(self):
        state = self.env.ref("base.state_us_5")
        self.Rule.create({"state_id": state.id, "coordinator_id": self.coordinator_2.id})
        customer = self.env["res.partner"].create({
            "name": "Californian", "is_company": True, "user_id": self.salesperson_1.id,
            "country_id": self.env.ref("base.us").id, "state_id": state.id,
        })
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": customer.id})
        self.assertEqual(customer.support_coordinator_id, self.coordinator_2)
        self.assertEqual(contact.support_coordinator_id, self.coordinator_2, "contacts follow their company")
        customer.state_id = False
        self.assertEqual(customer.support_coordinator_id, self.coordinator)
        self.assertEqual(contact.support_coordinator_id, self.coordinator)
        # colleagues are not customers
        self.assertFalse(self.salesperson_1.partner_id.support_coordinator_id)

    # ------------------------------------------------------------
    # Absence and backup
    # ------------------------------------------------------------
    def test_backup_during_absence(self):
        today = fields.Date.context_today(self.coordinator)
        self.coordinator.write({"support_absence_date_from": today - timedelta(days=1),
                                "support_absence_date_to": today + timedelta(days=3)})
        self.assertTrue(self.coordinator.is_support_absent)
        self.assertIn(self.coordinator, self.env["res.users"].search([("is_support_absent", "=", True)]))
        self.assertEqual(self._create_order(self.customer_1).coordinator_id, self.assistant)
        # a rule whose coordinator is absent is skipped
        self.Rule.create({"country_id": self.env.ref("base.il").id, "coordinator_id": self.coordinator.id})
        self.assertEqual(self._create_order(self.customer_il).coordinator_id, self.assistant)
        # absence over: back to the coordinator, and the daily cron hands open orders back
        order = self._create_order(self.customer_1)
        self.coordinator.write({"support_absence_date_from": today - timedelta(days=10),
                                "support_absence_date_to": today - timedelta(days=1)})
        self.assertFalse(self.coordinator.is_support_absent)
        self.assertNotIn(self.coordinator, self.env["res.users"].search([("is_support_absent", "=", True)]))
        self.Rule._cron_apply_assignment_rules()
        self.assertEqual(order.coordinator_id, self.coordinator)
        # without a backup, the absent coordinator stays in charge
        self.salesperson_2.support_backup_coordinator_id = False
        self.coordinator.support_absence_date_to = False  # open-ended absence
        self.assertEqual(self._create_order(self.customer_1, salesperson=self.salesperson_2).coordinator_id,
                         self.coordinator)

    # ------------------------------------------------------------
    # Manual override
    # ------------------------------------------------------------
    def test_manual_override_kept_and_tracked(self):
        order = self._create_order(self.customer_1).with_context(tracking_disable=False, mail_notrack=False)
        self.env.cr.flush()  # as if committed: records created in the transaction are not tracked
        order.coordinator_id = self.coordinator_2
        self.assertTrue(order.is_coordinator_manual)
        self.env.cr.flush()  # tracking messages are posted at commit time
        tracked = order.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "coordinator_id")
        self.assertEqual(tracked.old_value_char, self.coordinator.name)
        self.assertEqual(tracked.new_value_char, self.coordinator_2.name)
        # the batch re-apply and a salesperson change keep it
        self.Rule.create({"salesperson_id": self.salesperson_1.id, "coordinator_id": self.assistant.id})
        self.assertEqual(order._apply_support_assignment(), 0)
        order.user_id = self.salesperson_2
        self.assertEqual(order.coordinator_id, self.coordinator_2)
        # clearing it goes back to the rules
        order.coordinator_id = False
        self.assertFalse(order.is_coordinator_manual)
        self.assertEqual(order.coordinator_id, self.coordinator)

    def test_rule_value_from_form_is_not_manual(self):
        with Form(self.env["sale.order"]) as form:
            form.partner_id = self.customer_1
            form.user_id = self.salesperson_1
            self.assertEqual(form.coordinator_id, self.coordinator)
            form.user_id = self.salesperson_3
            self.assertEqual(form.coordinator_id, self.coordinator_2)
        order = form.save()
        self.assertEqual(order.coordinator_id, self.coordinator_2)
        self.assertFalse(order.is_coordinator_manual)
        with Form(order) as form:
            form.coordinator_id = self.assistant
        self.assertTrue(order.is_coordinator_manual)

    def test_partner_manual_override(self):
        self.customer_1.support_coordinator_id = self.coordinator_2
        self.assertTrue(self.customer_1.is_support_coordinator_manual)
        self.customer_1.user_id = self.salesperson_2
        self.assertEqual(self.customer_1.support_coordinator_id, self.coordinator_2)
        self.customer_1.support_coordinator_id = False
        self.assertFalse(self.customer_1.is_support_coordinator_manual)
        self.assertEqual(self.customer_1.support_coordinator_id, self.coordinator)

    # ------------------------------------------------------------
    # Batch re-apply
    # ------------------------------------------------------------
    def test_reapply_rules_to_open_orders(self):
        open_order = self._create_order(self.customer_1)
        done_order = self._create_order(self.customer_1)
        done_order.action_cancel()
        self.salesperson_1.support_coordinator_id = self.coordinator_2
        self.assertEqual(open_order.coordinator_id, self.coordinator, "no silent change")
        action = self.Rule.with_user(self.support_manager).action_reapply_open_orders()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(open_order.coordinator_id, self.coordinator_2)
        self.assertEqual(done_order.coordinator_id, self.coordinator, "closed orders are left alone")
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.coordinator).action_reapply_open_orders()

    # ------------------------------------------------------------
    # Coordinator load
    # ------------------------------------------------------------
    def test_load_status_against_company_range(self):
        self.assertEqual(self.coordinator.support_salesperson_count, 2)
        self.company.write({"support_min_salespersons": 1, "support_max_salespersons": 3})
        self.assertEqual(self.coordinator.support_load_status, "ok")
        self.company.support_max_salespersons = 1
        self.assertEqual(self.coordinator.support_load_status, "over")
        self.company.write({"support_min_salespersons": 4, "support_max_salespersons": 8})
        self.assertEqual(self.coordinator.support_load_status, "under")
        self.assertIn(self.coordinator, self.env["res.users"].search([("support_load_status", "=", "under")]))
        self.assertFalse(self.salesperson_1.support_load_status, "salespeople are not flagged")
        self.assertEqual(self.coordinator.support_open_order_count, 0)
        self._create_order(self.customer_1)
        self.coordinator.invalidate_recordset(["support_open_order_count"])
        self.assertEqual(self.coordinator.support_open_order_count, 1)

    def test_support_manager_maintains_assignment_only(self):
        self.salesperson_3.with_user(self.support_manager).write({
            "support_coordinator_id": self.coordinator.id})
        self.assertEqual(self.salesperson_3.support_coordinator_id, self.coordinator)
        with self.assertRaises(AccessError):
            self.salesperson_3.with_user(self.support_manager).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.salesperson_3.with_user(self.coordinator).write({"support_coordinator_id": self.coordinator.id})
        # coordinators declare their own absence
        self.coordinator.with_user(self.coordinator).write({
            "support_absence_date_from": fields.Date.today()})
        self.assertTrue(self.coordinator.is_support_absent)

    # ------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------
    def test_rule_without_coordinator(self):
        with self.assertRefused(ValidationError, "needs a coordinator"):
            self.Rule.create({"salesperson_id": self.salesperson_1.id})
        rule = self.Rule.create({"salesperson_id": self.salesperson_1.id, "coordinator_id": self.coordinator.id})
        with self.assertRefused(ValidationError, "needs a coordinator"):
            rule.coordinator_id = False

    def test_coordinator_in_no_support_group(self):
        with self.assertRefused(ValidationError, "is in no Sales Support group"):
            self.Rule.create({"coordinator_id": self.salesperson_2.id})
        with self.assertRefused(ValidationError, "is in no Sales Support group"):
            self.salesperson_1.support_coordinator_id = self.salesperson_2
        with self.assertRefused(ValidationError, "is in no Sales Support group"):
            self._create_order(self.customer_1).coordinator_id = self.salesperson_2
        with self.assertRefused(ValidationError, "is in no Sales Support group"):
            self.customer_1.support_coordinator_id = self.salesperson_2
        with self.assertRefused(ValidationError, "own"):
            self.coordinator.support_coordinator_id = self.coordinator
        with self.assertRefused(ValidationError, "someone else"):
            self.salesperson_1.support_backup_coordinator_id = self.coordinator

    def test_range_min_greater_than_max(self):
        with self.assertRefused(ValidationError, "minimum .* is greater than the maximum"):
            self.company.write({"support_min_salespersons": 9, "support_max_salespersons": 8})
        with self.assertRefused(ValidationError, "negative"):
            self.company.support_min_salespersons = -1
        with self.assertRefused(ValidationError, "greater than the maximum"):
            self.env["res.config.settings"].create({"support_min_salespersons": 10})

    def test_absence_dates(self):
        with self.assertRefused(ValidationError, "ends .* before it starts"):
            self.coordinator.write({"support_absence_date_from": "2026-05-10",
                                    "support_absence_date_to": "2026-05-01"})
        with self.assertRefused(ValidationError, "no start date"):
            self.coordinator.write({"support_absence_date_from": False, "support_absence_date_to": "2026-05-01"})

    def test_state_outside_country(self):
        with self.assertRefused(ValidationError, "is not in"):
            self.Rule.create({"country_id": self.env.ref("base.il").id,
                              "state_id": self.env.ref("base.state_us_5").id,
                              "coordinator_id": self.coordinator.id})
