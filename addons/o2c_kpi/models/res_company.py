from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    o2c_kpi_rating_request = fields.Boolean(
        string="Ask Customers to Rate Deliveries",
        help="Once an order is shipped, its customer receives an e-mail asking to rate it (once).",
    )
    o2c_kpi_rating_request_date_start = fields.Datetime(
        string="Rating Requests Since",
        readonly=True,
        help="Orders shipped before this time (when the option was enabled) are not asked.",
    )

    def write(self, vals):
        if vals.get("o2c_kpi_rating_request"):
            # Enabling the option must not e-mail every customer ever shipped to.
            newly_enabled = self.filtered(lambda company: not company.o2c_kpi_rating_request)
            if newly_enabled:
                newly_enabled.o2c_kpi_rating_request_date_start = fields.Datetime.now()
        return super().write(vals)
