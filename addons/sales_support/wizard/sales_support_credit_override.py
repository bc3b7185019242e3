from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class SalesSupportCreditOverride(models.TransientModel):
    """A sales or support manager lets an order be confirmed over the customer's credit limit
    (or while a bounced cheque is unresolved): the approval is stored on the order and logged."""

    _name = "sales.support.credit.override"
    _description = "Approve a Credit Override"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    credit_hold = fields.Text(related="order_id.support_credit_hold")
    reason = fields.Text(required=True, help="Why the order may be confirmed anyway.")

    @api.model
    def _check_can_approve(self):
        user = self.env.user
        if not (
            user.has_group("sales_team.group_sale_manager")
            or user.has_group("sales_support.group_support_manager")
        ):
            raise AccessError(
                _(
                    "Only a sales manager or a customer service manager may approve a credit "
                    "override."
                )
            )

    def action_approve(self):
        self.ensure_one()
        self._check_can_approve()
        order = self.order_id
        order.check_access("write")
        if order.state not in ("draft", "sent"):
            raise UserError(_("Only a quotation needs a credit override before its confirmation."))
        if not (self.reason or "").strip():
            raise UserError(_("Give the reason for the override."))
        # sudo: the approval fields are written by this wizard only (refused to plain writes)
        order.sudo().write(
            {
                "support_credit_override_user_id": self.env.user.id,
                "support_credit_override_date": fields.Datetime.now(),
                "support_credit_override_reason": self.reason,
                "support_credit_override_amount": order.amount_total,
            }
        )
        order.message_post(
            body=Markup("%s<br/>%s<br/>%s")
            % (
                _("Credit override approved by %(user)s.", user=self.env.user.name),
                order.support_credit_hold or "",
                _("Reason: %(reason)s", reason=self.reason),
            ),
        )
        return {"type": "ir.actions.act_window_close"}
