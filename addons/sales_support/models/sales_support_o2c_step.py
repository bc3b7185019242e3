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
    hours).

    A target without company (the ones this module ships) applies to every company that has no
    target of its own for that step; a company's own target overrides it for its orders only.
    Support managers maintain their companies' targets; the shared ones are the Settings
    administrators' (a change there moves the deadlines of every company using them)."""

    _name = "sales.support.o2c.step"
    _description = "Order-to-Cash Step Target"
    _order = "sequence, company_id, id"
    _check_company_auto = True

    code = fields.Selection(O2C_STEP_SELECTION[1:], required=True)
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="The company whose orders this target applies to; empty: every company without a "
        "target of its own for the step.",
    )
    target_hours = fields.Float(
        string="Target (hours)",
        required=True,
        help="Hours allowed after the previous milestone; the order is late on this step past it.",
    )

    is_editable = fields.Boolean(
        compute="_compute_is_editable",
        help="Whether the current user may change this target: support and sales managers their "
        "companies' own, administrators the shared ones too.",
    )

    _sql_constraints = [
        (
            "code_uniq",
            "unique(code, company_id)",
            "There is one target per Order-to-Cash step and company (and one for all companies).",
        )
    ]

    def _init_column(self, column_name):
        # A new company column is not filled with the default (the current company): the targets
        # that exist when it is added are the shared ones, for every company.
        if column_name == "company_id":
            return
        super()._init_column(column_name)

    def init(self):
        # the unique constraint does not compare NULLs: one shared target per step
        self.env.cr.execute(
            SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS sales_support_o2c_step_shared_code_uniq
                ON sales_support_o2c_step (code) WHERE company_id IS NULL
        """)
        )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_is_editable(self):
        # the record rules decide (managers: their companies' own; administrators: all)
        editable = self._origin._filtered_access("write")
        for step in self:
            step.is_editable = not step._origin or step._origin in editable

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
    def _get_targets(self, company=None):
        """{step code: target hours} for the orders of ``company`` (its own targets over the
        shared ones; only the shared ones without company), cached per company until a target
        changes: no query per order."""
        return dict(self._get_targets_cached(company.id if company else False))

    @api.model
    @tools.ormcache("company_id")
    def _get_targets_cached(self, company_id):
        # sudo: step targets are settings read while stamping anyone's order, of any company.
        steps = self.sudo().search_fetch(
            [("company_id", "in", [False, company_id] if company_id else [False])],
            ["code", "target_hours", "company_id"],
        )
        targets = {step.code: step.target_hours for step in steps if not step.company_id}
        targets.update({step.code: step.target_hours for step in steps if step.company_id})
        return tuple(targets.items())

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _get_targets_cached
        steps = super().create(vals_list)
        steps._update_open_deadlines(steps._get_deadline_scopes())
        return steps

    def write(self, vals):
        self.env.registry.clear_cache()  # _get_targets_cached
        moved = {"target_hours", "code", "company_id"} & vals.keys()
        scopes = self._get_deadline_scopes() if moved else set()
        res = super().write(vals)
        if moved:
            self._update_open_deadlines(scopes | self._get_deadline_scopes())
        return res

    def unlink(self):
        self.env.registry.clear_cache()  # _get_targets_cached
        scopes = self._get_deadline_scopes()
        res = super().unlink()
        # the company's orders go back to the shared target (or to none)
        self.browse()._update_open_deadlines(scopes)
        return res

    def _get_deadline_scopes(self):
        """(step code, company id or False) of ``self``: the orders whose deadline they set."""
        return {(step.code, step.company_id.id) for step in self}

    @api.model
    def _update_open_deadlines(self, scopes):
        """Move the stored deadline of every order whose next step is in ``scopes`` (see
        :meth:`_get_deadline_scopes`) to the target that now applies to its company: one UPDATE
        per scope, whatever the number of orders. A company's target moves that company's
        orders only; a shared one, the orders of the companies without a target of their own."""
        from .sale_order import DELIVERY_CODES  # sale_order imports this file

        orders = self.env["sale.order"]
        orders.flush_model()
        self.flush_model()
        start_columns = {
            "invoiced": SQL(
                "CASE WHEN has_o2c_deliveries THEN date_o2c_shipped ELSE date_o2c_entered END"
            ),
            "paid": SQL("date_o2c_invoiced"),
        }
        codes = [code for code, _label, _fname in O2C_STEPS]
        for code, company_id in sorted(scopes, key=lambda scope: (scope[0], scope[1] or 0)):
            company = self.env["res.company"].browse(company_id)
            hours = self._get_targets(company).get(code)
            previous_field = O2C_STEPS[codes.index(code) - 1][2]
            start = start_columns.get(code, SQL.identifier(previous_field))
            condition = SQL()
            if code == "goods_ready":
                # orders whose deliveries are all reserved already are not due (reserved before
                # the install, at no known time: sale.order._get_o2c_deadline)
                condition = SQL(
                    """
                AND EXISTS (
                    SELECT 1
                      FROM stock_picking sp
                      JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
                      JOIN stock_move sm ON sm.picking_id = sp.id
                     WHERE sp.sale_id = sale_order.id AND spt.code IN %(codes)s
                       AND sp.state != 'cancel' AND sp.return_id IS NULL
                       AND sm.is_o2c_exchange IS NOT TRUE
                       AND sm.state NOT IN ('assigned', 'done', 'cancel'))""",
                    codes=DELIVERY_CODES,
                )
            elif code == "invoiced":
                condition = SQL("AND invoice_status = 'to invoice'")
            elif code == "paid":
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
            if company_id:
                company_condition = SQL("AND company_id = %s", company_id)
            else:
                company_condition = SQL(
                    """AND company_id NOT IN (
                    SELECT company_id FROM sales_support_o2c_step
                     WHERE code = %s AND company_id IS NOT NULL)""",
                    code,
                )
            deadline = (
                SQL("%s + make_interval(secs => %s)", start, hours * 3600) if hours else SQL("NULL")
            )
            self.env.cr.execute(
                SQL(
                    """
                UPDATE sale_order
                   SET date_o2c_next_deadline = %(deadline)s
                 WHERE o2c_next_step = %(code)s AND %(start)s IS NOT NULL
                       %(condition)s %(company_condition)s
            """,
                    deadline=deadline,
                    start=start,
                    code=code,
                    condition=condition,
                    company_condition=company_condition,
                )
            )
        orders.invalidate_model(["date_o2c_next_deadline"])
