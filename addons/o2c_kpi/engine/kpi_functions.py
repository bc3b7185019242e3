"""The Order-to-Cash KPI calculators: plain Python building SQL, no ORM (mis_builder's style).

Each calculator takes a database cursor and a :class:`KpiParams` and returns
:class:`KpiRow` tuples for the KPIs it knows, one per (KPI, period, dimension); a test can call
it with ``env.cr`` alone. ``<family>_query`` gives the same rows as one SQL query, which the
refresh inserts into the snapshots without fetching them (:func:`kpis_query` unites the
families). A calculator reads its sources once and aggregates every KPI of its family in the
same query:

* the *facts* of the family: one row per thing measured (an order entered, shipped or paid, a
  request answered, a claim, a rating...), dated in the company's time zone and put in its
  period (the local period start: an order confirmed at 23:30 in Jerusalem belongs to that
  local day; found by a binary search in the UTC instants where the periods begin);
* one ``GROUP BY GROUPING SETS`` over the facts gives the company, team, salesperson and
  coordinator figures at once.

A KPI whose measured step was not reached in a period (no order shipped, no request answered)
has a NULL value, never 0; numerator and denominator are given where they make sense, and no
value divides by zero.
"""

from collections import namedtuple
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.tools import SQL

PERIOD_TYPES = ("day", "week", "month", "quarter", "year")
DIMENSIONS = ("company", "team", "salesperson", "coordinator")
# Days after the last order of a customer when that customer counts as lost.
CUSTOMER_LAPSE_DAYS = 365

KpiRow = namedtuple(
    "KpiRow",
    "code period_start dimension company_id team_id user_id coordinator_id numerator "
    "denominator value",
)


class KpiParams(
    namedtuple(
        "KpiParams", "date_from date_to period_type company_ids default_tz zones money_daily"
    )
):
    """What to compute: periods of ``period_type`` starting from ``date_from`` (a period start)
    up to ``date_to`` (included), for ``company_ids`` (None: all companies). A company's time
    zone is its partner's, else ``default_tz``. ``zones``: the companies' zones and period
    bounds read beforehand (:func:`with_zones`), else computed by each query.
    ``money_daily``: the name of a temporary table holding :func:`money_daily_query`'s rows
    of these companies at least (computed once for several period types and ranges), else
    computed by the money query."""

    __slots__ = ()

    def __new__(
        cls,
        date_from,
        date_to,
        period_type="month",
        company_ids=None,
        default_tz="UTC",
        zones=None,
        money_daily=None,
    ):
        if period_type not in PERIOD_TYPES:
            raise ValueError(f"Unknown period type {period_type!r}, expected one of {PERIOD_TYPES}")
        return super().__new__(
            cls,
            period_start(date_from, period_type),
            date_to,
            period_type,
            tuple(company_ids) if company_ids else None,
            default_tz or "UTC",
            zones,
            money_daily,
        )


def period_start(day, period_type):
    """First day of the period of ``period_type`` holding ``day`` (weeks start on Monday, like
    PostgreSQL's ``date_trunc('week')``).

    >>> period_start(date(2025, 5, 14), "quarter")
    datetime.date(2025, 4, 1)
    >>> period_start(date(2025, 5, 14), "week")
    datetime.date(2025, 5, 12)
    """
    if period_type == "day":
        return day
    if period_type == "week":
        return day - timedelta(days=day.weekday())
    if period_type == "month":
        return day.replace(day=1)
    if period_type == "quarter":
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
    return day.replace(day=1, month=1)


def period_end(start, period_type):
    """Last day of the period starting on ``start``.

    >>> period_end(date(2024, 2, 1), "month")
    datetime.date(2024, 2, 29)
    """
    step = {
        "day": relativedelta(days=1),
        "week": relativedelta(weeks=1),
        "month": relativedelta(months=1),
        "quarter": relativedelta(months=3),
        "year": relativedelta(years=1),
    }[period_type]
    return start + step - timedelta(days=1)


# ------------------------------------------------------------
# SQL building blocks
# ------------------------------------------------------------


def _local_period(params, column):
    """The local period start (a date) of the UTC timestamp ``column``, in the company's zone
    (``tz.tz`` of the ``tz`` CTE joined on the fact's company), whatever its date."""
    return SQL(
        "date_trunc(%s, (%s AT TIME ZONE 'UTC') AT TIME ZONE tz.tz)::date",
        params.period_type,
        SQL(column),
    )


def _bucket(params, column):
    """The same as :func:`_local_period` for the periods of the range only (NULL outside it,
    where a fact is dropped anyway): a binary search of ``column`` in the UTC instants where the
    company's periods start (``tz.bounds``, computed once per company), far cheaper on many rows
    than converting each one to local time."""
    return SQL("tz.starts[width_bucket(%s, tz.bounds)]", SQL(column))


def _ts_window(params, column):
    """A sargable UTC range on ``column`` wide enough for every time zone (one day of margin on
    both sides); the exact local period is filtered afterwards."""
    end = period_end(period_start(params.date_to, params.period_type), params.period_type)
    return SQL(
        "%s >= %s AND %s < %s",
        SQL(column),
        params.date_from - timedelta(days=1),
        SQL(column),
        end + timedelta(days=2),
    )


def _company_filter(params, column):
    if params.company_ids is None:
        return SQL("TRUE")
    return SQL("%s IN %s", SQL(column), params.company_ids)


def _tz_cte(params):
    """Each company's time zone, the starts of the periods of the range (``starts``, dates) and
    the UTC instants where they begin in that zone, with the end of the last (``bounds``).

    With ``params.zones`` (read once by :func:`with_zones`), a list of constants that every
    reference reads on its own: PostgreSQL can then run the scans of the facts and their
    period lookups in parallel workers (a CTE computed by the query is read by the leader
    only)."""
    if params.zones is not None:
        if not params.zones:
            return SQL(
                "tz AS (SELECT NULL::int AS company_id, NULL::varchar AS tz,"
                " NULL::timestamp[] AS bounds, NULL::date[] AS starts WHERE FALSE)"
            )
        return SQL(
            "tz(company_id, tz, bounds, starts) AS NOT MATERIALIZED (VALUES %s)",
            SQL(", ").join(
                SQL("(%s, %s::varchar, %s::timestamp[], %s::date[])", *zone)
                for zone in params.zones
            ),
        )
    return _tz_query(params)


def with_zones(cr, params):
    """``params`` with the companies' zones and period bounds (``zones``) read once, for the
    queries of every calculator (one query)."""
    if params.zones is not None:
        return params
    cr.execute(
        SQL(
            "WITH %s SELECT company_id, tz, bounds, starts FROM tz %s ORDER BY company_id",
            _tz_query(params),
            SQL("WHERE company_id IN %s", params.company_ids) if params.company_ids else SQL(""),
        )
    )
    return params._replace(
        zones=tuple(
            (company_id, tz, list(bounds), list(starts))
            for company_id, tz, bounds, starts in cr.fetchall()
        )
    )


def _tz_query(params):
    """The ``tz`` CTE computed by the query itself (see :func:`_tz_cte`)."""
    end = period_end(period_start(params.date_to, params.period_type), params.period_type)
    interval = _interval(params)
    return SQL(
        """tz AS MATERIALIZED (
            SELECT zone.company_id, zone.tz,
                   ARRAY(SELECT (local.start AT TIME ZONE zone.tz) AT TIME ZONE 'UTC'
                           FROM generate_series(%(start)s::timestamp, %(after)s::timestamp,
                                                %(interval)s::interval) AS local(start)
                          ORDER BY local.start) AS bounds,
                   ARRAY(SELECT local.start::date
                           FROM generate_series(%(start)s::timestamp, %(end)s::timestamp,
                                                %(interval)s::interval) AS local(start)
                          ORDER BY local.start) AS starts
              FROM (SELECT company.id AS company_id,
                           COALESCE(NULLIF(partner.tz, ''), %(default_tz)s) AS tz
                      FROM res_company company
                      JOIN res_partner partner ON partner.id = company.partner_id) zone
        )""",
        start=params.date_from,
        end=end,
        after=end + timedelta(days=1),
        interval=interval,
        default_tz=params.default_tz,
    )


