from odoo import api, fields, models

from .sale_order import DELIVERY_CODES


class StockPicking(models.Model):
    _inherit = "stock.picking"

    letter_of_credit_warning = fields.Char(
        compute="_compute_letter_of_credit_warning",
        help="The transfer is scheduled after the latest shipment date of the order's letter of "
        "credit.",
    )

    @api.depends("scheduled_date", "sale_id.letter_of_credit_id.date_latest_shipment", "state")
    def _compute_letter_of_credit_warning(self):
        for picking in self:
            lc = picking.sale_id.letter_of_credit_id
            picking.letter_of_credit_warning = lc._get_picking_warning(picking) if lc else False

    def _is_o2c_exchange(self):
        """A replacement delivery sent for a claim exchange (Odoo's return wizard, 'Exchange'):
        it does not count as the order's shipment."""
        self.ensure_one()
        moves = self.move_ids.filtered(lambda m: m.state != "cancel")
        return bool(moves) and all(m.is_o2c_exchange for m in moves)

    def _get_o2c_done_event_type(self):
        """The ledger event of a validated transfer of an order; False for the internal steps
        of a multi-step delivery (pick, pack), which are not steps of the order's life."""
        self.ensure_one()
        if self.return_id and self.picking_type_code in ("incoming", "dropship"):
            return "return_done"
        if self.picking_type_code not in DELIVERY_CODES:
            return False
        if self._is_o2c_exchange():
            return "exchange_done"
        return "delivery_done"

    def _action_done(self):
        self._check_support_documents()
        # lines Odoo adds to the orders while validating (extra products delivered) are synced
        # with the picking below, not each on its own in the middle of the validation
        # sudo: see below
        orders = self.sudo().sale_id.filtered(lambda o: o.state == "sale")
        validating = self.with_context(**orders._o2c_syncing_lines().env.context)
        res = super(StockPicking, validating)._action_done()
        # sudo: a warehouse user may validate deliveries of orders they cannot read; only the
        # link to the order is read, the events are written by the server
        done = self.sudo().filtered(lambda p: p.state == "done" and p.sale_id)
        if done:
            when = {}
            for picking in done.sorted("date_done"):  # the last validated picking of an order
                when[picking.sale_id.id] = (picking.date_done, picking.sudo(False))
            done.sale_id._o2c_sync(
                when=when,
                events=[
                    {
                        "order_id": picking.sale_id,
                        "event_type": event_type,
                        "date": picking.date_done,
                        "source": picking,
                        "name": picking.name,
                    }
                    for picking in done
                    if (event_type := picking._get_o2c_done_event_type())
                ],
            )
        return res

    def _check_support_documents(self):
        """Deliveries of orders whose checklist has missing documents blocking the delivery
        are not validated (unless a support manager overrode it)."""
        # sudo: a warehouse user validates deliveries of orders they cannot read; only the
        # names of the missing documents are shown
        orders = self.sudo().filtered(lambda p: p.picking_type_code == "outgoing").sale_id
        if orders:
            orders._checklist_check("delivery")

    def action_cancel(self):
        orders = self.sudo().sale_id  # sudo: see _action_done
        res = super().action_cancel()
        orders._o2c_sync()
        return res
