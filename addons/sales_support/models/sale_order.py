"""Sales Support on sale.order: coordinator assignment, Order-to-Cash milestones and order-entry
error detection."""
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from ..tools import count_related, form_action
from .sales_support_o2c_step import O2C_STEP_SELECTION, O2C_STEPS

O2C_STAGES = O2C_STEP_SELECTION + [("cancel", "Cancelled")]
STEP_FIELD = {code: fname for code, _label, fname in O2C_STEPS}
# Payment states of a customer invoice that leave nothing to collect.
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed")
# Order fields whose change after confirmation is an order-entry error, and its type.
ORDER_ERROR_FIELDS = {
    "partner_shipping_id": "address",
    "partner_invoice_id": "address",
    "payment_term_id": "terms",
}


def _hours(start, end):
    return (end - start).total_seconds() / 3600 if start and end else 0.0


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
    # Links
    # ------------------------------------------------------------
    support_request_id = fields.Many2one(
        "sales.support.request", string="Customer Request", index="btree_not_null", copy=False,
        check_company=True, tracking=True)
    claim_ids = fields.One2many("sales.support.claim", "order_id", string="Claims")
    claim_count = fields.Integer(compute="_compute_claim_count")
    order_error_ids = fields.One2many("sales.support.order.error", "order_id", string="Order-Entry Errors")
    order_error_count = fields.Integer(compute="_compute_order_error_count")
    origin_order_id = fields.Many2one(
        "sale.order", string="Copied From", readonly=True, copy=False, index="btree_not_null",
        help="The order this one was duplicated from (a cancelled order replaced by a copy is "
             "logged as an order-entry error).")
    order_entry_user_id = fields.Many2one(
        "res.users", string="Entered By", readonly=True, copy=False,
        help="Who confirmed (entered) the order in the system.")

    # ------------------------------------------------------------
    # Milestones (stored, UTC)
    # ------------------------------------------------------------
    date_o2c_request = fields.Datetime(
        string="Request Received", compute="_compute_date_o2c_request", store=True, copy=False,
        help="Reception of the linked customer request, else the creation of the quotation.")
    date_o2c_quotation_sent = fields.Datetime(string="Quotation Sent", readonly=True, copy=False)
    date_o2c_customer_confirmed = fields.Datetime(
        string="Confirmed by Customer", readonly=True, copy=False,
        help="Customer's signature on the portal, the 'Customer Confirmed' button (purchase order "
             "received), else the order entry.")
    date_o2c_entered = fields.Datetime(string="Order Entered", readonly=True, copy=False,
                                       help="Confirmation of the order in Odoo.")
    date_o2c_goods_ready = fields.Datetime(
        string="Goods Ready", compute="_compute_o2c_delivery_dates", store=True, copy=False,
        help="When every outgoing delivery became fully reserved (or done).")
    date_o2c_shipped = fields.Datetime(
        string="Shipped", compute="_compute_o2c_delivery_dates", store=True, copy=False,
        help="When the last outgoing delivery was validated (returns and replacements excluded).")
    date_o2c_invoiced = fields.Datetime(
        string="Invoiced", compute="_compute_o2c_invoice_dates", store=True, copy=False,
        help="When the first customer invoice was posted.")
    date_o2c_paid = fields.Datetime(
        string="Paid", compute="_compute_o2c_invoice_dates", store=True, copy=False,
        help="When every customer invoice became paid, in payment or fully credited.")
    has_o2c_deliveries = fields.Boolean(compute="_compute_o2c_delivery_dates", store=True)

    # ------------------------------------------------------------
    # Stage, next step, lateness
    # ------------------------------------------------------------
    o2c_stage = fields.Selection(
        O2C_STAGES, string="O2C Stage", compute="_compute_o2c_stage", store=True, index=True,
        group_expand="_group_expand_o2c_stage", copy=False,
        help="Last Order-to-Cash step reached, in order.")
    o2c_next_step = fields.Selection(O2C_STEP_SELECTION, string="Next Step", compute="_compute_o2c_stage",
                                     store=True, copy=False)
    date_o2c_next_deadline = fields.Datetime(
        string="Next Step Due", compute="_compute_o2c_stage", store=True, index=True, copy=False)
    is_o2c_late = fields.Boolean(string="Late", compute="_compute_is_o2c_late", search="_search_is_o2c_late")
    o2c_late_step = fields.Selection(O2C_STEP_SELECTION, string="Late Step", compute="_compute_is_o2c_late")
    o2c_late_notified_step = fields.Selection(
        O2C_STEP_SELECTION, readonly=True, copy=False,
        help="Step for which the coordinator already got a late activity.")

    # planned dates (not stored: they follow the step targets)
    date_o2c_planned_quotation_sent = fields.Datetime(string="Quotation Planned", compute="_compute_o2c_planned")
    date_o2c_planned_customer_confirmed = fields.Datetime(string="Customer Confirmation Planned",
                                                          compute="_compute_o2c_planned")
    date_o2c_planned_entered = fields.Datetime(string="Entry Planned", compute="_compute_o2c_planned")
    date_o2c_planned_goods_ready = fields.Datetime(string="Goods Ready Planned", compute="_compute_o2c_planned")
    date_o2c_planned_shipped = fields.Datetime(string="Shipment Planned", compute="_compute_o2c_planned")
    date_o2c_planned_invoiced = fields.Datetime(string="Invoice Planned", compute="_compute_o2c_planned")
    date_o2c_planned_paid = fields.Datetime(string="Payment Planned", compute="_compute_o2c_planned")

    # ------------------------------------------------------------
    # Durations (hours, wall clock)
    # ------------------------------------------------------------
    o2c_quotation_hours = fields.Float("Request to Quotation (h)", compute="_compute_o2c_durations",
                                       store=True, aggregator="avg")
    o2c_confirmation_hours = fields.Float("Quotation to Customer Confirmation (h)",
                                          compute="_compute_o2c_durations", store=True, aggregator="avg")
    o2c_entry_hours = fields.Float("Confirmation to Entry (h)", compute="_compute_o2c_durations",
                                   store=True, aggregator="avg")
    o2c_processing_hours = fields.Float("Request to Entry (h)", compute="_compute_o2c_durations",
                                        store=True, aggregator="avg")
    o2c_preparation_hours = fields.Float("Entry to Goods Ready (h)", compute="_compute_o2c_durations",
                                         store=True, aggregator="avg")
    o2c_shipping_hours = fields.Float("Goods Ready to Shipment (h)", compute="_compute_o2c_durations",
                                      store=True, aggregator="avg")
    o2c_invoicing_hours = fields.Float("Shipment to Invoice (h)", compute="_compute_o2c_durations",
                                       store=True, aggregator="avg")
    o2c_payment_hours = fields.Float("Invoice to Payment (h)", compute="_compute_o2c_durations",
                                     store=True, aggregator="avg")
    o2c_cycle_hours = fields.Float("Whole Cycle (h)", compute="_compute_o2c_durations",
                                   store=True, aggregator="avg")

    # ------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------
    def _group_expand_o2c_stage(self, stages, domain):
        return [code for code, _label in O2C_STAGES if code != "cancel"]

    def _compute_claim_count(self):
        counts = count_related(self, "sales.support.claim", "order_id")
        for order in self:
            order.claim_count = counts.get(order, 0)

    def _compute_order_error_count(self):
        counts = count_related(self, "sales.support.order.error", "order_id")
        for order in self:
            order.order_error_count = counts.get(order, 0)

    @api.depends("support_request_id.date_received")
    def _compute_date_o2c_request(self):
        now = fields.Datetime.now()
        for order in self:
            order.date_o2c_request = (order.support_request_id.date_received
                                      or order.date_o2c_request or now)

    @api.depends("state", "picking_ids.state", "picking_ids.date_done", "picking_ids.move_ids.state")
    def _compute_o2c_delivery_dates(self):
        now = fields.Datetime.now()
        for order in self:
            if order.state == "cancel":
                continue  # keep the history of a cancelled order
            if order.state in ("draft", "sent"):  # quotations have no delivery yet
                order.update({"has_o2c_deliveries": False, "date_o2c_goods_ready": False,
                              "date_o2c_shipped": False})
                continue
            outgoing = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state != "cancel" and not p.return_id)
            order.has_o2c_deliveries = bool(outgoing)
            moves = outgoing.move_ids.filtered(lambda m: m.state != "cancel")
            ready = bool(moves) and all(m.state in ("assigned", "done") for m in moves)
            shipped = bool(outgoing) and all(p.state == "done" for p in outgoing)
            order.date_o2c_goods_ready = (order.date_o2c_goods_ready or now) if ready else False
            order.date_o2c_shipped = max(outgoing.mapped("date_done")) if shipped else False

    @api.depends("order_line.invoice_lines.move_id.state", "order_line.invoice_lines.move_id.payment_state")
    def _compute_o2c_invoice_dates(self):
        now = fields.Datetime.now()
        for order in self:
            if order.state in ("draft", "sent") and not order.date_o2c_invoiced:
                order.update({"date_o2c_invoiced": False, "date_o2c_paid": False})
                continue
            invoices = order.order_line.invoice_lines.move_id.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice")
            settled = bool(invoices) and all(m.payment_state in SETTLED_PAYMENT_STATES for m in invoices)
            order.date_o2c_invoiced = (order.date_o2c_invoiced or now) if invoices else False
            order.date_o2c_paid = (order.date_o2c_paid or now) if settled else False

    @api.depends("state", "has_o2c_deliveries", *STEP_FIELD.values())
    def _compute_o2c_stage(self):
        targets = self.env["sales.support.o2c.step"]._get_targets()
        for order in self:
            stage = order._get_o2c_stage()
            next_step = order._get_o2c_next_step(stage)
            start = order[STEP_FIELD[stage]] if stage in STEP_FIELD else False
            order.o2c_stage = stage
            order.o2c_next_step = next_step
            order.date_o2c_next_deadline = (
                start + timedelta(hours=targets[next_step])
                if next_step and start and targets.get(next_step) else False)

    def _get_o2c_stage(self):
        """Last step reached in order; delivery steps are skipped for orders without delivery."""
        self.ensure_one()
        if self.state == "cancel":
            return "cancel"
        delivered = self.date_o2c_shipped or (self.date_o2c_entered and not self.has_o2c_deliveries)
        if self.date_o2c_paid and delivered:
            return "paid"
        if self.date_o2c_invoiced and delivered:
            return "invoiced"
        for code in ("shipped", "goods_ready", "entered", "customer_confirmed", "quotation_sent"):
            if self[STEP_FIELD[code]]:
                return code
        return "request"

    def _get_o2c_next_step(self, stage):
        self.ensure_one()
        if stage in ("paid", "cancel"):
            return False
        if stage == "entered" and not self.has_o2c_deliveries:
            return "invoiced"
        if stage == "shipped" and self.date_o2c_invoiced:
            return "paid"
        codes = [code for code, _label in O2C_STEP_SELECTION]
        return codes[codes.index(stage) + 1]

    @api.depends("date_o2c_next_deadline", "o2c_next_step")
    def _compute_is_o2c_late(self):
        now = fields.Datetime.now()
        for order in self:
            late = bool(order.date_o2c_next_deadline and order.date_o2c_next_deadline < now)
            order.is_o2c_late = late
            order.o2c_late_step = order.o2c_next_step if late else False

    def _search_is_o2c_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("The 'Late' filter only supports = True or = False."))
        late = [("date_o2c_next_deadline", "<", fields.Datetime.now())]
        return late if (operator == "=") == value else ["!", *late]

    @api.depends("has_o2c_deliveries", "state", *STEP_FIELD.values())
    def _compute_o2c_planned(self):
        targets = self.env["sales.support.o2c.step"]._get_targets()
        for order in self:
            previous = order.date_o2c_request
            for code, _label, fname in O2C_STEPS[1:]:
                planned = False
                skip = code in ("goods_ready", "shipped") and order.date_o2c_entered and not order.has_o2c_deliveries
                if previous and not skip and targets.get(code):
                    planned = previous + timedelta(hours=targets[code])
                order[f"date_o2c_planned_{code}"] = planned
                if not skip:
                    previous = order[fname] or planned

    @api.depends(*STEP_FIELD.values())
    def _compute_o2c_durations(self):
        for order in self:
            request, sent = order.date_o2c_request, order.date_o2c_quotation_sent
            confirmed, entered = order.date_o2c_customer_confirmed, order.date_o2c_entered
            ready, shipped = order.date_o2c_goods_ready, order.date_o2c_shipped
            invoiced, paid = order.date_o2c_invoiced, order.date_o2c_paid
            order.o2c_quotation_hours = _hours(request, sent)
            order.o2c_confirmation_hours = _hours(sent or request, confirmed)
            order.o2c_entry_hours = _hours(confirmed, entered)
            order.o2c_processing_hours = _hours(request, entered)
            order.o2c_preparation_hours = _hours(entered, ready)
            order.o2c_shipping_hours = _hours(ready, shipped)
            invoicing_start = shipped if shipped and invoiced and shipped <= invoiced else entered
            order.o2c_invoicing_hours = _hours(invoicing_start, invoiced)
            order.o2c_payment_hours = _hours(invoiced, paid)
            order.o2c_cycle_hours = _hours(request, paid)

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


    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for order, vals in zip(self, vals_list):
            vals.setdefault("origin_order_id", order.id)
        return vals_list

    def write(self, vals):
        error_fields = ORDER_ERROR_FIELDS.keys() & vals.keys()
        if error_fields and not self.env.context.get("sales_support_no_error_log"):
            before = {order: {f: order[f] for f in error_fields} for order in self if order.state == "sale"}
        else:
            before = {}
        res = super().write(vals)
        if "coordinator_id" in vals and not self.env.context.get("sales_support_auto_assign"):
            self._flag_manual_coordinator()
        if "state" in vals or vals.get("signed_on"):
            self._stamp_o2c_states()
        changes = [
            (order, ORDER_ERROR_FIELDS[fname], order._fields[fname], old, order[fname], None)
            for order, old_values in before.items()
            for fname, old in old_values.items()
            if order[fname] != old
        ]
        if changes:
            self._log_edit_errors(changes)
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

    def _stamp_o2c_states(self):
        now = fields.Datetime.now()
        stamps = defaultdict(lambda: self.browse())
        for order in self:
            if order.state == "sent" and not order.date_o2c_quotation_sent:
                stamps["date_o2c_quotation_sent"] |= order
            if order.signed_on and not order.date_o2c_customer_confirmed:
                stamps["date_o2c_customer_confirmed"] |= order
            if order.state == "sale" and not order.date_o2c_entered:
                stamps["date_o2c_entered"] |= order
            if order.state == "draft" and order.date_o2c_entered:
                stamps["reset"] |= order
        for fname in ("date_o2c_quotation_sent", "date_o2c_customer_confirmed"):
            if stamps[fname]:
                stamps[fname].write({fname: now})
        entered = stamps["date_o2c_entered"]
        if entered:
            entered.write({"date_o2c_entered": now, "order_entry_user_id": self.env.uid})
            unconfirmed = entered.filtered(lambda o: not o.date_o2c_customer_confirmed)
            if unconfirmed:
                unconfirmed.write({"date_o2c_customer_confirmed": now})
        if stamps["reset"]:
            stamps["reset"].write({"date_o2c_entered": False, "date_o2c_customer_confirmed": False,
                                   "order_entry_user_id": False})

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_confirm(self):
        if (self.env.user.has_group("sales_support.group_support_assistant")
                and not self.env.user.has_group("sales_team.group_sale_salesman")):
            raise AccessError(_(
                "Support assistants prepare orders but do not confirm them: ask the coordinator "
                "or the salesperson to confirm %(orders)s.", orders=", ".join(self.mapped("name"))))
        res = super().action_confirm()
        replacements = self.filtered(lambda o: o.origin_order_id.state == "cancel"
                                     and o.origin_order_id.date_o2c_entered)
        if replacements:
            replacements._log_replacement_errors()
        return res

    def _action_cancel(self):
        entered = self.filtered(lambda o: o.date_o2c_entered)
        res = super()._action_cancel()
        if entered:
            copies = self.search([("origin_order_id", "in", entered.ids), ("state", "=", "sale")])
            copies._log_replacement_errors()
        return res

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

    def action_o2c_customer_confirmed(self):
        """The customer confirmed the quotation (purchase order received) before order entry."""
        if self.filtered(lambda o: o.state not in ("draft", "sent")):
            raise UserError(_("Only quotations can be marked as confirmed by the customer."))
        self.filtered(lambda o: not o.date_o2c_customer_confirmed).write(
            {"date_o2c_customer_confirmed": fields.Datetime.now()})

    def action_view_support_request(self):
        self.ensure_one()
        return form_action(self.support_request_id)

    def action_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_support.sales_support_claim_action")
        action.update(domain=[("order_id", "=", self.id)],
                      context={"default_order_id": self.id, "default_partner_id": self.partner_id.id})
        return action

    def action_view_order_errors(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sales_support.sales_support_order_error_action")
        action.update(domain=[("order_id", "=", self.id)], context={"default_order_id": self.id})
        return action

    def action_create_claim(self):
        self.ensure_one()
        claim = self.env["sales.support.claim"].create({
            "partner_id": self.partner_id.commercial_partner_id.id,
            "order_id": self.id,
            "request_id": self.support_request_id.id,
            "company_id": self.company_id.id,
        })
        return form_action(claim)

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
    # ------------------------------------------------------------
    # Order-entry errors
    # ------------------------------------------------------------
    @api.model
    def _log_edit_errors(self, changes):
        """Log one error per (order, type) from ``changes``: tuples of (order, error type, field,
        old value, new value, order line or None)."""
        grouped = {}
        for order, error_type, field, old, new, line in changes:
            what = field.get_description(self.env)["string"]
            if line:
                what = f"{line.product_id.display_name or line.name}: {what}"
            old_txt = old.display_name if isinstance(old, models.BaseModel) else old
            new_txt = new.display_name if isinstance(new, models.BaseModel) else new
            grouped.setdefault((order, error_type), []).append(
                _("%(what)s changed from %(old)s to %(new)s", what=what, old=old_txt or "-", new=new_txt or "-"))
        now = fields.Datetime.now()
        # sudo: the system logs the error for whoever edits the order (salespeople and
        # coordinators may not create error records themselves).
        self.env["sales.support.order.error"].sudo().create([{
            "order_id": order.id,
            "responsible_user_id": (order.order_entry_user_id or order.user_id or self.env.user).id,
            "error_type": error_type,
            "found_by": "internal",
            "date_found": now,
            "origin": "edit",
            "description": _("Edited after confirmation by %(user)s: %(changes)s",
                             user=self.env.user.name, changes="; ".join(lines)),
        } for (order, error_type), lines in grouped.items()])

    def _log_replacement_errors(self):
        """``self`` are confirmed copies of cancelled orders: log on the cancelled order what the
        copy corrected (product, quantity, price, address, terms), or a duplicate entry."""
        Error = self.env["sales.support.order.error"]
        already = Error.sudo().search([("origin", "=", "replacement"),
                                       ("order_id", "in", self.origin_order_id.ids)]).order_id
        values = []
        for copy in self:
            original = copy.origin_order_id
            if original in already:
                continue
            error_types = original._diff_error_types(copy) or ["duplicate"]
            for error_type in error_types:
                values.append({
                    "order_id": original.id,
                    "replacement_order_id": copy.id,
                    "responsible_user_id": (original.order_entry_user_id or original.user_id or self.env.user).id,
                    "error_type": error_type,
                    "found_by": "internal",
                    "origin": "replacement",
                    "description": _("%(original)s was cancelled and replaced by %(copy)s.",
                                     original=original.name, copy=copy.name),
                })
        # sudo: see _log_edit_errors
        Error.sudo().create(values)

    def _diff_error_types(self, other):
        """Error types that tell ``self`` from ``other`` (its corrected copy)."""
        self.ensure_one()

        def lines_of(order):
            return {
                line.product_id: line
                for line in order.order_line
                if not line.display_type and not line.is_downpayment
            }
        mine, theirs = lines_of(self), lines_of(other)
        types = []
        if set(mine) != set(theirs):
            types.append("product")
        common = set(mine) & set(theirs)
        if any(float_compare(mine[p].product_uom_qty, theirs[p].product_uom_qty, precision_digits=6)
               for p in common):
            types.append("quantity")
        if any(float_compare(mine[p].price_unit, theirs[p].price_unit, precision_digits=6)
               or float_compare(mine[p].discount, theirs[p].discount, precision_digits=6) for p in common):
            types.append("price")
        if (self.partner_shipping_id, self.partner_invoice_id) != (other.partner_shipping_id, other.partner_invoice_id):
            types.append("address")
        if self.payment_term_id != other.payment_term_id:
            types.append("terms")
        return types
    # ------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------
    @api.model
    def _cron_o2c_late_activities(self):
        """Exactly one activity for the coordinator per late step of an order: an order already
        reminded for its current next step is skipped. Batched: two searches, one create, one
        write per step."""
        late = self.search_fetch([("date_o2c_next_deadline", "<", fields.Datetime.now())],
                                 ["o2c_next_step", "o2c_late_notified_step", "coordinator_id", "user_id",
                                  "name", "date_o2c_next_deadline"])
        to_notify = late.filtered(lambda o: o.o2c_next_step and o.o2c_late_notified_step != o.o2c_next_step)
        if not to_notify:
            return 0
        activity_type = self.env.ref("sales_support.mail_activity_type_o2c_late")
        labels = dict(self._fields["o2c_next_step"]._description_selection(self.env))
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        by_step = defaultdict(list)
        values = []
        for order in to_notify:
            by_step[order.o2c_next_step].append(order.id)
            values.append({
                "res_model_id": model_id,
                "res_id": order.id,
                "activity_type_id": activity_type.id,
                "summary": _("Late: %(step)s", step=labels[order.o2c_next_step]),
                "note": _("%(step)s was due %(deadline)s (UTC).", step=labels[order.o2c_next_step],
                          deadline=order.date_o2c_next_deadline),
                "user_id": (order.coordinator_id or order.user_id or self.env.user).id,
                "date_deadline": today,
            })
        # quick update: no assignment e-mail per activity, the coordinator sees them in the systray
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(values)
        for step, order_ids in by_step.items():
            self.browse(order_ids).write({"o2c_late_notified_step": step})
        return len(values)
