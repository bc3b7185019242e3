from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from ..models.sales_support_assignment_rule import CRON_CURSOR_PARAM, DELETED_RULES_PARAM
from .common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestAssignment(SalesSupportCommon):
    def _days(self, n):
        return fields.Date.context_today(self.coordinator) + timedelta(days=n)

    # ------------------------------------------------------------
    # Rules, order of rules, fallback
    # ------------------------------------------------------------
    def test_fallback_to_salesperson_coordinator(self):
        order = self._create_order(self.customer_1)
        self.assertEqual(order.coordinator_id, self.coordinator)
        self.assertFalse(order.is_coordinator_manual)
        self.assertEqual(self._create_order(self.customer_3).coordinator_id, self.coordinator_2)
        # no salesperson, no rule: nobody
        self.assertFalse(
            self._create_order(self.partner, salesperson=self.env["res.users"]).coordinator_id
        )

    def test_first_matching_rule_wins(self):
        self.Rule.create(
            [
                {
                    "sequence": 20,
                    "country_id": self.env.ref("base.il").id,
                    "coordinator_id": self.support_manager.id,
                },
                {
                    "sequence": 10,
                    "salesperson_id": self.salesperson_1.id,
                    "country_id": self.env.ref("base.il").id,
                    "coordinator_id": self.coordinator_2.id,
                },
            ]
        )
        self.assertEqual(
            self._create_order(self.customer_il).coordinator_id,
            self.coordinator_2,
            "the rule with the lowest sequence wins",
        )
        other = self._create_order(self.customer_il, salesperson=self.salesperson_2)
        self.assertEqual(
            other.coordinator_id, self.support_manager, "first rule does not match salesperson 2"
        )
        self.assertEqual(
            self._create_order(self.customer_1).coordinator_id,
            self.coordinator,
            "no rule matches a US customer: the salesperson's coordinator",
        )

    def test_rule_criteria(self):
        export_team = self.env["crm.team"].create({"name": "Export"})
        self.Rule.create(
            [
                {
                    "sequence": 1,
                    "country_group_id": self.env.ref("base.europe").id,
                    "coordinator_id": self.support_manager.id,
                },
                {"sequence": 2, "team_id": export_team.id, "coordinator_id": self.coordinator_2.id},
                {
                    "sequence": 3,
                    "product_categ_id": self.categ_parent.id,
                    "coordinator_id": self.support_manager.id,
                },
            ]
        )
        belgian = self.customer_1.copy(
            {"country_id": self.env.ref("base.be").id, "name": "Belgian"}
        )
        self.assertEqual(self._create_order(belgian).coordinator_id, self.support_manager)
        self.assertEqual(
            self._create_order(self.customer_1, team_id=export_team.id).coordinator_id,
            self.coordinator_2,
        )
        order = self._create_order(self.customer_1, products=self.lathe)
        self.assertEqual(
            order.coordinator_id, self.support_manager, "subcategory matches the parent category"
        )
        self.assertEqual(self._create_order(self.customer_1).coordinator_id, self.coordinator)
        # adding a line of the category re-routes a quotation
        quotation = self._create_order(self.customer_1)
        quotation.order_line = [Command.create({"product_id": self.lathe.id})]
        self.assertEqual(quotation.coordinator_id, self.support_manager)
        # a category rule never matches a customer
        self.assertEqual(self.customer_1.support_coordinator_id, self.coordinator)

    def test_state_rule_and_partner_assignment(self):
        state = self.env.ref("base.state_us_5")
        self.Rule.create({"state_id": state.id, "coordinator_id": self.coordinator_2.id})
        customer = self.env["res.partner"].create(
            {
                "name": "Californian",
                "is_company": True,
                "user_id": self.salesperson_1.id,
                "country_id": self.env.ref("base.us").id,
                "state_id": state.id,
            }
        )
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": customer.id})
        self.assertEqual(customer.support_coordinator_id, self.coordinator_2)
        self.assertEqual(
            contact.support_coordinator_id, self.coordinator_2, "contacts follow their company"
        )
        customer.state_id = False
        self.assertEqual(customer.support_coordinator_id, self.coordinator)
        self.assertEqual(contact.support_coordinator_id, self.coordinator)
        # colleagues and the company itself are not customers
        self.assertFalse(self.salesperson_1.partner_id.support_coordinator_id)
        self.company.partner_id.user_id = self.salesperson_1
        self.assertFalse(self.company.partner_id.support_coordinator_id)

    # ------------------------------------------------------------
    # One order of precedence
    # ------------------------------------------------------------
    def test_order_of_precedence(self):
        """Manual on the order > customer's coordinator chosen by hand > rules > salesperson's
        coordinator (backup while absent); the same answer through _get_coordinator_for."""
        get = self.Rule._get_coordinator_for
        # 4. salesperson's coordinator, backup while absent
        self.assertEqual(get(self.customer_1, self.salesperson_1, self.company), self.coordinator)
        self.coordinator.support_absence_date_from = self._days(0)
        self.assertEqual(
            get(self.customer_1, self.salesperson_1, self.company), self.support_manager
        )
        self.assertEqual(
            self.customer_1.support_coordinator_id,
            self.coordinator,
            "a customer keeps their coordinator during holidays",
        )
        self.coordinator.support_absence_date_from = False
        # 3. rules beat the salesperson's coordinator
        self.Rule.create(
            {"country_id": self.env.ref("base.us").id, "coordinator_id": self.coordinator_2.id}
        )
        self.assertEqual(get(self.customer_1, self.salesperson_1, self.company), self.coordinator_2)
        order = self._create_order(self.customer_1)
        self.assertEqual(order.coordinator_id, self.coordinator_2)
        # 2. the customer's coordinator chosen by hand beats the rules
        self.customer_1.support_coordinator_id = self.support_manager
        self.assertTrue(self.customer_1.is_support_coordinator_manual)
        self.assertEqual(
            get(self.customer_1, self.salesperson_1, self.company), self.support_manager
        )
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": self.customer_1.id})
        self.assertEqual(get(contact, self.salesperson_1, self.company), self.support_manager)
        order_2 = self._create_order(self.customer_1)
        self.assertEqual(order_2.coordinator_id, self.support_manager)
        self.assertFalse(order_2.is_coordinator_manual)
        # 1. the coordinator chosen by hand on the order beats everything
        order_2.coordinator_id = self.coordinator
        self.assertTrue(order_2.is_coordinator_manual)
        self.assertEqual(
            get(self.customer_1, self.salesperson_1, self.company, order=order_2), self.coordinator
        )
        self.assertEqual(order_2._apply_support_assignment(), 0)
        # and the existing open order follows its customer at the next re-assignment
        self.assertEqual(order._apply_support_assignment(), 1)
        self.assertEqual(order.coordinator_id, self.support_manager)

    # ------------------------------------------------------------
    # Absence and backup
    # ------------------------------------------------------------
    def test_backup_during_absence(self):
        self.coordinator.write(
            {"support_absence_date_from": self._days(-1), "support_absence_date_to": self._days(3)}
        )
        self.assertTrue(self.coordinator.is_support_absent)
        self.assertIn(
            self.coordinator, self.env["res.users"].search([("is_support_absent", "=", True)])
        )
        self.assertEqual(self._create_order(self.customer_1).coordinator_id, self.support_manager)
        # a rule whose coordinator is absent is skipped
        self.Rule.create(
            {"country_id": self.env.ref("base.il").id, "coordinator_id": self.coordinator.id}
        )
        self.assertEqual(self._create_order(self.customer_il).coordinator_id, self.support_manager)
        # absence over: back to the coordinator, and the daily cron hands open orders back
        order = self._create_order(self.customer_1)
        self.coordinator.write(
            {
                "support_absence_date_from": self._days(-10),
                "support_absence_date_to": self._days(-1),
            }
        )
        self.assertFalse(self.coordinator.is_support_absent)
        self.assertNotIn(
            self.coordinator, self.env["res.users"].search([("is_support_absent", "=", True)])
        )
        self.Rule._cron_apply_assignment_rules()
        self.assertEqual(order.coordinator_id, self.coordinator)
        # without a backup, the absent coordinator stays in charge
        self.salesperson_2.support_backup_coordinator_id = False
        self.coordinator.support_absence_date_to = False  # open-ended absence
        self.assertEqual(
            self._create_order(self.customer_1, salesperson=self.salesperson_2).coordinator_id,
            self.coordinator,
        )

    # ------------------------------------------------------------
    # Archived coordinators
    # ------------------------------------------------------------
    def test_archived_coordinator_never_assigned(self):
        self.Rule.create(
            {"country_id": self.env.ref("base.il").id, "coordinator_id": self.coordinator_2.id}
        )
        il_order = self._create_order(self.customer_il)
        manual_order = self._create_order(self.customer_3)
        manual_order.coordinator_id = self.coordinator
        self.assertTrue(manual_order.is_coordinator_manual)
        self.customer_3.support_coordinator_id = self.coordinator_2  # what the rules give
        self.assertEqual(il_order.coordinator_id, self.coordinator_2)
        self.coordinator_2.action_archive()
        # open orders and customers leave them at once, back to the rules
        self.assertEqual(
            il_order.coordinator_id, self.coordinator, "rule skipped: salesperson's coordinator"
        )
        self.assertFalse(
            self.customer_3.support_coordinator_id, "salesperson 3 has no other coordinator"
        )
        self.assertFalse(self._create_order(self.customer_3).coordinator_id)
        self.assertEqual(self._create_order(self.customer_il).coordinator_id, self.coordinator)
        self.assertEqual(self.customer_il.support_coordinator_id, self.coordinator)
        # archiving the coordinator chosen by hand frees the order too
        self.coordinator.action_archive()
        self.assertFalse(manual_order.is_coordinator_manual)
        self.assertEqual(manual_order.coordinator_id, self.env["res.users"])
        self.assertEqual(
            self._create_order(self.customer_1).coordinator_id, self.support_manager, "the backup"
        )
        with self.assertRefused(ValidationError, "is archived"):
            self._create_order(self.customer_1).coordinator_id = self.coordinator

    # ------------------------------------------------------------
    # Manual override
    # ------------------------------------------------------------
    def test_manual_override_kept_and_tracked(self):
        order = self._create_order(self.customer_1).with_context(
            tracking_disable=False, mail_notrack=False
        )
        self.env.cr.flush()  # as if committed: records created in the transaction are not tracked
        order.coordinator_id = self.coordinator_2
        self.assertTrue(order.is_coordinator_manual)
        self.env.cr.flush()  # tracking messages are posted at commit time
        tracked = order.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "coordinator_id"
        )
        self.assertEqual(tracked.old_value_char, self.coordinator.name)
        self.assertEqual(tracked.new_value_char, self.coordinator_2.name)
        # the batch re-apply and a salesperson change keep it
        self.Rule.create(
            {"salesperson_id": self.salesperson_1.id, "coordinator_id": self.support_manager.id}
        )
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
            form.coordinator_id = self.support_manager
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
        self.assertEqual(
            done_order.coordinator_id, self.coordinator, "closed orders are left alone"
        )
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.coordinator).action_reapply_open_orders()

    # ------------------------------------------------------------
    # Daily cron: only what changed, in batches
    # ------------------------------------------------------------
    def _run_cron(self, lastcall, **kwargs):
        return self.Rule.with_context(lastcall=lastcall)._cron_apply_assignment_rules(**kwargs)

    def _age_everything(self):
        """As if everything was last edited two days ago (before the cron's last call)."""
        for table in ("res_users", "res_partner", "sales_support_assignment_rule"):
            self.env.cr.execute(f"UPDATE {table} SET write_date = write_date - interval '2 days'")  # noqa: S608
        self.env["ir.config_parameter"].set_param(DELETED_RULES_PARAM, False)
        self.env.invalidate_all()

    def test_cron_touches_only_what_changed(self):
        order = self._create_order(self.customer_1)
        other = self._create_order(self.customer_3)
        lastcall = fields.Datetime.now() - timedelta(hours=1)
        # a coordinator written behind the ORM's back stays while nothing changed
        self.env.cr.execute(
            "UPDATE sale_order SET coordinator_id = %s WHERE id = %s",
            (self.coordinator_2.id, order.id),
        )
        self._age_everything()
        self.assertEqual(self._run_cron(lastcall), 0, "nothing changed since the last call")
        self.assertEqual(order.coordinator_id, self.coordinator_2)
        # an absence starting today moves the salesperson's open orders to the backup
        self.env.cr.execute(
            "UPDATE res_users SET support_absence_date_from = %s WHERE id = %s",
            (self._days(0), self.coordinator.id),
        )
        self.env.invalidate_all()
        self._run_cron(lastcall)
        self.assertEqual(order.coordinator_id, self.support_manager)
        self.assertEqual(other.coordinator_id, self.coordinator_2)
        # a rule edited today re-assigns the open orders of its company
        rule = self.Rule.create(
            {"country_id": self.env.ref("base.us").id, "coordinator_id": self.coordinator_2.id}
        )
        self._run_cron(lastcall)
        self.assertEqual(order.coordinator_id, self.coordinator_2)
        # and so does deleting it
        rule.unlink()
        self._run_cron(lastcall)
        self.assertEqual(order.coordinator_id, self.support_manager, "still absent: the backup")
        self.assertEqual(other.coordinator_id, self.coordinator_2)
        # the absence ended yesterday: handed back
        self.env.cr.execute(
            "UPDATE res_users SET support_absence_date_from = %s, support_absence_date_to = %s "
            "WHERE id = %s",
            (self._days(-5), self._days(-1), self.coordinator.id),
        )
        self._age_everything()
        self.assertEqual(self._run_cron(lastcall), 1, "one order to hand back, no customer")
        self.assertEqual(order.coordinator_id, self.coordinator)

    def test_cron_batches_report_progress(self):
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer_1.id,
                    "user_id": self.salesperson_1.id,
                    "order_line": [Command.create({"product_id": self.product.id})],
                }
                for _i in range(7)
            ]
        )
        self._age_everything()
        self.salesperson_1.support_coordinator_id = self.coordinator_2  # edited today
        cron = self.env.ref("sales_support.ir_cron_apply_assignment_rules")
        lastcall = fields.Datetime.now() - timedelta(hours=1)
        reports = []
        while len(reports) < 10:
            progress = self.env["ir.cron.progress"].create(
                {"cron_id": cron.id, "remaining": 0, "done": 0}
            )
            self.Rule.with_context(
                lastcall=lastcall, ir_cron_progress_id=progress.id
            )._cron_apply_assignment_rules(batch_size=3)
            reports.append((progress.done, progress.remaining))
            if not progress.remaining:
                break
            self.assertTrue(
                self.env["ir.config_parameter"].get_param(CRON_CURSOR_PARAM), "position kept"
            )
        # 7 orders by 3 (the customers still to do are counted), then the 2 customers
        self.assertEqual(reports, [(3, 6), (3, 3), (1, 2), (2, 0)])
        self.assertEqual(orders.coordinator_id, self.coordinator_2)
        self.assertEqual(self.customer_1.support_coordinator_id, self.coordinator_2)
        self.assertFalse(self.env["ir.config_parameter"].get_param(CRON_CURSOR_PARAM))

    # ------------------------------------------------------------
    # Coordinator load
    # ------------------------------------------------------------
    def test_load_status_against_company_settings(self):
        self.assertEqual(self.coordinator.support_salesperson_count, 2)
        self.company.write(
            {
                "support_min_salespersons": 1,
                "support_max_salespersons": 3,
                "support_max_open_orders": 3,
                "support_max_open_requests": 2,
            }
        )
        self.assertEqual(self.coordinator.support_load_status, "ok")
        self.company.support_max_salespersons = 1
        self.assertEqual(self.coordinator.support_load_status, "over")
        self.company.write({"support_min_salespersons": 4, "support_max_salespersons": 8})
        self.assertEqual(self.coordinator.support_load_status, "under")
        self.assertIn(
            self.coordinator, self.env["res.users"].search([("support_load_status", "=", "under")])
        )
        self.assertFalse(self.salesperson_1.support_load_status, "salespeople are not flagged")
        self.assertFalse(self.assistant.support_load_status, "assistants serve nobody")
        # a coordinator within the salespeople range but with too many open orders is over-loaded
        self.company.write({"support_min_salespersons": 1, "support_max_salespersons": 8})
        self.assertEqual(self.coordinator.support_open_order_count, 0)
        for _i in range(4):
            self._create_order(self.customer_1)
        self.coordinator.invalidate_recordset()
        self.assertEqual(self.coordinator.support_open_order_count, 4)
        self.assertEqual(self.coordinator.support_load_status, "over")
        self.assertIn("4 open orders", self.coordinator.support_load_note)
        self.company.support_max_open_orders = 0  # no limit
        self.coordinator.invalidate_recordset()
        self.assertEqual(self.coordinator.support_load_status, "ok")
        # and with too many open requests
        self.env["sales.support.request"].create(
            [{"subject": f"Question {i}", "partner_id": self.customer_1.id} for i in range(3)]
        )
        self.coordinator.invalidate_recordset()
        self.assertEqual(self.coordinator.support_open_request_count, 3)
        self.assertEqual(self.coordinator.support_load_status, "over")
        self.assertIn(
            self.coordinator,
            self.env["res.users"].search([("support_load_status", "in", ("under", "over"))]),
        )
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.company.support_max_open_orders = -1
        settings = self.env["res.config.settings"].create(
            {"support_max_open_orders": 30, "support_max_open_requests": 10}
        )
        settings.execute()
        self.assertEqual(
            (self.company.support_max_open_orders, self.company.support_max_open_requests), (30, 10)
        )

    def test_support_manager_maintains_assignment_only(self):
        self.salesperson_3.with_user(self.support_manager).write(
            {"support_coordinator_id": self.coordinator.id}
        )
        self.assertEqual(self.salesperson_3.support_coordinator_id, self.coordinator)
        assistant_2 = self.assistant.copy({"login": "ss_assistant_2"})
        assistant_2.with_user(self.support_manager).write(
            {"support_assisted_coordinator_ids": [Command.link(self.coordinator_2.id)]}
        )
        self.assertEqual(self.coordinator_2.support_assistant_ids, assistant_2)
        with self.assertRaises(AccessError):
            self.salesperson_3.with_user(self.support_manager).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.salesperson_3.with_user(self.coordinator).write(
                {"support_coordinator_id": self.coordinator.id}
            )
        # coordinators declare their own absence
        self.coordinator.with_user(self.coordinator).write(
            {"support_absence_date_from": fields.Date.today()}
        )
        self.assertTrue(self.coordinator.is_support_absent)

    # ------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------
    def test_rule_without_coordinator(self):
        with self.assertRefused(ValidationError, "needs a coordinator"):
            self.Rule.create({"salesperson_id": self.salesperson_1.id})
        rule = self.Rule.create(
            {"salesperson_id": self.salesperson_1.id, "coordinator_id": self.coordinator.id}
        )
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

    def test_assistant_is_never_coordinator_backup_nor_rule_target(self):
        order = self._create_order(self.customer_1)
        for assign in (
            lambda: self.Rule.create({"coordinator_id": self.assistant.id}),
            lambda: self.salesperson_3.write({"support_coordinator_id": self.assistant.id}),
            lambda: self.salesperson_3.write({"support_backup_coordinator_id": self.assistant.id}),
            lambda: order.write({"coordinator_id": self.assistant.id}),
            lambda: self.customer_1.write({"support_coordinator_id": self.assistant.id}),
        ):
            with self.assertRefused(ValidationError, "is an assistant and cannot be") as caught:
                assign()
            self.assertNotIn("group_", str(caught.exception))
        self.assertEqual(order.coordinator_id, self.coordinator)
        # the domains offered in the forms say the same
        for model, fname in (
            ("sale.order", "coordinator_id"),
            ("res.users", "support_coordinator_id"),
            ("res.users", "support_backup_coordinator_id"),
            ("res.partner", "support_coordinator_id"),
            ("sales.support.assignment.rule", "coordinator_id"),
        ):
            self.assertIn(
                "('support_level', 'in', ('coordinator', 'manager'))",
                self.env[model]._fields[fname].domain,
                f"{model}.{fname}",
            )
        # assistants assist coordinators only
        with self.assertRefused(ValidationError, "can only assist coordinators"):
            self.assistant.support_assisted_coordinator_ids = self.salesperson_1
        with self.assertRefused(ValidationError, "Only assistants assist"):
            self.coordinator_2.support_assisted_coordinator_ids = self.coordinator

    def test_range_min_greater_than_max(self):
        with self.assertRefused(ValidationError, "minimum .* is greater than the maximum"):
            self.company.write({"support_min_salespersons": 9, "support_max_salespersons": 8})
        with self.assertRefused(ValidationError, "negative"):
            self.company.support_min_salespersons = -1
        with self.assertRefused(ValidationError, "greater than the maximum"):
            self.env["res.config.settings"].create({"support_min_salespersons": 10})

    def test_absence_dates(self):
        with self.assertRefused(ValidationError, "ends .* before it starts"):
            self.coordinator.write(
                {"support_absence_date_from": "2026-05-10", "support_absence_date_to": "2026-05-01"}
            )
        with self.assertRefused(ValidationError, "no start date"):
            self.coordinator.write(
                {"support_absence_date_from": False, "support_absence_date_to": "2026-05-01"}
            )

    def test_state_outside_country(self):
        with self.assertRefused(ValidationError, "is not in"):
            self.Rule.create(
                {
                    "country_id": self.env.ref("base.il").id,
                    "state_id": self.env.ref("base.state_us_5").id,
                    "coordinator_id": self.coordinator.id,
                }
            )
