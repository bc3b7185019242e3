"""Who reads which KPI figures: a salesperson their own and their teams', not another team's;
a coordinator theirs and the salespeople they serve; an assistant those of the coordinators
they assist; managers every figure of their companies."""

from datetime import date, datetime

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import MARCH, O2cKpiCommon


@tagged("post_install", "-at_install")
class TestKpiAccess(O2cKpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for salesperson, day in [
            (cls.salesperson_1, 3),
            (cls.salesperson_2, 4),
            (cls.salesperson_3, 5),
        ]:
            cls._order(
                salesperson,
                date_order=datetime(2025, 3, day, 9),
                date_o2c_request=datetime(2025, 3, day, 7),
                date_o2c_entered=datetime(2025, 3, day, 9),
                amount_untaxed=100.0 * day,
            )
        cls.env["o2c.kpi.value"]._refresh(MARCH, date(2025, 3, 31), ["month"], cls.kpi_company)
        cls.other_company = cls.env["res.company"].create({"name": "KPI Other Company"})
        (cls.salesperson_1 | cls.coordinator).write({"company_ids": [(4, cls.other_company.id)]})
        cls._order(cls.salesperson_1, company=cls.other_company, date_order=datetime(2025, 3, 6, 9))
        cls.env["o2c.kpi.value"]._refresh(MARCH, date(2025, 3, 31), ["month"], cls.other_company)
        cls.kpi_manager = new_test_user(
            cls.env,
            login="kpi_access_manager",
            groups="o2c_kpi.group_o2c_kpi_manager",
            company_id=cls.kpi_company.id,
            company_ids=[(6, 0, cls.kpi_company.ids)],
        )
        cls.api_user = new_test_user(
            cls.env,
            login="kpi_access_api",
            groups="sales_support.group_support_api",
            company_id=cls.kpi_company.id,
            company_ids=[(6, 0, cls.kpi_company.ids)],
        )

    def _visible(self, user):
        """{(dimension, key)} of the figures ``user`` reads in the KPI company."""
        values = (
            self.env["o2c.kpi.value"]
            .with_user(user)
            .with_context(allowed_company_ids=self.kpi_company.ids)
            .search([("kpi_code", "=", "sales_volume")])
        )
        return {
            (
                value.dimension,
                {
                    "company": value.company_id,
                    "team": value.team_id,
                    "salesperson": value.user_id,
                    "coordinator": value.coordinator_id,
                }[value.dimension].id,
            )
            for value in values
        }

    def test_salesperson_own_and_team(self):
        # Salesperson 1 is in team A (with salesperson 2): their own figures and team A's.
        self.assertEqual(
            self._visible(self.salesperson_1),
            {("salesperson", self.salesperson_1.id), ("team", self.team_a.id)},
        )
        # Salesperson 3 (team B) does not read team A's nor salesperson 1's.
        visible = self._visible(self.salesperson_3)
        self.assertNotIn(("team", self.team_a.id), visible)
        self.assertNotIn(("salesperson", self.salesperson_1.id), visible)
        self.assertEqual(
            visible, {("salesperson", self.salesperson_3.id), ("team", self.team_b.id)}
        )
        rows = (
            self.env["o2c.kpi.value"]
            .with_user(self.salesperson_3)
            .with_context(allowed_company_ids=self.kpi_company.ids)
            .get_kpis(
                "2025-03-01", "2025-03-31", team_id=self.team_a.id, company_id=self.kpi_company.id
            )
        )
        self.assertEqual(rows, [])

    def test_coordinator_salespeople_served(self):
        # The coordinator serves salespeople 1 and 2 (not 3): their figures and the
        # coordinator's own; no company figure.
        visible = self._visible(self.coordinator)
        self.assertLessEqual(
            {
                ("coordinator", self.coordinator.id),
                ("salesperson", self.salesperson_1.id),
                ("salesperson", self.salesperson_2.id),
            },
            visible,
        )
        self.assertNotIn(("salesperson", self.salesperson_3.id), visible)
        self.assertNotIn(("coordinator", self.coordinator_2.id), visible)
        self.assertNotIn(("company", self.kpi_company.id), visible)

    def test_assistant_coordinators_assisted(self):
        visible = self._visible(self.assistant)
        self.assertIn(("coordinator", self.coordinator.id), visible)
        self.assertIn(("salesperson", self.salesperson_1.id), visible)
        self.assertNotIn(("salesperson", self.salesperson_3.id), visible)
        self.assertNotIn(("company", self.kpi_company.id), visible)

    def test_managers_all_of_their_companies(self):
        for manager in (self.kpi_manager, self.support_manager, self.api_user):
            visible = self._visible(manager)
            self.assertLessEqual(
                {
                    ("company", self.kpi_company.id),
                    ("team", self.team_a.id),
                    ("team", self.team_b.id),
                    ("salesperson", self.salesperson_3.id),
                    ("coordinator", self.coordinator_2.id),
                },
                visible,
                manager.login,
            )
        # The other company's figures stay out of reach of the KPI manager who does not work
        # there.
        values = (
            self.env["o2c.kpi.value"]
            .with_user(self.kpi_manager)
            .search([("company_id", "=", self.other_company.id)])
        )
        self.assertFalse(values)

    def test_figures_read_only(self):
        value = self.env["o2c.kpi.value"].search(
            [("company_id", "=", self.kpi_company.id)], limit=1
        )
        for user in (self.kpi_manager, self.salesperson_1):
            with self.assertRaises(AccessError):
                value.with_user(user).write({"value": 1.0})
        with self.assertRaises(AccessError):
            self.env["o2c.kpi.refresh"].with_user(self.coordinator).create(
                {"date_from": MARCH, "date_to": date(2025, 3, 31)}
            )
