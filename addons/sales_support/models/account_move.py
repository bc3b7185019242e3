from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _get_o2c_sale_orders(self):
        """Orders of these invoices and credit notes; a claim's credit note is not linked to the
        order lines (it must not put them back to invoice), its claim links it to the order."""
        # sudo: an accountant may post invoices of orders they cannot read; only the link is read
        self = self.sudo()
        orders = self.invoice_line_ids.sale_line_ids.order_id
        refunds = self.filtered(lambda m: m.move_type == "out_refund")
        if refunds:
            orders |= self.env["sales.support.claim"]._get_credit_note_orders(refunds)
        return orders

    def _get_receivable_customers(self):
        """The commercial partners with receivable items in these entries (an invoice's
        customer; the customers of an opening-balance entry): what the collections follow-ups
        and promises to pay of an entry may name."""
        lines = self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and line.partner_id
        )
        return lines.partner_id.commercial_partner_id

    def _get_o2c_posted_event_type(self):
        self.ensure_one()
        if self.move_type == "out_refund":
            return "credit_note_posted"
        lines = self.invoice_line_ids.sale_line_ids
        if lines and all(line.is_downpayment for line in lines):
            return "downpayment_posted"
        return "invoice_posted"

    def _post(self, soft=True):
        invoices = self.filtered(lambda m: m.move_type == "out_invoice")
        if invoices:
            # orders with missing documents that block invoicing (unless overridden)
            invoices._get_o2c_sale_orders()._checklist_check("invoicing")
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
            customer._get_o2c_sale_orders()._o2c_sync(stock=False, events=values)
        return posted

    def button_draft(self):
        posted = self.filtered(lambda m: m.state == "posted")
        res = super().button_draft()
        posted._log_o2c_invoice_undone()
        return res

    def button_cancel(self):
        posted = self.filtered(lambda m: m.state == "posted")
        drafts = self - posted
        orders = drafts._get_o2c_sale_orders()
        res = super().button_cancel()
        posted._log_o2c_invoice_undone()
        # a cancelled draft may leave nothing more to invoice, or more
        orders._o2c_sync(stock=False)
        return res

    def _log_o2c_invoice_undone(self):
        """``self``: customer invoices that were posted and are now reset or cancelled."""
        customer = self.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
        orders = customer._get_o2c_sale_orders()
        if not orders:
            return
        orders._o2c_sync(
            stock=False,
            events=[
                {
                    "order_id": order,
                    "event_type": "invoice_cancelled",
                    "source": move,
                    "name": move.name,
                }
                for move in customer
                for order in move._get_o2c_sale_orders()
            ],
        )