def _interval(params):
    return {"day": "1 day", "week": "1 week", "month": "1 month", "quarter": "3 months"}.get(
        params.period_type, "1 year"
    )


def _periods_cte(params):
    """Every period of the range with its local end instant (for figures measured at the end
    of a period: open requests, receivables)."""
    interval = {"day": "1 day", "week": "1 week", "month": "1 month", "quarter": "3 months"}.get(
        params.period_type, "1 year"
    )
    return SQL(
        """periods AS (
            SELECT gs::date AS period, (gs + %s::interval)::timestamp AS period_end
              FROM generate_series(%s::timestamp, %s::timestamp, %s::interval) gs
        )""",
        interval,
        params.date_from,
        params.date_to,
        interval,
    )


def _avg(code, column):
    """Average of ``column`` (NULL where the step was not reached: skipped)."""
    return (
        code,
        SQL("SUM(%s)", SQL(column)),
        SQL("COUNT(%s)", SQL(column)),
        SQL("AVG(%s)", SQL(column)),
    )


def _median(code, column):
    return (
        code,
        SQL("NULL::float"),
        SQL("COUNT(%s)", SQL(column)),
        SQL("percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)", SQL(column)),
    )


def _percent(code, condition, base, factor=100.0):
    """``factor`` x (facts of ``base`` meeting ``condition``) / (facts of ``base``)."""
    num = SQL("COUNT(*) FILTER (WHERE (%s) AND (%s))", SQL(base), SQL(condition))
    den = SQL("COUNT(*) FILTER (WHERE %s)", SQL(base))
    return (code, num, den, SQL("%s * %s / NULLIF(%s, 0)", factor, num, den))


def _ratio(code, numerator, denominator, factor=1.0):
    num, den = SQL(numerator), SQL(denominator)
    return (code, num, den, SQL("%s * %s / NULLIF(%s, 0)", factor, num, den))


def _sum(code, column, count_base):
    """A total (NULL when nothing was measured in the group)."""
    num = SQL("SUM(%s)", SQL(column))
    den = SQL("COUNT(*) FILTER (WHERE %s)", SQL(count_base))
    return (code, num, den, SQL("CASE WHEN %s > 0 THEN COALESCE(%s, 0) END", den, num))


def _partial_avg(code, total, count):
    """Average from the partial sums ``total`` and ``count`` of a pre-aggregated family."""
    num, den = SQL("SUM(%s)", SQL(total)), SQL("SUM(%s)", SQL(count))
    return (code, num, den, SQL("%s / NULLIF(%s, 0)", num, den))


def _partial_ratio(code, numerator, denominator, factor=1.0):
    """``factor`` x SUM(numerator) / SUM(denominator) of partial counts."""
    num, den = SQL("SUM(%s)", SQL(numerator)), SQL("SUM(%s)", SQL(denominator))
    return (code, num, den, SQL("%s * %s / NULLIF(%s, 0)", factor, num, den))


def _flag(condition):
    """1 when ``condition`` (SQL) holds (NULL counts as false), else 0: a row's share of a
    count."""
    return SQL("CASE WHEN %s THEN 1 ELSE 0 END", SQL(condition))


def _when(condition, expression):
    """``expression`` where ``condition`` holds, else NULL (skipped by the aggregates)."""
    return SQL("CASE WHEN %s THEN %s END", SQL(condition), SQL(expression))


# KPIs of things that have no coordinator (leads): no figure per coordinator (the
# coordinators' groups of the family hold none of those things).
KPIS_WITHOUT_COORDINATOR = frozenset({"sales_lead_conversion_pct"})


def _aggregate(params, ctes, facts, measures, codes=None, partials=None):
    """The query aggregating ``measures`` [(code, num, den, value)] of ``facts`` (a SELECT with
    company_id, team_id, user_id, coordinator_id, period and the measured columns) by period and
    each dimension, one row per (KPI, period, dimension) in the columns of :class:`KpiRow`
    (dimension rows without a key are dropped: orders without team, without coordinator).
    None when no measure is asked for.

    The figures never leave PostgreSQL on their way to the snapshots: the refresh stores this
    query's rows in a temporary table (``CREATE TABLE ... AS``) and writes them from there, a
    test fetches them (:func:`fetch_rows`)."""
    if codes is not None:
        measures = [m for m in measures if m[0] in codes]
    if not measures:
        return None
    columns = SQL(", ").join(
        SQL("%s AS n%s, %s AS d%s, %s AS v%s", num, index, den, index, value, index)
        for index, (_code, num, den, value) in enumerate(measures)
    )
    # One row per KPI out of each group's row (the columns of its measures).
    if partials:
        # Every measure adds up partial sums: the facts are first summed per period and
        # person (one hash aggregate of the many facts into a few thousand rows), and the
        # grouping sets roll those up to the team, salesperson, coordinator and company.
        # The facts outside the range (period NULL: every fact of such a family is put in its
        # period by _bucket) are summed too and dropped afterwards: filtering them first
        # would compute their period twice and mislead the planner's row estimates (a sort
        # instead of a hash); MATERIALIZED keeps that filter above the sums.
        facts = SQL(
            """
            SELECT period, company_id, team_id, user_id, coordinator_id, %(sums)s
              FROM (%(facts)s) fact
             GROUP BY period, company_id, team_id, user_id, coordinator_id
            """,
            sums=SQL(", ").join(
                SQL("SUM(%s) AS %s", SQL(expression), SQL.identifier(alias))
                for alias, expression in partials
            ),
            facts=facts,
        )
    unpivot = SQL(", ").join(
        SQL(
            "(%s, n%s::float8, d%s::float8, v%s::float8)",
            code,
            SQL(str(index)),
            SQL(str(index)),
            SQL(str(index)),
        )
        for index, (code, *_sql) in enumerate(measures)
    )
    without = KPIS_WITHOUT_COORDINATOR.intersection(code for code, *_sql in measures)
    # GROUPING(team, user, coordinator): a bit set for each column NOT grouped.
    return SQL(
        """
        WITH %(ctes)s, facts AS %(materialized)s (%(facts)s), grouped AS (
            SELECT period, company_id, team_id, user_id, coordinator_id,
                   CASE GROUPING(team_id, user_id, coordinator_id)
                        WHEN 7 THEN 'company' WHEN 3 THEN 'team' WHEN 5 THEN 'salesperson'
                        ELSE 'coordinator' END AS dimension, %(columns)s
              FROM facts
             WHERE period >= %(date_from)s AND period <= %(date_to)s
             GROUP BY GROUPING SETS ((period, company_id), (period, company_id, team_id),
                                     (period, company_id, user_id),
                                     (period, company_id, coordinator_id))
        )
        SELECT measure.code::varchar AS code, grouped.period AS period_start,
               grouped.dimension::varchar AS dimension, grouped.company_id,
               grouped.team_id, grouped.user_id, grouped.coordinator_id,
               measure.numerator, measure.denominator, measure.value
          FROM grouped
         CROSS JOIN LATERAL (VALUES %(unpivot)s)
               AS measure(code, numerator, denominator, value)
         WHERE CASE grouped.dimension WHEN 'company' THEN grouped.company_id
                    WHEN 'team' THEN grouped.team_id WHEN 'salesperson' THEN grouped.user_id
                    ELSE grouped.coordinator_id END IS NOT NULL
               %(without_coordinator)s
        """,
        ctes=SQL(", ").join(ctes),
        materialized=SQL("MATERIALIZED" if partials else ""),
        facts=facts,
        columns=columns,
        date_from=params.date_from,
        date_to=params.date_to,
        unpivot=unpivot,
        without_coordinator=SQL(
            "AND NOT (grouped.dimension = 'coordinator' AND measure.code IN %s)",
            tuple(sorted(without)),
        )
        if without
        else SQL(),
    )


