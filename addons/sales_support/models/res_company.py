from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    support_min_salespersons = fields.Integer(
        string="Minimum Salespeople per Coordinator",
        default=4,
        help="Coordinators serving fewer salespeople than this are flagged as under-loaded.",
    )
    support_max_salespersons = fields.Integer(
        string="Maximum Salespeople per Coordinator",
        default=8,
        help="Coordinators serving more salespeople than this are flagged as over-loaded.",
    )
    support_max_open_orders = fields.Integer(
        string="Maximum Open Orders per Coordinator",
        default=25,
        help="Coordinators following more open orders (not paid, not cancelled) than this are "
        "flagged as over-loaded; 0 for no limit.",
    )
    support_max_open_requests = fields.Integer(
        string="Maximum Open Requests per Coordinator",
        default=15,
        help="Coordinators with more open customer requests than this are flagged as "
        "over-loaded; 0 for no limit.",
    )
    support_request_alias_contact = fields.Selection(
        [("everyone", "Everyone"), ("partners", "Known contacts"), ("customers", "Customers only")],
        string="Requests by E-mail From",
        default="partners",
        required=True,
        help="Who may create a customer request by writing to the sales-support alias: anyone "
        "(unknown senders become contacts), senders already known as contacts, or only the "
        "contacts of customers (with a salesperson, a coordinator or a past sale). Others "
        "get a polite reply saying where to write instead.",
    )
    support_replacement_window_days = fields.Integer(
        string="Replacement Window (days)",
        default=7,
        help="A copy of a cancelled order, created within this many days of the cancellation, "
        "replaces it: the cancelled order is logged as an order-entry error.",
    )
    support_claim_post_credit_note = fields.Boolean(
        string="Post Claim Credit Notes at Once",
        help="Claims post their credit notes at once instead of leaving drafts for accounting.",
    )

    # Accounting support: credit exposure and customer cheques
    sales_support_credit_policy = fields.Selection(
        [
            ("none", "No check"),
            ("warn", "Warn"),
            ("block", "Block"),
        ],
        string="Credit Exposure Policy",
        default="warn",
        required=True,
        help="What happens when a confirmed order takes the customer's credit exposure over its "
        "credit limit (Sales Credit Limit setting): nothing, a warning on the order, or no "
        "confirmation without a manager's approval.",
    )
    sales_support_exposure_receivable = fields.Boolean(
        string="Exposure: Open Receivables",
        default=True,
        help="Count the customer's open receivables (posted, not reconciled) in its exposure.",
    )
    sales_support_exposure_to_invoice = fields.Boolean(
        string="Exposure: Orders to Invoice",
        default=True,
        help="Count what is left to invoice on confirmed orders in the customer's exposure.",
    )
    sales_support_exposure_cheques = fields.Boolean(
        string="Exposure: Uncleared Cheques",
        default=True,
        help="Count the customer's cheques received or deposited but not yet cleared, whose "
        "payment is registered, in its exposure (a post-dated cheque is credit until the bank "
        "pays it; before its payment is registered the debt is still in the receivables).",
    )
    sales_support_hold_on_bounced_cheque = fields.Boolean(
        string="Hold Orders on Bounced Cheques",
        help="No new order of a customer is confirmed while one of its cheques is bounced and "
        "not replaced, unless a manager approves it.",
    )

    # Customer care: status, ABC class, contact cadence
    sales_support_new_customer_days = fields.Integer(
        string="New Customer Period (days)",
        default=90,
        help="A customer whose first confirmed order is this recent is 'new'.",
    )
    sales_support_cadence_a = fields.Integer(
        string="Contact Cadence A (days)",
        default=14,
        help="Contact class A and strategic customers at least this often.",
    )
    sales_support_cadence_b = fields.Integer(string="Contact Cadence B (days)", default=30)
    sales_support_cadence_c = fields.Integer(string="Contact Cadence C (days)", default=90)

    @api.constrains("support_min_salespersons", "support_max_salespersons")
    def _check_support_salesperson_range(self):
        for company in self:
            if company.support_min_salespersons < 0:
                raise ValidationError(
                    _(
                        "The minimum number of salespeople per coordinator of %(company)s cannot "
                        "be "
                        "negative: enter 0 or more.",
                        company=company.name,
                    )
                )
            if company.support_min_salespersons > company.support_max_salespersons:
                raise ValidationError(
                    _(
                        "The recommended range of salespeople per coordinator of %(company)s is "
                        "invalid: the minimum (%(min)s) is greater than the maximum (%(max)s). "
                        "Lower the minimum or raise the maximum.",
                        company=company.name,
                        min=company.support_min_salespersons,
                        max=company.support_max_salespersons,
                    )
                )

    @api.constrains("support_max_open_orders", "support_max_open_requests")
    def _check_support_max_open(self):
        for company in self:
            if company.support_max_open_orders < 0 or company.support_max_open_requests < 0:
                raise ValidationError(
                    _(
                        "The maximum numbers of open orders and open requests per coordinator of "
                        "%(company)s cannot be negative: enter 0 (no limit) or more.",
                        company=company.name,
                    )
                )

    @api.constrains("support_replacement_window_days")
    def _check_support_replacement_window_days(self):
        for company in self:
            if company.support_replacement_window_days < 0:
                raise ValidationError(
                    _(
                        "The replacement window of %(company)s cannot be negative: enter a number "
                        "of "
                        "days, 0 or more.",
                        company=company.name,
                    )
                )
