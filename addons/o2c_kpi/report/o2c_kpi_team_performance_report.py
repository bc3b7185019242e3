from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools.misc import formatLang

# Columns of the report: the month, the month before and the same month a year before.
MONTH_OFFSETS = (("month", 0), ("previous", 1), ("last_year", 12))
UNIT_SUFFIXES = {"hours": " h", "days": " d", "percent": " %"}


class ReportO2cKpiTeamPerformance(models.AbstractModel):
    """Monthly "Sales support performance" of sales teams: every active KPI of the month, of the
    month before and of the same month last year, read from the team snapshots
    (``o2c.kpi.value``, dimension ``team``, period ``month``)."""

    _name = "report.o2c_kpi.report_team_performance"
    _description = "Sales Support Performance Report"

    @api.model
    def _get_report_month(self, data=None):
        """First day of the reported month: ``data['month']`` (any date of it), else the last
        complete month."""
        if data and data.get("month"):
            return fields.Date.to_date(data["month"]).replace(day=1)
        today = fields.Date.context_today(self)
        return today.replace(day=1) - relativedelta(months=1)

    @api.model
    def _format_figure(self, value, unit, currency):
        if value is None:
            return "—"  # missing data, never 0
        if unit == "amount":
            return formatLang(self.env, value, currency_obj=currency)
        digits = 0 if unit == "count" and float(value).is_integer() else 2
        return formatLang(self.env, value, digits=digits) + UNIT_SUFFIXES.get(unit, "")

    @api.model
    def _get_trend(self, value, previous, direction):
        """Arrow of the change since the month before, and whether it is better."""
        if value is None or previous is None or value == previous:
            return {"arrow": "=" if value is not None and value == previous else "", "class": ""}
        went_up = value > previous
        if direction == "neutral":
            css, label = "text-muted", _("changed")
        elif went_up == (direction == "higher"):
            css, label = "text-success", _("better")
        else:
            css, label = "text-danger", _("worse")
        return {"arrow": "▲" if went_up else "▼", "class": css, "label": label}

    @api.model
    def _get_month_starts(self, month):
        return {key: month - relativedelta(months=offset) for key, offset in MONTH_OFFSETS}

    @api.model
    def _get_teams_with_figures(self, teams, month, companies=None):
        """The (team, company) pairs having at least one snapshot in the months compared (one
        query), in ``companies`` (default: the teams' own, else the current company). A team
        without a company has figures in each company it works in, never mixed."""
        groups = self.env["o2c.kpi.value"]._read_group(
            [
                ("dimension", "=", "team"),
                ("period_type", "=", "month"),
                ("team_id", "in", teams.ids),
                ("company_id", "in", (companies or teams.company_id | self.env.company).ids),
                ("date_start", "in", list(self._get_month_starts(month).values())),
            ],
            ["team_id", "company_id"],
        )
        return [
            (team, company)
            for team, company in groups
            if team in teams and (not team.company_id or team.company_id == company)
        ]

    @api.model
    def _get_team_lines(self, teams, month):
        """Lines of each team: {team: [{kpi, unit, month, previous, last_year, trend...}]}, from
        one read of the snapshots."""
        starts = self._get_month_starts(month)
        kpis = self.env["o2c.kpi.definition"].search([])
        # A team's figures are those of its company; a team without a company (shared by
        # several companies) shows those of the current company: never a mix of companies.
        company = self.env.company
        # _read_group gives a NULL value (no data) as False, where a record would read 0.0.
        groups = self.env["o2c.kpi.value"]._read_group(
            [
                ("dimension", "=", "team"),
                ("period_type", "=", "month"),
                ("team_id", "in", teams.ids),
                ("company_id", "in", (teams.company_id | company).ids),
                ("date_start", "in", list(starts.values())),
                ("kpi_id", "in", kpis.ids),
            ],
            ["team_id", "company_id", "kpi_id", "date_start:day", "currency_id"],
            ["value:max"],
        )
        figures = {
            (team.id, snapshot_company.id, kpi.id, date_start): (
                None if value is False else value,
                currency,
            )
            for team, snapshot_company, kpi, date_start, currency, value in groups
        }
        lines = {}
        for team in teams:
            team_company = team.company_id or company
            team_lines = []
            for kpi in kpis:
                found = {
                    key: figures.get((team.id, team_company.id, kpi.id, start), (None, None))
                    for key, start in starts.items()
                }
                if all(value is None for value, _currency in found.values()):
                    continue
                currency = next(
                    (cur for _value, cur in found.values() if cur),
                    team_company.currency_id,
                )
                line = {"kpi": kpi, "unit": dict(kpi._fields["unit"].selection).get(kpi.unit)}
                for key, (value, _currency) in found.items():
                    line[key] = value
                    line[f"{key}_display"] = self._format_figure(value, kpi.unit, currency)
                line["trend"] = self._get_trend(line["month"], line["previous"], kpi.direction)
                team_lines.append(line)
            lines[team] = team_lines
        return lines

    @api.model
    def _get_report_values(self, docids, data=None):
        teams = self.env["crm.team"].browse(docids)
        month = self._get_report_month(data)
        return {
            "doc_ids": docids,
            "doc_model": "crm.team",
            "docs": teams,
            "month": month,
            "month_label": month.strftime("%Y-%m"),
            "previous_label": (month - relativedelta(months=1)).strftime("%Y-%m"),
            "last_year_label": (month - relativedelta(months=12)).strftime("%Y-%m"),
            "team_lines": self._get_team_lines(teams, month),
        }