def fetch_rows(cr, query):
    """The :class:`KpiRow` rows of a calculator's ``query`` (none for None)."""
    if query is None:
        return []
    cr.execute(query)
    return [KpiRow(*row) for row in cr.fetchall()]


def _leads_linked(cr):
    """Whether CRM links leads to orders (``sale_order.opportunity_id`` of sale_crm, and the
    ``crm_lead`` table), from the catalog in one query whether CRM is installed or not
    (information_schema's views take milliseconds)."""
    cr.execute(
        """
        SELECT to_regclass('crm_lead') IS NOT NULL
               AND EXISTS (SELECT 1 FROM pg_attribute
                            WHERE attrelid = to_regclass('sale_order')
                              AND attname = 'opportunity_id' AND attnum > 0
                              AND NOT attisdropped)
        """
    )
    return cr.fetchone()[0]


# ------------------------------------------------------------
# Calculators (one per family of KPIs)
# ------------------------------------------------------------


def support_kpis_query(cr, params, codes=None):
    """Requests (first response, resolution, SLA, workload) and coordinator workload.

    Facts: a request answered (dated by its first response), a request done (dated when done),
    every request open at a period's end, every order entered but not shipped at a period's end
    and the salespeople served by a coordinator in a period (orders entered)."""
    request_dims = SQL(
        "request.company_id, salesperson.sale_team_id AS team_id, request.user_id, "
        "request.coordinator_id"
    )
    facts = SQL(
        """
        SELECT %(dims)s, %(first_period)s AS period, 'answered' AS fact,
               request.first_response_hours AS hours, NULL::boolean AS within_sla,
               NULL::int AS salesperson_id, 1 AS n
          FROM sales_support_request request
          JOIN tz ON tz.company_id = request.company_id
     LEFT JOIN res_users salesperson ON salesperson.id = request.user_id
         WHERE request.date_first_response IS NOT NULL AND %(first_window)s AND %(companies)s
        UNION ALL
        SELECT %(dims)s, %(done_bucket)s, 'done', request.resolution_hours,
               NOT COALESCE(request.is_first_response_breached, FALSE)
                   AND NOT COALESCE(request.is_resolution_breached, FALSE), NULL, 1
          FROM sales_support_request request
          JOIN tz ON tz.company_id = request.company_id
     LEFT JOIN res_users salesperson ON salesperson.id = request.user_id
         WHERE request.date_done IS NOT NULL AND request.state != 'cancel'
               AND %(done_window)s AND %(companies)s
        UNION ALL
        -- workload facts are pre-counted per person and period (few rows for the DISTINCTs):
        -- counted per person and span of periods first, the spans then spread over their
        -- periods (one series per person and span, not one per request)
        SELECT open.company_id, open.team_id, open.user_id, open.coordinator_id,
               period.period::date, 'open_request', NULL, NULL, NULL, SUM(open.n)
          FROM (
               SELECT request.company_id, salesperson.sale_team_id AS team_id,
                      request.user_id, request.coordinator_id,
                      -- open at the end of every period from the one received in to the one
                      -- before done
                      GREATEST(%(received_period)s, %(date_from)s::date) AS first_period,
                      LEAST(COALESCE(%(done_period)s - %(interval)s::interval,
                                     %(date_to)s::date),
                            %(date_to)s::date) AS last_period,
                      COUNT(*) AS n
                 FROM sales_support_request request
                 JOIN tz ON tz.company_id = request.company_id
            LEFT JOIN res_users salesperson ON salesperson.id = request.user_id
                WHERE request.state != 'cancel' AND request.coordinator_id IS NOT NULL
                      AND (request.date_done IS NULL OR request.date_done >= %(date_from)s)
                      -- open at a period's end of the range at all: done after the end of
                      -- the period received in (the other spans are empty)
                      AND (request.date_done IS NULL
                           OR request.date_done >= tz.bounds[width_bucket(request.date_received,
                                                                          tz.bounds) + 1])
                      AND %(companies)s
                GROUP BY 1, 2, 3, 4, 5, 6
          ) open
         CROSS JOIN LATERAL generate_series(open.first_period, open.last_period,
                                            %(interval)s::interval) AS period(period)
         GROUP BY 1, 2, 3, 4, 5
        %(open_orders)s
        UNION ALL
        SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id, %(entered_bucket)s,
               'served', NULL, NULL, so.user_id, COUNT(*)
          FROM sale_order so
          JOIN tz ON tz.company_id = so.company_id
         WHERE so.date_o2c_entered IS NOT NULL AND so.coordinator_id IS NOT NULL
               AND so.state = 'sale' AND %(entered_window)s AND %(order_companies)s
         GROUP BY 1, 2, 3, 4, 5
        """,
        dims=request_dims,
        first_period=_bucket(params, "request.date_first_response"),
        first_window=_ts_window(params, "request.date_first_response"),
        done_period=_local_period(params, "request.date_done"),
        done_bucket=_bucket(params, "request.date_done"),
        done_window=_ts_window(params, "request.date_done"),
        entered_bucket=_bucket(params, "so.date_o2c_entered"),
        entered_window=_ts_window(params, "so.date_o2c_entered"),
        received_period=_local_period(params, "request.date_received"),
        interval=_interval(params),
        date_from=params.date_from,
        date_to=params.date_to,
        companies=_company_filter(params, "request.company_id"),
        order_companies=_company_filter(params, "so.company_id"),
        # the orders not shipped yet (a partial index: few in a company that ships) and
        # those shipped in the range, after the end of the period entered in (as for the
        # requests): two sets read by their own index, not a scan of every order
        open_orders=SQL(" ").join(
            SQL(
                """
                UNION ALL
                SELECT open.company_id, open.team_id, open.user_id, open.coordinator_id,
                       period.period::date, 'open_order', NULL, NULL, NULL, SUM(open.n)
                  FROM (
                       SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
                              GREATEST(%(entered_period)s, %(date_from)s::date) AS first_period,
                              %(last_period)s AS last_period, COUNT(*) AS n
                         FROM sale_order so
                         JOIN tz ON tz.company_id = so.company_id
                        WHERE so.state = 'sale' AND so.date_o2c_entered IS NOT NULL
                              AND %(shipped)s AND so.coordinator_id IS NOT NULL
                              AND COALESCE(so.has_o2c_deliveries, TRUE) AND %(order_companies)s
                        GROUP BY 1, 2, 3, 4, 5, 6
                  ) open
                 CROSS JOIN LATERAL generate_series(open.first_period, open.last_period,
                                                    %(interval)s::interval) AS period(period)
                 GROUP BY 1, 2, 3, 4, 5
                """,
                entered_period=_local_period(params, "so.date_o2c_entered"),
                last_period=last_period,
                interval=_interval(params),
                date_from=params.date_from,
                shipped=shipped,
                order_companies=_company_filter(params, "so.company_id"),
            )
            for shipped, last_period in (
                # open at the end of every period of the range from the one entered in
                (SQL("so.date_o2c_shipped IS NULL"), SQL("%s::date", params.date_to)),
                # ... to the one before shipped
                (
                    SQL(
                        """so.date_o2c_shipped >= %s
                           AND so.date_o2c_shipped
                               >= tz.bounds[width_bucket(so.date_o2c_entered, tz.bounds) + 1]""",
                        params.date_from,
                    ),
                    SQL(
                        "LEAST(%s - %s::interval, %s::date)",
                        _local_period(params, "so.date_o2c_shipped"),
                        _interval(params),
                        params.date_to,
                    ),
                ),
            )
        ),
    )
    answered = SQL("fact = 'answered'")
    done = SQL("fact = 'done'")
    measures = [
        _avg("support_first_response_avg", _when(answered, "hours")),
        _median("support_first_response_median", _when(answered, "hours")),
        _avg("support_resolution_avg", _when(done, "hours")),
        _median("support_resolution_median", _when(done, "hours")),
        _percent("support_within_sla_pct", "within_sla", done),
        _ratio(
            "support_open_requests_per_coordinator",
            "SUM(n) FILTER (WHERE fact = 'open_request')",
            "COUNT(DISTINCT coordinator_id) FILTER (WHERE fact = 'open_request')",
        ),
        _ratio(
            "support_open_orders_per_coordinator",
            "SUM(n) FILTER (WHERE fact = 'open_order')",
            "COUNT(DISTINCT coordinator_id) FILTER (WHERE fact = 'open_order')",
        ),
        _ratio(
            "support_salespeople_per_coordinator",
            "COUNT(DISTINCT salesperson_id) FILTER (WHERE fact = 'served')",
            "COUNT(DISTINCT coordinator_id) FILTER (WHERE fact = 'served')",
        ),
    ]
    return _aggregate(params, [_tz_cte(params)], facts, measures, codes)


