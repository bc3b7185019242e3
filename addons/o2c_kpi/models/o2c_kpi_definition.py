from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..engine.kpi_functions import KPI_CODES, KPI_FUNCTIONS, calculators_of

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
    compute_function = fields.Selection(
        selection="_selection_compute_function",
        string="Calculator",
        required=True,
        help="The calculator of o2c_kpi/engine/kpi_functions.py computing this KPI (one per "
        "category).",
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
    def _selection_compute_function(self):
        """The registered calculators (``KPI_FUNCTIONS``): a definition can only name one."""
        labels = {
            "support_kpis": _("Support"),
            "order_kpis": _("Orders"),
            "customer_kpis": _("Customers"),
            "sales_kpis": _("Sales"),
            "money_kpis": _("Money"),
        }
        return [(name, labels.get(name, name)) for name in KPI_FUNCTIONS]

    @api.model
    def _check_compute_function_value(self, vals):
        """A clear error for a calculator that does not exist (an RPC write of the Selection
        would otherwise fail with a bare ValueError)."""
        function = vals.get("compute_function")
        if function and function not in KPI_FUNCTIONS:
            raise ValidationError(
                _(
                    "Unknown KPI calculator %(function)s: use one of %(functions)s.",
                    function=function,
                    functions=", ".join(KPI_FUNCTIONS),
                )
            )

    @api.constrains("code", "compute_function")
    def _check_compute_function(self):
        """A KPI that a calculator computes names that calculator: another one gives it no
        figure (and a refresh would find none to keep). A code no calculator computes (figures
        written by other means) may name any."""
        for kpi in self:
            calculators = calculators_of(kpi.code)
            if calculators and kpi.compute_function not in calculators:
                raise ValidationError(
                    _(
                        "The calculator %(function)s does not compute the KPI %(code)s: use "
                        "%(calculators)s.",
                        function=kpi.compute_function,
                        code=kpi.code,
                        calculators=", ".join(calculators),
                    )
                )

    def _is_computed_by_its_calculator(self):
        """Whether the KPI's calculator computes its code (the refresh skips the others, and
        never deletes their figures)."""
        self.ensure_one()
        return self.code in KPI_CODES.get(self.compute_function, ())

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_compute_function_value(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_compute_function_value(vals)
        return super().write(vals)
