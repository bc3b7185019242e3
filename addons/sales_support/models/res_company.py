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