def order_kpis_query(cr, params, codes=None):
    """Order processing, shipment, cycle, on-time and perfect orders, entry errors and claims.

    Facts: an order entered (dated when entered), shipped (when shipped), paid (when paid), an
    order-entry error (when found) and a claim (when claimed); each carries its order's
    company, team, salesperson and coordinator."""
    order_dims = SQL("so.company_id, so.team_id, so.user_id, so.coordinator_id")
    # No claim and no order-entry error (customer changes aside) on a shipped order. In a long
    # range (a full refresh), the orders with one are hash-joined sets read once (these joins
    # can run in parallel workers, a sub-query per order cannot); in a short one (the nightly
    # refresh), each shipped order of the range probes the two indexes instead of reading
    # every claim and error.
    if _is_long_range(params):
        flawless = SQL("claimed.order_id IS NULL AND erred.order_id IS NULL")
        flaws = SQL(
            """
            LEFT JOIN (SELECT DISTINCT claim.order_id FROM sales_support_claim claim
                        WHERE claim.order_id IS NOT NULL) claimed ON claimed.order_id = so.id
            LEFT JOIN (SELECT DISTINCT error.order_id FROM sales_support_order_error error
                        WHERE error.order_id IS NOT NULL
                          AND NOT COALESCE(error.is_customer_request, FALSE)) erred
                   ON erred.order_id = so.id
            """
        )
    else:
        flawless = SQL(
            """NOT EXISTS (SELECT 1 FROM sales_support_claim claim WHERE claim.order_id = so.id)
               AND NOT EXISTS (SELECT 1 FROM sales_support_order_error error
                                WHERE error.order_id = so.id
                                  AND NOT COALESCE(error.is_customer_request, FALSE))"""
        )
        flaws = SQL("")
    facts = SQL(
        """
        SELECT %(dims)s, %(entered_period)s AS period, 'entered' AS fact,
               EXTRACT(EPOCH FROM (so.date_o2c_entered - so.date_o2c_request)) / 3600.0 AS hours,
               NULL::boolean AS on_time, NULL::boolean AS perfect
          FROM sale_order so
          JOIN tz ON tz.company_id = so.company_id
         WHERE so.date_o2c_entered IS NOT NULL AND so.state = 'sale'
               AND %(entered_window)s AND %(companies)s
        UNION ALL
        SELECT %(dims)s, %(shipped_period)s, 'shipped',
               EXTRACT(EPOCH FROM (so.date_o2c_shipped - so.date_o2c_entered)) / 3600.0,
               so.date_o2c_shipped <= so.commitment_date,
               COALESCE(so.date_o2c_shipped <= so.commitment_date, TRUE)
                   AND COALESCE(so.delivery_status = 'full', TRUE)
                   AND %(flawless)s
          FROM sale_order so
          JOIN tz ON tz.company_id = so.company_id
          %(flaws)s
         WHERE so.date_o2c_shipped IS NOT NULL AND so.state = 'sale'
               AND %(shipped_window)s AND %(companies)s
        UNION ALL
        SELECT %(dims)s, %(paid_period)s, 'paid',
               EXTRACT(EPOCH FROM (so.date_o2c_paid - so.date_o2c_request)) / 3600.0, NULL, NULL
          FROM sale_order so
          JOIN tz ON tz.company_id = so.company_id
         WHERE so.date_o2c_paid IS NOT NULL AND so.state = 'sale'
               AND %(paid_window)s AND %(companies)s
        UNION ALL
        SELECT %(dims)s, %(error_period)s, 'error', NULL, NULL, NULL
          FROM sales_support_order_error error
          JOIN sale_order so ON so.id = error.order_id
          JOIN tz ON tz.company_id = so.company_id
         WHERE NOT COALESCE(error.is_customer_request, FALSE)
               AND %(error_window)s AND %(companies)s
        UNION ALL
        SELECT claim.company_id, so.team_id, COALESCE(so.user_id, claim.user_id),
               COALESCE(so.coordinator_id, claim.coordinator_id), %(claim_period)s, 'claim',
               NULL, NULL, NULL
          FROM sales_support_claim claim
          JOIN tz ON tz.company_id = claim.company_id
     LEFT JOIN sale_order so ON so.id = claim.order_id
         WHERE %(claim_window)s AND %(claim_companies)s
        """,
        dims=order_dims,
        entered_period=_bucket(params, "so.date_o2c_entered"),
        entered_window=_ts_window(params, "so.date_o2c_entered"),
        shipped_period=_bucket(params, "so.date_o2c_shipped"),
        flawless=flawless,
        flaws=flaws,
        shipped_window=_ts_window(params, "so.date_o2c_shipped"),
        paid_period=_bucket(params, "so.date_o2c_paid"),
        paid_window=_ts_window(params, "so.date_o2c_paid"),
        error_period=_bucket(params, "error.date_found"),
        error_window=_ts_window(params, "error.date_found"),
        claim_period=_bucket(params, "claim.date_claim"),
        claim_window=_ts_window(params, "claim.date_claim"),
        companies=_company_filter(params, "so.company_id"),
        claim_companies=_company_filter(params, "claim.company_id"),
    )
    entered = SQL("fact = 'entered'")
    shipped = SQL("fact = 'shipped'")
    # Partial sums per period and person (see _aggregate).
    partials = [
        ("entered_hours", _when(entered, "hours")),
        ("entered_timed", _flag(SQL("%s AND hours IS NOT NULL", entered))),
        ("shipped_hours", _when(shipped, "hours")),
        ("shipped_timed", _flag(SQL("%s AND hours IS NOT NULL", shipped))),
        ("paid_days", _when("fact = 'paid'", "hours / 24.0")),
        ("paid_timed", _flag("fact = 'paid' AND hours IS NOT NULL")),
        ("on_time", _flag(SQL("%s AND on_time IS NOT NULL AND on_time", shipped))),
        ("committed", _flag(SQL("%s AND on_time IS NOT NULL", shipped))),
        ("perfect", _flag(SQL("%s AND perfect", shipped))),
        ("shipped", _flag(shipped)),
        ("entered", _flag(entered)),
        ("errors", _flag("fact = 'error'")),
        ("claims", _flag("fact = 'claim'")),
    ]
    measures = [
        _partial_avg("orders_processing_hours", "entered_hours", "entered_timed"),
        _partial_avg("orders_shipment_hours", "shipped_hours", "shipped_timed"),
        _partial_avg("orders_cycle_days", "paid_days", "paid_timed"),
        _partial_ratio("orders_on_time_pct", "on_time", "committed", 100.0),
        _partial_ratio("orders_perfect_pct", "perfect", "shipped", 100.0),
        _partial_ratio("orders_errors_per_100", "errors", "entered", 100.0),
        _partial_ratio("orders_claims_per_100", "claims", "shipped", 100.0),
    ]
    return _aggregate(params, [_tz_cte(params)], facts, measures, codes, partials)


