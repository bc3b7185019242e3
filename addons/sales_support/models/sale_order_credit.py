from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.misc import formatLang

# Written by the override wizard only (with a scoped sudo): no user nor script sets them.
CREDIT_OVERRIDE_FIELDS = {
    "support_credit_override_user_id",
    "support_credit_override_date",
    "support_credit_override_reason",
}


class SaleOrder(models.Model):
    """Credit exposure on the order: Odoo's credit-limit banner extended with the customer's
    whole exposure (cheques included), and the company's policy on confirmation (warn, or block
    unless a manager approved an override)."""

    _inherit = "sale.order"

    support_credit_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Exposure Currency"
    )
    support_credit_exposure = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Customer Exposure",
        help="The customer's credit exposure in the order's company, this order included while "
        "it is a quotation.",
    )
    support_credit_limit = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Customer Credit Limit",
    )
    support_credit_hold = fields.Text(
        compute="_compute_support_credit",
        string="Credit Hold",
        help="Why the confirmation needs a manager's approval (exposure over the limit, bounced "
        "cheque not replaced).",
    )
    support_credit_override_user_id = fields.Many2one(
        "res.users", string="Credit Override By", readonly=True, copy=False
    )
    support_credit_override_date = fields.Datetime(
        string="Credit Override On", readonly=True, copy=False
    )
    support_credit_override_reason = fields.Text(
        string="Credit Override Reason", readonly=True, copy=False
    )

    # ------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------
    @api.depends("company_id", "partner_id", "amount_total", "state")
    def _compute_support_credit(self):
        # the figures of all the orders' customers at once, per company
        figures = {}
        for company, orders in self.grouped("company_id").items():
            figures[company] = orders.partner_id._get_credit_exposure(company)
        for order in self:
            info = order._get_support_credit_info(figures.get(order.company_id))
            order.support_credit_exposure = info["exposure"]
            order.support_credit_limit = info["limit"]
            order.support_credit_hold = "\n".join(info["holds"])

    @api.depends("support_credit_hold")
    def _compute_partner_credit_warning(self):
        # EXTENDS 'sale': Odoo's banner (receivables + orders to invoice) stays when it has
        # something to say and the policy only warns; it becomes the exposure banner when the
        # policy blocks (the banner then says why the confirmation is held), or when Odoo's own
        # check is silent (its limit setting off, or only cheques / a bounced cheque count).
        res = super()._compute_partner_credit_warning()
        for order in self:
            company = order.company_id
            if order.state in ("draft", "sent") and (
                company.sales_support_credit_policy != "none"
                or company.sales_support_hold_on_bounced_cheque
            ):
                if company.sales_support_credit_policy == "block" or (
                    not order.partner_credit_warning
                ):
                    order.partner_credit_warning = order.support_credit_hold or ""
        return res

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    def write(self, vals):
        forged = CREDIT_OVERRIDE_FIELDS & vals.keys()
        if forged and not self.env.su:
            raise AccessError(
                _(
                    "A credit override is approved by a sales or support manager with the "
                    "'Approve Credit Override' button, which logs it: it cannot be written."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_confirm(self):
        warned = self.filtered(
            lambda o: o.state in ("draft", "sent")
            and o.company_id.sales_support_credit_policy == "warn"
        )
        warnings = {order: order._get_support_credit_info()["holds"] for order in warned}
        res = super().action_confirm()
        for order, holds in warnings.items():
            if holds:
                order.message_post(
                    body=Markup("%s<br/>%s")
                    % (_("Confirmed over the customer's credit limit:"), "; ".join(holds)),
                )
        return res

    def action_open_credit_override(self):
        self.ensure_one()
        self.env["sales.support.credit.override"]._check_can_approve()
        return {
            "type": "ir.actions.act_window",
            "name": _("Approve Credit Override"),
            "res_model": "sales.support.credit.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_view_customer_exposure(self):
        self.ensure_one()
        return self.partner_id.commercial_partner_id._get_records_action(
            name=_("Customer Exposure")
        )

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _confirmation_error_message(self):
        # EXTENDS 'sale': blocked over the credit limit or on a bounced cheque, unless approved
        message = super()._confirmation_error_message()
        if message or self.support_credit_override_user_id:
            return message
        company = self.company_id
        info = self._get_support_credit_info()
        blocking = info["holds"] if company.sales_support_credit_policy == "block" else []
        if not blocking and info["bounce_hold"]:
            blocking = [info["bounce_hold"]]
        if blocking:
            return _(
                "%(order)s cannot be confirmed: %(reasons)s. A sales or support manager may "
                "approve an override with a reason.",
                order=self.name,
                reasons="; ".join(blocking),
            )
        return message

    def _get_support_credit_info(self, figures=None):
        """Exposure of the order's customer in the order's company (this order added while it is
        a quotation) and the reasons to hold it: {exposure, limit, holds, bounce_hold}.
        ``figures``: the result of ``res.partner._get_credit_exposure`` when already read."""
        self.ensure_one()
        company = self.company_id or self.env.company
        customer = self.partner_id.commercial_partner_id
        info = {"exposure": 0.0, "limit": 0.0, "holds": [], "bounce_hold": ""}
        if not customer or not isinstance(customer.id, int):
            return info
        if not figures or customer.id not in figures:
            figures = customer._get_credit_exposure(company)
        figures = figures[customer.id]
        exposure = figures["exposure"]
        if self.state in ("draft", "sent") and company.sales_support_exposure_to_invoice:
            exposure += self.currency_id._convert(
                self.amount_total,
                company.currency_id,
                company,
                self.date_order or fields.Date.context_today(self),
            )
        info["exposure"] = exposure
        info["limit"] = figures["limit"]
        currency = company.currency_id
        if figures["limit"] and currency.compare_amounts(exposure, figures["limit"]) > 0:
            info["holds"].append(
                _(
                    "%(customer)s's exposure %(exposure)s is over its credit limit %(limit)s",
                    customer=customer.name,
                    exposure=formatLang(self.env, exposure, currency_obj=currency),
                    limit=formatLang(self.env, figures["limit"], currency_obj=currency),
                )
            )
        if company.sales_support_hold_on_bounced_cheque:
            # sudo: a bounced cheque holds the order whoever confirms it
            bounced = (
                self.env["sales.customer.cheque"]
                .sudo()
                .search_count(
                    [
                        ("commercial_partner_id", "=", customer.id),
                        ("company_id", "=", company.id),
                        ("state", "=", "bounced"),
                    ]
                )
            )
            if bounced:
                info["bounce_hold"] = _(
                    "%(customer)s has %(count)s bounced cheque(s) not replaced yet",
                    customer=customer.name,
                    count=bounced,
                )
                info["holds"].append(info["bounce_hold"])
        return info
