from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.o2c_kpi_value import PERIOD_TYPES


class O2cKpiRefresh(models.TransientModel):
    """Recompute the KPI figures of a date range (managers): after a correction of old data,
    a change of time zone or of a salesperson's team, or for period types the nightly job does
    not store."""

    _name = "o2c.kpi.refresh"
    _description = "Recompute KPI Figures"

    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(day=1, month=1)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    period_type = fields.Selection(
        [*PERIOD_TYPES, ("all", "Every Stored Type")], required=True, default="all"
    )
    kpi_ids = fields.Many2many(
        "o2c.kpi.definition", string="KPIs", help="Leave empty to recompute every KPI."
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        default=lambda self: self.env.companies,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
        help="Leave empty to recompute the companies you work in.",
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(_("The start date must be before the end date."))

    def action_refresh(self):
        self.ensure_one()
        if not self.env.user.has_group("o2c_kpi.group_o2c_kpi_manager"):
            raise AccessError(_("Only KPI managers recompute KPI figures."))
        companies = self.company_ids or self.env.companies
        if companies - self.env.user.company_ids:
            raise AccessError(_("You can only recompute the figures of your companies."))
        period_types = None if self.period_type == "all" else [self.period_type]
        # The figures are written by SQL (not through the ORM): users only read them.
        count = self.env["o2c.kpi.value"]._refresh(
            self.date_from,
            self.date_to,
            period_types=period_types,
            companies=companies,
            kpis=self.kpi_ids or None,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": _("%(count)s KPI figures recomputed.", count=count),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
