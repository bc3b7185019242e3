import json
from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..engine.kpi_functions import (
    KPI_TOTALS,
    KpiParams,
    kpis_query,
    money_daily_query,
    period_start,
    total_value_sql,
)
from .o2c_kpi_order_seen import ORDER_VALUES
from .o2c_kpi_pending_change import moved_by

PERIOD_TYPES = [
    ("day", "Day"),
    ("week", "Week"),
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("year", "Year"),
]
DIMENSIONS = [
    ("company", "Company"),
    ("team", "Sales Team"),
    ("salesperson", "Salesperson"),
    ("coordinator", "Coordinator"),
]


# The key of a figure's dimension (one of them set for a team, salesperson or coordinator).
KEY_FIELDS = ("company_id", "team_id", "user_id", "coordinator_id")
ORDER_DIMENSIONS = {
    "company": "company_id",
    "team": "team_id",
    "salesperson": "user_id",
    "coordinator": "coordinator_id",
}
REQUEST_DIMENSIONS = {
    "company": "company_id",
    "team": "user_id.sale_team_id",
    "salesperson": "user_id",
    "coordinator": "coordinator_id",
}
MOVE_LINE_DIMENSIONS = {
    "company": "company_id",
    "team": "move_id.team_id",
    "salesperson": "move_id.invoice_user_id",
    "coordinator": "move_id.invoice_user_id.support_coordinator_id",
}
# The calculators whose figures a change of each source of _get_changed_since_by_calculator
# can change.
SOURCE_CALCULATORS = {
    # orders: processing, shipment, sales, customers; open orders and salespeople served
    "orders": ("order_kpis", "sales_kpis", "customer_kpis", "support_kpis"),
    # an order's change that moves only some of its figures (see
    # _get_changed_since_by_calculator)
    "order_amounts": ("sales_kpis",),
    "order_dates": ("customer_kpis",),
    "order_steps": ("order_kpis",),
    "order_workload": ("support_kpis",),
    "requests": ("support_kpis",),
    "claims": ("order_kpis",),
    "errors": ("order_kpis",),
    "ratings": ("customer_kpis",),
    "money": ("money_kpis",),
    "leads": ("sales_kpis",),
}
# Dimensions the calculators take from the users as they are now, not from the records they
# measure: {res.users column: calculator}. A request counts for its salesperson's current sales
# team, an invoice for its salesperson's current coordinator. No write date shows a change (a
# team membership removed deletes its row): the nightly refresh compares a fingerprint of each
# column with the one it stored (``o2c_kpi.refresh_dimensions``).
USER_DIMENSION_CALCULATORS = {
    "sale_team_id": "support_kpis",
    "support_coordinator_id": "money_kpis",
}
USER_DIMENSIONS_PARAM = "o2c_kpi.refresh_dimensions"
# How far before its watermark the nightly refresh looks for changes: rows written by
# transactions still running when the last run started carry an earlier write date.
REFRESH_LOOKBACK = timedelta(minutes=10)
# Calculators whose figures move with time alone (customers lapse a year after their last
# order): today's period is recomputed every night.
TIME_DEPENDENT_CALCULATORS = {"customer_kpis"}
# What else restricts the records behind a figure, per model.
EXTRA_DOMAIN = {
    "account.move.line": [
        ("account_id.account_type", "=", "asset_receivable"),
        ("parent_state", "=", "posted"),
    ],
    "rating.rating": [("res_model", "=", "sale.order"), ("consumed", "=", True)],
    "sales.support.order.error": [("is_customer_request", "=", False)],
    # lost leads are archived: they count (leads not converted)
    "crm.lead": [("active", "in", [True, False])],
}
# Figures measured at a period's end: the drill-down lists everything up to that end.
PERIOD_END_FIELDS = {"date_received", "date"}
# KPI code: (model, date the KPI measures, dimension fields) of the records behind a figure.
DRILL_DOWN = {
    "support_first_response_avg": (
        "sales.support.request.report",
        "date_first_response",
        REQUEST_DIMENSIONS,
    ),
    "support_first_response_median": (
        "sales.support.request.report",
        "date_first_response",
        REQUEST_DIMENSIONS,
    ),
    "support_resolution_avg": ("sales.support.request.report", "date_done", REQUEST_DIMENSIONS),
    "support_resolution_median": (
        "sales.support.request.report",
        "date_done",
        REQUEST_DIMENSIONS,
    ),
    "support_within_sla_pct": ("sales.support.request.report", "date_done", REQUEST_DIMENSIONS),
    "support_open_requests_per_coordinator": (
        "sales.support.request",
        "date_received",
        REQUEST_DIMENSIONS,
    ),
    "support_open_orders_per_coordinator": (
        "sales.support.o2c.report",
        "date_o2c_entered",
        ORDER_DIMENSIONS,
    ),
    "orders_shipment_hours": ("sales.support.o2c.report", "date_o2c_shipped", ORDER_DIMENSIONS),
    "orders_on_time_pct": ("sales.support.o2c.report", "date_o2c_shipped", ORDER_DIMENSIONS),
    "orders_perfect_pct": ("sales.support.o2c.report", "date_o2c_shipped", ORDER_DIMENSIONS),
    "orders_cycle_days": ("sales.support.o2c.report", "date_o2c_paid", ORDER_DIMENSIONS),
    "orders_errors_per_100": (
        "sales.support.order.error",
        "date_found",
        {**ORDER_DIMENSIONS, "team": "order_id.team_id"},
    ),
    "orders_claims_per_100": (
        "sales.support.claim",
        "date_claim",
        {**ORDER_DIMENSIONS, "team": "order_id.team_id"},
    ),
    "customers_won": ("sale.order", "date_order", ORDER_DIMENSIONS),
    "customers_retained": ("sale.order", "date_order", ORDER_DIMENSIONS),
    "sales_volume": ("sale.order", "date_order", ORDER_DIMENSIONS),
    "sales_average_order_value": ("sale.order", "date_order", ORDER_DIMENSIONS),
    "sales_quote_conversion_pct": ("sale.order", "create_date", ORDER_DIMENSIONS),
    "sales_lead_conversion_pct": (
        "crm.lead",
        "create_date",
        {"company": "company_id", "team": "team_id", "salesperson": "user_id"},
    ),
    "customers_rating_avg": ("rating.rating", "date_o2c_rated", {"company": "res_id"}),
    "customers_satisfied_pct": ("rating.rating", "date_o2c_rated", {"company": "res_id"}),
    "money_receivables": ("account.move.line", "date", MOVE_LINE_DIMENSIONS),
    "money_overdue_pct": ("account.move.line", "date", MOVE_LINE_DIMENSIONS),
    "money_dso": ("account.move.line", "date", MOVE_LINE_DIMENSIONS),
}


