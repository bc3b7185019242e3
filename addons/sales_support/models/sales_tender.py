"""Sales tenders: the tender paperwork run by sales support (the salesperson owns strategy and
price, the coordinator prepares the submission)."""

from odoo import fields, models


class SalesTender(models.Model):
    _name = "sales.tender"
    _description = "Sales Tender"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_submission_deadline desc, id desc"

    name = fields.Char(string="Reference", required=True, copy=False, default="/", tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Tendering Organisation", required=True, index=True, tracking=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
    )
    coordinator_id = fields.Many2one("res.users", string="Coordinator", index=True, tracking=True)
    date_submission_deadline = fields.Datetime(string="Submission Deadline", tracking=True)
    state = fields.Selection(
        [
            ("new", "New"),
            ("go_no_go", "Go / No-Go"),
            ("preparation", "Preparation"),
            ("submitted", "Submitted"),
            ("won", "Won"),
            ("lost", "Lost"),
            ("cancelled", "Cancelled"),
            ("no_bid", "No Bid"),
        ],
        default="new",
        required=True,
        index=True,
        tracking=True,
    )
