"""Snapshots: the refresh stores what the calculators compute, the incremental refresh gives
the same figures as a full one, its query count does not grow with the number of orders, and
the read path returns None (never 0) where there was no data."""

from datetime import date, datetime
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import MARCH, O2cKpiCommon


@tagged("post_install", "-at_install")
class TestKpiSnapshot(O2cKpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Value = cls.env["o2c.kpi.value"]
        cls.env["ir.config_parameter"].set_param("o2c_kpi.period_types", "month")
        # o1: entered 03-03 (10 h), shipped 03-05; o2: entered 03-10 (20 h), not shipped.
        cls.o1 = cls._order(
            cls.salesperson_1,
            date_order=datetime(2025, 3, 3, 18),
            date_o2c_request=datetime(2025, 3, 3, 8),
            date_o2c_entered=datetime(2025, 3, 3, 18),
            date_o2c_shipped=datetime(2025, 3, 5, 18),
            amount_untaxed=1000.0,
        )
        cls.o2 = cls._order(
            cls.salesperson_3,
            date_order=datetime(2025, 3, 10, 20),
            date_o2c_request=datetime(2025, 3, 10, 0),
            date_o2c_entered=datetime(2025, 3, 10, 20),
            amount_untaxed=500.0,
        )

    def _refresh(self, date_from=MARCH, date_to=date(2025, 4, 30)):
        return self.Value._refresh(date_from, date_to, ["month"], self.kpi_company)

    def test_refresh_stores_figures(self):
        self._refresh()
        value = self.Value.search(
            [
                ("company_id", "=", self.kpi_company.id),
                ("kpi_code", "=", "orders_processing_hours"),
                ("dimension", "=", "company"),
                ("date_start", "=", MARCH),
            ]
        )
        # (10 + 20) / 2 = 15 h, numerator 30 h, denominator 2 orders.
        self.assertEqual(len(value), 1)
        self.assertAlmostEqual(value.value, 15.0)
        self.assertEqual((value.numerator, value.denominator), (30.0, 2.0))
        self.assertEqual(value.date_end, date(2025, 3, 31))
        volume = self.Value.search(
            [
                ("company_id", "=", self.kpi_company.id),
                ("kpi_code", "=", "sales_volume"),
                ("dimension", "=", "company"),
                ("date_start", "=", MARCH),
            ]
        )
        self.assertEqual(volume.currency_id, self.kpi_company.currency_id)
        self.assertAlmostEqual(volume.value, 1500.0)
        # Refreshing again changes nothing, even the ids (rows not rewritten).
        before = self._snapshot()
        ids = self.Value.search([("company_id", "=", self.kpi_company.id)]).ids
        self._refresh()
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(self.Value.search([("company_id", "=", self.kpi_company.id)]).ids, ids)

    def test_get_kpis_missing_data_is_false(self):
        self._refresh()
        rows = self.Value.get_kpis(
            "2025-03-01",
            "2025-03-31",
            "month",
            team_id=self.team_b.id,
            company_id=self.kpi_company.id,
        )
        by_code = {row["kpi"]: row for row in rows}
        # Team B: o2 entered (20 h) but not shipped: shipment time None, not 0.
        self.assertAlmostEqual(by_code["orders_processing_hours"]["value"], 20.0)
        self.assertIs(by_code["orders_shipment_hours"]["value"], False)
        self.assertEqual(by_code["sales_volume"]["currency"], self.kpi_company.currency_id.name)
        self.assertEqual(by_code["orders_processing_hours"]["date_start"], "2025-03-01")
        with self.assertRaises(UserError):
            self.Value.get_kpis("2025-03-31", "2025-03-01")
        with self.assertRaises(UserError):
            self.Value.get_kpis("2025-03-01", "2025-03-31", "fortnight")
        with self.assertRaises(UserError):
            self.Value.get_kpis("March", "2025-03-31")
        with self.assertRaises(UserError):
            self.Value.get_kpis("2025-03-01", "2025-03-31", team_id=1, user_id=2)

    def test_incremental_equals_full(self):
        self._refresh(MARCH, fields.Date.today())
        self.env.flush_all()
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC' - interval '1 second'")
        watermark = self.env.cr.fetchone()[0]
        # Changes after the watermark: o2 ships in April, a new order is entered in April,
        # o1 is reset (its entry and shipment milestones cleared: March loses them).
        self.o2.write({"note": "shipped"})
        self._order(
            self.salesperson_1,
            date_order=datetime(2025, 4, 7, 9),
            date_o2c_request=datetime(2025, 4, 7, 7),
            date_o2c_entered=datetime(2025, 4, 7, 9),
        )
        self.env.cr.execute(
            """
            UPDATE sale_order SET date_o2c_shipped = '2025-04-02 10:00', write_date = NOW()
             WHERE id = %s;
            UPDATE sale_order SET date_o2c_entered = NULL, date_o2c_shipped = NULL,
                   state = 'draft', write_date = NOW() WHERE id = %s
            """,
            [self.o2.id, self.o1.id],
        )
        self.Value._refresh_incremental(watermark)
        incremental = self._snapshot()
        self.env.cr.execute(
            "DELETE FROM o2c_kpi_value WHERE company_id = %s", [self.kpi_company.id]
        )
        self._refresh(MARCH, fields.Date.today())
        self.assertEqual(incremental, self._snapshot())
        # March lost o1's figures: processing now o2's only (20 h).
        processing = self.Value.search(
            [
                ("company_id", "=", self.kpi_company.id),
                ("kpi_code", "=", "orders_processing_hours"),
                ("dimension", "=", "company"),
                ("date_start", "=", MARCH),
            ]
        )
        self.assertAlmostEqual(processing.value, 20.0)

    def test_incremental_from_recorded_order_values_equals_full(self):
        """With the orders' values recorded by the last run (as the nightly job does), the
        periods recomputed follow what moved, and the figures are a full refresh's: a
        shipment, an amount, a cancellation, a new order, a deleted one."""
        o3 = self._order(
            self.salesperson_2,
            date_order=datetime(2025, 3, 20, 9),
            date_o2c_request=datetime(2025, 3, 20, 8),
            date_o2c_entered=datetime(2025, 3, 20, 9),
            amount_untaxed=300.0,
        )
        self._refresh(MARCH, fields.Date.today())
        self.env["o2c.kpi.order.seen"]._record()
        watermark = self._watermark()
        # o2 ships in April and its amount changes; o1 is cancelled; o3 is deleted (back to
        # a quotation first, as Odoo only deletes those); a new order in April.
        self.env.cr.execute(
            """
            UPDATE sale_order SET date_o2c_shipped = '2025-04-02 10:00', amount_untaxed = 600,
                   write_date = NOW() WHERE id = %s;
            UPDATE sale_order SET state = 'cancel', write_date = NOW() WHERE id = %s;
            """,
            [self.o2.id, self.o1.id],
        )
        o3.write({"state": "draft"})
        o3.unlink()
        self._order(
            self.salesperson_1,
            date_order=datetime(2025, 4, 7, 9),
            date_o2c_request=datetime(2025, 4, 7, 7),
            date_o2c_entered=datetime(2025, 4, 7, 9),
        )
        self.Value._refresh_incremental(watermark)
        # Every order's values recorded (o3's row gone), and the next run finds no change.
        seen = self.env["o2c.kpi.order.seen"].search([("company_id", "=", self.kpi_company.id)])
        self.assertEqual(
            seen.order_id, self.env["sale.order"].search([("company_id", "=", self.kpi_company.id)])
        )
        self.assertEqual(len(seen), len(seen.order_id))
        incremental = self._snapshot()
        self.assertFalse(self.Value._get_changed_since_by_calculator(self._watermark()))
        self.env.cr.execute(
            "DELETE FROM o2c_kpi_value WHERE company_id = %s", [self.kpi_company.id]
        )
        self._refresh(MARCH, fields.Date.today())
        self.assertEqual(incremental, self._snapshot())

    def test_incremental_recomputes_what_moved(self):
        """An order whose customer, state and dimensions did not change since the last run
        moves only the figures of what changed, from its old or new date."""
        self._refresh(MARCH, fields.Date.today())
        self.env["o2c.kpi.order.seen"]._record()
        company = self.kpi_company.id
        watermark = self._watermark()
        # o2 (entered 03-10, not shipped) ships on 04-02: the shipments and the open orders
        # from 04-02, not the months since its entry; no sales or customer figure.
        self.env.cr.execute(
            "UPDATE sale_order SET date_o2c_shipped = '2025-04-02 10:00', write_date = NOW()"
            " WHERE id = %s",
            [self.o2.id],
        )
        shipped = datetime(2025, 4, 2, 10)
        self.assertEqual(
            self.Value._get_changed_since_by_calculator(watermark),
            {company: {"order_kpis": shipped, "support_kpis": shipped}},
        )
        # Its amount changes too: the sales of its order date (03-10 20:00) as well.
        self.env.cr.execute(
            "UPDATE sale_order SET amount_untaxed = 600, write_date = NOW() WHERE id = %s",
            [self.o2.id],
        )
        self.assertEqual(
            self.Value._get_changed_since_by_calculator(watermark),
            {
                company: {
                    "order_kpis": shipped,
                    "support_kpis": shipped,
                    "sales_kpis": datetime(2025, 3, 10, 20),
                }
            },
        )
        # Its entry moves back a day: processing and shipment times from the old or new
        # entry; the workload too (open from the entry).
        self.env.cr.execute(
            "UPDATE sale_order SET date_o2c_entered = '2025-03-09 20:00', write_date = NOW()"
            " WHERE id = %s",
            [self.o2.id],
        )
        changed = self.Value._get_changed_since_by_calculator(watermark)[company]
        self.assertEqual(changed["order_kpis"], datetime(2025, 3, 9, 20))
        self.assertEqual(changed["support_kpis"], datetime(2025, 3, 9, 20))
        self.assertNotIn("customer_kpis", changed)
        # o1 moves to another salesperson: every figure of it, from its earliest date
        # (its request, 03-03 08:00).
        self.env.cr.execute(
            "UPDATE sale_order SET user_id = %s, write_date = NOW() WHERE id = %s",
            [self.salesperson_2.id, self.o1.id],
        )
        changed = self.Value._get_changed_since_by_calculator(watermark)[company]
        self.assertEqual(
            changed,
            dict.fromkeys(
                ("order_kpis", "support_kpis", "sales_kpis", "customer_kpis"),
                min(self.o1.create_date, datetime(2025, 3, 3, 8)),
            ),
        )
        # Written again without a change: nothing to recompute.
        self.env["o2c.kpi.order.seen"]._record()
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = NOW() WHERE company_id = %s", [company]
        )
        self.assertFalse(self.Value._get_changed_since_by_calculator(watermark))

    def _assert_as_full_refresh(self):
        """The stored figures are a full refresh's."""
        incremental = self._snapshot()
        self.env.cr.execute(
            "DELETE FROM o2c_kpi_value WHERE company_id = %s", [self.kpi_company.id]
        )
        self._refresh(MARCH, fields.Date.today())
        self.assertEqual(incremental, self._snapshot())

    def _after_first_nightly_run(self):
        """Figures of every month, every order's values recorded and the watermark stored, as
        the first nightly run leaves them; returns the watermark."""
        self._refresh(MARCH, fields.Date.today())
        self.env["o2c.kpi.order.seen"]._record()
        watermark = self._watermark()
        self.env["ir.config_parameter"].set_param(
            "o2c_kpi.refresh_watermark", fields.Datetime.to_string(watermark)
        )
        return watermark

    def _recompute_as_manager(self, date_from, date_to):
        """KPIs > Recompute Figures, as a KPI manager, months of the KPI company."""
        self.env["o2c.kpi.refresh"].with_user(self.support_manager).create(
            {
                "date_from": date_from,
                "date_to": date_to,
                "period_type": "month",
                "company_ids": [Command.set(self.kpi_company.ids)],
            }
        ).action_refresh()

    def test_incremental_after_a_manual_refresh(self):
        """A manager recomputes figures after an order changed (its recorded values no longer
        what the figures reflect); the order changes back: the nightly run still catches
        it."""
        watermark = self._after_first_nightly_run()
        self.env.cr.execute(
            "UPDATE sale_order SET date_o2c_shipped = '2025-04-02 10:00', write_date = NOW()"
            " WHERE id = %s",
            [self.o2.id],
        )
        # KPIs > Recompute Figures, as a KPI manager: April has o2's shipment.
        self._recompute_as_manager(MARCH, fields.Date.today())
        self.env.cr.execute(
            "UPDATE sale_order SET date_o2c_shipped = NULL, write_date = NOW() WHERE id = %s",
            [self.o2.id],
        )
        self.Value._refresh_incremental(watermark)
        self._assert_as_full_refresh()

    def test_incremental_after_a_partial_manual_refresh(self):
        """An order moves from March to April; a manager recomputes April only, then the
        nightly run: March lost the order too."""
        watermark = self._after_first_nightly_run()
        self.env.cr.execute(
            "UPDATE sale_order SET date_order = '2025-04-20 10:00', write_date = NOW()"
            " WHERE id = %s",
            [self.o2.id],
        )
        self._recompute_as_manager(date(2025, 4, 1), date(2025, 4, 30))
        self.Value._refresh_incremental(watermark)
        self._assert_as_full_refresh()
        volume = self.Value.search(
            [
                ("company_id", "=", self.kpi_company.id),
                ("kpi_code", "=", "sales_volume"),
                ("dimension", "=", "company"),
                ("date_start", "=", MARCH),
            ]
        )
        # March: o1 alone (1000), o2 (500) moved to April.
        self.assertAlmostEqual(volume.value, 1000.0)

    def test_deleting_an_order_never_recorded(self):
        """An order in the figures without recorded values (measured before the values were
        kept: an upgrade) is deleted: its figures go."""
        o3 = self._order(
            self.salesperson_2,
            date_order=datetime(2025, 3, 20, 9),
            date_o2c_request=datetime(2025, 3, 20, 8),
            date_o2c_entered=datetime(2025, 3, 20, 9),
            amount_untaxed=300.0,
        )
        self._refresh(MARCH, fields.Date.today())
        self.env["o2c.kpi.order.seen"]._record()
        self.env.cr.execute("DELETE FROM o2c_kpi_order_seen WHERE id = %s", [o3.id])
        watermark = self._watermark()
        self.env.cr.execute(
            "UPDATE sale_order SET state = 'draft', write_date = %s - interval '1 hour'"
            " WHERE id = %s",
            [watermark, o3.id],
        )
        o3.invalidate_recordset()
        created = o3.create_date
        # deleted by a sales administrator (a quotation again; salespeople delete none)
        sales_admin = new_test_user(
            self.env,
            login="kpi_sales_admin",
            groups="sales_team.group_sale_manager",
            company_id=self.kpi_company.id,
        )
        o3.with_user(sales_admin).unlink()
        changed = self.Value._get_changed_since_by_calculator(watermark)[self.kpi_company.id]
        # every figure of it, from its earliest date (its request)
        self.assertEqual(changed["order_kpis"], min(created, datetime(2025, 3, 20, 8)))
        self.assertEqual(changed["sales_kpis"], min(created, datetime(2025, 3, 20, 8)))
        self.Value._refresh_incremental(watermark)
        self._assert_as_full_refresh()

    def test_incremental_after_records_moved_or_deleted(self):
        """Changes no write date shows: a claim moved to another order and date, an
        order-entry error and a request deleted (their figures of March go), each by the
        role that does it. The nightly run recomputes the periods they left and takes the
        noted changes away."""
        claim = (
            self.env["sales.support.claim"]
            .with_user(self.coordinator)
            .with_company(self.kpi_company)
            .create(
                {
                    "company_id": self.kpi_company.id,
                    "partner_id": self.customer_1.id,
                    "order_id": self.o1.id,
                    "date_claim": datetime(2025, 3, 20, 9),
                }
            )
        )
        manager = self.support_manager.with_company(self.kpi_company)
        error = (
            self.env["sales.support.order.error"]
            .with_user(manager)
            .create(
                {
                    "order_id": self.o2.id,
                    "responsible_user_id": self.coordinator.id,
                    "error_type": "quantity",
                    "date_found": datetime(2025, 3, 11, 9),
                }
            )
        )
        request = (
            self.env["sales.support.request"]
            .with_user(self.coordinator)
            .with_company(self.kpi_company)
            .create(
                {
                    "subject": "Quote for March",
                    "partner_id": self.customer_1.id,
                    "type_id": self.request_type.id,
                    "company_id": self.kpi_company.id,
                    "user_id": self.salesperson_1.id,
                    "date_received": datetime(2025, 3, 12, 7),
                }
            )
        )
        # another order of the coordinator's salespeople, entered on 03-25, not shipped
        o3 = self._order(
            self.salesperson_2,
            date_order=datetime(2025, 3, 25, 9),
            date_o2c_request=datetime(2025, 3, 25, 8),
            date_o2c_entered=datetime(2025, 3, 25, 9),
        )
        # (the ledger events of the claim and the error recompute the orders' milestones
        # from the ledger, which has none of the dates set with SQL: set them again)
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE sale_order SET date_o2c_entered = '2025-03-03 18:00',
                   date_o2c_shipped = '2025-03-05 18:00' WHERE id = %s;
            UPDATE sale_order SET date_o2c_entered = '2025-03-10 20:00',
                   date_o2c_shipped = NULL WHERE id = %s;
            """,
            [self.o1.id, self.o2.id],
        )
        self.env.invalidate_all()
        watermark = self._after_first_nightly_run()
        snapshot = self._snapshot()
        # The claim is on o3 now (not shipped), dated in April: o1's shipment (03-05) and
        # March's claims lose it; the error and the request go.
        claim.with_user(self.coordinator).write(
            {"order_id": o3.id, "date_claim": datetime(2025, 4, 2, 9)}
        )
        error.with_user(manager).unlink()
        request.with_user(manager).unlink()
        pending = self.env["o2c.kpi.pending.change"].search(
            [("company_id", "=", self.kpi_company.id)]
        )
        self.assertEqual(
            sorted(pending.mapped(lambda change: (change.source, change.date))),
            [
                ("claims", datetime(2025, 3, 5, 18)),
                # the error's order's entry (03-10 20:00), before its finding (03-11)
                ("errors", datetime(2025, 3, 10, 20)),
                ("requests", datetime(2025, 3, 12, 7)),
            ],
        )
        changed = self.Value._get_changed_since_by_calculator(watermark)[self.kpi_company.id]
        # from the claim's old order's shipment (03-05 18:00), the earliest
        self.assertEqual(changed["order_kpis"], datetime(2025, 3, 5, 18))
        self.assertEqual(changed["support_kpis"], datetime(2025, 3, 12, 7))
        self.Value._refresh_incremental(watermark)
        self.assertFalse(
            self.env["o2c.kpi.pending.change"].search([("company_id", "=", self.kpi_company.id)])
        )
        self.assertNotEqual(snapshot, self._snapshot())
        self._assert_as_full_refresh()

    def _march_request(self, user):
        """A request of salesperson 1 received on 03-12, made by ``user``."""
        return (
            self.env["sales.support.request"]
            .with_user(user)
            .with_company(self.kpi_company)
            .create(
                {
                    "subject": "Quote for March",
                    "partner_id": self.customer_1.id,
                    "type_id": self.request_type.id,
                    "company_id": self.kpi_company.id,
                    "user_id": self.salesperson_1.id,
                    "date_received": datetime(2025, 3, 12, 7),
                }
            )
        )

    def _march_rating(self, order):
        """A rating of 5 given on ``order`` on 03-08 (as the rating link writes it)."""
        rating_id = self._sql_insert(
            "rating_rating",
            {
                "res_model_id": self.env["ir.model"]._get_id("sale.order"),
                "res_model": "sale.order",
                "res_id": order.id,
                "res_name": order.name,
                "rating": 5,
                "consumed": True,
                "access_token": f"kpi-snapshot-{order.id}",
                "date_o2c_rated": datetime(2025, 3, 8, 9),
                "write_date": datetime(2025, 3, 8, 9),
            },
        )
        return self.env["rating.rating"].browse(rating_id)

    def _assert_nightly_catches(self, change):
        """After the first nightly run, ``change`` (a change no write date shows) moves the
        figures; it is noted, and the next nightly run gives a full refresh's figures."""
        watermark = self._after_first_nightly_run()
        before = self._snapshot()
        pending = self.env["o2c.kpi.pending.change"]
        change()
        self.assertTrue(pending.search_count([("company_id", "=", self.kpi_company.id)]))
        self.Value._refresh_incremental(watermark)
        self.assertFalse(pending.search_count([("company_id", "=", self.kpi_company.id)]))
        self.assertNotEqual(before, self._snapshot())
        self._assert_as_full_refresh()

    def test_incremental_after_a_request_moved_to_another_company(self):
        """A support manager moves a request out of the KPI company: its March loses it."""
        other = self.env.company
        self.support_manager.write({"company_ids": [Command.link(other.id)]})
        request = self._march_request(self.support_manager)
        self._assert_nightly_catches(
            lambda: request.with_user(self.support_manager)
            .with_company(other)
            .write({"company_id": other.id})
        )

    def test_incremental_after_an_error_moved_to_another_order(self):
        """An order-entry error logged on o2 (entered 03-10) belongs to o3 (entered in
        April): o2's March loses it."""
        manager = self.support_manager.with_company(self.kpi_company)
        error = (
            self.env["sales.support.order.error"]
            .with_user(manager)
            .create(
                {
                    "order_id": self.o2.id,
                    "responsible_user_id": self.coordinator.id,
                    "error_type": "quantity",
                    "date_found": datetime(2025, 3, 11, 9),
                }
            )
        )
        o3 = self._order(
            self.salesperson_2,
            date_order=datetime(2025, 4, 3, 9),
            date_o2c_request=datetime(2025, 4, 3, 8),
            date_o2c_entered=datetime(2025, 4, 3, 9),
        )
        # (the error's ledger event recomputed o2's milestones from the ledger: set again)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET date_o2c_entered = '2025-03-10 20:00' WHERE id = %s",
            [self.o2.id],
        )
        self.env.invalidate_all()
        self._assert_nightly_catches(
            lambda: error.with_user(manager).write(
                {"order_id": o3.id, "date_found": datetime(2025, 4, 4, 9)}
            )
        )

    def _assert_nightly_keeps(self, change):
        """After the first nightly run, ``change`` moves no figure: nothing is noted, and the
        next nightly run leaves the figures as they are (those of a full refresh)."""
        watermark = self._after_first_nightly_run()
        before = self._snapshot()
        change()
        self.env.flush_all()
        self.assertFalse(
            self.env["o2c.kpi.pending.change"].search_count(
                [("company_id", "=", self.kpi_company.id)]
            )
        )
        self.Value._refresh_incremental(watermark)
        self.assertEqual(before, self._snapshot())
        self._assert_as_full_refresh()

    def test_incremental_after_a_rating_given_again(self):
        """The customer rates the order rated 5 on 03-08 again, 3 this time (through the
        rating link: sudo, as its controller writes it): the rating counts today, and March
        loses it."""
        rating = self._march_rating(self.o1)
        self._assert_nightly_catches(
            lambda: rating.sudo().write({"rating": 3, "feedback": "Late", "consumed": True})
        )
        self.assertGreater(rating.date_o2c_rated, datetime(2025, 3, 8, 9))

    def test_rating_commented_stays_when_given(self):
        """A user of the back office edits the comment of the rating given on 03-08: it still
        counts on 03-08 (its write date moved, not the date the score was given)."""
        rating = self._march_rating(self.o1)
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.kpi_company.id)]})
        self._assert_nightly_keeps(
            lambda: rating.with_user(admin)
            .with_company(self.kpi_company)
            .write({"feedback": "Fast and complete (by phone)"})
        )
        self.assertEqual(rating.date_o2c_rated, datetime(2025, 3, 8, 9))
        self.assertGreater(rating.write_date, datetime(2025, 3, 8, 9))

    def test_rating_given_again_with_the_same_score_stays_when_given(self):
        """The customer opens the rating link of the order rated 5 on 03-08 again, to add a
        comment, and gives 5 again (sudo, as the rating page writes it): the rating still
        counts on 03-08; nothing moves."""
        rating = self._march_rating(self.o1)
        self._assert_nightly_keeps(
            lambda: rating.sudo().write(
                {"rating": 5, "feedback": "And the invoice was right", "consumed": True}
            )
        )
        self.assertEqual(rating.date_o2c_rated, datetime(2025, 3, 8, 9))
        self.assertEqual(rating.feedback, "And the invoice was right")

    def test_incremental_after_a_rating_deleted_with_its_message(self):
        """An administrator deletes the chatter message of a rating given in March: the
        rating goes with it (ON DELETE CASCADE, in SQL), and so do March's figures of it."""
        rating = self._march_rating(self.o1)
        message = self.o1.message_post(body="Rated 5", message_type="comment")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE rating_rating SET message_id = %s WHERE id = %s", [message.id, rating.id]
        )
        rating.invalidate_recordset()
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.kpi_company.id)]})
        self._assert_nightly_catches(
            lambda: message.with_user(admin).with_company(self.kpi_company).unlink()
        )
        self.assertFalse(rating.exists())

    def test_incremental_after_a_rating_deleted(self):
        """An administrator deletes a rating given in March: March loses it."""
        rating = self._march_rating(self.o1)
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.kpi_company.id)]})
        self._assert_nightly_catches(
            lambda: rating.with_user(admin).with_company(self.kpi_company).unlink()
        )

    def test_rated_message_made_internal_stays_when_given(self):
        """The message of a rating given in March is made internal: Odoo stores the flag on
        the rating (its write date moves), which still counts in March."""
        rating = self._march_rating(self.o1)
        message = self.o1.message_post(body="Rated 5", message_type="comment")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE rating_rating SET message_id = %s WHERE id = %s", [message.id, rating.id]
        )
        rating.invalidate_recordset()
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.kpi_company.id)]})
        self._assert_nightly_keeps(
            lambda: message.with_user(admin)
            .with_company(self.kpi_company)
            .write({"is_internal": True})
        )
        self.assertTrue(rating.is_internal)
        self.assertEqual(rating.date_o2c_rated, datetime(2025, 3, 8, 9))

    def test_order_with_a_rating_renamed_stays_when_given(self):
        """A sales administrator renames an order rated in March: Odoo stores the new name
        on the rating (its write date moves), which still counts in March."""
        rating = self._march_rating(self.o1)
        sales_admin = new_test_user(
            self.env,
            login="kpi_sales_admin_rename",
            groups="sales_team.group_sale_manager",
            company_id=self.kpi_company.id,
        )
        self._assert_nightly_keeps(
            lambda: self.o1.with_user(sales_admin).write({"name": "S-RENAMED"})
        )
        self.assertEqual(rating.res_name, "S-RENAMED")
        self.assertEqual(rating.date_o2c_rated, datetime(2025, 3, 8, 9))

    def test_rating_moved_to_another_order(self):
        """A rating given on o1 in March belonged to o2 (another salesperson and team; an
        administrator fixes it): March's figures follow it. Moved again to an order of
        another company, the old company's March is noted, and the new company's is found
        by the rating written since."""
        rating = self._march_rating(self.o1)
        # an order of the other company, measured by the first nightly run below
        other = self._order(
            self.salesperson_1, company=self.env.company, date_order=datetime(2025, 5, 4, 9)
        )
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.kpi_company.id)]})
        as_admin = rating.with_user(admin).with_company(self.kpi_company)
        self._assert_nightly_catches(lambda: as_admin.write({"res_id": self.o2.id}))
        self.assertEqual(rating.date_o2c_rated, datetime(2025, 3, 8, 9))
        watermark = self._watermark()
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = %s - interval '1 hour' WHERE id = %s",
            [watermark, other.id],
        )
        as_admin.write({"res_id": other.id})
        pending = self.env["o2c.kpi.pending.change"].search([("source", "=", "ratings")])
        self.assertEqual(
            pending.mapped(lambda change: (change.company_id, change.date)),
            [(self.kpi_company, datetime(2025, 3, 8, 9))],
        )
        changed = self.Value._get_changed_since_by_calculator(watermark)
        self.assertEqual(changed[self.env.company.id]["customer_kpis"], datetime(2025, 3, 8, 9))

    def test_rating_score_changed(self):
        """An administrator corrects the score of the rating given in March (a typo taken
        by phone): it counts today, and March loses it; the same score written again, or a
        score written on a rating asked but never answered, dates nothing."""
        rating = self._march_rating(self.o1)
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.kpi_company.id)]})
        as_admin = rating.with_user(admin).with_company(self.kpi_company)
        as_admin.write({"rating": 5})
        self.assertEqual(rating.date_o2c_rated, datetime(2025, 3, 8, 9))
        self._assert_nightly_catches(lambda: as_admin.write({"rating": 2}))
        self.assertEqual(rating.date_o2c_rated, self.env.cr.now())
        asked = self.env["rating.rating"].browse(
            self._sql_insert(
                "rating_rating",
                {
                    "res_model_id": self.env["ir.model"]._get_id("sale.order"),
                    "res_model": "sale.order",
                    "res_id": self.o2.id,
                    "rating": 0,
                    "consumed": False,
                    "access_token": "kpi-snapshot-asked",
                },
            )
        )
        asked.with_user(admin).with_company(self.kpi_company).write({"rating": 4})
        self.assertFalse(asked.date_o2c_rated)

    def test_rating_imported_with_its_date(self):
        """A rating given on 03-08 is imported afterwards with its date (a script, as
        superuser): the nightly run counts it in March."""
        watermark = self._after_first_nightly_run()
        before = self._snapshot()
        self.env["rating.rating"].sudo().create(
            {
                "res_model_id": self.env["ir.model"]._get_id("sale.order"),
                "res_id": self.o1.id,
                "rating": 4,
                "consumed": True,
                "date_o2c_rated": datetime(2025, 3, 8, 9),
            }
        )
        self.Value._refresh_incremental(watermark)
        self.assertNotEqual(before, self._snapshot())
        self.assertAlmostEqual(
            self.Value.search(
                [
                    ("company_id", "=", self.kpi_company.id),
                    ("kpi_code", "=", "customers_rating_avg"),
                    ("date_start", "=", MARCH),
                    ("dimension", "=", "company"),
                ]
            ).value,
            4.0,
        )
        self._assert_as_full_refresh()

    def test_rating_asked_again(self):
        """A rating given in March is asked again (Odoo's reset: a new link, no score): it
        is not given any more, and March loses it."""
        rating = self._march_rating(self.o1)
        self._assert_nightly_catches(lambda: rating.sudo().reset())
        self.assertFalse(rating.date_o2c_rated)

    def test_rating_date_not_written_by_users(self):
        """The date a rating was given feeds the KPIs: a salesperson cannot move the rating
        of their order to another month, nor create one dated; nothing is written."""
        rating = self._march_rating(self.o1)
        with self.assertRaises(UserError):
            rating.with_user(self.salesperson_1).write({"date_o2c_rated": datetime(2025, 4, 1)})
        with self.assertRaises(UserError):
            self.env["rating.rating"].with_user(self.salesperson_1).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("sale.order"),
                    "res_id": self.o1.id,
                    "rating": 5,
                    "consumed": True,
                    "date_o2c_rated": datetime(2025, 3, 1),
                }
            )
        rating.invalidate_recordset()
        self.assertEqual(rating.date_o2c_rated, datetime(2025, 3, 8, 9))
        self.assertEqual(
            self.env["rating.rating"].search_count(
                [("res_model", "=", "sale.order"), ("res_id", "=", self.o1.id)]
            ),
            1,
        )

    def test_pending_changes_read_by_kpi_managers_only(self):
        """The changes noted are read by KPI managers of their companies; no coordinator or
        salesperson reads them, and nobody writes them through the ORM."""
        request = self._march_request(self.coordinator)
        request.with_user(self.support_manager).unlink()
        Pending = self.env["o2c.kpi.pending.change"]
        noted = Pending.search([("company_id", "=", self.kpi_company.id)])
        self.assertEqual(noted.mapped("source"), ["requests"])
        self.assertEqual(noted.date, datetime(2025, 3, 12, 7))
        self.assertEqual(
            Pending.with_user(self.support_manager)
            .with_company(self.kpi_company)
            .search([("company_id", "=", self.kpi_company.id)]),
            noted,
        )
        # a KPI manager of the other company only sees none of the KPI company's
        self.assertFalse(
            Pending.with_user(self.support_manager)
            .with_context(allowed_company_ids=self.env.company.ids)
            .search([("company_id", "=", self.kpi_company.id)])
        )
        for user in (self.coordinator, self.salesperson_1):
            with self.assertRaises(AccessError):
                Pending.with_user(user).search([])
        with self.assertRaises(AccessError):
            noted.with_user(self.support_manager).write({"date": datetime(2025, 4, 1)})

    def test_incremental_query_count_constant(self):
        """The nightly refresh's query count does not depend on the number of orders changed:
        one order shipped, then twenty-one."""
        orders = self.o2
        for index in range(20):
            orders |= self._order(
                (self.salesperson_1, self.salesperson_2, self.salesperson_3)[index % 3],
                date_order=datetime(2025, 3, 1 + index, 9),
                date_o2c_request=datetime(2025, 3, 1 + index, 7),
                date_o2c_entered=datetime(2025, 3, 1 + index, 9),
            )
        # (figures of other companies stored in the database, by a script or another test
        # run, would add their own ranges: the same for both runs, not the count below)
        self.env.cr.execute(
            "DELETE FROM o2c_kpi_value WHERE company_id != %s", [self.kpi_company.id]
        )
        self._refresh(MARCH, fields.Date.today())
        self.env["o2c.kpi.order.seen"]._record()
        for shipped in (self.o2, orders):
            watermark = self._watermark()
            self.env.cr.execute(
                "UPDATE sale_order SET date_o2c_shipped = '2025-04-02 10:00', write_date = NOW()"
                " WHERE id IN %s",
                [tuple(shipped.ids)],
            )
            self.env.invalidate_all()
            # The same count either way: the KPIs and companies, what changed (one statement,
            # recording the orders' values), the current figures, the companies measured, the
            # settings; the refresh of two ranges (shipments and workload from April, the rest
            # today): each range's zones, whether CRM links leads to orders, the figures into a
            # temporary table (dropped before and after) and the upsert.
            with self.assertQueryCount(__system__=16):
                self.Value._refresh_incremental(watermark)

    def test_incremental_skips_companies_without_sales(self):
        """A company where nothing was ever measured and nothing changed is not recomputed
        every night; once it sells, it is."""
        self._refresh(MARCH, fields.Date.today())
        empty = self.env["res.company"].create({"name": "KPI Company Without Sales"})
        self.env.flush_all()
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC' - interval '1 second'")
        watermark = self.env.cr.fetchone()[0]
        refreshed = []
        refresh = type(self.Value)._refresh_ranges

        def record(model, ranges, period_types=None):
            refreshed.extend(companies for _from, _to, companies, _kpis in ranges)
            return refresh(model, ranges, period_types)

        # The orders and the rest written before the watermark (one transaction: NOW()).
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = %s - interval '1 hour' WHERE company_id = %s",
            [watermark, self.kpi_company.id],
        )
        with patch.object(type(self.Value), "_refresh_ranges", record):
            self.Value._refresh_incremental(watermark)
        self.assertTrue(refreshed, "the KPI company's current periods are refreshed")
        self.assertFalse(any(empty in companies for companies in refreshed))
        # It sells: its orders are a change, it is recomputed from their date.
        self.env.cr.execute(
            "UPDATE sale_order SET company_id = %s, write_date = NOW() WHERE id = %s",
            [empty.id, self.o2.id],
        )
        refreshed.clear()
        with patch.object(type(self.Value), "_refresh_ranges", record):
            self.Value._refresh_incremental(watermark)
        self.assertTrue(any(empty in companies for companies in refreshed))

    def test_refresh_rewrites_changed_figures_only(self):
        """A refresh writes the figures that changed, deletes those gone and leaves the
        others as they were (not even rewritten)."""
        self._refresh()
        self.env.cr.execute(
            "UPDATE o2c_kpi_value SET date_computed = '2000-01-01' WHERE company_id = %s",
            [self.kpi_company.id],
        )
        # o1's amount changes; o2 (salesperson 3's only order) is cancelled.
        self.env.cr.execute(
            "UPDATE sale_order SET amount_untaxed = 1500 WHERE id = %s;"
            " UPDATE sale_order SET state = 'cancel' WHERE id = %s",
            [self.o1.id, self.o2.id],
        )
        self._refresh()
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT kpi_code, dimension, COALESCE(user_id, 0), date_computed > '2000-01-01'
              FROM o2c_kpi_value
             WHERE company_id = %s AND date_start = %s
            """,
            [self.kpi_company.id, MARCH],
        )
        rewritten = {row[:3]: row[3] for row in self.env.cr.fetchall()}
        # Sales volume of the company: 1000 + 500 -> 1500 (o1 alone, now 1500): rewritten.
        self.assertTrue(rewritten["sales_volume", "company", 0])
        # o1's processing time (10 h) for salesperson 1: unchanged, left alone.
        self.assertFalse(rewritten["orders_processing_hours", "salesperson", self.salesperson_1.id])
        # Salesperson 3 sold nothing in March any more: their figures are gone.
        self.assertNotIn(("sales_volume", "salesperson", self.salesperson_3.id), rewritten)

    def test_refresh_compares_figures_to_six_decimals(self):
        """A stored figure equal to the new one to 6 decimals is left alone (sums of floats
        added in another order differ in their last bits); one differing in the 6th decimal,
        in its numerator, denominator or value, is written again, large amounts included."""
        self._refresh()
        self.env.flush_all()
        domain = [
            ("company_id", "=", self.kpi_company.id),
            ("date_start", "=", MARCH),
            ("dimension", "=", "company"),
        ]
        processing = self.Value.search([*domain, ("kpi_code", "=", "orders_processing_hours")])
        volume = self.Value.search([*domain, ("kpi_code", "=", "sales_volume")])
        # (10 + 20) h / 2 orders; sales 1000 + 500
        self.assertEqual((processing.numerator, processing.denominator), (30.0, 2.0))
        self.assertAlmostEqual(volume.value, 1500.0)

        def stored(value, numerator, denominator, figure):
            self.env.cr.execute(
                "UPDATE o2c_kpi_value SET value = %s, numerator = %s, denominator = %s,"
                " date_computed = '2000-01-01' WHERE id = %s",
                [value, numerator, denominator, figure.id],
            )
            self.env.invalidate_all()

        def rewritten(figure):
            self._refresh()
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT date_computed > '2000-01-01', value, numerator, denominator"
                " FROM o2c_kpi_value WHERE id = %s",
                [figure.id],
            )
            return self.env.cr.fetchone()

        # The last bits of a float sum: left as stored, not rewritten.
        stored(15.0 + 1e-9, 30.0 - 1e-9, 2.0, processing)
        self.assertEqual(rewritten(processing), (False, 15.0 + 1e-9, 30.0 - 1e-9, 2.0))
        # One millionth off, in the value, the numerator or the denominator: written again.
        for figures in ((15.000001, 30.0, 2.0), (15.0, 30.000001, 2.0), (15.0, 30.0, 2.000001)):
            stored(*figures, processing)
            self.assertEqual(rewritten(processing), (True, 15.0, 30.0, 2.0), figures)
        # Amounts in billions (a currency of small units): the same (the float's last place
        # is 2.4e-7 there).
        orders = volume.denominator
        self.env.cr.execute(
            "UPDATE sale_order SET amount_untaxed = amount_untaxed * 1000000 WHERE id IN %s",
            [(self.o1.id, self.o2.id)],
        )
        self.assertEqual(rewritten(volume), (True, 1.5e9, 1.5e9, orders))
        stored(1.5e9 + 3e-7, 1.5e9 + 3e-7, orders, volume)
        self.assertEqual(rewritten(volume), (False, 1.5e9 + 3e-7, 1.5e9 + 3e-7, orders))
        for figure in (1.5e9 + 2e-6, 1.5e9 + 0.01):
            stored(figure, figure, orders, volume)
            self.assertEqual(rewritten(volume), (True, 1.5e9, 1.5e9, orders), figure)

    def test_cron_watermark(self):
        params = self.env["ir.config_parameter"]
        params.set_param("o2c_kpi.refresh_watermark", False)
        self.Value._cron_refresh()
        watermark = params.get_param("o2c_kpi.refresh_watermark")
        self.assertTrue(watermark)
        self.assertTrue(self.Value.search_count([("company_id", "=", self.kpi_company.id)]))
        self.Value._cron_refresh()
        self.assertGreaterEqual(params.get_param("o2c_kpi.refresh_watermark"), watermark)

    def test_refresh_query_count_constant(self):
        """The refresh's query count does not depend on the number of orders: 2 orders, then
        22 orders over more salespeople, teams and months (before any nightly run: no
        catch-up)."""
        self.env["ir.config_parameter"].set_param("o2c_kpi.refresh_watermark", False)
        self.env.flush_all()
        self.env.invalidate_all()
        kpis = self.env["o2c.kpi.definition"].search([])
        kpis.fetch(["code", "compute_function"])
        # Per period type: the companies' zones, the calculators' figures into a temporary
        # table (one query for the five, the table dropped before and after), the upsert;
        # one to find whether CRM links leads to orders (the same with CRM or without), the
        # default time zone and the work_mem settings, and the nightly refresh's watermark
        # (none yet: nothing to catch up with).
        with self.assertQueryCount(__system__=9):
            self.Value._refresh(MARCH, date(2025, 6, 30), ["month"], self.kpi_company, kpis)
        for index in range(20):
            self._order(
                (self.salesperson_1, self.salesperson_2, self.salesperson_3)[index % 3],
                date_order=datetime(2025, 3 + index % 4, 1 + index, 9),
                date_o2c_request=datetime(2025, 3 + index % 4, 1 + index, 7),
                date_o2c_entered=datetime(2025, 3 + index % 4, 1 + index, 9),
                date_o2c_shipped=datetime(2025, 3 + index % 4, 2 + index, 9),
            )
        self.env.flush_all()
        self.env.invalidate_all()
        kpis.fetch(["code", "compute_function"])
        with self.assertQueryCount(__system__=9):
            self.Value._refresh(MARCH, date(2025, 6, 30), ["month"], self.kpi_company, kpis)
        self.assertEqual(
            self.Value.search_count(
                [
                    ("company_id", "=", self.kpi_company.id),
                    ("kpi_code", "=", "sales_volume"),
                    ("dimension", "=", "company"),
                ]
            ),
            4,
        )

    def test_drill_down(self):
        self._refresh()
        value = self.Value.search(
            [
                ("company_id", "=", self.kpi_company.id),
                ("kpi_code", "=", "orders_shipment_hours"),
                ("dimension", "=", "salesperson"),
                ("user_id", "=", self.salesperson_1.id),
                ("date_start", "=", MARCH),
            ]
        )
        action = value.action_open_records()
        self.assertEqual(action["res_model"], "sales.support.o2c.report")
        records = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(records.order_id, self.o1)
        # The period's bounds are Jerusalem's: March 1st 00:00 IST = Feb 28 22:00 UTC.
        self.assertIn(("date_o2c_shipped", ">=", datetime(2025, 2, 28, 22)), action["domain"])
        volume = self.Value.search(
            [
                ("company_id", "=", self.kpi_company.id),
                ("kpi_code", "=", "sales_volume"),
                ("dimension", "=", "company"),
                ("date_start", "=", MARCH),
            ]
        )
        orders = self.env["sale.order"].search(volume.action_open_records()["domain"])
        self.assertEqual(orders, self.o1 | self.o2)

    def test_refresh_wizard_managers_only(self):
        wizard = (
            self.env["o2c.kpi.refresh"]
            .with_user(self.support_manager)
            .create(
                {
                    "date_from": MARCH,
                    "date_to": date(2025, 3, 31),
                    "period_type": "month",
                    "company_ids": [(6, 0, self.kpi_company.ids)],
                }
            )
        )
        wizard.action_refresh()
        self.assertTrue(self.Value.search_count([("company_id", "=", self.kpi_company.id)]))
        with self.assertRaises(UserError):
            self.env["o2c.kpi.refresh"].create({"date_from": date(2025, 4, 1), "date_to": MARCH})
