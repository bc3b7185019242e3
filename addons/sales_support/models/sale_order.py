from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------
    # Support assignment
    # ------------------------------------------------------------
    coordinator_id = fields.Many2one(
        "res.users", string="Support Coordinator",
        compute="_compute_coordinator_id", store=True, readonly=False, precompute=True,
        index="btree_not_null", tracking=True, copy=False,
        domain="[('support_level', '!=', False), ('company_ids', 'in', company_id)]",
        help="Sales-support staff member in charge of this order, from the assignment rules "
             "(else the salesperson's coordinator). Set it by hand to override the rules; clear "
             "it to go back to them.")
    is_coordinator_manual = fields.Boolean(
        string="Coordinator Set by Hand", readonly=True, copy=False,
        help="The coordinator was chosen by hand: re-applying the assignment rules keeps it.")

    @api.depends("user_id", "team_id", "partner_id", "company_id", "order_line.product_id")
    def _compute_coordinator_id(self):
        auto = self.filtered(lambda o: not o.is_coordinator_manual)
        coordinators = self.env["sales.support.assignment.rule"]._get_order_coordinators(auto)
        for order in auto:
            order.coordinator_id = coordinators[order]

    @api.constrains("coordinator_id", "company_id")
    def _check_coordinator_id(self):
        for order in self.filtered("coordinator_id"):
            coordinator = order.coordinator_id
            if not coordinator.support_level:
                raise ValidationError(_(
                    "%(coordinator)s is in no Sales Support group and cannot coordinate order "
                    "%(order)s: give them a Sales Support role first, or choose another coordinator.",
                    coordinator=coordinator.name, order=order.name))
            if order.company_id not in coordinator.company_ids:
                raise ValidationError(_(
                    "%(coordinator)s does not work for %(company)s and cannot coordinate order "
                    "%(order)s: choose a coordinator of that company.",
                    coordinator=coordinator.name, company=order.company_id.name, order=order.name))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        if not self.env.context.get("sales_support_auto_assign"):
            given = self.browse([
                order.id for order, vals in zip(orders, vals_list) if vals.get("coordinator_id")
            ])
            given._flag_manual_coordinator()
        return orders

    def write(self, vals):
        res = super().write(vals)
        if "coordinator_id" in vals and not self.env.context.get("sales_support_auto_assign"):
            self._flag_manual_coordinator()
        return res

    def _flag_manual_coordinator(self):
        """After an explicit write of the coordinator: a value that differs from what the rules
        give is a manual override (kept by re-assignment); an empty value goes back to the rules."""
        if not self:
            return
        cleared = self.filtered(lambda o: not o.coordinator_id)
        expected = self.env["sales.support.assignment.rule"]._get_order_coordinators(self - cleared)
        manual = self.filtered(lambda o: o.coordinator_id and o.coordinator_id != expected[o])
        auto = self - manual
        ctx = {"sales_support_auto_assign": True}
        if manual.filtered(lambda o: not o.is_coordinator_manual):
            manual.with_context(**ctx).write({"is_coordinator_manual": True})
        if auto.filtered("is_coordinator_manual"):
            auto.with_context(**ctx).write({"is_coordinator_manual": False})
        if cleared:
            cleared.with_context(**ctx)._apply_support_assignment()

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_confirm(self):
        if (self.env.user.has_group("sales_support.group_support_assistant")
                and not self.env.user.has_group("sales_team.group_sale_salesman")):
            raise AccessError(_(
                "Support assistants prepare orders but do not confirm them: ask the coordinator "
                "or the salesperson to confirm %(orders)s.", orders=", ".join(self.mapped("name"))))
        return super().action_confirm()

    def action_apply_assignment_rules(self):
        """Button / list action: re-apply the rules to the selected orders (manual overrides kept)."""
        self.check_access("write")
        changed = self._apply_support_assignment()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(changed)s of %(total)s orders got a new coordinator.",
                             changed=changed, total=len(self)),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    @api.model
    def _get_support_open_orders_domain(self):
        """Orders the back office still works on: not paid, not cancelled."""
        return [("o2c_stage", "not in", ("paid", "cancel"))]

    def _apply_support_assignment(self):
        """Re-apply the assignment rules to ``self`` in batch, keeping manual overrides.

        One pass over the rules in memory, then one write per distinct new coordinator: the
        number of queries does not grow with the number of orders. Re-assignments in batch are
        not tracked one by one in the chatter. Returns the number of orders that changed."""
        orders = self.filtered(lambda o: not o.is_coordinator_manual)
        coordinators = self.env["sales.support.assignment.rule"]._get_order_coordinators(orders)
        by_coordinator = defaultdict(list)
        for order in orders:
            if coordinators[order] != order.coordinator_id:
                by_coordinator[coordinators[order]].append(order.id)
        batch = self.with_context(sales_support_auto_assign=True, tracking_disable=True)
        for coordinator, order_ids in by_coordinator.items():
            batch.browse(order_ids).write({"coordinator_id": coordinator.id})
        return sum(len(ids) for ids in by_coordinator.values())
