from odoo import api, fields, models

KPI_UNITS = [
    ("hours", "Hours"),
    ("days", "Days"),
    ("percent", "Percent"),
    ("count", "Count"),
    ("amount", "Amount"),
    ("ratio", "Ratio"),
]
KPI_DIRECTIONS = [
    ("higher", "Higher is Better"),
    ("lower", "Lower is Better"),
    ("neutral", "Neither"),
]
KPI_CATEGORIES = [
    ("support", "Support"),
    ("orders", "Orders"),
    ("customers", "Customers"),
    ("sales", "Sales"),
    ("money", "Money"),
]


class O2cKpiDefinition(models.Model):
    """A KPI: what it measures and how (the written definition), and the name of the plain
    Python/SQL function of :mod:`odoo.addons.o2c_kpi.engine.kpi_functions` computing it."""

    _name = "o2c.kpi.definition"
    _description = "Order-to-Cash KPI"
    _order = "category, sequence, id"

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "A KPI code must be unique."),
    ]

    code = fields.Char(required=True, index=True)
    name = fields.Char(required=True, translate=True)
    description = fields.Text(
        translate=True,
        help="The written definition: formula, unit and which direction is better.",
    )
    category = fields.Selection(KPI_CATEGORIES, required=True, index=True)
    unit = fields.Selection(KPI_UNITS, required=True)
    direction = fields.Selection(KPI_DIRECTIONS, required=True, default="higher")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    compute_function = fields.Char(
        required=True,
        help="Name of the function of o2c_kpi/engine/kpi_functions.py computing this KPI.",
    )
    value_count = fields.Integer(compute="_compute_value_count", string="# Figures")

    def _compute_value_count(self):
        counts = dict(
            self.env["o2c.kpi.value"]._read_group(
                [("kpi_id", "in", self.ids)], ["kpi_id"], ["__count"]
            )
        )
        for kpi in self:
            kpi.value_count = counts.get(kpi, 0)

    @api.model
    def _get_compute_functions(self):
        from ..engine import kpi_functions

        return kpi_functions.KPI_FUNCTIONS
