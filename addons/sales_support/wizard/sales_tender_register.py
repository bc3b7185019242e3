from collections import Counter

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class SalesTenderRegister(models.TransientModel):
    """The tender register of a period, printed for managers (PDF)."""

    _name = "sales.tender.register"
    _description = "Tender Register"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for register in self:
            if register.date_to < register.date_from:
                raise ValidationError(_("The period of the tender register ends before it starts."))

    def _get_tenders(self):
        """Tenders of the company whose submission deadline falls in the period (the reader's
        record rules apply)."""
        self.ensure_one()
        return self.env["sales.tender"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("date_submission_deadline", ">=", fields.Datetime.to_datetime(self.date_from)),
                (
                    "date_submission_deadline",
                    "<",
                    fields.Datetime.to_datetime(fields.Date.add(self.date_to, days=1)),
                ),
            ],
            order="date_submission_deadline, id",
        )

    def _get_summary(self, tenders):
        """[(state label, number of tenders)] in the order of the states."""
        counts = Counter(tenders.mapped("state"))
        return [
            (label, counts[state])
            for state, label in tenders._fields["state"]._description_selection(self.env)
            if counts[state]
        ]

    def action_print(self):
        self.ensure_one()
        return self.env.ref("sales_support.action_report_tender_register").report_action(self)
