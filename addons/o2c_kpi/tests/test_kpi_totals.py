"""Group totals of KPI figures (pivot and graph views, spreadsheet pivots) read by a KPI
manager with ``read_group``: a ratio's total is SUM(numerator) / SUM(denominator), never an
average of the rows' figures; counts and amounts add up; medians have no total. The figures are
written as the refresh would (superuser), with worked-out numerators and denominators."""

from datetime import date

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.o2c_kpi.engine.kpi_functions import KPI_CODES, KPI_FUNCTIONS, KPI_TOTALS

from .common import APRIL, O2cKpiCommon

MAY = date(2025, 5, 1)


@tagged("post_install", "-at_install")
class TestKpiTotals(O2cKpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        kpis = cls.env["o2c.kpi.definition"].search([])
        cls.kpi = {kpi.code: kpi for kpi in kpis}
        sp1, sp2 = cls.salesperson_1, cls.salesperson_2
        currency = cls.kpi_company.currency_id
        rows = [
            # (code, month, salesperson, numerator, denominator, value)
            # First response (avg hours): sp1 10 h over 2 requests = 5 h, sp2 30 h over 3 = 10 h.
            ("support_first_response_avg", APRIL, sp1, 10.0, 2.0, 5.0),
            ("support_first_response_avg", APRIL, sp2, 30.0, 3.0, 10.0),
            # Within SLA: sp1 1 of 4 = 25 %, sp2 9 of 10 = 90 %.
            ("support_within_sla_pct", APRIL, sp1, 1.0, 4.0, 25.0),
            ("support_within_sla_pct", APRIL, sp2, 9.0, 10.0, 90.0),
            # Median first response: sp1 4 h (2 requests), sp2 9 h (3 requests).
            ("support_first_response_median", APRIL, sp1, None, 2.0, 4.0),
            ("support_first_response_median", APRIL, sp2, None, 3.0, 9.0),
            # Sales volume: sp1 1000 (1 order), sp2 3000 (2 orders).
            ("sales_volume", APRIL, sp1, 1000.0, 1.0, 1000.0),
            ("sales_volume", APRIL, sp2, 3000.0, 2.0, 3000.0),
            # Receivables at the end of April: sp1 500, sp2 700; end of May: sp1 300.
            ("money_receivables", APRIL, sp1, 500.0, 2.0, 500.0),
            ("money_receivables", APRIL, sp2, 700.0, 1.0, 700.0),
            ("money_receivables", MAY, sp1, 300.0, 1.0, 300.0),
            # Customers won in April: sp1 2 (customers X and Y), sp2 1 (customer X again, also
            # served by sp2): 2 customers in all, not 3; in May sp1 wins customer Z.
            ("customers_won", APRIL, sp1, 2.0, 1.0, 2.0),
            ("customers_won", APRIL, sp2, 1.0, 1.0, 1.0),
            ("customers_won", MAY, sp1, 1.0, 1.0, 1.0),
        ]
        cls.env["o2c.kpi.value"].create(
            [
                {
                    "kpi_id": cls.kpi[code].id,
                    "period_type": "month",
                    "date_start": month,
                    "date_end": month.replace(day=30 if month == APRIL else 31),
                    "dimension": "salesperson",
                    "company_id": cls.kpi_company.id,
                    "user_id": user.id,
                    "numerator": numerator,
                    "denominator": denominator,
                    "value": value,
                    "has_value": True,
                    "currency_id": currency.id if cls.kpi[code].unit == "amount" else False,
                }
                for code, month, user, numerator, denominator, value in rows
            ]
        )
        # The company figure of first response in April: 40 h over 5 requests = 8 h.
        cls.env["o2c.kpi.value"].create(
            {
                "kpi_id": cls.kpi["support_first_response_avg"].id,
                "period_type": "month",
                "date_start": APRIL,
                "date_end": date(2025, 4, 30),
                "dimension": "company",
                "company_id": cls.kpi_company.id,
                "numerator": 40.0,
                "denominator": 5.0,
                "value": 8.0,
                "has_value": True,
            }
        )

    def _totals(self, domain, groupby):
        groups = (
            self.env["o2c.kpi.value"]
            .with_user(self.support_manager)
            .read_group(
                [("company_id", "=", self.kpi_company.id), *domain],
                ["value", "numerator", "denominator"],
                groupby,
                lazy=False,
            )
        )
        return groups

    def test_ratio_totals_are_sums_of_numerators_over_denominators(self):
        self.assertTrue(self.support_manager.has_group("o2c_kpi.group_o2c_kpi_manager"))
        salespeople = [("dimension", "=", "salesperson")]
        groups = self._totals(salespeople + [("date_start", "=", APRIL)], ["kpi_id"])
        total = {group["kpi_id"][0]: group for group in groups}

        def value(code):
            return total[self.kpi[code].id]["value"]

        # First response over both salespeople: (10 + 30) h / (2 + 3) requests = 8 h (the
        # average of their averages would say (5 + 10) / 2 = 7.5 h), the company's figure.
        self.assertAlmostEqual(value("support_first_response_avg"), 8.0)
        first = total[self.kpi["support_first_response_avg"].id]
        self.assertEqual((first["numerator"], first["denominator"]), (40.0, 5.0))
        # Within SLA: 100 x (1 + 9) / (4 + 10) = 71.428...% (not (25 + 90) / 2 = 57.5 %).
        self.assertAlmostEqual(value("support_within_sla_pct"), 100 * 10 / 14)
        # A median cannot be re-aggregated: no total (empty), not (4 + 9) / 2.
        self.assertIs(value("support_first_response_median"), False)
        # Amounts add up: 1000 + 3000 = 4000 (not 2000); receivables within April: 500 + 700.
        self.assertAlmostEqual(value("sales_volume"), 4000.0)
        self.assertAlmostEqual(value("money_receivables"), 1200.0)

        # One row per group: each keeps its own figure (the median too).
        groups = self._totals(salespeople + [("date_start", "=", APRIL)], ["kpi_id", "user_id"])
        cells = {(g["kpi_id"][0], g["user_id"][0]): g["value"] for g in groups}
        median = self.kpi["support_first_response_median"].id
        self.assertEqual(cells[median, self.salesperson_1.id], 4.0)
        self.assertEqual(cells[median, self.salesperson_2.id], 9.0)
        self.assertEqual(cells[self.kpi["support_within_sla_pct"].id, self.salesperson_1.id], 25.0)

    def test_no_total_across_kpis_periods_or_dimensions(self):
        # Receivables of salesperson 1 at the end of April (500) and of May (300): amounts at
        # a period's end do not add up across periods (no total, not 800 nor 400).
        groups = self._totals(
            [("kpi_code", "=", "money_receivables"), ("user_id", "=", self.salesperson_1.id)],
            ["kpi_id"],
        )
        self.assertEqual(len(groups), 1)
        self.assertEqual(groups[0]["__count"], 2)
        self.assertIs(groups[0]["value"], False)
        # Grouped by month instead: one figure each.
        groups = self._totals(
            [("kpi_code", "=", "money_receivables"), ("user_id", "=", self.salesperson_1.id)],
            ["date_start:month"],
        )
        self.assertEqual(sorted(g["value"] for g in groups), [300.0, 500.0])
        # Different KPIs of a salesperson: no total.
        groups = self._totals([("dimension", "=", "salesperson")], ["user_id"])
        self.assertTrue(groups)
        self.assertTrue(all(group["value"] is False for group in groups))
        # The company figure and the salespeople's of the same KPI and month would count the
        # same requests twice: no total either.
        groups = self._totals(
            [("kpi_code", "=", "support_first_response_avg"), ("date_start", "=", APRIL)],
            ["kpi_id"],
        )
        self.assertEqual(groups[0]["__count"], 3)
        self.assertIs(groups[0]["value"], False)

    def test_no_total_of_distinct_counts(self):
        """Customers and coordinators counted once in each row can be in several rows: their
        counts do not add up, whatever the grouping, but a group of one figure shows it."""
        team_a = self.team_a
        coordinators = self.kpi["support_open_requests_per_coordinator"]
        # Open requests per coordinator of team A: end of April 6 requests of 2 coordinators
        # (3 each), end of May 4 requests of 1 coordinator (4); the coordinator of April is
        # the one of May, so both months are 10 requests of 2 coordinators, not 10 / 3.
        self.env["o2c.kpi.value"].create(
            [
                {
                    "kpi_id": coordinators.id,
                    "period_type": "month",
                    "date_start": month,
                    "date_end": end,
                    "dimension": "team",
                    "company_id": self.kpi_company.id,
                    "team_id": team_a.id,
                    "numerator": numerator,
                    "denominator": denominator,
                    "value": numerator / denominator,
                    "has_value": True,
                }
                for month, end, numerator, denominator in [
                    (APRIL, date(2025, 4, 30), 6.0, 2.0),
                    (MAY, date(2025, 5, 31), 4.0, 1.0),
                ]
            ]
        )
        won = [("kpi_code", "=", "customers_won")]
        # Customers won by the salespeople in April: sp1 2 + sp2 1 would say 3 for customer X
        # counted twice: no total.
        groups = self._totals(won + [("date_start", "=", APRIL)], ["kpi_id"])
        self.assertEqual(groups[0]["__count"], 2)
        self.assertIs(groups[0]["value"], False)
        # Salesperson 1 over April and May (2 + 1, a customer could be won twice): no total.
        groups = self._totals(won + [("user_id", "=", self.salesperson_1.id)], ["kpi_id"])
        self.assertEqual(groups[0]["__count"], 2)
        self.assertIs(groups[0]["value"], False)
        # One figure per group: each salesperson's April figure, each month of team A.
        groups = self._totals(won + [("date_start", "=", APRIL)], ["user_id"])
        self.assertEqual(
            {group["user_id"][0]: group["value"] for group in groups},
            {self.salesperson_1.id: 2.0, self.salesperson_2.id: 1.0},
        )
        per_coordinator = [("kpi_code", "=", coordinators.code)]
        groups = self._totals(per_coordinator, ["team_id"])
        self.assertEqual(groups[0]["__count"], 2)
        self.assertIs(groups[0]["value"], False)
        groups = self._totals(per_coordinator, ["date_start:month"])
        self.assertEqual(sorted(group["value"] for group in groups), [3.0, 4.0])

    def test_no_total_of_money_ratios_across_currencies(self):
        """Overdue % and DSO of companies in different currencies do not add up (their amounts
        are in different units); in the same currency they do."""
        usd, eur = self.env.ref("base.USD"), self.env.ref("base.EUR")
        eur.active = True
        self.kpi_company.currency_id = usd
        euro_company = self.env["res.company"].create({"name": "KPI Euro", "currency_id": eur.id})
        dollar_company = self.env["res.company"].create(
            {"name": "KPI Dollar", "currency_id": usd.id}
        )
        self.support_manager.company_ids |= euro_company | dollar_company
        rows = [
            # (company, code, numerator, denominator): overdue 100 x 300 / 1000 = 30 % in USD,
            # 100 x 800 / 1000 = 80 % in EUR, 100 x 100 / 1000 = 10 % in USD; DSO 1000 x 30
            # days / 1500 billed = 20 days in USD, 1000 x 30 / 600 = 50 days in EUR.
            (self.kpi_company, "money_overdue_pct", 300.0, 1000.0),
            (euro_company, "money_overdue_pct", 800.0, 1000.0),
            (dollar_company, "money_overdue_pct", 100.0, 1000.0),
            (self.kpi_company, "money_dso", 30000.0, 1500.0),
            (euro_company, "money_dso", 30000.0, 600.0),
        ]
        factor = {"money_overdue_pct": 100.0, "money_dso": 1.0}
        # As the refresh writes them: in the company's currency.
        self.env["o2c.kpi.value"].create(
            [
                {
                    "kpi_id": self.kpi[code].id,
                    "period_type": "month",
                    "date_start": APRIL,
                    "date_end": date(2025, 4, 30),
                    "dimension": "company",
                    "company_id": company.id,
                    "numerator": numerator,
                    "denominator": denominator,
                    "value": factor[code] * numerator / denominator,
                    "has_value": True,
                    "currency_id": company.currency_id.id,
                }
                for company, code, numerator, denominator in rows
            ]
        )
        companies = self.kpi_company | euro_company | dollar_company
        Value = (
            self.env["o2c.kpi.value"]
            .with_user(self.support_manager)
            .with_context(allowed_company_ids=companies.ids)
        )

        def total(code, company_set):
            groups = Value.read_group(
                [
                    ("kpi_code", "=", code),
                    ("dimension", "=", "company"),
                    ("company_id", "in", company_set.ids),
                ],
                ["value"],
                ["kpi_id"],
                lazy=False,
            )
            self.assertEqual(groups[0]["__count"], len(company_set))
            return groups[0]["value"]

        # Dollars and euros: no total (not 100 x 1100 / 2000 = 55 %, nor 60000 / 2100 days).
        self.assertIs(total("money_overdue_pct", self.kpi_company | euro_company), False)
        self.assertIs(total("money_dso", self.kpi_company | euro_company), False)
        # Two companies in dollars: 100 x (300 + 100) / (1000 + 1000) = 20 %.
        self.assertAlmostEqual(total("money_overdue_pct", self.kpi_company | dollar_company), 20.0)

    def test_every_kpi_has_a_total_rule_and_calculator(self):
        """Every KPI of the data knows how its figures add up, and names a registered
        calculator (the field offers only those)."""
        definitions = self.env["o2c.kpi.definition"].with_context(active_test=False).search([])
        self.assertEqual(set(definitions.mapped("code")) - set(KPI_TOTALS), set())
        selection = self.env["o2c.kpi.definition"]._fields["compute_function"]
        keys = [key for key, _label in selection._description_selection(self.env)]
        self.assertEqual(sorted(keys), sorted(KPI_FUNCTIONS))
        self.assertEqual(set(definitions.mapped("compute_function")) - set(KPI_FUNCTIONS), set())
        # A KPI manager cannot name a calculator that does not exist.
        kpi = self.kpi["sales_volume"].with_user(self.support_manager)
        with self.assertRaisesRegex(ValidationError, "Unknown KPI calculator sales_volume_v2"):
            kpi.write({"compute_function": "sales_volume_v2"})
        kpi.write({"compute_function": "sales_kpis", "name": "Sales Volume (net)"})
        self.assertEqual(kpi.compute_function, "sales_kpis")
        # Each calculator's codes are the KPIs with a total rule, and every definition names
        # the calculator computing its code.
        self.assertEqual(set().union(*KPI_CODES.values()), set(KPI_TOTALS))
        self.assertEqual(set(KPI_CODES), set(KPI_FUNCTIONS))
        for definition in definitions:
            self.assertIn(definition.code, KPI_CODES[definition.compute_function])

    def test_calculator_must_compute_the_kpi(self):
        """A registered calculator that does not compute the KPI is refused, naming the one
        that does; a definition broken anyway (by SQL) keeps its stored figures."""
        manager = self.support_manager
        volume = self.kpi["sales_volume"].with_user(manager)
        with self.assertRaisesRegex(
            ValidationError,
            "The calculator support_kpis does not compute the KPI sales_volume: use sales_kpis.",
        ):
            volume.write({"compute_function": "support_kpis"})
        # A code no calculator computes (figures written by other means, a definition of an
        # integrator's module: managers create none) may name any.
        custom = self.env["o2c.kpi.definition"].create(
            {
                "code": "custom_visits",
                "name": "Customer Visits",
                "category": "customers",
                "unit": "count",
                "compute_function": "customer_kpis",
            }
        )
        self.env["o2c.kpi.value"].create(
            {
                "kpi_id": custom.id,
                "period_type": "month",
                "date_start": APRIL,
                "date_end": date(2025, 4, 30),
                "dimension": "company",
                "company_id": self.kpi_company.id,
                "numerator": 12.0,
                "denominator": 1.0,
                "value": 12.0,
                "has_value": True,
            }
        )
        # Sales volume named the support calculator before this check (an older database):
        # the refresh of April skips it and leaves its two figures (sp1 1000, sp2 3000; the
        # company has no order in April, so its own calculator would delete them) and the
        # custom KPI's figure, while the first response figures (no request in April) go.
        self.env.cr.execute(
            "UPDATE o2c_kpi_definition SET compute_function = 'support_kpis' WHERE id = %s",
            [volume.id],
        )
        self.env.invalidate_all()
        self.env["o2c.kpi.refresh"].with_user(manager).create(
            {
                "date_from": APRIL,
                "date_to": date(2025, 4, 30),
                "period_type": "month",
                "company_ids": [Command.set(self.kpi_company.ids)],
            }
        ).action_refresh()
        Value = self.env["o2c.kpi.value"].with_user(manager)
        april = [("company_id", "=", self.kpi_company.id), ("date_start", "=", APRIL)]
        volumes = Value.search([*april, ("kpi_id", "=", volume.id)])
        self.assertEqual(sorted(volumes.mapped("value")), [1000.0, 3000.0])
        self.assertEqual(Value.search([*april, ("kpi_id", "=", custom.id)]).value, 12.0)
        first_response = self.kpi["support_first_response_avg"]
        self.assertFalse(Value.search([*april, ("kpi_id", "=", first_response.id)]))
