"""Migration 18.0.1.1.0: the money definitions still worded as before get the new wording in
every language (the old translations are dropped, not left saying the old thing); a
definition a manager reworded is left alone."""

import importlib.util
import json
from datetime import date, datetime
from pathlib import Path

from odoo.tests import tagged
from odoo.tools import SQL

from ..hooks import post_init_hook
from .common import MARCH, O2cKpiCommon

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def _load_migration(version, name):
    spec = importlib.util.spec_from_file_location(
        f"o2c_kpi_migration_{name.replace('-', '_')}", MIGRATIONS / version / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestKpiMigration(O2cKpiCommon):
    def test_post_migrate_rewords_every_language(self):
        post_migrate = _load_migration("18.0.1.1.0", "post-migrate")
        receivables_old, receivables_new = post_migrate.DESCRIPTIONS["money_receivables"]
        overdue_old = post_migrate.DESCRIPTIONS["money_overdue_pct"][0]
        kpis = {
            kpi.code: kpi
            for kpi in self.env["o2c.kpi.definition"].search(
                [("code", "in", ["money_receivables", "money_overdue_pct"])]
            )
        }
        # As in 18.0.1.0.0: receivables worded as before in English, Hebrew and Russian;
        # overdue reworded by a manager in English (its Hebrew still the old one's).
        for code, description in [
            ("money_receivables", {"en_US": receivables_old, "he_IL": "ישן", "ru_RU": "Старый"}),
            ("money_overdue_pct", {"en_US": "Our own wording.", "he_IL": "ישן"}),
        ]:
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    "UPDATE o2c_kpi_definition SET description = %s::jsonb WHERE id = %s",
                    json.dumps(description),
                    kpis[code].id,
                )
            )
        self.assertNotEqual(overdue_old, "Our own wording.")
        post_migrate.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.env.cr.execute(
            "SELECT code, description FROM o2c_kpi_definition WHERE id IN %s",
            [tuple(kpi.id for kpi in kpis.values())],
        )
        descriptions = dict(self.env.cr.fetchall())
        # The new English text alone: no stale translation of the old one.
        self.assertEqual(descriptions["money_receivables"], {"en_US": receivables_new})
        # The manager's wording untouched, in every language.
        self.assertEqual(
            descriptions["money_overdue_pct"], {"en_US": "Our own wording.", "he_IL": "ישן"}
        )
        # A Hebrew-speaking KPI manager reads the new wording (English until translated).
        self.env["res.lang"]._activate_lang("he_IL")
        receivables = (
            kpis["money_receivables"].with_user(self.support_manager).with_context(lang="he_IL")
        )
        self.assertEqual(receivables.description, receivables_new)

    def test_money_ratios_get_their_currency(self):
        """18.0.1.2.0: overdue % and DSO figures stored without a currency get their
        company's; other figures without one (a percentage of orders) keep none."""
        post_migrate = _load_migration("18.0.1.2.0", "post-migrate")
        kpis = {kpi.code: kpi for kpi in self.env["o2c.kpi.definition"].search([])}
        figures = self.env["o2c.kpi.value"].create(
            [
                {
                    "kpi_id": kpis[code].id,
                    "period_type": "month",
                    "date_start": MARCH,
                    "date_end": date(2025, 3, 31),
                    "dimension": "company",
                    "company_id": self.kpi_company.id,
                    "numerator": 1.0,
                    "denominator": 2.0,
                    "value": 50.0,
                    "has_value": True,
                }
                for code in ("money_overdue_pct", "money_dso", "orders_on_time_pct")
            ]
        )
        self.env.flush_all()
        post_migrate.migrate(self.env.cr, "18.0.1.1.0")
        figures.invalidate_recordset()
        currency = self.kpi_company.currency_id
        self.assertEqual(
            {
                figure.kpi_code: figure.currency_id
                for figure in figures.with_user(self.support_manager)
            },
            {
                "money_overdue_pct": currency,
                "money_dso": currency,
                "orders_on_time_pct": self.env["res.currency"],
            },
        )

    def test_orders_recorded_where_the_nightly_refresh_ran(self):
        """Migration 18.0.1.4.0: where the nightly refresh ran, the orders not written since
        its last run (minus its look-back) are recorded, the others not (they are measured
        anew when they change); where it never ran, nothing (its first run records all)."""
        post_migrate = _load_migration("18.0.1.4.0", "post-migrate")
        old = self._order(self.salesperson_1, date_order=datetime(2025, 3, 3, 9))
        recent = self._order(self.salesperson_1, date_order=datetime(2025, 3, 4, 9))
        params = self.env["ir.config_parameter"]
        params.set_param("o2c_kpi.refresh_watermark", False)
        self.env.cr.execute("DELETE FROM o2c_kpi_order_seen")
        post_migrate.migrate(self.env.cr, "18.0.1.3.0")
        self.env.cr.execute("SELECT COUNT(*) FROM o2c_kpi_order_seen")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = '2025-06-01' WHERE id = %s;"
            " UPDATE sale_order SET write_date = '2025-06-02 09:55' WHERE id = %s;"
            # (their ledger events too: an order given events since counts as changed)
            " UPDATE sales_support_o2c_event SET create_date = '2025-06-01' WHERE order_id IN %s",
            [old.id, recent.id, (old | recent)._ids],
        )
        params.set_param("o2c_kpi.refresh_watermark", "2025-06-02 10:00:00")
        post_migrate.migrate(self.env.cr, "18.0.1.3.0")
        seen = self.env["o2c.kpi.order.seen"].search([("id", "in", (old | recent).ids)])
        self.assertEqual(seen.order_id, old)
        self.assertEqual(seen.date_order, datetime(2025, 3, 3, 9))

    def test_ratings_given_before_dated_when_given(self):
        """Install (post_init_hook) and migration 18.0.1.6.0: the ratings given before the
        KPI engine knew when (no date_o2c_rated) are dated by their chatter message (posted
        when given; the order renamed since moved their write date to April), else by their
        write date; ratings asked but not answered stay undated, a date already known is
        kept. The migration notes both periods of a rating dated otherwise than its stored
        figures (its write date) for the next nightly refresh."""
        post_migrate = _load_migration("18.0.1.6.0", "post-migrate")
        model_id = self.env["ir.model"]._get_id("sale.order")
        order = self._order(self.salesperson_1, date_order=datetime(2025, 3, 3, 9))
        message = order.message_post(body="Rated 4", message_type="comment")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_message SET date = '2025-03-07 10:00' WHERE id = %s", [message.id]
        )
        pending = self.env["o2c.kpi.pending.change"]

        def rating(token, consumed, rated_on=None, message_id=None):
            return self._sql_insert(
                "rating_rating",
                {
                    "res_model_id": model_id,
                    "res_model": "sale.order",
                    "res_id": order.id,
                    "rating": 4 if consumed else 0,
                    "consumed": consumed,
                    "access_token": token,
                    "write_date": datetime(2025, 4, 2, 9),
                    "date_o2c_rated": rated_on,
                    "message_id": message_id,
                },
            )

        for name, step in (
            ("migration", post_migrate.migrate),
            ("install", lambda cr, _version: post_init_hook(self.env)),
        ):
            pending.search([]).unlink()
            posted = rating(f"posted-{name}", True, message_id=message.id)
            given = rating(f"given-{name}", True)
            asked = rating(f"asked-{name}", False)
            known = rating(f"known-{name}", True, datetime(2025, 3, 9, 10))
            step(self.env.cr, "18.0.1.5.0")
            self.env.invalidate_all()
            ratings = self.env["rating.rating"].browse([posted, given, asked, known])
            self.assertEqual(
                ratings.mapped("date_o2c_rated"),
                [
                    datetime(2025, 3, 7, 10),
                    datetime(2025, 4, 2, 9),
                    False,
                    datetime(2025, 3, 9, 10),
                ],
                name,
            )
            self.assertEqual(
                pending.search([("company_id", "=", self.kpi_company.id)]).mapped(
                    lambda change: (change.company_id, change.date)
                ),
                [(self.kpi_company, datetime(2025, 3, 7, 10))] if name == "migration" else [],
                name,
            )

    def test_no_lead_conversion_per_coordinator(self):
        """Migration 18.0.1.7.0: the lead conversion figures stored per coordinator (empty,
        from before) go; the coordinators' other figures stay."""
        post_migrate = _load_migration("18.0.1.7.0", "post-migrate")
        self._order(
            self.salesperson_1,
            date_order=datetime(2025, 3, 3, 9),
            date_o2c_request=datetime(2025, 3, 3, 8),
            date_o2c_entered=datetime(2025, 3, 3, 18),
        )
        Value = self.env["o2c.kpi.value"]
        Value._refresh(MARCH, date(2025, 3, 31), ["month"], self.kpi_company)
        domain = [("company_id", "=", self.kpi_company.id), ("dimension", "=", "coordinator")]
        processing = Value.search([*domain, ("kpi_code", "=", "orders_processing_hours")])
        self.assertEqual(len(processing), 1)
        lead_kpi = self.env["o2c.kpi.definition"].search(
            [("code", "=", "sales_lead_conversion_pct")]
        )
        self.env.flush_all()
        self.env.cr.execute(
            """
            INSERT INTO o2c_kpi_value (kpi_id, kpi_code, category, period_type, date_start,
                                       date_end, dimension, company_id, coordinator_id,
                                       numerator, denominator, has_value)
            SELECT %s, 'sales_lead_conversion_pct', 'sales', period_type, date_start,
                   date_end, dimension, company_id, coordinator_id, 0, 0, FALSE
              FROM o2c_kpi_value WHERE id = %s
            """,
            [lead_kpi.id, processing.id],
        )
        self.assertEqual(Value.search_count([*domain, ("kpi_id", "=", lead_kpi.id)]), 1)
        post_migrate.migrate(self.env.cr, "18.0.1.6.0")
        self.env.invalidate_all()
        self.assertFalse(Value.search_count([*domain, ("kpi_id", "=", lead_kpi.id)]))
        self.assertTrue(processing.exists())