# Up to this many days, the orders that can lapse in a range find their customer's next order
# by one index probe each; beyond, one window over the orders costs less.
LAPSE_PROBE_DAYS = 120


def _lapsing_orders(params):
    """The confirmed orders that can lapse in the range (their date + ``CUSTOMER_LAPSE_DAYS``
    in it, with the margins of the time zones), each with its lapse instant and the date of its
    customer's next order (``next_order``, NULL if none). A short range (an incremental refresh)
    probes the customer-orders index once per order; a long one (a full refresh, where nearly
    every order can lapse) takes the next order from a window over the orders of the range and
    the year before (``customer_orders``, :func:`_customer_orders_cte`). The same rows either
    way."""
    end = period_end(period_start(params.date_to, params.period_type), params.period_type)
    window_from = params.date_from - timedelta(days=1 + CUSTOMER_LAPSE_DAYS)
    window_to = end + timedelta(days=2 - CUSTOMER_LAPSE_DAYS)
    companies = _company_filter(params, "so.company_id")
    if not _is_long_range(params):
        return SQL(
            """
            SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
                   so.commercial_partner_id, so.date_order + %(lapse)s * INTERVAL '1 day' AS lapse,
                   next.date_order AS next_order
              FROM sale_order so
         LEFT JOIN LATERAL (
                   SELECT next.date_order FROM sale_order next
                    WHERE next.company_id = so.company_id
                      AND next.commercial_partner_id = so.commercial_partner_id
                      AND next.state = 'sale'
                      AND (next.date_order, next.id) > (so.date_order, so.id)
                    ORDER BY next.date_order, next.id LIMIT 1) next ON TRUE
             WHERE so.state = 'sale' AND %(companies)s
                   AND so.date_order >= %(window_from)s AND so.date_order < %(window_to)s
            """,
            lapse=CUSTOMER_LAPSE_DAYS,
            companies=companies,
            window_from=window_from,
            window_to=window_to,
        )
    return SQL(
        """
        SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
               so.commercial_partner_id, so.date_order + %(lapse)s * INTERVAL '1 day' AS lapse,
               so.next_order
          FROM customer_orders so
         WHERE so.date_order < %(window_to)s
        """,
        lapse=CUSTOMER_LAPSE_DAYS,
        window_to=window_to,
    )


def _customer_orders_cte(params):
    """For a long range (see :func:`_lapsing_orders`): the confirmed orders that can lapse in
    the range and those that can follow them in time, each with the date of its customer's
    next order (one window over the orders, read once for the lapses and the orders of the
    range)."""
    end = _range_end(params)
    return SQL(
        """customer_orders AS MATERIALIZED (
            SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id, so.date_order,
                   so.commercial_partner_id,
                   LEAD(so.date_order) OVER (PARTITION BY so.company_id,
                                                          so.commercial_partner_id
                                             ORDER BY so.date_order, so.id) AS next_order
              FROM sale_order so
             WHERE so.state = 'sale' AND %(companies)s
                   AND so.date_order >= %(window_from)s AND so.date_order < %(end)s
        )""",
        companies=_company_filter(params, "so.company_id"),
        window_from=params.date_from - timedelta(days=1 + CUSTOMER_LAPSE_DAYS),
        end=end + timedelta(days=2),
    )


def _range_end(params):
    """The last day of the range's last period."""
    return period_end(period_start(params.date_to, params.period_type), params.period_type)


def _is_long_range(params):
    """Whether the range is longer than ``LAPSE_PROBE_DAYS`` (a full refresh rather than the
    nightly one): its queries read whole sets once (windows, hash joins) rather than probing
    an index once per order."""
    return (_range_end(params) - params.date_from).days > LAPSE_PROBE_DAYS


def customer_kpis_query(cr, params, codes=None):
    """Satisfaction (consumed ratings of orders, 1 to 5) and customers won, retained, lost.

    Facts: a rating given (dated when given), a confirmed order (dated by its order date, with
    the first order date of its customer) and a customer lapsing (the day
    ``CUSTOMER_LAPSE_DAYS`` after an order not followed by another within that time, if that
    day is past: a customer lost and won back later stays lost in that period). A customer is
    a commercial entity (``sale_order.commercial_partner_id``): the contacts of a company
    ordering count as that one company, won, retained or lost once."""
    facts = SQL(
        """
        SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
               %(rating_period)s AS period, 'rating' AS fact, rating.rating AS score,
               NULL::int AS customer_id, NULL::boolean AS is_new
          FROM rating_rating rating
          JOIN sale_order so ON so.id = rating.res_id
          JOIN tz ON tz.company_id = so.company_id
         WHERE rating.res_model = 'sale.order' AND rating.consumed AND rating.rating > 0
               AND %(rating_window)s AND %(companies)s
        UNION ALL
        SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id, %(order_period)s,
               'order', NULL, so.commercial_partner_id, %(first_period)s >= %(order_period)s
          -- with the first order of each of their customers (its local period in the same
          -- company's zone)
          FROM confirmed_first so
          JOIN tz ON tz.company_id = so.company_id
        UNION ALL
        SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id, %(lapse_period)s,
               'lost', NULL, so.commercial_partner_id, NULL
          FROM (%(lapsing)s) so
          JOIN tz ON tz.company_id = so.company_id
         WHERE (so.next_order IS NULL OR so.next_order > so.lapse)
               AND so.lapse <= NOW() AT TIME ZONE 'UTC' AND %(lapse_window)s
        """,
        rating_period=_bucket(params, "rating.date_o2c_rated"),
        rating_window=_ts_window(params, "rating.date_o2c_rated"),
        order_period=_bucket(params, "so.date_order"),
        first_period=_local_period(params, "so.first_order"),
        lapse_period=_bucket(params, "so.lapse"),
        lapse_window=_ts_window(params, "so.lapse"),
        lapsing=_lapsing_orders(params),
        lapse=CUSTOMER_LAPSE_DAYS,
        companies=_company_filter(params, "so.company_id"),
    )
    # Ratings of 4 and 5 are "satisfied" (rating's RATING_LIMIT_SATISFIED).
    measures = [
        _avg("customers_rating_avg", "CASE WHEN fact = 'rating' THEN score END"),
        _percent("customers_satisfied_pct", "score >= 4", "fact = 'rating'"),
        _ratio(
            "customers_won",
            "COUNT(DISTINCT customer_id) FILTER (WHERE fact = 'order' AND is_new)",
            "1.0",
        ),
        _ratio(
            "customers_retained",
            "COUNT(DISTINCT customer_id) FILTER (WHERE fact = 'order' AND NOT is_new)",
            "1.0",
        ),
        _ratio("customers_lost", "COUNT(DISTINCT customer_id) FILTER (WHERE fact = 'lost')", "1.0"),
    ]
    # The orders confirmed in the range, read once by their date (then joined to the first
    # orders of their customers, not the other way round); in a long range, from the orders
    # read once for the lapses too.
    ctes = [_tz_cte(params)]
    if _is_long_range(params):
        ctes.append(_customer_orders_cte(params))
        source = SQL("customer_orders so WHERE %s", _ts_window(params, "so.date_order"))
    else:
        source = SQL(
            "sale_order so WHERE so.state = 'sale' AND %s AND %s",
            _ts_window(params, "so.date_order"),
            _company_filter(params, "so.company_id"),
        )
    confirmed = SQL(
        """confirmed AS MATERIALIZED (
            SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id, so.date_order,
                   so.commercial_partner_id
              FROM %s
        )""",
        source,
    )
    # The first order of each customer of those orders: one probe of the customer-orders
    # index per customer (MATERIALIZED: once per customer, not once per order).
    first_orders = SQL(
        """first_orders AS MATERIALIZED (
            SELECT customer.company_id, customer.commercial_partner_id,
                   (SELECT MIN(first.date_order) FROM sale_order first
                     WHERE first.company_id = customer.company_id
                       AND first.commercial_partner_id = customer.commercial_partner_id
                       AND first.state = 'sale') AS first_order
              FROM (SELECT DISTINCT company_id, commercial_partner_id FROM confirmed) customer
        )"""
    )
    # Each confirmed order with its customer's first order, joined before the time zones
    # (a hash join of the two sets: joined after, the planner's estimate of the orders left
    # in the range can fall to one row and probe the first orders once per order).
    confirmed_first = SQL(
        """confirmed_first AS MATERIALIZED (
            SELECT so.*, first.first_order
              FROM confirmed so
              JOIN first_orders first
                ON first.company_id = so.company_id
               AND first.commercial_partner_id = so.commercial_partner_id
        )"""
    )
    return _aggregate(
        params,
        [*ctes, confirmed, first_orders, confirmed_first],
        facts,
        measures,
        codes,
    )


