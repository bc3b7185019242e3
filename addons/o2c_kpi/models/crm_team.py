from odoo import Command, _, api, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    @api.model
    def _get_o2c_kpi_report_recipients(self):
        """KPI managers who receive the monthly performance report."""
        return self.env["res.users"].search(
            [
                ("groups_id", "in", self.env.ref("o2c_kpi.group_o2c_kpi_manager").ids),
                ("share", "=", False),
                ("o2c_kpi_report_optout", "=", False),
                ("email", "!=", False),
            ]
        )

    @api.model
    def _send_o2c_kpi_performance_reports(self, month=None):
        """E-mail each KPI manager the performance reports of the teams of their companies.

        Each team's PDF is rendered once and attached to the mails of all the managers who get
        it; teams without any figure in the three months compared are left out. Returns the
        mails created."""
        report = self.env.ref("o2c_kpi.action_report_team_performance")
        Report = self.env["report.o2c_kpi.report_team_performance"]
        month = Report._get_report_month({"month": month} if month else None)
        month_label = month.strftime("%Y-%m")
        managers = self._get_o2c_kpi_report_recipients()
        # sudo: the cron (no user) gathers the teams of every manager's companies; each manager
        # only gets the teams of their own companies below, whose figures they may all read.
        teams = self.sudo().search([("company_id", "in", [False, *managers.company_ids.ids])])
        # (team, company): a team without a company gets one report per company it has figures
        # in, each rendered in that company and sent only to that company's managers
        pairs = Report.sudo()._get_teams_with_figures(teams, month, managers.company_ids)
        attachments = {}
        for team, company in pairs:
            pdf, _report_type = (
                self.env["ir.actions.report"]
                .sudo()
                .with_company(company)
                ._render_qweb_pdf(report, team.ids, data={"month": str(month)})
            )
            # a shared team's report says whose figures it holds
            team_label = team.name if team.company_id else f"{team.name} ({company.name})"
            attachments[team, company] = self.env["ir.attachment"].create(
                {
                    "name": _(
                        "Sales support performance - %(team)s - %(month)s.pdf",
                        team=team_label,
                        month=month_label,
                    ),
                    "raw": pdf,
                    "mimetype": "application/pdf",
                }
            )
        mail_values = []
        for manager in managers:
            manager_pairs = [pair for pair in attachments if pair[1] in manager.company_ids]
            if not manager_pairs:
                continue
            manager_teams = self.browse().union(*(team for team, _company in manager_pairs))
            lang_env = self.with_context(lang=manager.lang).env
            mail_values.append(
                {
                    "subject": lang_env._(
                        "Sales support performance, %(month)s", month=month_label
                    ),
                    "body_html": lang_env["ir.qweb"]._render(
                        "o2c_kpi.mail_body_team_performance",
                        {"manager": manager, "teams": manager_teams, "month_label": month_label},
                    ),
                    "email_from": manager.company_id.email_formatted
                    or self.env.ref("base.user_root").email_formatted,
                    "recipient_ids": [Command.link(manager.partner_id.id)],
                    "attachment_ids": [
                        Command.link(attachments[pair].id) for pair in manager_pairs
                    ],
                    "auto_delete": False,
                }
            )
        return self.env["mail.mail"].sudo().create(mail_values)

    @api.model
    def _cron_send_o2c_kpi_performance_reports(self):
        """On the 1st of the month: last month's performance report to the KPI managers."""
        mails = self._send_o2c_kpi_performance_reports()
        self.env["ir.cron"]._notify_progress(done=len(mails), remaining=0)
