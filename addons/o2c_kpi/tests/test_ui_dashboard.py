from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.sales_support.tests.test_ui import SalesSupportHttpCase


@tagged("post_install", "-at_install")
class TestO2cKpiDashboards(SalesSupportHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.support_manager = new_test_user(
            cls.env,
            login="kpi_dash_manager",
            name="Dashboard Manager",
            groups="sales_support.group_support_manager",
        )
        cls.coordinator = new_test_user(
            cls.env,
            login="kpi_dash_coordinator",
            name="Tour Coordinator",
            groups="sales_support.group_support_coordinator",
        )
        Definition = cls.env["o2c.kpi.definition"]
        cls.kpi_response = Definition.create(
            {
                "code": "tour_first_response",
                "name": "Tour first response",
                "category": "support",
                "unit": "hours",
                "direction": "lower",
                "compute_function": "support_kpis",
            }
        )
        cls.kpi_volume = Definition.create(
            {
                "code": "tour_sales_volume",
                "name": "Tour sales volume",
                "category": "sales",
                "unit": "amount",
                "direction": "higher",
                "compute_function": "sales_kpis",
            }
        )
        this_month = fields.Date.context_today(cls.env.user).replace(day=1)
        company = cls.env.company
        team = cls.env["crm.team"].search([("company_id", "in", (company.id, False))], limit=1)
        values = []
        for months_ago, figure in ((0, 4.25), (1, 5.0), (12, 7.5)):
            start = this_month - relativedelta(months=months_ago)
            values.append(
                {
                    "kpi_id": cls.kpi_response.id,
                    "period_type": "month",
                    "date_start": start,
                    "date_end": start + relativedelta(months=1, days=-1),
                    "dimension": "company",
                    "company_id": company.id,
                    "value": figure,
                }
            )
        last_month = this_month - relativedelta(months=1)
        values.append(
            {
                "kpi_id": cls.kpi_volume.id,
                "period_type": "month",
                "date_start": last_month,
                "date_end": this_month - relativedelta(days=1),
                "dimension": "company",
                "company_id": company.id,
                "value": 12345.0,
                "currency_id": company.currency_id.id,
            }
        )
        values.append(
            {
                **values[-1],
                "dimension": "team",
                "team_id": team.id,
                "value": 6789.5,
                "date_start": this_month,
                "date_end": this_month + relativedelta(months=1, days=-1),
            }
        )
        values.append(
            {
                **values[0],
                "dimension": "coordinator",
                "coordinator_id": cls.coordinator.id,
                "value": 3.75,
            }
        )
        cls.env["o2c.kpi.value"].create(values)

    def test_dashboards_for_kpi_managers_only(self):
        dashboards = self.env.ref("o2c_kpi.spreadsheet_dashboard_support_manager") | self.env.ref(
            "o2c_kpi.spreadsheet_dashboard_sales_manager"
        )
        Dashboard = self.env["spreadsheet.dashboard"]
        self.assertEqual(
            Dashboard.with_user(self.support_manager).search([("id", "in", dashboards.ids)]),
            dashboards,
        )
        self.assertFalse(
            Dashboard.with_user(self.coordinator).search([("id", "in", dashboards.ids)])
        )
        data = dashboards[0].with_user(self.support_manager).get_readonly_dashboard()
        self.assertEqual(data["snapshot"]["pivots"]["1"]["model"], "o2c.kpi.value")

    def test_dashboard_tour_as_support_manager(self):
        self._require_browser()
        self.start_tour(
            "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
            "o2c_kpi_dashboard_tour",
            login=self.support_manager.login,
        )