def sales_kpis_query(cr, params, codes=None):
    """Sales volume (company currency), quote-to-order and lead-to-order conversion, average
    order value.

    Facts: a confirmed order (dated by its order date: the confirmation time), a quotation
    (dated by its creation, converted when confirmed since) and, when CRM is installed, a lead
    (dated by its creation, converted when it has a confirmed order)."""
    has_leads = _leads_linked(cr)
    lead_facts = SQL("")
    if has_leads:
        lead_facts = SQL(
            """
            UNION ALL
            SELECT lead.company_id, lead.team_id, lead.user_id, NULL::int, %(lead_period)s,
                   'lead', NULL::numeric,
                   EXISTS (SELECT 1 FROM sale_order won
                            WHERE won.opportunity_id = lead.id AND won.state = 'sale')
              FROM crm_lead lead
              JOIN tz ON tz.company_id = lead.company_id
             WHERE %(lead_window)s AND %(lead_companies)s
            """,
            lead_period=_bucket(params, "lead.create_date"),
            lead_window=_ts_window(params, "lead.create_date"),
            lead_companies=_company_filter(params, "lead.company_id"),
        )
    facts = SQL(
        """
        SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id,
               %(order_period)s AS period, 'order' AS fact,
               so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1.0) AS amount,
               NULL::boolean AS converted
          FROM sale_order so
          JOIN tz ON tz.company_id = so.company_id
         WHERE so.state = 'sale' AND %(order_window)s AND %(companies)s
        UNION ALL
        SELECT so.company_id, so.team_id, so.user_id, so.coordinator_id, %(quote_period)s,
               'quotation', NULL, so.state = 'sale'
          FROM sale_order so
          JOIN tz ON tz.company_id = so.company_id
         WHERE %(quote_window)s AND %(companies)s
        %(lead_facts)s
        """,
        order_period=_bucket(params, "so.date_order"),
        order_window=_ts_window(params, "so.date_order"),
        quote_period=_bucket(params, "so.create_date"),
        quote_window=_ts_window(params, "so.create_date"),
        companies=_company_filter(params, "so.company_id"),
        lead_facts=lead_facts,
    )
    # Partial sums per period and person (see _aggregate).
    partials = [
        ("amount", "CASE WHEN fact = 'order' THEN amount END"),
        ("orders", _flag("fact = 'order'")),
        ("priced", _flag("fact = 'order' AND amount IS NOT NULL")),
        ("quotations", _flag("fact = 'quotation'")),
        ("converted", _flag("fact = 'quotation' AND converted")),
    ]
    volume = SQL("SUM(amount)")
    orders = SQL("SUM(orders)")
    measures = [
        (
            "sales_volume",
            volume,
            orders,
            SQL("CASE WHEN %s > 0 THEN COALESCE(%s, 0) END", orders, volume),
        ),
        _partial_ratio("sales_quote_conversion_pct", "converted", "quotations", 100.0),
        _partial_avg("sales_average_order_value", "amount", "priced"),
    ]
    if has_leads:
        partials += [
            ("leads", _flag("fact = 'lead'")),
            ("leads_converted", _flag("fact = 'lead' AND converted")),
        ]
        measures.append(
            _partial_ratio("sales_lead_conversion_pct", "leads_converted", "leads", 100.0)
        )
    return _aggregate(params, [_tz_cte(params)], facts, measures, codes, partials)


def money_daily_query(params, date_end=None, bucket=None, billed_from=None):
    """The changes of the receivable amounts of each dimension key per day (the money KPIs'
    facts, whatever the period type): ``company_id``, ``team_id``, ``user_id``,
    ``coordinator_id``, ``day``; the receivable amount, the items, the overdue amount, the open
    amount of the debit items and what was invoiced (receivable debits, for the DSO; dated
    from ``billed_from`` if given) changed that day. Of the posted receivable items of
    ``params``' companies dated before ``date_end`` (None: all) and their reconciliations
    (see :func:`money_kpis_query`).

    With ``bucket`` (a function of the SQL of a date giving the SQL of its period), ``day``
    is the period of the changes instead: the rows of one period type summed at once (fewer
    groups than days): the items and the reconciliations are then first summed per dimension
    key, period and due period, and those sums spread over the periods they change (at 100,000
    orders, 240,000 rows summed into about 5,000, instead of 370,000 changes summed at once).
    Per day, the rows are spread as they are: summed first, they were 3.6 times fewer but the
    query slower (0.73 -> 0.78 s)."""
    summed = bucket is not None
    bucket = bucket or (lambda column: SQL(column))
    # The dimensions of customer invoices and credit notes (their sales team and salesperson,
    # the salesperson's coordinator), found once per entry.
    sale_moves = SQL(
        """sale_moves AS MATERIALIZED (
            SELECT move.id, move.team_id, move.invoice_user_id AS user_id,
                   salesperson.support_coordinator_id AS coordinator_id
              FROM account_move move
         LEFT JOIN res_users salesperson ON salesperson.id = move.invoice_user_id
             WHERE move.move_type IN %(sale_types)s AND move.state = 'posted'
                   AND %(companies)s
        )""",
        sale_types=("out_invoice", "out_refund", "out_receipt"),
        companies=_company_filter(params, "move.company_id"),
    )
    # The receivable items, with the day they count from and, for debit items, the day they
    # are overdue from (``due_day``).
    items = SQL(
        """items AS MATERIALIZED (
            SELECT aml.id, aml.company_id, sale.team_id, sale.user_id, sale.coordinator_id,
                   aml.balance, aml.date, %(day)s AS day,
                   CASE WHEN aml.balance > 0 AND aml.date_maturity IS NOT NULL
                        THEN %(due_day)s END AS due_day
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
         LEFT JOIN sale_moves sale ON sale.id = aml.move_id
             WHERE account.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
                   AND %(date_end)s AND %(companies)s
        )""",
        day=bucket("aml.date"),
        due_day=bucket("GREATEST(aml.date, aml.date_maturity)"),
        date_end=SQL("aml.date < %s", date_end) if date_end else SQL("TRUE"),
        companies=_company_filter(params, "aml.company_id"),
    )
    # The reconciliations of the items, from their date (the later of the two items'):
    # deducted from the debit item, added back to the credit item; for a debit item's overdue
    # amount, not before it is overdue.
    reconciled = SQL(
        """reconciled AS MATERIALIZED (
            SELECT company_id, team_id, user_id, coordinator_id, day, due_day, is_debit,
                   %(amount)s
              FROM (
                SELECT items.company_id, items.team_id, items.user_id, items.coordinator_id,
                       %(day)s AS day,
                       -- (GREATEST skips NULLs: an item never overdue stays so)
                       CASE WHEN items.due_day IS NOT NULL
                            THEN GREATEST(%(day)s, items.due_day) END AS due_day,
                       items.balance > 0 AS is_debit, -partial.amount AS amount
                  FROM account_partial_reconcile partial
                  JOIN items ON items.id = partial.debit_move_id
                UNION ALL
                SELECT items.company_id, items.team_id, items.user_id, items.coordinator_id,
                       %(day)s,
                       CASE WHEN items.due_day IS NOT NULL
                            THEN GREATEST(%(day)s, items.due_day) END,
                       items.balance > 0, partial.amount
                  FROM account_partial_reconcile partial
                  JOIN items ON items.id = partial.credit_move_id
              ) reconciliation
             %(group_by)s
        )""",
        day=bucket("partial.max_date"),
        amount=SQL("SUM(amount) AS amount" if summed else "amount"),
        group_by=SQL(
            "GROUP BY company_id, team_id, user_id, coordinator_id, day, due_day, is_debit"
            if summed
            else ""
        ),
    )
    # The items' changes: from their day, their balance, the item, its debit and what it
    # invoiced; their overdue amount (debit items), from their due day.
    item_changes = SQL(
        """item_changes AS %(materialized)s (
            SELECT company_id, team_id, user_id, coordinator_id, day, due_day,
                   %(balance)s AS balance, %(items)s AS items, %(debits)s AS debits,
                   %(billed)s AS billed
              FROM items
             %(group_by)s
        )""",
        materialized=SQL("MATERIALIZED" if summed else "NOT MATERIALIZED"),
        balance=SQL("SUM(balance)" if summed else "balance"),
        items=SQL("COUNT(*)" if summed else "1"),
        debits=SQL("SUM(GREATEST(balance, 0))" if summed else "GREATEST(balance, 0)"),
        billed=SQL(
            "SUM(CASE WHEN balance > 0 AND %s THEN balance END)"
            if summed
            else "CASE WHEN balance > 0 AND %s THEN balance END",
            SQL("date >= %s", billed_from) if billed_from else SQL("TRUE"),
        ),
        group_by=SQL(
            "GROUP BY company_id, team_id, user_id, coordinator_id, day, due_day" if summed else ""
        ),
    )
    return SQL(
        """
        WITH %(sale_moves)s, %(items)s, %(reconciled)s, %(item_changes)s
        SELECT company_id, team_id, user_id, coordinator_id, day,
               SUM(receivable) AS receivable, SUM(items) AS items, SUM(overdue) AS overdue,
               SUM(debits) AS debits, SUM(billed) AS billed
          FROM (
            SELECT company_id, team_id, user_id, coordinator_id, day, balance AS receivable,
                   items, 0 AS overdue, debits, billed
              FROM item_changes
            UNION ALL
            SELECT company_id, team_id, user_id, coordinator_id, due_day, 0, 0, balance, 0,
                   NULL
              FROM item_changes WHERE due_day IS NOT NULL
            UNION ALL
            SELECT company_id, team_id, user_id, coordinator_id, day, amount, 0, 0,
                   CASE WHEN is_debit THEN amount ELSE 0 END, NULL
              FROM reconciled
            UNION ALL
            SELECT company_id, team_id, user_id, coordinator_id, due_day, 0, 0, amount, 0,
                   NULL
              FROM reconciled WHERE due_day IS NOT NULL
          ) change
         GROUP BY company_id, team_id, user_id, coordinator_id, day
        """,
        sale_moves=sale_moves,
        items=items,
        reconciled=reconciled,
        item_changes=item_changes,
    )


