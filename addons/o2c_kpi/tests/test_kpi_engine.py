"""Each KPI on a small hand-made dataset, computed by the plain calculators (a cursor is
enough: no ORM in the engine). Times are UTC in the data; Jerusalem is UTC+2 until
2025-03-28, UTC+3 after."""

from datetime import date, datetime
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from odoo.addons.o2c_kpi.engine import kpi_functions
from odoo.addons.o2c_kpi.engine.kpi_functions import (
    KPI_CODES,
    KpiParams,
    order_kpis,
    period_end,
)

from .common import APRIL, MARCH, O2cKpiCommon


@tagged("post_install", "-at_install")
class TestKpiEngine(O2cKpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # o1 (salesperson 1, team A, coordinator): request 03-03 08:00, entered 18:00 (10 h),
        #    shipped 03-05 18:00 (48 h after entry), promised 03-06: on time, fully delivered,
        #    no claim, no error: perfect; paid 04-02 08:00 (cycle 30 days from the request).
        cls.o1 = cls._order(
            cls.salesperson_1,
            date_order=datetime(2025, 3, 3, 18),
            date_o2c_request=datetime(2025, 3, 3, 8),
            date_o2c_entered=datetime(2025, 3, 3, 18),
            date_o2c_shipped=datetime(2025, 3, 5, 18),
            commitment_date=datetime(2025, 3, 6, 12),
            delivery_status="full",
            date_o2c_paid=datetime(2025, 4, 2, 8),
            amount_untaxed=1000.0,
        )
        # o2 (salesperson 2, team A, coordinator): request 03-10 00:00, entered 20:00 (20 h),
        #    shipped 03-12 08:00 (36 h), promised 03-11: late; an entry error and a claim: not
        #    perfect; not paid (cycle: step not reached).
        cls.o2 = cls._order(
            cls.salesperson_2,
            date_order=datetime(2025, 3, 10, 20),
            date_o2c_request=datetime(2025, 3, 10, 0),
            date_o2c_entered=datetime(2025, 3, 10, 20),
            date_o2c_shipped=datetime(2025, 3, 12, 8),
            commitment_date=datetime(2025, 3, 11, 12),
            delivery_status="full",
            amount_untaxed=3000.0,
        )
        # o3 (salesperson 3, team B, coordinator_2): request 03-20 00:00, entered 06:00 (6 h);
        #    not shipped yet.
        cls.o3 = cls._order(
            cls.salesperson_3,
            customer=cls.customer_3,
            date_order=datetime(2025, 3, 20, 6),
            date_o2c_request=datetime(2025, 3, 20, 0),
            date_o2c_entered=datetime(2025, 3, 20, 6),
            has_o2c_deliveries=True,
            amount_untaxed=2000.0,
        )
        cls._sql_insert(
            "sales_support_order_error",
            {
                "order_id": cls.o2.id,
                "company_id": cls.kpi_company.id,
                "responsible_user_id": cls.coordinator.id,
                "error_type": "quantity",
                "found_by": "internal",
                "origin": "manual",
                "date_found": datetime(2025, 3, 11, 9),
                "is_customer_request": False,
            },
        )
        cls._sql_insert(
            "sales_support_claim",
            {
                "name": "KPI claim",
                "company_id": cls.kpi_company.id,
                "partner_id": cls.customer_1.id,
                "order_id": cls.o2.id,
                "claim_type": "damaged",
                "state": "new",
                "date_claim": datetime(2025, 3, 20, 9),
            },
        )

    def test_order_kpis(self):
        figures = self.compute(MARCH, APRIL, function="order_kpis")
        value = self.company_value
        # Processing (request to entry), orders entered in March: (10 + 20 + 6) / 3 = 12 h.
        self.assertAlmostEqual(value(figures, "orders_processing_hours", MARCH), 12.0)
        # Order to shipment, orders shipped in March: (48 + 36) / 2 = 42 h (o3 not shipped:
        # skipped, not 0).
        self.assertAlmostEqual(value(figures, "orders_shipment_hours", MARCH), 42.0)
        # On time: o1 yes, o2 no: 1 / 2 = 50 %. Perfect: o1 only: 50 %.
        self.assertAlmostEqual(value(figures, "orders_on_time_pct", MARCH), 50.0)
        self.assertAlmostEqual(value(figures, "orders_perfect_pct", MARCH), 50.0)
        # Entry errors: 1 found in March / 3 entered x 100 = 33.33.
        self.assertAlmostEqual(value(figures, "orders_errors_per_100", MARCH), 100 / 3)
        # Claims: 1 in March / 2 shipped x 100 = 50.
        self.assertAlmostEqual(value(figures, "orders_claims_per_100", MARCH), 50.0)
        # Whole cycle: no order paid in March (a step not reached): NULL, not 0 ...
        self.assertIsNone(value(figures, "orders_cycle_days", MARCH))
        # ... o1 paid in April: 03-03 08:00 to 04-02 08:00 = 30 days.
        self.assertAlmostEqual(value(figures, "orders_cycle_days", APRIL), 30.0)
        # April: nothing entered: processing and errors per 100 are NULL (no division by 0).
        self.assertIsNone(value(figures, "orders_processing_hours", APRIL))
        self.assertIsNone(value(figures, "orders_errors_per_100", APRIL))
        # Dimensions: team A = o1 + o2: processing (10 + 20) / 2 = 15 h; team B: o3, 6 h;
        # salesperson 3: 6 h; coordinator (o1, o2): errors 1 / 2 x 100 = 50.
        self.assertAlmostEqual(
            figures["orders_processing_hours", MARCH, "team", self.team_a.id].value, 15.0
        )
        self.assertAlmostEqual(
            figures["orders_processing_hours", MARCH, "team", self.team_b.id].value, 6.0
        )
        self.assertAlmostEqual(
            figures["orders_processing_hours", MARCH, "salesperson", self.salesperson_3.id].value,
            6.0,
        )
        self.assertAlmostEqual(
            figures["orders_errors_per_100", MARCH, "coordinator", self.coordinator.id].value,
            50.0,
        )
        # Team B shipped nothing: its shipment time is NULL.
        self.assertIsNone(figures["orders_shipment_hours", MARCH, "team", self.team_b.id].value)

    def test_empty_periods(self):
        """February has no data at all: no figure, no error; an empty range neither."""
        figures = self.compute(date(2025, 2, 1), date(2025, 2, 28))
        self.assertFalse(figures)
        rows = order_kpis(
            self.env.cr, KpiParams(date(2030, 1, 1), date(2030, 12, 31), "quarter", [0])
        )
        self.assertEqual(rows, [])

    def test_time_zone(self):
        """An order confirmed at 23:30 in Jerusalem belongs to that local day, one confirmed at
        00:30 local on July 1st (21:30 UTC on June 30) to July."""
        late = self._order(
            self.salesperson_1, date_order=datetime(2025, 6, 30, 20, 30), amount_untaxed=100.0
        )
        early = self._order(
            self.salesperson_1, date_order=datetime(2025, 6, 30, 21, 30), amount_untaxed=10.0
        )
        self.assertTrue(late and early)
        days = self.compute(date(2025, 6, 30), date(2025, 7, 1), "day", "sales_kpis")
        # 20:30 UTC = 23:30 IDT on 06-30; 21:30 UTC = 00:30 IDT on 07-01.
        self.assertAlmostEqual(self.company_value(days, "sales_volume", date(2025, 6, 30)), 100)
        self.assertAlmostEqual(self.company_value(days, "sales_volume", date(2025, 7, 1)), 10)
        months = self.compute(date(2025, 6, 1), date(2025, 7, 31), "month", "sales_kpis")
        self.assertAlmostEqual(self.company_value(months, "sales_volume", date(2025, 6, 1)), 100)
        self.assertAlmostEqual(self.company_value(months, "sales_volume", date(2025, 7, 1)), 10)

    def test_sales_kpis(self):
        # A quotation created in March and never confirmed.
        quotation = self.env["sale.order"].create(
            {
                "company_id": self.kpi_company.id,
                "partner_id": self.customer_1.id,
                "user_id": self.salesperson_1.id,
                "team_id": self.team_a.id,
            }
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET create_date = '2025-03-15 10:00' WHERE id IN %s",
            [(quotation | self.o1 | self.o2 | self.o3)._ids],
        )
        figures = self.compute(MARCH, MARCH, function="sales_kpis")
        # Volume: 1000 + 3000 + 2000 = 6000 (company currency, rate 1); average 6000 / 3.
        self.assertAlmostEqual(self.company_value(figures, "sales_volume", MARCH), 6000)
        self.assertAlmostEqual(
            self.company_value(figures, "sales_average_order_value", MARCH), 2000
        )
        # Quotations created in March: 4, confirmed since: 3: 75 %.
        self.assertAlmostEqual(self.company_value(figures, "sales_quote_conversion_pct", MARCH), 75)
        volume = figures["sales_volume", MARCH, "company", self.kpi_company.id]
        self.assertEqual((volume.numerator, volume.denominator), (6000, 3))
        # Lead conversion only where CRM links leads to orders (no new dependency); no lead
        # was created in this company in March: no figure, or an empty one.
        has_leads = "crm.lead" in self.env and "opportunity_id" in self.env["sale.order"]._fields
        lead = figures.get(("sales_lead_conversion_pct", MARCH, "company", self.kpi_company.id))
        self.assertEqual(lead is not None, has_leads)
        if lead:
            self.assertIsNone(lead.value)

    def test_sales_kpis_without_crm(self):
        """Where CRM does not link leads to orders (the test database has CRM: its catalog
        answer is replaced), no lead conversion is computed, and the other sales KPIs are."""
        with patch.object(kpi_functions, "_leads_linked", return_value=False) as linked:
            figures = self.compute(MARCH, MARCH, function="sales_kpis")
        linked.assert_called_once()
        codes = {key[0] for key in figures}
        self.assertNotIn("sales_lead_conversion_pct", codes)
        # 1000 + 3000 + 2000 (o1, o2, o3 confirmed in March)
        self.assertAlmostEqual(self.company_value(figures, "sales_volume", MARCH), 6000)

    def test_support_kpis(self):
        def request(
            salesperson,
            received,
            first=None,
            done=None,
            first_hours=None,
            resolution_hours=None,
            late=False,
            state="done",
        ):
            return self._sql_insert(
                "sales_support_request",
                {
                    "name": "KPI",
                    "subject": "KPI",
                    "company_id": self.kpi_company.id,
                    "partner_id": self.customer_1.id,
                    "type_id": self.request_type.id,
                    "channel": "email",
                    "priority": "1",
                    "state": state,
                    "user_id": salesperson.id,
                    "coordinator_id": salesperson.support_coordinator_id.id,
                    "date_received": received,
                    "date_first_response": first,
                    "date_done": done,
                    "first_response_hours": first_hours,
                    "resolution_hours": resolution_hours,
                    "is_first_response_breached": False,
                    "is_resolution_breached": late,
                },
            )

        # r1: answered after 2 working h, done after 10 (within SLA);
        # r2: answered after 4 h, not done (resolution: step not reached);
        # r3: answered after 9 h, done after 30 h, resolution late.
        request(
            self.salesperson_1,
            datetime(2025, 3, 3, 8),
            datetime(2025, 3, 3, 10),
            datetime(2025, 3, 4, 9),
            2.0,
            10.0,
        )
        request(
            self.salesperson_2,
            datetime(2025, 3, 4, 8),
            datetime(2025, 3, 4, 12),
            None,
            4.0,
            None,
            state="in_progress",
        )
        request(
            self.salesperson_3,
            datetime(2025, 3, 5, 8),
            datetime(2025, 3, 6, 8),
            datetime(2025, 3, 10, 8),
            9.0,
            30.0,
            late=True,
        )
        figures = self.compute(MARCH, MARCH, function="support_kpis")
        value = self.company_value
        # First response: average (2 + 4 + 9) / 3 = 5 h; median 4 h.
        self.assertAlmostEqual(value(figures, "support_first_response_avg", MARCH), 5.0)
        self.assertAlmostEqual(value(figures, "support_first_response_median", MARCH), 4.0)
        # Resolution over the 2 done: (10 + 30) / 2 = 20 h, median 20 h; within SLA 1 / 2.
        self.assertAlmostEqual(value(figures, "support_resolution_avg", MARCH), 20.0)
        self.assertAlmostEqual(value(figures, "support_resolution_median", MARCH), 20.0)
        self.assertAlmostEqual(value(figures, "support_within_sla_pct", MARCH), 50.0)
        # Open at the end of March: r2 (coordinator): 1 request / 1 coordinator.
        self.assertAlmostEqual(value(figures, "support_open_requests_per_coordinator", MARCH), 1)
        # Open orders at the end of March: o3 (entered, not shipped), coordinator_2: 1 / 1.
        self.assertAlmostEqual(value(figures, "support_open_orders_per_coordinator", MARCH), 1)
        # Salespeople served: coordinator 2 (1, 2), coordinator_2 1 (3): 3 / 2 = 1.5.
        self.assertAlmostEqual(value(figures, "support_salespeople_per_coordinator", MARCH), 1.5)
        self.assertEqual(
            figures[
                "support_salespeople_per_coordinator", MARCH, "coordinator", self.coordinator.id
            ].value,
            2,
        )
        # Salesperson 2 has no request done: resolution NULL, not 0.
        self.assertIsNone(
            figures["support_resolution_avg", MARCH, "salesperson", self.salesperson_2.id].value
        )

    def test_customer_kpis(self):
        for order, score, when in [
            (self.o1, 5, datetime(2025, 3, 8, 9)),
            (self.o2, 3, datetime(2025, 3, 15, 9)),
        ]:
            rating_id = self._sql_insert(
                "rating_rating",
                {
                    "res_model": "sale.order",
                    "res_id": order.id,
                    "rating": score,
                    "consumed": True,
                    "access_token": f"kpi{order.id}",
                    "date_o2c_rated": when,
                },
            )
            # written again later (a comment edited, the order renamed): still counted when
            # given
            self.env.cr.execute(
                "UPDATE rating_rating SET write_date = %s WHERE id = %s",
                [datetime(2025, 4, 2, 9), rating_id],
            )
        # A rating asked but not answered (not consumed) does not count.
        self._sql_insert(
            "rating_rating",
            {
                "res_model": "sale.order",
                "res_id": self.o3.id,
                "rating": 0,
                "consumed": False,
                "access_token": "kpi-unanswered",
            },
        )
        figures = self.compute(MARCH, MARCH, function="customer_kpis")
        value = self.company_value
        # Ratings 5 and 3: average 4; satisfied (4 or 5): 1 / 2 = 50 %.
        self.assertAlmostEqual(value(figures, "customers_rating_avg", MARCH), 4.0)
        self.assertAlmostEqual(value(figures, "customers_satisfied_pct", MARCH), 50.0)
        # Customers: customer 1 (o1, o2) and customer 3 (o3) order for the first time: 2 won,
        # none retained.
        self.assertEqual(value(figures, "customers_won", MARCH), 2)
        self.assertEqual(value(figures, "customers_retained", MARCH), 0)
        # A year later, customer 1 orders again (retained); customer 3, whose only order was
        # 2025-03-20, lapsed on 2026-03-20: lost in March 2026.
        self._order(self.salesperson_1, date_order=datetime(2026, 3, 2, 9))
        later = self.compute(date(2026, 3, 1), date(2026, 3, 1), function="customer_kpis")
        self.assertEqual(value(later, "customers_retained", date(2026, 3, 1)), 1)
        self.assertEqual(value(later, "customers_won", date(2026, 3, 1)), 0)
        self.assertEqual(value(later, "customers_lost", date(2026, 3, 1)), 1)
        # Over a long range (a full refresh: the next order of each order from a window over
        # the orders instead of one index probe per order) the same figures for March 2026.
        longer = self.compute(date(2025, 10, 1), date(2026, 4, 30), function="customer_kpis")
        self.assertEqual(
            {key: row.value for key, row in longer.items() if key[1] == date(2026, 3, 1)},
            {key: row.value for key, row in later.items()},
        )

    def test_customers_are_commercial_entities(self):
        """The contacts of a company ordering are one customer: won once, then retained."""
        contoso = self.env["res.partner"].create({"name": "Contoso", "is_company": True})
        alice, bob, carol = self.env["res.partner"].create(
            [{"name": name, "parent_id": contoso.id} for name in ("Alice", "Bob", "Carol")]
        )
        # Contoso's first month is March 2025: Alice orders from salesperson 1 (03-25), Bob
        # from salesperson 2 (03-26), both of team A; in April Carol, a third contact, orders
        # from salesperson 1 for the first time (04-10): Contoso's, not a new customer.
        self._order(self.salesperson_1, customer=alice, date_order=datetime(2025, 3, 25, 9))
        self._order(self.salesperson_2, customer=bob, date_order=datetime(2025, 3, 26, 9))
        self._order(self.salesperson_1, customer=carol, date_order=datetime(2025, 4, 10, 9))
        self.env.flush_all()
        manager = self.support_manager
        self.env["o2c.kpi.refresh"].with_user(manager).create(
            {
                "date_from": MARCH,
                "date_to": date(2025, 4, 30),
                "period_type": "month",
                "company_ids": [Command.set(self.kpi_company.ids)],
            }
        ).action_refresh()
        Value = self.env["o2c.kpi.value"].with_user(manager)

        def figure(month, **dimension):
            rows = Value.get_kpis(
                month,
                month,
                "month",
                company_id=self.kpi_company.id,
                kpi_codes=["customers_won", "customers_retained"],
                **dimension,
            )
            return {row["kpi"]: row["value"] for row in rows}

        # March, company: customer 1 (o1, o2), customer 3 (o3) and Contoso (Alice, Bob) order
        # for the first time: 3 won (the contacts would make it 4), none retained.
        self.assertEqual(figure(MARCH), {"customers_won": 3, "customers_retained": 0})
        # Team A: customer 1 (o1, o2) and Contoso (Alice, Bob): 2 won (not 3).
        self.assertEqual(figure(MARCH, team_id=self.team_a.id)["customers_won"], 2)
        # Salesperson 2: customer 1 (o2) and Contoso (Bob): 2 won.
        self.assertEqual(figure(MARCH, user_id=self.salesperson_2.id)["customers_won"], 2)
        # April: Carol's first order is Contoso's second month: 1 retained, none won.
        self.assertEqual(figure(APRIL), {"customers_won": 0, "customers_retained": 1})

    def test_calculators_compute_their_codes(self):
        """Each calculator gives figures of the codes it is registered with (KPI_CODES) only
        (the money KPIs have no data in March: no figure at all)."""
        for function, codes in KPI_CODES.items():
            figures = self.compute(MARCH, MARCH, function=function)
            self.assertEqual(bool(figures), function != "money_kpis", function)
            self.assertLessEqual({key[0] for key in figures}, codes, function)

    def test_period_helpers(self):
        self.assertEqual(period_end(date(2024, 2, 1), "month"), date(2024, 2, 29))
        self.assertEqual(period_end(date(2025, 1, 1), "quarter"), date(2025, 3, 31))
        self.assertEqual(
            KpiParams(date(2025, 5, 14), date(2025, 6, 1), "week").date_from, date(2025, 5, 12)
        )
        with self.assertRaises(ValueError):
            KpiParams(date(2025, 5, 14), date(2025, 6, 1), "fortnight")
