from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# Order-to-Cash steps, in order: (code, label, milestone field on sale.order)
O2C_STEPS = [
    ("request", "Request Received", "date_o2c_request"),
    ("quotation_sent", "Quotation Sent", "date_o2c_quotation_sent"),
    ("customer_confirmed", "Confirmed by Customer", "date_o2c_customer_confirmed"),
    ("entered", "Order Entered", "date_o2c_entered"),
    ("goods_ready", "Goods Ready", "date_o2c_goods_ready"),
    ("shipped", "Shipped", "date_o2c_shipped"),
    ("invoiced", "Invoiced", "date_o2c_invoiced"),
    ("paid", "Paid", "date_o2c_paid"),
]
O2C_STEP_SELECTION = [(code, label) for code, label, _field in O2C_STEPS]


class SalesSupportO2cStep(models.Model):
    """Target duration of each Order-to-Cash step, from the previous milestone (wall-clock
    hours)."""

    _name = "sales.support.o2c.step"
    _description = "Order-to-Cash Step Target"
    _order = "sequence, id"

    code = fields.Selection(O2C_STEP_SELECTION[1:], required=True, readonly=True)
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    target_hours = fields.Float(
        string="Target (hours)",
        required=True,
        help="Hours allowed after the previous milestone; the order is late on this step past it.",
    )

    _sql_constraints = [
        ("code_uniq", "unique(code)", "There is one target per Order-to-Cash step.")
    ]

    @api.constrains("target_hours")
    def _check_target_hours(self):
        for step in self:
            if step.target_hours <= 0:
                raise ValidationError(
                    _(
                        "The target of step %(step)s must be a positive number of hours.",
                        step=step.name,
                    )
                )

    @api.model
    def _get_targets(self):
        """{step code: target hours}, cached until a target changes."""
        return dict(self._get_targets_cached())

    @api.model
    @tools.ormcache()
    def _get_targets_cached(self):
        # sudo: step targets are company-wide settings read while stamping anyone's order.
        return tuple(
            (step.code, step.target_hours)
            for step in self.sudo().search_fetch([], ["code", "target_hours"])
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _get_targets_cached
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()  # _get_targets_cached
        res = super().write(vals)
        if "target_hours" in vals:
            self._update_open_deadlines()
        return res

    def _update_open_deadlines(self):
        """Move the stored deadline of every order whose next step is one of ``self`` to the new
        target: one UPDATE per step, whatever the number of orders."""
        orders = self.env["sale.order"]
        orders.flush_model()
        start_columns = {
            "invoiced": SQL(
                "CASE WHEN has_o2c_deliveries THEN date_o2c_shipped ELSE date_o2c_entered END"
            ),
            "paid": SQL("date_o2c_invoiced"),
        }
        codes = [code for code, _label, _fname in O2C_STEPS]
        for step in self:
            previous_field = O2C_STEPS[codes.index(step.code) - 1][2]
            start = start_columns.get(step.code, SQL.identifier(previous_field))
            condition = SQL()
            if step.code == "invoiced":
                condition = SQL("AND invoice_status = 'to invoice'")
            elif step.code == "paid":
                # orders with open invoices are due at their invoices' due date (payment terms)
                condition = SQL("""
                AND NOT EXISTS (
                    SELECT 1
                      FROM sale_order_line sol
                      JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                      JOIN account_move am ON am.id = aml.move_id
                     WHERE sol.order_id = sale_order.id
                       AND am.state = 'posted' AND am.move_type = 'out_invoice'
                       AND am.payment_state NOT IN ('paid', 'in_payment', 'reversed')
                       AND am.invoice_date_due IS NOT NULL)""")
            self.env.cr.execute(
                SQL(
                    """
                UPDATE sale_order
                   SET date_o2c_next_deadline = %(start)s + make_interval(secs => %(seconds)s)
                 WHERE o2c_next_step = %(code)s AND %(start)s IS NOT NULL %(condition)s
            """,
                    start=start,
                    seconds=step.target_hours * 3600,
                    code=step.code,
                    condition=condition,
                )
            )
        orders.invalidate_model(["date_o2c_next_deadline"])

    def unlink(self):
        self.env.registry.clear_cache()  # _get_targets_cached
        return super().unlink()
