from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def _get_o2c_invoices(self):
        # sudo: reconciliations are made by accountants; only the invoices of the partials are read
        moves = (self.sudo().debit_move_id | self.sudo().credit_move_id).move_id
        return moves.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund") and m.state == "posted"
        )

    def _get_o2c_event_type(self):
        """A credit note matched against an invoice settles it without money: not a payment."""
        self.ensure_one()
        moves = (self.sudo().debit_move_id | self.sudo().credit_move_id).move_id
        if any(m.move_type == "out_refund" for m in moves):
            return "credit_note_settled"
        return "payment"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        invoices = partials._get_o2c_invoices().filtered(lambda m: m.move_type == "out_invoice")
        if invoices:
            orders_of = {invoice: invoice._get_o2c_sale_orders() for invoice in invoices}
            values = [
                {
                    "order_id": order,
                    "event_type": partial._get_o2c_event_type(),
                    "source": partial,
                    "name": invoice.name,
                }
                for partial in partials
                for invoice in (partial.debit_move_id | partial.credit_move_id).move_id & invoices
                for order in orders_of[invoice]
            ]
            self.env["sale.order"].union(*orders_of.values())._o2c_sync(stock=False, events=values)
        return partials

    def unlink(self):
        orders = self._get_o2c_invoices()._get_o2c_sale_orders()
        res = super().unlink()
        orders._o2c_sync(stock=False)
        return res
