from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

FOLLOWUP_CHANNELS = [
    ("email", "Reminder E-mail"),
    ("call", "Call"),
    ("escalation", "Escalation to the Salesperson"),
]


class SalesSupportFollowupLevel(models.Model):
    """A step of the collections follow-up of an overdue invoice, per company: once the invoice
    is ``delay`` days overdue, the daily cron sends the e-mail, plans the call for the
    coordinator or escalates to the salesperson, and logs it (once per invoice and level)."""

    _name = "sales.support.followup.level"
    _description = "Collections Follow-up Level"
    _order = "company_id, delay, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    delay = fields.Integer(
        string="Days Overdue",
        required=True,
        help="The level is due when the invoice is this many days past its due date.",
    )
    channel = fields.Selection(FOLLOWUP_CHANNELS, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'account.move')]",
        help="E-mail sent to the customer on the invoice (reminder e-mail channel).",
    )
    note = fields.Html(
        help="What the coordinator or salesperson should do (text of the activity).",
    )

    _sql_constraints = [
        (
            "delay_company_uniq",
            "unique(company_id, delay)",
            "Two follow-up levels of a company cannot have the same number of days overdue.",
        ),
    ]

    @api.constrains("delay")
    def _check_delay(self):
        for level in self:
            if level.delay <= 0:
                raise ValidationError(
                    _(
                        "Follow-up level %(name)s: the number of days overdue must be positive "
                        "(it is %(delay)s).",
                        name=level.name,
                        delay=level.delay,
                    )
                )

    @api.constrains("channel", "mail_template_id")
    def _check_mail_template(self):
        for level in self:
            if level.channel == "email" and not level.mail_template_id:
                raise ValidationError(
                    _(
                        "Follow-up level %(name)s sends an e-mail: choose its e-mail template.",
                        name=level.name,
                    )
                )