def money_kpis_query(cr, params, codes=None):
    """Receivables, overdue % and DSO from posted receivable journal items (company currency).

    At each period's end, every receivable item dated up to then counts for its *open amount*
    then: its balance minus the reconciliations dated up to then (``max_date`` of the partial
    reconciliation: the later of the two items' dates), whatever the date, journal or team of
    the payment reconciled with it. A dimension's receivables are the open amounts of its
    invoices and credit notes (their sales team and salesperson, the salesperson's
    coordinator): a payment lowers them as soon as it is reconciled with the invoice, in the
    period of the reconciliation's date. Items of other entries (payments not reconciled yet,
    miscellaneous entries) count for the company only, whose receivables stay the balance of
    all its receivable items (a reconciliation lowers both of its items by the same amount).
    Overdue % = open amounts of the debit items (invoices) due before the period's end / open
    amounts of all the debit items then (a share of what is owed on invoices, 0 to 100 %:
    credit notes and payments not reconciled with an invoice are allocated to none, and lower
    neither); DSO = receivables / receivable debits of the period x days of the period.

    Open amounts add up, so no item is joined to every period it is open in: each item and
    each reconciliation is a *change* of its dimension's amounts from the period of its date
    on (an item: its balance, from its date; its reconciliations: minus / plus their amount,
    from their date; for the overdue amounts, not before the item's due date). The changes
    are summed per dimension key and period (:func:`money_daily_query`; for several period
    types, per day once, then per period: a few rows per salesperson and month), and a
    period's amounts are the sums of the changes of that period and the earlier ones."""

    def bucket(column):
        # The first period whose end is after ``column`` (a date): the period of that date,
        # or the first period of the range for anything dated before it.
        return SQL(
            "GREATEST(date_trunc(%s, (%s)::timestamp)::date, %s::date)",
            params.period_type,
            SQL(column),
            params.date_from,
        )

    if params.money_daily:
        # the daily table's rows: summed per period of this type
        period = bucket("day")
        daily = SQL(
            "daily AS (SELECT * FROM %s WHERE %s)",
            SQL.identifier("pg_temp", params.money_daily),
            _company_filter(params, "company_id"),
        )
    else:
        # the changes summed per period at once, of the items up to the end of the range's
        # last period: the rows are in their period already (one per key and period, summed
        # again below at little cost; bucketing them again gave the same period start, for
        # 370,000 rows at 100,000 orders), what was invoiced from the range's start only
        period = SQL("day")
        daily = SQL(
            "daily AS (%s)",
            money_daily_query(
                params,
                period_end(period_start(params.date_to, params.period_type), params.period_type)
                + timedelta(days=1),
                bucket=bucket,
                billed_from=params.date_from,
            ),
        )
    # The changes of each dimension key's amounts per period (what was invoiced: in the
    # range only).
    changes = SQL(
        """changes AS (
            SELECT company_id, team_id, user_id, coordinator_id, %(period)s AS period,
                   SUM(receivable) AS receivable, SUM(items) AS items,
                   SUM(overdue) AS overdue, SUM(debits) AS debits,
                   SUM(billed) FILTER (WHERE day >= %(date_from)s) AS billed
              FROM daily
             WHERE %(period)s <= %(date_to)s
             GROUP BY company_id, team_id, user_id, coordinator_id, %(period)s
        )""",
        period=period,
        date_from=params.date_from,
        date_to=params.date_to,
    )
    # The amounts at each period's end: the changes of that period and the earlier ones.
    facts = SQL(
        """
        SELECT changes.company_id, changes.team_id, changes.user_id, changes.coordinator_id,
               periods.period, SUM(changes.receivable) AS balance,
               SUM(changes.items) AS items, SUM(changes.overdue) AS overdue,
               SUM(changes.debits) AS debits,
               SUM(changes.billed) FILTER (WHERE changes.period = periods.period) AS billed,
               (periods.period_end::date - periods.period) AS days
          FROM changes
          JOIN periods ON changes.period <= periods.period
         GROUP BY changes.company_id, changes.team_id, changes.user_id,
                  changes.coordinator_id, periods.period, periods.period_end
        HAVING SUM(changes.items) > 0
        """
    )
    receivable = SQL("SUM(balance)")
    end_items = SQL("COALESCE(SUM(items), 0)")
    measures = [
        (
            "money_receivables",
            receivable,
            end_items,
            SQL("CASE WHEN %s > 0 THEN COALESCE(%s, 0) END", end_items, receivable),
        ),
        # of the open amounts of the debit items (invoices): between 0 and 100 %; credit
        # notes and payments not reconciled with an invoice lower neither side (measured
        # against the receivables they lowered, overdue went over 100 %, or below 0)
        _ratio("money_overdue_pct", "SUM(overdue)", "NULLIF(SUM(debits), 0)", 100.0),
        _ratio("money_dso", SQL("%s * MAX(days)", receivable), "SUM(billed)"),
    ]
    ctes = [_periods_cte(params), daily, changes]
    return _aggregate(params, ctes, facts, measures, codes)


