"""The money KPIs (sales volume, average order value, receivables, overdue %, DSO) on a small
hand-made dataset, refreshed and read by a KPI manager; the expected figures are worked out in
the comments. April 2025 has the data, May 2025 none of its own."""

import importlib.util
from datetime import date, datetime
from pathlib import Path
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import O2cKpiCommon

APRIL = date(2025, 4, 1)
MAY = date(2025, 5, 1)


@tagged("post_install", "-at_install")
class TestKpiMoney(O2cKpiCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.kpi_company
        cls.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        cls.foreign = cls.env.ref(
            "base.EUR" if company.currency_id != cls.env.ref("base.EUR") else "base.USD"
        )
        cls.foreign.active = True
        # 1 unit of the company's currency = 1.5 units of the foreign one (Odoo's rate).
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.foreign.id,
                "company_id": company.id,
                "name": date(2025, 1, 1),
                "rate": 1.5,
            }
        )
        # Orders confirmed in April (UTC times; Jerusalem is UTC+3 in April):
        #   o1 salesperson 1 (team A) 1000.00 in the company's currency;
        #   o2 salesperson 2 (team A) 3000.00 in the foreign currency at the order's rate 1.5
        #      = 3000 / 1.5 = 2000.00 in the company's currency;
        #   o3 salesperson 3 (team B) 600.00, on April 30 at 20:30 UTC = 23:30 in Jerusalem:
        #      still April there.
        cls.o1 = cls._order(
            cls.salesperson_1, date_order=datetime(2025, 4, 10, 9), amount_untaxed=1000.0
        )
        cls.o2 = cls._order(
            cls.salesperson_2,
            date_order=datetime(2025, 4, 20, 9),
            amount_untaxed=3000.0,
            currency_id=cls.foreign.id,
            currency_rate=1.5,
        )
        cls.o3 = cls._order(
            cls.salesperson_3, date_order=datetime(2025, 4, 30, 20, 30), amount_untaxed=600.0
        )
        # Invoices (no taxes, no payment terms: due on the date given):
        #   i1 1000.00, dated April 5, due April 20; 400.00 of it paid on April 25;
        #   i2 750.00 in the foreign currency at 1.5 = 500.00, dated April 15, due May 15.
        cls.i1 = cls._invoice(date(2025, 4, 5), date(2025, 4, 20), 1000.0)
        cls.i2 = cls._invoice(date(2025, 4, 15), date(2025, 5, 15), 750.0, cls.foreign)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.i1.ids
        ).create({"amount": 400.0, "payment_date": date(2025, 4, 25)})._create_payments()

    def _pay(self, invoice, amount, day, journal=None):
        """Register a payment of ``amount`` on ``invoice`` dated ``day`` (the payment's entry
        has no sales team nor salesperson)."""
        values = {"amount": amount, "payment_date": day}
        if journal:
            values["journal_id"] = journal.id
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(values)._create_payments()

    def _age_sources(self):
        """Date every source row of the KPI company (orders, events, journal items and their
        reconciliations, the entries' messages) back to 2025-01-01: before any watermark."""
        before = datetime(2025, 1, 1)
        company = self.kpi_company.id
        self.env.flush_all()
        for table, columns in [
            ("sale_order", ["write_date"]),
            ("sales_support_o2c_event", ["create_date"]),
            ("account_move_line", ["create_date", "write_date"]),
            ("account_partial_reconcile", ["create_date"]),
        ]:
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s WHERE company_id = %s",
                    SQL.identifier(table),
                    SQL(", ").join(
                        SQL("%s = %s", SQL.identifier(column), before) for column in columns
                    ),
                    company,
                )
            )
        self.env.cr.execute(
            "UPDATE mail_message SET create_date = %s WHERE model = 'account.move'"
            " AND res_id IN (SELECT id FROM account_move WHERE company_id = %s)",
            [before, company],
        )
        self.env.invalidate_all()

    def _refresh(self, date_from, date_to):
        self.env.flush_all()
        self.env["o2c.kpi.refresh"].with_user(self.support_manager).create(
            {
                "date_from": date_from,
                "date_to": date_to,
                "period_type": "month",
                "company_ids": [Command.set(self.kpi_company.ids)],
            }
        ).action_refresh()

    def _figures(self, month, **dimension):
        """{code: row} of ``month`` read by the KPI manager (record rules apply)."""
        rows = (
            self.env["o2c.kpi.value"]
            .with_user(self.support_manager)
            .get_kpis(month, month, "month", company_id=self.kpi_company.id, **dimension)
        )
        return {row["kpi"]: row for row in rows}

    def test_money_kpis(self):
        manager = self.support_manager
        self.assertTrue(manager.has_group("o2c_kpi.group_o2c_kpi_manager"))
        self.env.flush_all()
        # The KPI manager recomputes April and May (the wizard checks their rights).
        self.env["o2c.kpi.refresh"].with_user(manager).create(
            {
                "date_from": APRIL,
                "date_to": date(2025, 5, 31),
                "period_type": "month",
                "company_ids": [Command.set(self.kpi_company.ids)],
            }
        ).action_refresh()
        april = self._figures(APRIL)
        currency = self.kpi_company.currency_id.name

        # Sales volume: 1000 + 2000 + 600 = 3600 over 3 orders; average 3600 / 3 = 1200.
        volume = april["sales_volume"]
        self.assertAlmostEqual(volume["value"], 3600.0)
        self.assertEqual((volume["numerator"], volume["denominator"]), (3600.0, 3.0))
        self.assertEqual(volume["currency"], currency)
        self.assertAlmostEqual(april["sales_average_order_value"]["value"], 1200.0)
        # Team A: 1000 + 2000 = 3000, average 1500; team B: 600; salesperson 2: the foreign
        # order converted, 2000.
        team_a = self._figures(APRIL, team_id=self.team_a.id)
        self.assertAlmostEqual(team_a["sales_volume"]["value"], 3000.0)
        self.assertAlmostEqual(team_a["sales_average_order_value"]["value"], 1500.0)
        team_b = self._figures(APRIL, team_id=self.team_b.id)
        self.assertAlmostEqual(team_b["sales_volume"]["value"], 600.0)
        salesperson_2 = self._figures(APRIL, user_id=self.salesperson_2.id)
        self.assertAlmostEqual(salesperson_2["sales_volume"]["value"], 2000.0)

        # Receivables at the end of April: 1000 + 500 - 400 (payment) = 1100.
        self.assertAlmostEqual(april["money_receivables"]["value"], 1100.0)
        self.assertEqual(april["money_receivables"]["currency"], currency)
        # Overdue at the end of April: i1 (due April 20) still open 1000 - 400 = 600; i2 is
        # not due yet: 100 x 600 / 1100 = 54.5454...%.
        self.assertAlmostEqual(april["money_overdue_pct"]["value"], 100 * 600 / 1100, places=6)
        # DSO: receivables 1100 x 30 days of April / invoiced in April (1000 + 500) = 22 days.
        self.assertAlmostEqual(april["money_dso"]["value"], 1100 * 30 / 1500, places=6)
        # Ratios of amounts carry the currency they are computed in (totals never mix two).
        self.assertEqual(april["money_overdue_pct"]["currency"], currency)
        self.assertEqual(april["money_dso"]["currency"], currency)

        may = self._figures(MAY)
        # May: no order confirmed: no sales figure at all (nothing to divide, never 0).
        self.assertNotIn("sales_volume", may)
        self.assertNotIn("sales_average_order_value", may)
        # Receivables carry over: 1100 at the end of May; both invoices overdue by then:
        # 100 x (600 + 500) / 1100 = 100%.
        self.assertAlmostEqual(may["money_receivables"]["value"], 1100.0)
        self.assertAlmostEqual(may["money_overdue_pct"]["value"], 100.0, places=6)
        # DSO of May: nothing invoiced in May, so no DSO (False: no data, no division by 0).
        self.assertIs(may["money_dso"]["value"], False)

    def test_every_period_type_reads_the_receivables_once(self):
        """The nightly refresh of every period type reads the receivable items once (their
        daily changes in a temporary table) and stores, for each type, the money figures
        its own refresh stores (which sums the changes per period directly), from a start
        after the April data (the weeks' and months' first periods carry all that came
        before; the quarter's and year's hold it); with the figures worked out above."""
        Value = self.env["o2c.kpi.value"]
        kpis = self.env["o2c.kpi.definition"].search([("compute_function", "=", "money_kpis")])
        types = ["week", "month", "quarter", "year"]
        start, end = date(2025, 5, 7), date(2025, 6, 30)

        def stored():
            self.env.cr.execute(
                """
                SELECT kpi_code, period_type, date_start, dimension, team_id, user_id,
                       coordinator_id, round(value::numeric, 6), round(numerator::numeric, 6),
                       round(denominator::numeric, 6)
                  FROM o2c_kpi_value WHERE company_id = %s ORDER BY 1, 2, 3, 4, 5, 6, 7
                """,
                [self.kpi_company.id],
            )
            return self.env.cr.fetchall()

        def receivable_reads(refresh):
            """The statements of ``refresh`` reading the journal items."""
            cr = self.env.cr
            with patch.object(cr, "execute", wraps=cr.execute) as execute:
                refresh()
            return [
                call
                for call in execute.call_args_list
                if "account_move_line" in str(getattr(call.args[0], "code", call.args[0]))
            ]

        # the nightly job (the cron's user)
        self.env.flush_all()
        reads = receivable_reads(lambda: Value._refresh(start, end, types, self.kpi_company, kpis))
        self.assertEqual(len(reads), 1)
        self.assertIn('"o2c_kpi_money_daily" ON COMMIT DROP', str(reads[0].args[0].code))
        at_once = stored()
        self.assertEqual({row[1] for row in at_once}, set(types))
        self.env.cr.execute(
            "DELETE FROM o2c_kpi_value WHERE company_id = %s", [self.kpi_company.id]
        )
        for period_type in types:
            reads = receivable_reads(
                lambda period_type=period_type: Value._refresh(
                    start, end, [period_type], self.kpi_company, kpis
                )
            )
            self.assertEqual(len(reads), 1)
            self.assertNotIn("o2c_kpi_money_daily", str(reads[0].args[0].code))
        self.assertEqual(at_once, stored())
        figures = {(row[0], row[1], row[2]): row[7] for row in at_once if row[3] == "company"}
        # The second quarter: receivables 1100 at its end (May's carried over to June), every
        # invoice overdue; DSO 1100 x 91 days / invoiced in it (1000 + 500) = 66.7333 days.
        self.assertAlmostEqual(float(figures["money_receivables", "quarter", APRIL]), 1100.0)
        self.assertAlmostEqual(float(figures["money_overdue_pct", "quarter", APRIL]), 100.0)
        self.assertAlmostEqual(
            float(figures["money_dso", "quarter", APRIL]), 1100 * 91 / 1500, places=4
        )
        # The week of May 5 (the first of the range) carries April's 1100; nothing invoiced
        # in it: no DSO.
        self.assertAlmostEqual(
            float(figures["money_receivables", "week", date(2025, 5, 5)]), 1100.0
        )
        self.assertIsNone(figures["money_dso", "week", date(2025, 5, 5)])

    def test_receivables_follow_payments_per_salesperson(self):
        """A payment (no team, no salesperson, any journal) lowers the receivables of the
        salesperson and team of the invoice it is reconciled with, from the reconciliation's
        date; the other salesperson's are untouched."""
        june, july = date(2025, 6, 1), date(2025, 7, 1)
        # i3: salesperson 1 (team A), 800.00 dated June 2, due July 15: 500.00 paid on
        # June 10 (bank), the remaining 300.00 on July 5 (cash journal).
        # i4: salesperson 3 (team B), 300.00 dated June 3, due July 31, never paid.
        i3 = self._invoice(date(2025, 6, 2), date(2025, 7, 15), 800.0)
        self._invoice(date(2025, 6, 3), date(2025, 7, 31), 300.0, salesperson=self.salesperson_3)
        self._pay(i3, 500.0, date(2025, 6, 10))
        self.assertEqual(i3.payment_state, "partial")
        cash = self.env["account.journal"].search(
            [("company_id", "=", self.kpi_company.id), ("type", "=", "cash")], limit=1
        )
        self.assertTrue(cash)
        self._pay(i3, 300.0, date(2025, 7, 5), cash)
        self.assertIn(i3.payment_state, ("paid", "in_payment"))
        self._refresh(APRIL, date(2025, 7, 31))

        def receivables(month, **dimension):
            return self._figures(month, **dimension)["money_receivables"]["value"]

        # Salesperson 1 (i1, i2 of setUpClass and i3):
        #   end of May: i1 1000 - 400 (April 25) = 600, i2 500: 1100;
        #   end of June: 600 + 500 + i3 800 - 500 (June 10) = 1400;
        #   end of July: 600 + 500 + i3 800 - 500 - 300 (July 5) = 1100.
        # (Before, the payments counted for nobody: 1000 + 500 + 800 = 2300 in June and July.)
        sp1 = {"user_id": self.salesperson_1.id}
        self.assertAlmostEqual(receivables(MAY, **sp1), 1100.0)
        self.assertAlmostEqual(receivables(june, **sp1), 1400.0)
        self.assertAlmostEqual(receivables(july, **sp1), 1100.0)
        # Team A (the same invoices): the same figures.
        team_a = {"team_id": self.team_a.id}
        self.assertAlmostEqual(receivables(june, **team_a), 1400.0)
        self.assertAlmostEqual(receivables(july, **team_a), 1100.0)
        # Salesperson 3 and team B: i4 only, 300.00 in June and July (untouched by payments of
        # salesperson 1's invoice); no receivable before June (no figure at all in May).
        sp3 = {"user_id": self.salesperson_3.id}
        self.assertNotIn("money_receivables", self._figures(MAY, **sp3))
        self.assertAlmostEqual(receivables(june, **sp3), 300.0)
        self.assertAlmostEqual(receivables(july, **sp3), 300.0)
        self.assertAlmostEqual(receivables(july, team_id=self.team_b.id), 300.0)
        # The company: every receivable item, payments included: end of June 1100 + 800 + 300
        # - 500 = 1700 (= 1400 + 300), end of July 1700 - 300 = 1400 (= 1100 + 300).
        self.assertAlmostEqual(receivables(june), 1700.0)
        self.assertAlmostEqual(receivables(july), 1400.0)

        # Overdue and DSO follow the same open amounts. Salesperson 1, end of June: i1 (due
        # April 20) 600 and i2 (due May 15) 500 overdue, i3 (due July 15) not yet:
        # 100 x 1100 / 1400 = 78.5714...%; end of July: i3 paid, 100 x 1100 / 1100 = 100%.
        june_sp1 = self._figures(june, **sp1)
        self.assertAlmostEqual(june_sp1["money_overdue_pct"]["value"], 100 * 1100 / 1400, places=6)
        july_sp1 = self._figures(july, **sp1)
        self.assertAlmostEqual(july_sp1["money_overdue_pct"]["value"], 100.0, places=6)
        # DSO of June: receivables 1400 x 30 days / invoiced in June 800 = 52.5 days; salesperson
        # 3: 300 x 30 / 300 = 30 days. July: nothing invoiced, no DSO.
        self.assertAlmostEqual(june_sp1["money_dso"]["value"], 1400 * 30 / 800, places=6)
        june_sp3 = self._figures(june, **sp3)
        self.assertAlmostEqual(june_sp3["money_dso"]["value"], 30.0, places=6)
        self.assertAlmostEqual(june_sp3["money_overdue_pct"]["value"], 0.0, places=6)
        self.assertIs(july_sp1["money_dso"]["value"], False)

    def test_changes_of_receivables_dated_by_reconciliation(self):
        """The nightly refresh starts a company's recomputation at the earliest change: a
        payment of an old invoice from the reconciliation's date (not the invoice's), the
        new payment from its own date."""
        Value = self.env["o2c.kpi.value"]
        # Everything of setUpClass happened before the watermark (the test's transaction
        # time, when the new records below are written).
        self.env.flush_all()
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        watermark = self.env.cr.fetchone()[0]
        company = self.kpi_company.id
        self._age_sources()
        self.assertNotIn(company, Value._get_changed_since(watermark))
        # 200.00 more of i1 (April 5) paid on June 20: from June 20 (it was from April 5,
        # the invoice's date: two more months recomputed for nothing).
        self._pay(self.i1, 200.0, date(2025, 6, 20))
        self.env.flush_all()
        self.assertEqual(Value._get_changed_since(watermark)[company], datetime(2025, 6, 20))
        # Its reconciliations undone: no reconciliation is left to date the change by, so
        # from the invoice's own date, April 5 (every later open amount changed).
        receivable = self.i1.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        receivable.remove_move_reconcile()
        self.env.flush_all()
        self.assertEqual(Value._get_changed_since(watermark)[company], datetime(2025, 4, 5))

    def test_draft_then_posted_invoice_is_a_change(self):
        """An invoice entered as a draft before the watermark and posted after it changes the
        money figures from its date, and only those: the nightly refresh recomputes the money
        KPIs from then (the order KPIs, whose sources did not change, are left alone)."""
        Value = self.env["o2c.kpi.value"]
        self._refresh(APRIL, date(2025, 5, 31))
        # i5: 300.00 dated May 10, due June 30, entered as a draft (not posted yet).
        invoice = self._invoice(date(2025, 5, 10), date(2025, 6, 30), 300.0)
        invoice.button_draft()
        self.env.flush_all()
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        watermark = self.env.cr.fetchone()[0]
        # Everything so far happened before the watermark.
        self._age_sources()
        self.assertNotIn(self.kpi_company.id, Value._get_changed_since(watermark))
        # Posted after the watermark: a change of the money KPIs from May 10, of nothing else.
        invoice.action_post()
        self.env.flush_all()
        changed = Value._get_changed_since_by_calculator(watermark)[self.kpi_company.id]
        self.assertEqual(changed, {"money_kpis": datetime(2025, 5, 10)})
        Value._refresh_incremental(watermark)
        # Receivables at the end of May: 1100 (setUpClass) + 300 = 1400; April untouched.
        self.assertAlmostEqual(self._figures(MAY)["money_receivables"]["value"], 1400.0)
        self.assertAlmostEqual(self._figures(APRIL)["money_receivables"]["value"], 1100.0)

    def test_invoice_reset_to_draft_is_a_change(self):
        """A posted invoice reset to draft after the watermark leaves the receivables from its
        date: the nightly refresh sees it (its items are no longer posted) and recomputes."""
        Value = self.env["o2c.kpi.value"]
        self._refresh(APRIL, date(2025, 5, 31))
        # Receivables at the end of April: i1 1000 - 400 paid + i2 500 = 1100.
        self.assertAlmostEqual(self._figures(APRIL)["money_receivables"]["value"], 1100.0)
        self.env.flush_all()
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        watermark = self.env.cr.fetchone()[0]
        self._age_sources()
        self.assertNotIn(self.kpi_company.id, Value._get_changed_since(watermark))
        # i2 (April 15, unpaid) reset to draft: a change of the money KPIs from April 15.
        self.i2.button_draft()
        self.env.flush_all()
        changed = Value._get_changed_since_by_calculator(watermark)[self.kpi_company.id]
        self.assertEqual(changed, {"money_kpis": datetime(2025, 4, 15)})
        Value._refresh_incremental(watermark)
        self.assertAlmostEqual(self._figures(APRIL)["money_receivables"]["value"], 600.0)

    def test_overdue_share_of_invoices_with_an_open_credit_note(self):
        """Overdue % is the share of the open amounts of the invoices that is overdue: a
        credit note not reconciled with any invoice lowers the receivables but is allocated to
        no invoice, so it changes neither side (against the receivables it went over 100 %)."""
        # A credit note of 800.00 dated May 20 for salesperson 1, left open.
        refund = (
            self.env["account.move"]
            .with_company(self.kpi_company)
            .create(
                {
                    "move_type": "out_refund",
                    "company_id": self.kpi_company.id,
                    "partner_id": self.customer_1.id,
                    "invoice_date": date(2025, 5, 20),
                    "invoice_user_id": self.salesperson_1.id,
                    "team_id": self.team_a.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "KPI refund",
                                "quantity": 1,
                                "price_unit": 800.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        refund.action_post()
        self._refresh(APRIL, date(2025, 5, 31))
        may = self._figures(MAY)
        # Receivables at the end of May: i1 600 + i2 500 - 800 = 300.
        self.assertAlmostEqual(may["money_receivables"]["value"], 300.0)
        # Overdue: i1 600 and i2 500 (due May 15), of the invoices' open 1100: 100 %, not
        # 100 x 1100 / 300 = 366.7 %.
        self.assertAlmostEqual(may["money_overdue_pct"]["value"], 100.0, places=6)
        self.assertAlmostEqual(may["money_overdue_pct"]["denominator"], 1100.0)
        sp1 = self._figures(MAY, user_id=self.salesperson_1.id)
        self.assertAlmostEqual(sp1["money_overdue_pct"]["value"], 100.0, places=6)
        # April (before the credit note): i1's 600 overdue of 1100 open, as before.
        april = self._figures(APRIL)
        self.assertAlmostEqual(april["money_overdue_pct"]["value"], 100 * 600 / 1100, places=6)

    def test_migration_recomputes_overdue(self):
        """Migration 18.0.1.3.0: the overdue definition still worded as before gets the new
        wording, and the stored overdue figures are recomputed with the new definition."""
        spec = importlib.util.spec_from_file_location(
            "o2c_kpi_migration_18_0_1_3_0",
            Path(__file__).parent.parent / "migrations" / "18.0.1.3.0" / "post-migrate.py",
        )
        post_migrate = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(post_migrate)
        self._refresh(APRIL, date(2025, 5, 31))
        self.env.flush_all()
        # As stored by 18.0.1.2.0: the old wording, figures of the old definition.
        self.env.cr.execute(
            """
            UPDATE o2c_kpi_definition SET description = jsonb_build_object('en_US', %s::text)
             WHERE code = 'money_overdue_pct';
            UPDATE o2c_kpi_value SET value = 366.0, denominator = 300.0
             WHERE kpi_code = 'money_overdue_pct'
            """,
            [post_migrate.OLD],
        )
        self.env.invalidate_all()
        post_migrate.migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        kpi = self.env["o2c.kpi.definition"].search([("code", "=", "money_overdue_pct")])
        self.assertEqual(kpi.description, post_migrate.NEW)
        # April: i1's 600 overdue of the invoices' 1100 open; May: both overdue, 100 %.
        april = self._figures(APRIL)["money_overdue_pct"]
        self.assertAlmostEqual(april["value"], 100 * 600 / 1100, places=6)
        self.assertAlmostEqual(april["denominator"], 1100.0)
        self.assertAlmostEqual(self._figures(MAY)["money_overdue_pct"]["value"], 100.0, places=6)

    def test_drill_down_lists_open_items(self):
        """The journal items behind a money figure are those open at the period's end: not
        the payment reconciled with i1 (closed), nor, for overdue %, i2 (not due yet)."""
        self._refresh(APRIL, date(2025, 5, 31))
        Value = self.env["o2c.kpi.value"].with_user(self.support_manager)

        def items(code, month):
            figure = Value.search(
                [
                    ("company_id", "=", self.kpi_company.id),
                    ("kpi_code", "=", code),
                    ("dimension", "=", "company"),
                    ("date_start", "=", month),
                    ("period_type", "=", "month"),
                ]
            )
            action = figure.action_open_records()
            return (
                self.env[action["res_model"]]
                .with_user(self.support_manager)
                .with_context(allowed_company_ids=self.kpi_company.ids)
                .search(action["domain"])
            )

        receivable_items = (self.i1 | self.i2).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(items("money_receivables", APRIL), receivable_items)
        self.assertEqual(
            items("money_overdue_pct", APRIL),
            receivable_items.filtered(lambda line: line.move_id == self.i1),
        )
        self.assertEqual(items("money_overdue_pct", MAY), receivable_items)
