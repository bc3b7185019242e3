from odoo import api, fields, models

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
    period_type = fields.Selection(PERIOD_TYPES, required=True, readonly=True)
    date_start = fields.Date(string="Period Start", required=True, readonly=True)
    date_end = fields.Date(string="Period End", required=True, readonly=True)
    dimension = fields.Selection(DIMENSIONS, required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, index="btree_not_null")
    user_id = fields.Many2one(
        "res.users", string="Salesperson", readonly=True, index="btree_not_null"
    )
    coordinator_id = fields.Many2one(
        "res.users", string="Coordinator", readonly=True, index="btree_not_null"
    )
    value = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Empty when there is no data for the period (never 0 for 'no data').",
    )
    numerator = fields.Float(readonly=True, aggregator="sum")
    denominator = fields.Float(readonly=True, aggregator="sum")
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="For amounts: the company's currency.",
    )
    date_computed = fields.Datetime(string="Computed At", readonly=True)

    def init(self):
        super().init()
        # Dashboards read one KPI set for a period range and a dimension.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS o2c_kpi_value_read_idx
                ON o2c_kpi_value (period_type, dimension, date_start, kpi_id)
            """
        )

    @api.model
    def _get_refresh_engine(self):
        from ..engine import kpi_functions

        return kpi_functions
