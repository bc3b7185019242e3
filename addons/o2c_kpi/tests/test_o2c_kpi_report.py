from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.sales_support.tests.common import SalesSupportCommon


@tagged("post_install", "-at_install")
class TestO2cKpiReport(SalesSupportCommon):
    """The monthly "Sales support performance" PDF per team, and its e-mail to KPI managers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.env["res.company"].create({"name": "Second Co"})
        cls.team_a = cls.env["crm.team"].create(
            {"name": "Team Alpha", "company_id": cls.company.id}
        )
        cls.team_b = cls.env["crm.team"].create({"name": "Team Beta", "company_id": cls.company.id})
        cls.team_2 = cls.env["crm.team"].create(
            {"name": "Team Second", "company_id": cls.company_2.id}
        )
        Definition = cls.env["o2c.kpi.definition"]

        functions = {
            "support": "support_kpis",
            "orders": "order_kpis",
            "sales": "sales_kpis",
        }

        def kpi(code, unit, direction, category="support"):
            return Definition.create(
                {
                    "code": f"test_{code}",
                    "name": f"Test {code.replace('_', ' ')}",
                    "category": category,
                    "unit": unit,
                    "direction": direction,
                    "compute_function": functions[category],
                }
            )

        cls.kpi_hours = kpi("response_hours", "hours", "lower")
        cls.kpi_percent = kpi("on_time", "percent", "higher", "orders")
        cls.kpi_amount = kpi("sales_volume", "amount", "higher", "sales")
        cls.kpi_count = kpi("open_orders", "count", "neutral")
        currency = cls.company.currency_id
        rows = [
            # team, kpi, month start, value (None: no data)
            (cls.team_a, cls.kpi_hours, "2026-03-01", 4.0),
            (cls.team_a, cls.kpi_hours, "2026-02-01", 5.5),
            (cls.team_a, cls.kpi_hours, "2025-03-01", 3.25),
            (cls.team_a, cls.kpi_percent, "2026-03-01", 87.5),
            (cls.team_a, cls.kpi_percent, "2026-02-01", 90.0),
            (cls.team_a, cls.kpi_percent, "2025-03-01", None),  # step not reached then
            (cls.team_a, cls.kpi_amount, "2026-03-01", 12500.0),
            (cls.team_a, cls.kpi_amount, "2026-02-01", 10000.0),
            (cls.team_a, cls.kpi_count, "2026-03-01", 7.0),
            (cls.team_a, cls.kpi_count, "2026-02-01", 7.0),
            (cls.team_a, cls.kpi_hours, "2026-01-01", 99.0),  # not one of the 3 months
            (cls.team_b, cls.kpi_hours, "2026-03-01", 8.0),
            (cls.team_2, cls.kpi_hours, "2026-03-01", 2.0),
        ]
        values = cls.env["o2c.kpi.value"].create(
            [
                {
                    "kpi_id": kpi.id,
                    "period_type": "month",
                    "date_start": start,
                    "date_end": start[:8] + "28",
                    "dimension": "team",
                    "company_id": team.company_id.id,
                    "team_id": team.id,
                    "value": value,
                    "currency_id": currency.id if kpi == cls.kpi_amount else False,
                }
                for team, kpi, start, value in rows
            ]
        )
        # The refresh writes NULL for "no data" (the ORM would store 0.0): do the same.
        no_data = values.filtered(
            lambda v: (v.team_id, v.kpi_id, str(v.date_start))
            == (cls.team_a, cls.kpi_percent, "2025-03-01")
        )
        cls.env.cr.execute("UPDATE o2c_kpi_value SET value = NULL WHERE id = %s", [no_data.id])
        no_data.invalidate_recordset(["value"])
        cls.kpi_manager = new_test_user(
            cls.env,
            login="kpi_report_manager",
            email="kpi.manager@example.com",
            groups="o2c_kpi.group_o2c_kpi_manager",
            company_id=cls.company.id,
        )
        cls.optout_manager = new_test_user(
            cls.env,
            login="kpi_report_optout",
            email="kpi.optout@example.com",
            groups="o2c_kpi.group_o2c_kpi_manager",
            company_id=cls.company.id,
        )
        cls.manager_2 = new_test_user(
            cls.env,
            login="kpi_report_manager_2",
            email="kpi.manager2@example.com",
            groups="o2c_kpi.group_o2c_kpi_manager",
            company_id=cls.company_2.id,
            company_ids=[Command.set(cls.company_2.ids)],
        )
        cls.report = cls.env.ref("o2c_kpi.action_report_team_performance")
        cls.data = {"month": "2026-03-15"}

    def _lines(self, team):
        values = self.env["report.o2c_kpi.report_team_performance"]._get_report_values(
            team.ids, self.data
        )
        return {line["kpi"]: line for line in values["team_lines"][team]}

    def test_report_values(self):
        lines = self._lines(self.team_a)
        self.assertEqual(
            set(lines), set(self.kpi_hours | self.kpi_percent | self.kpi_amount | self.kpi_count)
        )
        hours = lines[self.kpi_hours]
        # March 2026 against February 2026 and March 2025; January is not shown
        self.assertEqual((hours["month"], hours["previous"], hours["last_year"]), (4.0, 5.5, 3.25))
        self.assertEqual(hours["month_display"], "4.00 h")
        # 5.5 h -> 4 h: down, and lower is better
        self.assertEqual(hours["trend"]["arrow"], "▼")
        self.assertEqual(hours["trend"]["class"], "text-success")
        percent = lines[self.kpi_percent]
        self.assertIsNone(percent["last_year"], "no data is not 0")
        self.assertEqual(percent["last_year_display"], "—")
        self.assertEqual(percent["month_display"], "87.50 %")
        # 90 % -> 87.5 %: down, and higher is better
        self.assertEqual(
            (percent["trend"]["arrow"], percent["trend"]["class"]), ("▼", "text-danger")
        )
        amount = lines[self.kpi_amount]
        self.assertIsNone(amount["last_year"])
        self.assertEqual(
            (amount["trend"]["arrow"], amount["trend"]["class"]), ("▲", "text-success")
        )
        self.assertIn("12,500.00", amount["month_display"])
        count = lines[self.kpi_count]
        self.assertEqual((count["month_display"], count["trend"]["arrow"]), ("7", "="))
        self.assertEqual(set(self._lines(self.team_b)), {self.kpi_hours})

    def test_report_renders_as_kpi_manager(self):
        Report = self.env["ir.actions.report"].with_user(self.kpi_manager)
        html = Report._render_qweb_html(self.report, (self.team_a | self.team_b).ids, self.data)[
            0
        ].decode()
        for text in (
            "Team Alpha",
            "Team Beta",
            "2026-03",
            "2026-02",
            "2025-03",
            "Test response hours",
        ):
            self.assertIn(text, html)
        for figure in ("4.00 h", "5.50 h", "3.25 h", "87.50 %", "90.00 %", "8.00 h", "12,500.00"):
            self.assertIn(figure, html)
        self.assertNotIn("99.00 h", html)
        self.assertIn("text-end", html)
        self.assertNotIn("text-right", html)
        pdf, report_type = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            self.report, self.team_a.ids, self.data
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_monthly_mail_to_managers(self):
        self.optout_manager.with_user(self.optout_manager).o2c_kpi_report_optout = True
        mails = (
            self.env["crm.team"]
            .with_context(force_report_rendering=True)
            ._send_o2c_kpi_performance_reports(month="2026-03-01")
        )
        by_partner = {mail.recipient_ids: mail for mail in mails}
        self.assertNotIn(self.optout_manager.partner_id, by_partner)
        mail = by_partner[self.kpi_manager.partner_id]
        self.assertIn("2026-03", mail.subject)
        self.assertIn("Team Alpha", mail.body_html)
        self.assertNotIn("Team Second", mail.body_html, "not a team of the manager's company")
        attachments = {a.name: a for a in mail.attachment_ids}
        alpha = attachments["Sales support performance - Team Alpha - 2026-03.pdf"]
        self.assertIn("Sales support performance - Team Beta - 2026-03.pdf", attachments)
        self.assertNotIn("Sales support performance - Team Second - 2026-03.pdf", attachments)
        self.assertEqual(alpha.mimetype, "application/pdf")
        self.assertTrue(alpha.raw.startswith(b"%PDF"))
        mail_2 = by_partner[self.manager_2.partner_id]
        self.assertIn("Team Second", mail_2.body_html)
        self.assertNotIn("Team Alpha", mail_2.body_html)
        self.assertEqual(
            mail_2.attachment_ids.mapped("name"),
            ["Sales support performance - Team Second - 2026-03.pdf"],
        )
        # each team's PDF is rendered once, shared by the mails of all its managers
        alpha_mails = mails.filtered(lambda m: alpha in m.attachment_ids)
        self.assertGreater(len(alpha_mails), 1, "the admin (a sales manager) gets it too")
        self.assertEqual(len(mails.attachment_ids.filtered(lambda a: "Team Alpha" in a.name)), 1)

    def test_team_shared_by_two_companies(self):
        """A team without a company works in both: its figures are never mixed. Printed in a
        company, the report shows that company's figures; each company's managers get their
        company's report only."""
        shared = self.env["crm.team"].create({"name": "Team Shared", "company_id": False})
        self.env["o2c.kpi.value"].create(
            [
                {
                    "kpi_id": self.kpi_hours.id,
                    "period_type": "month",
                    "date_start": "2026-03-01",
                    "date_end": "2026-03-31",
                    "dimension": "team",
                    "company_id": company.id,
                    "team_id": shared.id,
                    "value": value,
                }
                for company, value in ((self.company, 11.0), (self.company_2, 22.0))
            ]
        )
        Report = self.env["report.o2c_kpi.report_team_performance"]
        month = Report._get_report_month(self.data)
        for manager, company, value in (
            (self.kpi_manager, self.company, 11.0),
            (self.manager_2, self.company_2, 22.0),
        ):
            lines = (
                Report.with_user(manager)
                .with_company(company)
                ._get_team_lines(shared, month)[shared]
            )
            self.assertEqual([line["month"] for line in lines], [value])
        mails = (
            self.env["crm.team"]
            .with_context(force_report_rendering=True)
            ._send_o2c_kpi_performance_reports(month="2026-03-01")
        )
        by_partner = {mail.recipient_ids: mail for mail in mails}
        names = {
            manager: by_partner[manager.partner_id].attachment_ids.mapped("name")
            for manager in (self.kpi_manager, self.manager_2)
        }
        self.assertIn(
            "Sales support performance - Team Shared (Second Co) - 2026-03.pdf",
            names[self.manager_2],
        )
        self.assertFalse([n for n in names[self.manager_2] if self.company.name in n])
        self.assertIn(
            f"Sales support performance - Team Shared ({self.company.name}) - 2026-03.pdf",
            names[self.kpi_manager],
        )
        self.assertNotIn("Second Co", " ".join(names[self.kpi_manager]))

    def test_optout_in_preferences(self):
        self.assertIn("o2c_kpi_report_optout", self.kpi_manager.SELF_WRITEABLE_FIELDS)
        self.kpi_manager.with_user(self.kpi_manager).write({"o2c_kpi_report_optout": True})
        self.assertTrue(self.kpi_manager.o2c_kpi_report_optout)
        self.assertNotIn(self.kpi_manager, self.env["crm.team"]._get_o2c_kpi_report_recipients())
        cron = self.env.ref("o2c_kpi.ir_cron_team_performance_report")
        self.assertEqual(cron.nextcall.day, 1)

    def test_print_menu_for_kpi_managers_only(self):
        def printable(user):
            bindings = self.env["ir.actions.actions"].with_user(user).get_bindings("crm.team")
            return [action["id"] for action in bindings.get("report", [])]

        self.assertIn(self.report.id, printable(self.kpi_manager))
        self.assertNotIn(self.report.id, printable(self.coordinator))
        self.assertNotIn(self.report.id, printable(self.salesperson_1))