class O2cKpiValue(models.Model):
    """A KPI snapshot: the figure of one KPI for one period and one dimension (company, team,
    salesperson or coordinator). Written only by the refresh (SQL, in bulk); users read.

    ``value`` is NULL when there is no data (nothing measured in the period, or the step not
    reached): never 0 for "no data"."""

    _name = "o2c.kpi.value"
    _description = "Order-to-Cash KPI Figure"
    _order = "date_start desc, kpi_id, dimension, id"
    _rec_name = "kpi_id"

    _sql_constraints = [
        (
            "snapshot_unique",
            "UNIQUE NULLS NOT DISTINCT (kpi_id, period_type, date_start, dimension, company_id,"
            " team_id, user_id, coordinator_id)",
            "There is one figure per KPI, period and dimension.",
        ),
    ]

    kpi_id = fields.Many2one(
        "o2c.kpi.definition", string="KPI", required=True, ondelete="cascade", readonly=True
    )
    kpi_code = fields.Char(related="kpi_id.code", store=True, index=True, string="KPI Code")
    category = fields.Selection(related="kpi_id.category", store=True)
    unit = fields.Selection(related="kpi_id.unit")
    direction = fields.Selection(related="kpi_id.direction")
    description = fields.Text(related="kpi_id.description")
    period_type = fields.Selection(PERIOD_TYPES, required=True, readonly=True)
    date_start = fields.Date(string="Period Start", required=True, readonly=True)
    date_end = fields.Date(string="Period End", required=True, readonly=True)
    dimension = fields.Selection(DIMENSIONS, required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", readonly=True, index="btree_not_null"
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, index="btree_not_null"
    )
    coordinator_id = fields.Many2one(
        "res.users", string="Coordinator", readonly=True, index="btree_not_null"
    )
    # Group totals (pivot, graph) are not an average of the rows' figures: see
    # _read_group_select.
    value = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Empty when there is no data for the period (never 0 for 'no data'). Group "
        "totals: sum of the numerators / sum of the denominators for averages and ratios, the "
        "sum for amounts and counts of orders, none for medians and counts of distinct "
        "customers or coordinators (they cannot be re-aggregated) nor across different KPIs, "
        "dimensions, period types or currencies.",
    )
    has_value = fields.Boolean(readonly=True, help="False when there was no data to measure.")
    numerator = fields.Float(readonly=True, aggregator="sum")
    denominator = fields.Float(readonly=True, aggregator="sum")
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="For amounts and ratios of amounts (overdue %, DSO): the company's currency they "
        "are computed in.",
    )
    date_computed = fields.Datetime(string="Computed At", readonly=True)

    def init(self):
        res = super().init()
        # The refresh rewrites the figures that changed in place: room left in each page lets
        # PostgreSQL update them there (HOT: no new entry in the table's eight indexes, a
        # third of the time of an upsert). New pages only; a table rewrite applies it to all.
        self.env.cr.execute("ALTER TABLE o2c_kpi_value SET (fillfactor = 70)")
        # Dashboards read one KPI set for a period range and a dimension.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS o2c_kpi_value_read_idx
                ON o2c_kpi_value (period_type, dimension, date_start, kpi_id)
            """
        )
        return res

    def _read_group_select(self, aggregate_spec, query):
        """The group total of ``value`` (its aggregator, what pivot and graph views and the
        spreadsheet pivots ask for) is the KPI's own figure over the group's rows, not the
        average of their figures (an average of averages): factor x SUM(numerator) /
        SUM(denominator) for averages and ratios, SUM(numerator) for counts and amounts (for
        receivables, an amount at a period's end, only within one period); one row keeps its
        own value. Medians and counts of distinct customers, coordinators or salespeople
        (the same one in several rows) cannot be re-aggregated, and figures of different KPIs,
        dimensions, period types or currencies do not add up: no total (empty) for those
        groups."""
        if aggregate_spec != "value:avg":
            return super()._read_group_select(aggregate_spec, query)

        def column(fname):
            return self._field_to_sql(self._table, fname, query)

        totals = SQL(" ").join(
            SQL(
                "WHEN %s THEN %s",
                code,
                total_value_sql(
                    code,
                    column("numerator"),
                    column("denominator"),
                    column("date_start"),
                    value=column("value"),
                    keys=[column(fname) for fname in KEY_FIELDS],
                ),
            )
            for code in KPI_TOTALS
        )
        return SQL(
            """CASE WHEN COUNT(*) = 1 THEN MAX(%(value)s)
                    WHEN COUNT(DISTINCT %(kpi)s) > 1 OR COUNT(DISTINCT %(dimension)s) > 1
                      OR COUNT(DISTINCT %(period_type)s) > 1
                      OR COUNT(DISTINCT %(currency)s) > 1 THEN NULL
                    ELSE CASE MIN(%(code)s) %(totals)s END
               END""",
            value=column("value"),
            kpi=column("kpi_id"),
            dimension=column("dimension"),
            period_type=column("period_type"),
            currency=column("currency_id"),
            code=column("kpi_code"),
            totals=totals,
        )

    # ------------------------------------------------------------
    # REFRESH (snapshots written in bulk by SQL; users only read them)
    # ------------------------------------------------------------

    @api.model
    def _get_refresh_period_types(self):
        """Period types the nightly job stores (setting ``o2c_kpi.period_types``); days are
        computed on demand by :meth:`get_kpis` unless listed."""
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("o2c_kpi.period_types", "week,month,quarter,year")
        )
        types = [t.strip() for t in param.split(",") if t.strip()]
        return [t for t in types if t in dict(PERIOD_TYPES)]

    @api.model
    def _get_default_tz(self):
        """Time zone of the companies whose partner has none (setting ``o2c_kpi.tz``)."""
        return self.env["ir.config_parameter"].sudo().get_param("o2c_kpi.tz") or "UTC"

    @api.model
    def _refresh(self, date_from, date_to, period_types=None, companies=None, kpis=None):
        """Recompute the figures of ``kpis`` (default: every active KPI) for the periods of
        ``period_types`` touching [date_from, date_to], for ``companies`` (default: all), and
        replace their snapshots. A fixed number of queries whatever the number of records, per
        period type: the companies' zones, the figures of every calculator into a temporary
        table (one statement), and one statement writing the figures that changed and
        deleting those gone (see :meth:`_store_rows`).

        Once the nightly refresh has run, it first catches up with what changed since (as the
        nightly run would): it records the values of the orders changed since, so the figures
        it then computes from their current values match what is recorded."""
        # sudo: a system parameter (only administrators read them); KPI managers recompute
        watermark = self.env["ir.config_parameter"].sudo().get_param("o2c_kpi.refresh_watermark")
        if watermark:
            # sudo: the catch-up records the orders changed in every company, so it recomputes
            # them in every company, not only in those of the manager recomputing (the figures
            # are written in SQL either way)
            self.sudo()._refresh_incremental(
                fields.Datetime.to_datetime(watermark) - REFRESH_LOOKBACK
            )
        return self._refresh_ranges([(date_from, date_to, companies, kpis)], period_types)

    @api.model
    def _refresh_ranges(self, ranges, period_types=None):
        """:meth:`_refresh` of several ranges at once, ``ranges`` a list of ``(date_from,
        date_to, companies, kpis)`` whose (company, KPI) pairs do not overlap (the nightly
        refresh: each calculator of each company from its own earliest change): per period
        type, the zones of each range, then one query computing every range's figures and one
        storing them."""
        prepared = []
        for date_from, date_to, companies, kpis in ranges:
            if kpis is None:
                kpis = self.env["o2c.kpi.definition"].search([])
            # Only the KPIs their calculator computes: the figures of the others (a code no
            # calculator knows, written by other means) are neither computed nor deleted.
            kpis = kpis.filtered(lambda kpi: kpi._is_computed_by_its_calculator())
            if kpis:
                prepared.append((date_from, date_to, companies, kpis))
        if not prepared:
            return 0
        # Two ranges recomputing a KPI of a company would give two figures for one key.
        companies_by_kpi = {}
        for _from, _to, companies, kpis in prepared:
            for kpi in kpis:
                for other in companies_by_kpi.get(kpi.id, ()):
                    if not companies or not other or companies & other:
                        raise ValueError(f"Ranges overlapping on KPI {kpi.code}")
                companies_by_kpi.setdefault(kpi.id, []).append(companies)
        self.env.flush_all()
        # A batch job (this transaction only): sorts and hashes of the grouping sets in memory
        # rather than on disk, and no JIT compilation (the generate_series of the open spans
        # inflates the cost estimates: compiling took ten times longer than running).
        # work_mem counts per sort or hash node and per parallel worker: a few hundred MB at
        # most, for the time of the refresh.
        self.env.cr.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
        period_types = period_types or self._get_refresh_period_types()
        money_daily = self._create_money_daily(prepared) if len(period_types) > 1 else None
        count = 0
        for period_type in period_types:
            parts = []
            for date_from, date_to, companies, kpis in prepared:
                codes_by_function = {}
                for kpi in kpis:
                    codes_by_function.setdefault(kpi.compute_function, set()).add(kpi.code)
                params = KpiParams(
                    date_from,
                    date_to,
                    period_type,
                    companies.ids if companies else None,
                    self._get_default_tz(),
                    money_daily=money_daily,
                )
                parts.append((params, kpis, kpis_query(self.env.cr, params, codes_by_function)))
            count += self._store_rows(parts)
        if money_daily:
            self.env.cr.execute(SQL("DROP TABLE %s", SQL.identifier("pg_temp", money_daily)))
        self.invalidate_model()
        return count

    @api.model
    def _create_money_daily(self, ranges):
        """The daily changes of the receivables (``money_daily_query``) of the companies of
        ``ranges`` (as :meth:`_refresh_ranges`) computing money KPIs, in a temporary table:
        the receivable items and reconciliations of all time are read once, not once per
        period type. Returns the table's name, or None without money KPIs to compute."""
        money = [
            companies
            for _from, _to, companies, kpis in ranges
            if "money_kpis" in kpis.mapped("compute_function")
        ]
        if not money:
            return None
        company_ids = None if not all(money) else self.env["res.company"].union(*money).ids
        table = "o2c_kpi_money_daily"
        cr = self.env.cr
        # (pg_temp: never a table of the database named alike)
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier("pg_temp", table)))
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE %s ON COMMIT DROP AS %s",
                SQL.identifier("pg_temp", table),
                money_daily_query(
                    KpiParams(fields.Date.today(), fields.Date.today(), "day", company_ids)
                ),
            )
        )
        cr.execute(SQL("ANALYZE %s", SQL.identifier("pg_temp", table)))
        return table

    @api.model
    def _store_rows(self, parts):
        """Replace the snapshots of each ``(params, kpis, rows_query)`` of ``parts`` (one period
        type): the snapshots of ``kpis`` in the periods and companies of ``params`` by the rows
        of ``rows_query`` (an SQL query in the columns of ``KpiRow``). The figures go from the
        calculators' aggregates to the table in two statements, never through Python. Returns
        the number of figures computed."""
        cr = self.env.cr
        period_type = parts[0][0].period_type
        interval = {"quarter": "3 months"}.get(period_type, f"1 {period_type}")
        # The figures first go to a temporary table: PostgreSQL runs the calculators' query
        # in parallel workers there (a statement that writes to a table never gets a
        # parallel plan); they never come through Python.
        # (one left by an earlier call of this transaction that failed half way, caught
        # without a savepoint, would make the CREATE fail)
        # (pg_temp: never a table of the database named alike)
        cr.execute("DROP TABLE IF EXISTS pg_temp.o2c_kpi_new_rows")
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE pg_temp.o2c_kpi_new_rows ON COMMIT DROP AS %s",
                SQL(" UNION ALL ").join(SQL("(%s)", rows_query) for _p, _k, rows_query in parts),
            )
        )
        # The stored figures each part replaces.
        replaced = SQL(" OR ").join(
            SQL(
                """(old.date_start >= %(date_from)s AND old.date_start <= %(date_to)s
                    AND old.kpi_id IN %(kpis)s
                    AND (%(all_companies)s OR old.company_id IN %(company_ids)s))""",
                date_from=params.date_from,
                date_to=params.date_to,
                kpis=tuple(kpis.ids),
                all_companies=params.company_ids is None,
                company_ids=params.company_ids or (0,),
            )
            for params, kpis, _rows_query in parts
        )
        all_kpis = self.env["o2c.kpi.definition"].union(*(kpis for _p, kpis, _q in parts))
        # One statement: upsert the new figures (rows whose figures did not change are left
        # alone) and delete the figures of the periods that no longer have any (the data
        # modifying CTEs run whether or not the final SELECT reads them).
        cr.execute(
            SQL(
                """
                WITH new AS (
                    SELECT kpi.id AS kpi_id, kpi.code AS kpi_code, kpi.category,
                           row.period_start AS date_start,
                           (row.period_start + %(interval)s::interval)::date - 1
                               AS date_end,
                           row.dimension, row.company_id,
                           CASE WHEN row.dimension = 'team' THEN row.team_id END AS team_id,
                           CASE WHEN row.dimension = 'salesperson' THEN row.user_id END
                               AS user_id,
                           CASE WHEN row.dimension = 'coordinator' THEN row.coordinator_id END
                               AS coordinator_id,
                           row.numerator, row.denominator, row.value,
                           -- amounts and ratios of amounts (overdue, DSO): the currency
                           -- they are computed in, which group totals must not mix
                           CASE WHEN kpi.unit = 'amount' OR kpi.category = 'money'
                                THEN company.currency_id END AS currency_id
                      FROM pg_temp.o2c_kpi_new_rows AS row
                      JOIN o2c_kpi_definition kpi ON kpi.code = row.code AND kpi.id IN %(kpis)s
                      JOIN res_company company ON company.id = row.company_id
                ), old AS (
                    SELECT old.id, old.kpi_id, old.date_start, old.dimension, old.company_id,
                           COALESCE(old.team_id, 0) AS team_key,
                           COALESCE(old.user_id, 0) AS user_key,
                           COALESCE(old.coordinator_id, 0) AS coordinator_key,
                           old.numerator, old.denominator, old.value, old.currency_id
                      FROM o2c_kpi_value old
                     WHERE old.period_type = %(period_type)s AND (%(replaced)s)
                ), compared AS (
                    -- every new figure with the stored one of its key (a hash join on keys
                    -- never NULL), and every stored figure that has no new one; figures
                    -- compared to the millionth (sums of floats added in another order, as
                    -- parallel workers do, differ in their last bits), as floats: rounded
                    -- as numeric, they cost two thirds of storing a refresh that changed
                    -- nothing (and a float converted to numeric keeps 15 digits: 5 decimals
                    -- from a billion on). Within float error: up to 9 billion (2^53
                    -- millionths), figures up to 1.5 millionths apart can compare equal;
                    -- above, a few units of the float's last place
                    SELECT new.*, old.id AS old_id,
                           old.id IS NOT NULL AND new.kpi_id IS NULL AS is_gone,
                           new.kpi_id IS NOT NULL
                               AND (old.id IS NULL
                                    OR (round(old.numerator * 1e6), round(old.denominator * 1e6),
                                        round(old.value * 1e6), old.currency_id)
                                       IS DISTINCT FROM (round(new.numerator * 1e6),
                                                         round(new.denominator * 1e6),
                                                         round(new.value * 1e6),
                                                         new.currency_id))
                               AS is_changed
                      FROM new
                      FULL JOIN old
                        ON old.kpi_id = new.kpi_id AND old.date_start = new.date_start
                       AND old.dimension = new.dimension AND old.company_id = new.company_id
                       AND old.team_key = COALESCE(new.team_id, 0)
                       AND old.user_key = COALESCE(new.user_id, 0)
                       AND old.coordinator_key = COALESCE(new.coordinator_id, 0)
                ), upsert AS (
                    -- only the figures that changed: a figure left as it was is not even
                    -- locked (ON CONFLICT locks the rows it meets)
                    INSERT INTO o2c_kpi_value AS old (
                           kpi_id, kpi_code, category, period_type, date_start, date_end,
                           dimension, company_id, team_id, user_id, coordinator_id, numerator,
                           denominator, value, has_value, currency_id, date_computed,
                           create_uid, create_date, write_uid, write_date)
                    SELECT kpi_id, kpi_code, category, %(period_type)s, date_start, date_end,
                           dimension, company_id, team_id, user_id, coordinator_id, numerator,
                           denominator, value, value IS NOT NULL, currency_id,
                           NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC',
                           %(uid)s, NOW() AT TIME ZONE 'UTC'
                      FROM compared WHERE is_changed
                    ON CONFLICT ON CONSTRAINT o2c_kpi_value_snapshot_unique DO UPDATE
                       SET numerator = EXCLUDED.numerator, denominator = EXCLUDED.denominator,
                           value = EXCLUDED.value, has_value = EXCLUDED.has_value,
                           currency_id = EXCLUDED.currency_id,
                           date_computed = EXCLUDED.date_computed,
                           write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                    RETURNING 1
                ), deleted AS (
                    DELETE FROM o2c_kpi_value old
                     WHERE old.id IN (SELECT old_id FROM compared WHERE is_gone)
                    RETURNING 1
                )
                SELECT COUNT(*) FROM new
                """,
                interval=interval,
                kpis=tuple(all_kpis.ids),
                period_type=period_type,
                uid=self.env.uid,
                replaced=replaced,
            )
        )
        count = cr.fetchone()[0]
        cr.execute("DROP TABLE pg_temp.o2c_kpi_new_rows")
        return count

    @api.model
    def _get_changed_since(self, watermark):
        """{company id: earliest date} of what changed since ``watermark`` (UTC datetime) in the
        sources of the KPIs (see :meth:`_get_changed_since_by_calculator`)."""
        return {
            company_id: min(dates.values())
            for company_id, dates in self._get_changed_since_by_calculator(watermark).items()
        }

    @api.model
    def _get_changed_since_by_calculator(self, watermark, record=False):
        """{company id: {calculator: earliest date}} of what changed since ``watermark`` (UTC
        datetime) in the sources of each calculator's KPIs (``SOURCE_CALCULATORS``): orders
        (written since, or given ledger events since), requests, claims, order-entry errors,
        ratings, receivable journal items (new or posted since: their date; reconciled since:
        the reconciliation's date), leads. One query; with ``record``, the same statement
        records the changed orders' values for the next run and drops the rows of deleted
        orders (the nightly refresh, which then recomputes what changed in the same
        transaction).

        An order is compared with the values the figures were last computed from
        (``o2c.kpi.order.seen``, recorded by the nightly refresh): if its customer, state or
        dimensions are the same, only what moved counts, from its old or new date (an order
        shipped today recomputes the shipments from today, not the months since its entry;
        a new amount, its order date's sales). Otherwise (or never measured, or deleted),
        every figure of the order from its earliest date, old or new; for an order never
        measured, also from its ledger events' (the dates of milestones it lost).

        The changes noted before they were made (``o2c.kpi.pending.change``: deletions, other
        companies, orders or dates) count whatever the watermark: with ``record``, the
        statement deletes those it read; without, they stay."""
        # No JIT compilation for this batch query (as in _refresh): its cost estimates (the
        # receivable items' sub-queries) made PostgreSQL compile it for seconds to run it in
        # milliseconds.
        self.env.cr.execute("SET LOCAL jit = off")
        # (the sources are read with SQL: what this transaction changed too)
        self.env.flush_all()
        lead_sql = SQL()
        if "crm.lead" in self.env:
            lead_sql = SQL(
                """
                UNION ALL
                SELECT company_id, create_date, 'leads' FROM crm_lead WHERE write_date >= %s
                """,
                watermark,
            )
        if "opportunity_id" in self.env["sale.order"]._fields:
            # a lead is converted by its confirmed orders: the lead of an order whose state
            # (in the fingerprint) changed since, or never measured, from the lead's creation
            lead_sql = SQL(
                "%s UNION ALL %s",
                lead_sql,
                moved_by(
                    "order_leads",
                    SQL(
                        """so.id IN (SELECT id FROM compared
                                      WHERE old_fingerprint IS DISTINCT FROM fingerprint)"""
                    ),
                ),
            )

        def moved(*columns):
            # whether any of the order's values changed since they were recorded
            return SQL(
                "(%s) IS DISTINCT FROM (%s)",
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(SQL.identifier(f"old_{column}") for column in columns),
            )

        def old_and_new(*columns):
            return SQL(", ").join(
                SQL("%s, %s", SQL.identifier(column), SQL.identifier(f"old_{column}"))
                for column in columns
            )

        every_date = (
            "order_create_date",
            "date_order",
            "date_request",
            "date_entered",
            "date_shipped",
            "date_paid",
        )
        self.env.cr.execute(
            SQL(
                """
                WITH new AS MATERIALIZED (
                    -- the orders written since (a scan of their write dates: no index, see
                    -- sale_order.init) or given ledger events since (by id), with their
                    -- values as o2c.kpi.order.seen records them
                    SELECT so.id, %(values)s FROM sale_order so
                     WHERE so.write_date >= %(wm)s
                    UNION
                    -- (ids as an array: probes of the orders' key, not a scan of the orders
                    -- hashed against the events)
                    SELECT so.id, %(values)s FROM sale_order so
                     WHERE so.id = ANY (ARRAY(SELECT order_id FROM sales_support_o2c_event
                                               WHERE create_date >= %(wm)s
                                                 AND order_id IS NOT NULL))
                ), compared AS MATERIALIZED (
                    -- each with its recorded values (old_<column>, NULL for an order never
                    -- measured): one index probe per order
                    SELECT new.*, seen.id AS old_id, %(old_values)s
                      FROM new
                 LEFT JOIN LATERAL (SELECT * FROM o2c_kpi_order_seen seen
                                     WHERE seen.id = new.id LIMIT 1) seen ON TRUE
                )%(record)s, pending AS (
                    %(pending)s
                ), changes AS (
                    -- orders never measured, or whose customer, state, company, team,
                    -- salesperson or coordinator changed: every figure, from their earliest
                    -- date old or new (in the old company and the new one)
                    SELECT company.id AS company_id,
                           LEAST(%(every_date)s, events.first_date) AS date,
                           'orders' AS source
                      FROM compared
                      -- (the ledger events of an order never measured: read once per order)
                 LEFT JOIN LATERAL (SELECT MIN(event.date) AS first_date
                                      FROM sales_support_o2c_event event
                                     WHERE event.order_id = compared.id
                                       AND compared.old_id IS NULL) events ON TRUE
                     CROSS JOIN LATERAL (VALUES (compared.company_id),
                                                (compared.old_company_id)) company(id)
                     WHERE compared.old_fingerprint IS DISTINCT FROM compared.fingerprint
                    UNION ALL
                    -- deleted orders: their figures, from their earliest date
                    SELECT seen.company_id, LEAST(%(seen_dates)s), 'orders'
                      FROM o2c_kpi_order_seen seen WHERE seen.order_id IS NULL
                    UNION ALL
                    -- the same customer, state and dimensions: what moved, from its old or
                    -- new date, and the dates of what is measured from it
                    SELECT compared.company_id, change.date, change.source
                      FROM compared
                     CROSS JOIN LATERAL (VALUES
                           -- sales volume and average order value, by order date;
                           -- quotations, by creation (never changed by Odoo; an import or
                           -- a script may)
                           (LEAST(CASE WHEN %(sales_moved)s THEN LEAST(%(date_order)s) END,
                                  CASE WHEN %(created_moved)s THEN LEAST(%(created)s) END),
                            'order_amounts'),
                           -- customers won, retained and lost, by order date
                           (CASE WHEN %(date_order_moved)s THEN LEAST(%(date_order)s) END,
                            'order_dates'),
                           -- processing (request to entry: by entry), shipment (entry to
                           -- shipment, on time, complete: by shipment), cycle (request to
                           -- payment: by payment)
                           (LEAST(CASE WHEN %(request_moved)s
                                       THEN LEAST(%(entered_paid)s) END,
                                  CASE WHEN %(entered_moved)s
                                       THEN LEAST(%(entered_shipped)s) END,
                                  CASE WHEN %(shipment_moved)s THEN LEAST(%(shipped)s) END,
                                  CASE WHEN %(paid_moved)s THEN LEAST(%(paid)s) END),
                            'order_steps'),
                           -- workload: open from entry to shipment, salespeople served
                           -- by entry
                           (LEAST(CASE WHEN %(open_from_moved)s THEN LEAST(%(entered)s) END,
                                  CASE WHEN %(shipped_moved)s THEN LEAST(%(shipped)s) END),
                            'order_workload')
                           ) change(date, source)
                     WHERE compared.old_fingerprint = compared.fingerprint
                    UNION ALL
                    %(requests)s
                    UNION ALL
                    %(claims)s
                    UNION ALL
                    %(errors)s
                    UNION ALL
                    -- what changes noted before they were made (deletions, other companies,
                    -- orders or dates: the figures of the old ones)
                    SELECT company_id, date, source FROM pending
                    UNION ALL
                    %(ratings)s
                    UNION ALL
                    -- a receivable item changes the figures from its own date when it is new
                    -- or newly posted, reset to draft or cancelled (its entry's state changed
                    -- since), or changed otherwise (unreconciled: from its date, the earliest
                    -- its reconciliation can be); an item only reconciled since changes them
                    -- from the reconciliation's date (below), not from its invoice's: paying
                    -- an old invoice does not recompute the years since; items of drafts
                    -- count too (a posted entry reset to draft leaves the figures; a draft
                    -- only edited costs a recomputation of the periods since its date)
                    SELECT aml.company_id, aml.date::timestamp, 'money'
                      FROM account_move_line aml
                      JOIN account_account account ON account.id = aml.account_id
                     WHERE aml.write_date >= %(wm)s
                       AND account.account_type = 'asset_receivable'
                       AND (aml.create_date >= %(wm)s
                            OR NOT EXISTS (SELECT 1 FROM account_partial_reconcile partial
                                            WHERE partial.debit_move_id = aml.id
                                              AND partial.create_date >= %(wm)s)
                               AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile partial
                                                WHERE partial.credit_move_id = aml.id
                                                  AND partial.create_date >= %(wm)s)
                            OR EXISTS (SELECT 1 FROM mail_message message
                                         JOIN mail_tracking_value tracking
                                           ON tracking.mail_message_id = message.id
                                         JOIN ir_model_fields field
                                           ON field.id = tracking.field_id
                                        WHERE message.model = 'account.move'
                                          AND message.res_id = aml.move_id
                                          AND message.create_date >= %(wm)s
                                          AND field.model = 'account.move'
                                          AND field.name = 'state'))
                    UNION ALL
                    -- reconciliations since: from their date (the later of the two items')
                    SELECT company_id, max_date::timestamp, 'money'
                      FROM account_partial_reconcile
                     WHERE create_date >= %(wm)s
                    %(leads)s
                )
                SELECT company_id, source, MIN(date) FROM changes
                 WHERE company_id IS NOT NULL AND date IS NOT NULL
                 GROUP BY company_id, source
                """,
                wm=watermark,
                record=self.env["o2c.kpi.order.seen"]._record_sql("new") if record else SQL(),
                # the nightly run takes the changes it reads away (in the same statement:
                # those noted while it runs stay for the next one)
                # (the rows a concurrent run holds are left to it: it recomputes them, or they
                # are back if it fails)
                pending=SQL(
                    """DELETE FROM o2c_kpi_pending_change
                        WHERE id IN (SELECT id FROM o2c_kpi_pending_change
                                        FOR UPDATE SKIP LOCKED)
                    RETURNING company_id, date, source"""
                    if record
                    else "SELECT company_id, date, source FROM o2c_kpi_pending_change"
                ),
                requests=moved_by("requests", SQL("request.write_date >= %s", watermark)),
                claims=moved_by("claims", SQL("claim.write_date >= %s", watermark)),
                errors=moved_by("errors", SQL("error.write_date >= %s", watermark)),
                # ratings given or written since (one imported with an earlier date, or
                # moved to another order), from the date they were given; the old period of
                # one moved or given again was noted before
                ratings=moved_by(
                    "ratings",
                    SQL(
                        "(rating.date_o2c_rated >= %s OR rating.write_date >= %s)",
                        watermark,
                        watermark,
                    ),
                ),
                values=SQL(", ").join(
                    SQL("%s AS %s", SQL(expression), SQL.identifier(column))
                    for column, expression in ORDER_VALUES.items()
                ),
                old_values=SQL(", ").join(
                    SQL("seen.%s AS %s", SQL.identifier(column), SQL.identifier(f"old_{column}"))
                    for column in ORDER_VALUES
                ),
                every_date=old_and_new(*every_date),
                seen_dates=SQL(", ").join(
                    SQL("seen.%s", SQL.identifier(column)) for column in every_date
                ),
                sales_moved=moved("date_order", "amount_untaxed", "currency_rate"),
                date_order_moved=moved("date_order"),
                created_moved=moved("order_create_date"),
                created=old_and_new("order_create_date"),
                date_order=old_and_new("date_order"),
                request_moved=moved("date_request"),
                entered_paid=old_and_new("date_entered", "date_paid"),
                entered_moved=moved("date_entered"),
                entered_shipped=old_and_new("date_entered", "date_shipped"),
                shipment_moved=moved("date_shipped", "commitment_date", "delivery_status"),
                shipped=old_and_new("date_shipped"),
                paid_moved=moved("date_paid"),
                paid=old_and_new("date_paid"),
                open_from_moved=moved("date_entered", "has_deliveries"),
                entered=old_and_new("date_entered"),
                shipped_moved=moved("date_shipped"),
                leads=lead_sql,
            )
        )
        changed = {}
        for company_id, source, date in self.env.cr.fetchall():
            for function in SOURCE_CALCULATORS[source]:
                dates = changed.setdefault(company_id, {})
                dates[function] = min(dates.get(function, date), date)
        return changed

    @api.model
    def _refresh_incremental(self, watermark):
        """Recompute, per company and calculator, the periods from the earliest change of its
        sources since ``watermark`` to today (figures at a period's end, like open requests or
        receivables, carry a change to every later period). Without a change: today's period
        of the customer KPIs (lapsed customers move with time), and today's period of the
        others where it has no figure yet (a new period: receivables, open requests carried
        over); nothing else. The values of the orders changed are recorded for the next run
        (``o2c.kpi.order.seen``). Returns the number of figures stored."""
        today = fields.Date.context_today(self)
        kpis = self.env["o2c.kpi.definition"].search([])
        kpis = kpis.filtered(lambda kpi: kpi._is_computed_by_its_calculator())
        functions = set(kpis.mapped("compute_function"))
        changed = self._get_changed_since_by_calculator(watermark, record=True)
        current = self._get_calculators_with_current_figures(today)
        companies = self.env["res.company"].search([])
        measured = self._get_companies_with_figures(companies)
        # {(start, calculator): companies}
        by_start = {}
        for company in companies:
            if company.id not in changed and company.id not in measured:
                # Nothing was ever measured in it and nothing changed since: nothing is open
                # to carry over and nothing can lapse (a company without sales).
                continue
            for function in functions:
                start = changed.get(company.id, {}).get(function)
                if start:
                    start = min(start.date(), today)
                elif function in TIME_DEPENDENT_CALCULATORS or (
                    (company.id, function) not in current
                ):
                    start = today
                else:
                    continue
                by_start.setdefault((start, function), self.env["res.company"])
                by_start[start, function] |= company
        # {(start, companies): calculators}
        grouped = {}
        for (start, function), company_group in by_start.items():
            grouped.setdefault((start, company_group), set()).add(function)
        # One refresh of every start date and set of companies (their figures computed by
        # one query, stored by another).
        count = self._refresh_ranges(
            [
                (
                    start - timedelta(days=1),
                    today,
                    company_group,
                    kpis.filtered(
                        lambda kpi, functions=functions: kpi.compute_function in functions
                    ),
                )
                for (start, company_group), functions in grouped.items()
            ]
        )
        return count

    @api.model
    def _get_companies_with_figures(self, companies):
        """Ids of ``companies`` having at least one stored figure (one query, one probe of
        the company index per company)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT company.id FROM res_company company
                 WHERE company.id IN %s
                   AND EXISTS (SELECT 1 FROM o2c_kpi_value value
                                WHERE value.company_id = company.id)
                """,
                tuple(companies.ids) or (0,),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _get_calculators_with_current_figures(self, today):
        """{(company id, calculator)} having figures for the period of ``today`` of every
        stored period type (one query)."""
        period_types = self._get_refresh_period_types()
        if not period_types:
            return set()
        self.env.cr.execute(
            SQL(
                """
                SELECT value.company_id, kpi.compute_function
                  FROM o2c_kpi_value value
                  JOIN o2c_kpi_definition kpi ON kpi.id = value.kpi_id
                 WHERE (value.period_type, value.date_start) IN %s
                 GROUP BY value.company_id, kpi.compute_function
                HAVING COUNT(DISTINCT value.period_type) = %s
                """,
                tuple(
                    (period_type, period_start(today, period_type)) for period_type in period_types
                ),
                len(period_types),
            )
        )
        return set(self.env.cr.fetchall())

    @api.model
    def _get_user_dimension_fingerprints(self):
        """{res.users column: md5 of the pairs (user id, value) of the users having a value,
        archived users included (their records still count)} for the columns of
        ``USER_DIMENSION_CALCULATORS``. One query, whatever the number of users."""
        columns = list(USER_DIMENSION_CALCULATORS)
        self.env["res.users"].flush_model(columns)
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM res_users",
                SQL(", ").join(
                    SQL(
                        "COALESCE(md5(string_agg(id || ':' || %s, ',' ORDER BY id)), '')",
                        SQL.identifier(column),
                    )
                    for column in columns
                ),
            )
        )
        return dict(zip(columns, self.env.cr.fetchone(), strict=True))

    @api.model
    def _refresh_user_dimension_changes(self, date_from, date_to, fingerprints):
        """Recompute from ``date_from`` to ``date_to``, for every company, the calculators of
        the user dimensions whose fingerprint in ``fingerprints`` differs from the one the last
        run stored (a salesperson moved to another sales team or coordinator: their requests or
        invoices change team or coordinator in every period). Without a stored fingerprint
        (figures stored before it was kept) or with one that cannot be read, they are
        recomputed too: those figures may hold earlier moves. Returns the number of figures
        stored."""
        # sudo: a system parameter (only administrators read them); the cron and KPI managers
        # run this
        stored = self.env["ir.config_parameter"].sudo().get_param(USER_DIMENSIONS_PARAM)
        try:
            stored = json.loads(stored or "{}")
        except ValueError:
            stored = {}
        if not isinstance(stored, dict):
            stored = {}
        functions = {
            USER_DIMENSION_CALCULATORS[column]
            for column, fingerprint in fingerprints.items()
            if stored.get(column) != fingerprint
        }
        if not functions:
            return 0
        kpis = self.env["o2c.kpi.definition"].search(
            [("compute_function", "in", sorted(functions))]
        )
        # (after the incremental refresh: every order's recorded values are its current ones)
        return self._refresh_ranges([(date_from, date_to, None, kpis)])

    @api.model
    def _cron_refresh(self):
        """Nightly: store the periods that changed since the last run (watermark
        ``o2c_kpi.refresh_watermark``); the first run computes the last two years, and so does
        a run finding that salespeople changed sales team or coordinator since the last one,
        for the calculators that take them from the users
        (:meth:`_refresh_user_dimension_changes`)."""
        params = self.env["ir.config_parameter"].sudo()
        # Rows written by transactions still running when the last run started may carry an
        # earlier write date: look back a few minutes before the watermark.
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC'")
        started = self.env.cr.fetchone()[0]
        watermark = params.get_param("o2c_kpi.refresh_watermark")
        today = fields.Date.context_today(self)
        date_from = today.replace(day=1, month=1) - timedelta(days=366)
        fingerprints = self._get_user_dimension_fingerprints()
        if watermark:
            self._refresh_incremental(fields.Datetime.to_datetime(watermark) - REFRESH_LOOKBACK)
            self._refresh_user_dimension_changes(date_from, today, fingerprints)
        else:
            self._refresh(date_from, today)
            # the values of every order the figures now reflect, for the next runs
            self.env["o2c.kpi.order.seen"]._record()
        params.set_param(USER_DIMENSIONS_PARAM, json.dumps(fingerprints, sort_keys=True))
        params.set_param("o2c_kpi.refresh_watermark", fields.Datetime.to_string(started))

    # ------------------------------------------------------------
    # READ (RPC, dashboards): read-only, can be served by a replica
    # ------------------------------------------------------------

    @api.model
    @api.readonly
    def get_kpis(
        self,
        date_from,
        date_to,
        period_type="month",
        team_id=None,
        user_id=None,
        coordinator_id=None,
        company_id=None,
        kpi_codes=None,
    ):
        """Figures of the periods of ``period_type`` starting in [date_from, date_to] for one
        dimension: a salesperson (``user_id``), a sales team (``team_id``), a coordinator
        (``coordinator_id``) or, with none, the company (``company_id``, default: the current
        one). Returns a list of dicts, one per KPI and period, ``value`` False (never 0) when
        there was no data. Record rules apply: a salesperson reads their own figures and their
        teams'."""
        if period_type not in dict(PERIOD_TYPES):
            raise UserError(
                _(
                    "Unknown period type %(type)s: use one of %(types)s.",
                    type=period_type,
                    types=", ".join(dict(PERIOD_TYPES)),
                )
            )
        try:
            date_from = fields.Date.to_date(date_from)
            date_to = fields.Date.to_date(date_to)
        except (TypeError, ValueError) as error:
            raise UserError(
                _("Dates must be given as YYYY-MM-DD: %(error)s", error=error)
            ) from None
        if not date_from or not date_to or date_from > date_to:
            raise UserError(_("Give a start date (date_from) before the end date (date_to)."))
        if len([key for key in (team_id, user_id, coordinator_id) if key]) > 1:
            raise UserError(_("Give at most one of team_id, user_id and coordinator_id."))
        domain = [
            ("period_type", "=", period_type),
            ("date_start", ">=", period_start(date_from, period_type)),
            ("date_start", "<=", date_to),
        ]
        if user_id:
            domain += [("dimension", "=", "salesperson"), ("user_id", "=", int(user_id))]
        elif team_id:
            domain += [("dimension", "=", "team"), ("team_id", "=", int(team_id))]
        elif coordinator_id:
            domain += [
                ("dimension", "=", "coordinator"),
                ("coordinator_id", "=", int(coordinator_id)),
            ]
        else:
            domain += [("dimension", "=", "company")]
        domain += [("company_id", "=", int(company_id or self.env.company.id))]
        if kpi_codes:
            domain += [("kpi_code", "in", list(kpi_codes))]
        # Read in SQL (the record rules still apply through _search): the ORM reads an empty
        # Float as 0.0, and "no data" must stay None.
        query = self._search(domain, order="date_start, kpi_id")
        rows = self.env.execute_query_dict(
            query.select(
                SQL(
                    """
                    %(kpi)s AS kpi_id, %(code)s AS kpi, %(period_type)s AS period_type,
                    %(start)s AS date_start, %(end)s AS date_end, %(dimension)s AS dimension,
                    %(company)s AS company_id, %(team)s AS team_id, %(user)s AS user_id,
                    %(coordinator)s AS coordinator_id, %(value)s AS value,
                    %(numerator)s AS numerator, %(denominator)s AS denominator,
                    %(currency)s AS currency_id
                    """,
                    **{
                        name: self._field_to_sql(self._table, fname, query)
                        for name, fname in [
                            ("kpi", "kpi_id"),
                            ("code", "kpi_code"),
                            ("period_type", "period_type"),
                            ("start", "date_start"),
                            ("end", "date_end"),
                            ("dimension", "dimension"),
                            ("company", "company_id"),
                            ("team", "team_id"),
                            ("user", "user_id"),
                            ("coordinator", "coordinator_id"),
                            ("value", "value"),
                            ("numerator", "numerator"),
                            ("denominator", "denominator"),
                            ("currency", "currency_id"),
                        ]
                    },
                )
            )
        )
        kpis = self.env["o2c.kpi.definition"].browse({row["kpi_id"] for row in rows})
        kpis.fetch(["name", "unit", "direction"])
        currencies = self.env["res.currency"].browse({row["currency_id"] for row in rows} - {None})
        for row in rows:
            kpi = kpis.browse(row.pop("kpi_id"))
            currency_id = row.pop("currency_id")
            row.update(
                name=kpi.name,
                unit=kpi.unit,
                direction=kpi.direction,
                date_start=fields.Date.to_string(row["date_start"]),
                date_end=fields.Date.to_string(row["date_end"]),
                currency=currency_id and currencies.browse(currency_id).name or False,
            )
            # XML-RPC has no None: "no data" is False, as everywhere in Odoo's API.
            for key, item in row.items():
                if item is None:
                    row[key] = False
        return rows

    # ------------------------------------------------------------
    # DRILL-DOWN
    # ------------------------------------------------------------

    def _get_period_bounds_utc(self):
        """The period as naive UTC datetimes [start, end), from the company's time zone."""
        self.ensure_one()
        tz = pytz.timezone(self.company_id.partner_id.tz or self._get_default_tz())
        start = tz.localize(datetime.combine(self.date_start, time.min))
        end = tz.localize(datetime.combine(self.date_end + timedelta(days=1), time.min))
        return (
            start.astimezone(pytz.utc).replace(tzinfo=None),
            end.astimezone(pytz.utc).replace(tzinfo=None),
        )

    def _get_open_receivable_item_ids(self):
        """Ids of the posted receivable items of the figure's company open at the end of its
        period (balance minus the reconciliations dated up to then, as the money KPIs count
        them); for overdue %, the debit items among them due before then. One query."""
        self.ensure_one()
        end = self.date_end + timedelta(days=1)
        overdue = self.kpi_code == "money_overdue_pct"
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT aml.id
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted' AND aml.company_id = %(company)s
                   AND aml.date < %(end)s
                   AND (NOT %(overdue)s OR aml.balance > 0 AND aml.date_maturity < %(end)s)
                   AND aml.balance
                       - COALESCE((SELECT SUM(partial.amount)
                                     FROM account_partial_reconcile partial
                                    WHERE partial.debit_move_id = aml.id
                                      AND partial.max_date < %(end)s), 0)
                       + COALESCE((SELECT SUM(partial.amount)
                                     FROM account_partial_reconcile partial
                                    WHERE partial.credit_move_id = aml.id
                                      AND partial.max_date < %(end)s), 0) != 0
                """,
                company=self.company_id.id,
                end=end,
                overdue=overdue,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def action_open_records(self):
        """The orders, requests, claims, errors, ratings or journal items behind the figure:
        those of its period (the date the KPI measures) and dimension."""
        self.ensure_one()
        default = ("sales.support.o2c.report", "date_o2c_entered", ORDER_DIMENSIONS)
        model, date_field, dimension_fields = DRILL_DOWN.get(self.kpi_code, default)
        if model not in self.env:
            model, date_field, dimension_fields = default
        start, end = self._get_period_bounds_utc()
        if date_field in PERIOD_END_FIELDS:
            domain = [(date_field, "<", end)]
        else:
            domain = [(date_field, ">=", start), (date_field, "<", end)]
        domain += EXTRA_DOMAIN.get(model, [])
        if not self.env[model].has_access("read"):
            raise AccessError(_("You cannot read the records behind this figure."))
        if model == "account.move.line":
            # Money figures are measured on the items open at the period's end (dates, not
            # times): those only, not every item ever dated before it. For a period not over
            # yet, the items open today (their residual, a domain the list can page through);
            # for a past one, rebuilt from the reconciliations dated up to its end.
            domain = [term for term in domain if term[0] != date_field]
            if self.date_end >= fields.Date.context_today(self):
                domain += [("amount_residual", "!=", 0)]
                if self.kpi_code == "money_overdue_pct":
                    overdue_end = self.date_end + timedelta(days=1)
                    domain += [("balance", ">", 0), ("date_maturity", "<", overdue_end)]
            else:
                domain = [("id", "in", self._get_open_receivable_item_ids())] + domain
        if model == "rating.rating":
            # Ratings carry no company: those of the company's orders.
            orders = self.env["sale.order"].search([("company_id", "=", self.company_id.id)])
            domain += [("res_id", "in", orders.ids)]
        else:
            domain += [(dimension_fields["company"], "=", self.company_id.id)]
        key = {
            "team": self.team_id.id,
            "salesperson": self.user_id.id,
            "coordinator": self.coordinator_id.id,
        }.get(self.dimension)
        if key and dimension_fields.get(self.dimension):
            domain += [(dimension_fields[self.dimension], "=", key)]
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "%(kpi)s: %(start)s - %(end)s",
                kpi=self.kpi_id.name,
                start=self.date_start,
                end=self.date_end,
            ),
            "res_model": model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False},
        }
