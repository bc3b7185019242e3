from odoo import fields, models


class SalesCustomerChequeBounce(models.TransientModel):
    _name = "sales.customer.cheque.bounce"
    _description = "Record a Bounced Cheque"

    cheque_ids = fields.Many2many("sales.customer.cheque", string="Cheques", required=True)
    date_bounced = fields.Date(
        string="Bounce Date", required=True, default=fields.Date.context_today
    )
    bounce_reason = fields.Char(
        string="Reason", required=True, help="The bank's reason, e.g. insufficient funds."
    )

    def action_confirm(self):
        self.ensure_one()
        self.cheque_ids._bounce(self.date_bounced, self.bounce_reason)
        return {"type": "ir.actions.act_window_close"}
