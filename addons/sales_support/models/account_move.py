from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _get_o2c_sale_orders(self):
        """Orders of these invoices and credit notes; a claim's credit note is not linked to the
        order lines (it must not put them back to invoice), its claim links it to the order."""
        orders = self.invoice_line_ids.sale_line_ids.order_id
        refunds = self.filtered(lambda m: m.move_type == "out_refund")
        if refunds:
            orders |= self.env["sales.support.claim"]._get_credit_note_orders(refunds)
        return orders

    def _get_o2c_posted_event_type(self):
        self.ensure_one()
        if self.move_type == "out_refund":
            return "credit_note_posted"
        lines = self.invoice_line_ids.sale_line_ids
        if lines and all(line.is_downpayment for line in lines):
            return "downpayment_posted"
        return "invoice_posted"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        customer = posted.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
        values = []
        for move in customer:
            for order in move._get_o2c_sale_orders():
                values.append(
                    {
                        "order_id": order,
                        "event_type": move._get_o2c_posted_event_type(),
                        "source": move,
                        "name": move.name,
                    }
                )
        if values:
            self.env["sales.support.o2c.event"]._log_events(values)
            customer._get_o2c_sale_orders()._o2c_sync()
        return posted

    def button_draft(self):
        orders = self.filtered(lambda m: m.state == "posted")._get_o2c_sale_orders()
        res = super().button_draft()
        self._log_o2c_invoice_undone(orders)
        return res

    def button_cancel(self):
        orders = self._get_o2c_sale_orders()
        res = super().button_cancel()
        self._log_o2c_invoice_undone(orders)
        return res

    def _log_o2c_invoice_undone(self, orders):
        if not orders:
            return
        self.env["sales.support.o2c.event"]._log_events(
            [
                {
                    "order_id": order,
                    "event_type": "invoice_cancelled",
                    "source": move,
                    "name": move.name,
                }
                for move in self.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
                for order in move._get_o2c_sale_orders()
            ]
        )
        orders._o2c_sync()
