from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def _get_o2c_invoices(self):
        # sudo: reconciliations are made by accountants; only the invoices of the partials are read
        moves = (self.sudo().debit_move_id | self.sudo().credit_move_id).move_id
        return moves.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund") and m.state == "posted"
        )

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        invoices = partials._get_o2c_invoices().filtered(lambda m: m.move_type == "out_invoice")
        if invoices:
            values = [
                {
                    "order_id": order,
                    "event_type": "payment",
                    "source": partial,
                    "name": invoice.name,
                }
                for partial in partials
                for invoice in (partial.debit_move_id | partial.credit_move_id).move_id & invoices
                for order in invoice._get_o2c_sale_orders()
            ]
            self.env["sales.support.o2c.event"]._log_events(values)
            invoices._get_o2c_sale_orders()._o2c_sync()
        return partials

    def unlink(self):
        orders = self._get_o2c_invoices()._get_o2c_sale_orders()
        res = super().unlink()
        orders._o2c_sync()
        return res
