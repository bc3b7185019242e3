from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    o2c_kpi_report_optout = fields.Boolean(
        string="No Monthly Performance Report",
        help="KPI managers receive the sales-support performance report of their companies' "
        "teams by e-mail on the 1st of each month, unless they tick this box.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["o2c_kpi_report_optout"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        # Managers opt out themselves in their preferences.
        return super().SELF_WRITEABLE_FIELDS + ["o2c_kpi_report_optout"]