def support_kpis(cr, params, codes=None):
    return fetch_rows(cr, support_kpis_query(cr, params, codes))


def order_kpis(cr, params, codes=None):
    return fetch_rows(cr, order_kpis_query(cr, params, codes))


def customer_kpis(cr, params, codes=None):
    return fetch_rows(cr, customer_kpis_query(cr, params, codes))


def sales_kpis(cr, params, codes=None):
    return fetch_rows(cr, sales_kpis_query(cr, params, codes))


def money_kpis(cr, params, codes=None):
    return fetch_rows(cr, money_kpis_query(cr, params, codes))


# Definitions name their calculator by these keys (o2c.kpi.definition.compute_function): the
# function building its query, and the one returning its rows.
KPI_QUERIES = {
    "support_kpis": support_kpis_query,
    "order_kpis": order_kpis_query,
    "customer_kpis": customer_kpis_query,
    "sales_kpis": sales_kpis_query,
    "money_kpis": money_kpis_query,
}
KPI_FUNCTIONS = {
    "support_kpis": support_kpis,
    "order_kpis": order_kpis,
    "customer_kpis": customer_kpis,
    "sales_kpis": sales_kpis,
    "money_kpis": money_kpis,
}
# The KPI codes each calculator computes (a definition of another code naming it gets no
# figure from it).
KPI_CODES = {
    "support_kpis": frozenset(
        {
            "support_first_response_avg",
            "support_first_response_median",
            "support_resolution_avg",
            "support_resolution_median",
            "support_within_sla_pct",
            "support_open_requests_per_coordinator",
            "support_open_orders_per_coordinator",
            "support_salespeople_per_coordinator",
        }
    ),
    "order_kpis": frozenset(
        {
            "orders_processing_hours",
            "orders_shipment_hours",
            "orders_cycle_days",
            "orders_on_time_pct",
            "orders_perfect_pct",
            "orders_errors_per_100",
            "orders_claims_per_100",
        }
    ),
    "customer_kpis": frozenset(
        {
            "customers_rating_avg",
            "customers_satisfied_pct",
            "customers_won",
            "customers_retained",
            "customers_lost",
        }
    ),
    "sales_kpis": frozenset(
        {
            "sales_volume",
            "sales_quote_conversion_pct",
            "sales_lead_conversion_pct",
            "sales_average_order_value",
        }
    ),
    "money_kpis": frozenset({"money_receivables", "money_overdue_pct", "money_dso"}),
}


def calculators_of(code):
    """The calculators computing KPI ``code`` (none for a code no calculator knows)."""
    return [function for function, codes in KPI_CODES.items() if code in codes]


# How the figures of several rows (periods, teams, salespeople...) add up to a group total
# (pivot and graph views): {code: (kind, factor)}.
# - "ratio": value = factor x numerator / denominator, so the total is
#   factor x SUM(numerator) / SUM(denominator) (a weighted average, never an average of
#   averages);
# - "sum": the value is the numerator (a count or an amount of the period): the total is
#   SUM(numerator);
# - "stock": an amount at the period's end (receivables): SUM(numerator) within one period, no
#   total across periods;
# - "distinct": a count of distinct things (customers, coordinators, salespeople) over the
#   facts of the row: the same customer or coordinator can be in several rows (periods,
#   salespeople of a team), so the rows' counts do not add up; no total, but the single figure
#   of a group of one period and one dimension key;
# - "median": cannot be re-aggregated from the rows' figures: no total.
RATIO, SUM, STOCK, DISTINCT, MEDIAN = "ratio", "sum", "stock", "distinct", "median"
KPI_TOTALS = {
    "support_first_response_avg": (RATIO, 1.0),
    "support_first_response_median": (MEDIAN, None),
    "support_resolution_avg": (RATIO, 1.0),
    "support_resolution_median": (MEDIAN, None),
    "support_within_sla_pct": (RATIO, 100.0),
    "support_open_requests_per_coordinator": (DISTINCT, None),
    "support_open_orders_per_coordinator": (DISTINCT, None),
    "support_salespeople_per_coordinator": (DISTINCT, None),
    "orders_processing_hours": (RATIO, 1.0),
    "orders_shipment_hours": (RATIO, 1.0),
    "orders_cycle_days": (RATIO, 1.0),
    "orders_on_time_pct": (RATIO, 100.0),
    "orders_perfect_pct": (RATIO, 100.0),
    "orders_errors_per_100": (RATIO, 100.0),
    "orders_claims_per_100": (RATIO, 100.0),
    "customers_rating_avg": (RATIO, 1.0),
    "customers_satisfied_pct": (RATIO, 100.0),
    "customers_won": (DISTINCT, None),
    "customers_retained": (DISTINCT, None),
    "customers_lost": (DISTINCT, None),
    "sales_volume": (SUM, None),
    "sales_quote_conversion_pct": (RATIO, 100.0),
    "sales_lead_conversion_pct": (RATIO, 100.0),
    "sales_average_order_value": (RATIO, 1.0),
    "money_receivables": (STOCK, None),
    "money_overdue_pct": (RATIO, 100.0),
    "money_dso": (RATIO, 1.0),
}


def total_value_sql(code, numerator, denominator, date_start, value=None, keys=()):
    """SQL aggregate of the group total of the figures of KPI ``code`` (see
    :data:`KPI_TOTALS`) from the SQL expressions of their numerator, denominator and period
    start; for distinct counts, the figure (``value``) of a group of one period and one
    dimension key (``keys``: the columns of the dimension's key); NULL (no total) for medians
    and for KPIs it does not know."""
    kind, factor = KPI_TOTALS.get(code, (MEDIAN, None))
    if kind == DISTINCT and value is not None:
        single = SQL(" AND ").join(
            SQL("COUNT(DISTINCT COALESCE(%s, 0)) = 1", column) for column in keys
        )
        return SQL(
            "CASE WHEN COUNT(DISTINCT %s) = 1 AND %s THEN MAX(%s) END",
            date_start,
            single or SQL("TRUE"),
            value,
        )
    if kind == RATIO:
        return SQL("%s * SUM(%s) / NULLIF(SUM(%s), 0)", factor, numerator, denominator)
    if kind == SUM:
        return SQL("SUM(%s)", numerator)
    if kind == STOCK:
        return SQL("CASE WHEN COUNT(DISTINCT %s) = 1 THEN SUM(%s) END", date_start, numerator)
    return SQL("NULL::float8")


# The columns of KpiRow, typed: the query of "no figure at all".
NO_ROWS = SQL(
    "SELECT NULL::varchar AS code, NULL::date AS period_start, NULL::varchar AS dimension,"
    " NULL::int AS company_id, NULL::int AS team_id, NULL::int AS user_id,"
    " NULL::int AS coordinator_id, NULL::float8 AS numerator, NULL::float8 AS denominator,"
    " NULL::float8 AS value WHERE FALSE"
)


def kpis_query(cr, params, codes_by_function):
    """One query giving the rows of every calculator named in ``codes_by_function``
    {function: set(codes) or None for all}: the union of their queries (:data:`NO_ROWS` when
    none has a figure to compute)."""
    params = with_zones(cr, params)
    queries = [
        KPI_QUERIES[function_name](cr, params, codes)
        for function_name, codes in codes_by_function.items()
    ]
    queries = [SQL("(%s)", query) for query in queries if query is not None]
    return SQL(" UNION ALL ").join(queries) if queries else NO_ROWS


def compute_kpis(cr, params, codes_by_function):
    """Run the calculators named in ``codes_by_function`` {function: set(codes)}; return every
    :class:`KpiRow` (one query)."""
    return fetch_rows(cr, kpis_query(cr, params, codes_by_function))
