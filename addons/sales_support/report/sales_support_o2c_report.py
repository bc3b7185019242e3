from odoo import api, fields, models
from odoo.tools import SQL

from ..models.sale_order import O2C_STAGES
from ..models.sales_support_o2c_step import O2C_STEP_SELECTION

# (duration field, label, start milestone column, end milestone column)
O2C_DURATIONS = [
    ("quotation_hours", "Request to Quotation (h)", "date_o2c_request", "date_o2c_quotation_sent"),
    (
        "confirmation_hours",
        "Quotation to Customer Confirmation (h)",
        "COALESCE(date_o2c_quotation_sent, date_o2c_request)",
        "date_o2c_customer_confirmed",
    ),
    ("entry_hours", "Confirmation to Entry (h)", "date_o2c_customer_confirmed", "date_o2c_entered"),
    ("processing_hours", "Request to Entry (h)", "date_o2c_request", "date_o2c_entered"),
    ("preparation_hours", "Entry to Goods Ready (h)", "date_o2c_entered", "date_o2c_goods_ready"),
    ("shipping_hours", "Goods Ready to Shipment (h)", "date_o2c_goods_ready", "date_o2c_shipped"),
    ("delivery_hours", "Entry to Shipment (h)", "date_o2c_entered", "date_o2c_shipped"),
    (
        "invoicing_hours",
        "Shipment (or Entry) to Invoice (h)",
        "CASE WHEN has_o2c_deliveries AND date_o2c_shipped <= date_o2c_invoiced "
        "THEN date_o2c_shipped ELSE date_o2c_entered END",
        "date_o2c_invoiced",
    ),
    ("payment_hours", "Invoice to Payment (h)", "date_o2c_invoiced", "date_o2c_paid"),
    ("cycle_hours", "Whole Cycle (h)", "date_o2c_request", "date_o2c_paid"),
]


class SalesSupportO2cReport(models.Model):
    """Order-to-Cash analysis: one row per order, durations between milestones in hours, NULL
    when a step was not reached (so that averages skip it, unlike a stored Float's 0.0).

    The base of the o2c_kpi engine; read like ``account.invoice.report`` (typed SQL view)."""

    _name = "sales.support.o2c.report"
    _description = "Order-to-Cash Analysis"
    _auto = False
    _rec_name = "order_id"
    _order = "date_order desc"

    order_id = fields.Many2one("sale.order", string="Order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    country_id = fields.Many2one("res.country", string="Customer Country", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    coordinator_id = fields.Many2one("res.users", string="Coordinator", readonly=True)
    order_entry_user_id = fields.Many2one("res.users", string="Entered By", readonly=True)
    state = fields.Selection(
        [
            ("draft", "Quotation"),
            ("sent", "Quotation Sent"),
            ("sale", "Sales Order"),
            ("cancel", "Cancelled"),
        ],
        string="Status",
        readonly=True,
    )
    o2c_stage = fields.Selection(O2C_STAGES, readonly=True)
    o2c_next_step = fields.Selection(O2C_STEP_SELECTION, string="Next Step", readonly=True)
    date_order = fields.Datetime(string="Order Date", readonly=True)
    date_o2c_request = fields.Datetime(string="Request Received", readonly=True)
    date_o2c_quotation_sent = fields.Datetime(string="Quotation Sent", readonly=True)
    date_o2c_customer_confirmed = fields.Datetime(string="Confirmed by Customer", readonly=True)
    date_o2c_entered = fields.Datetime(string="Order Entered", readonly=True)
    date_o2c_goods_ready = fields.Datetime(string="Goods Ready", readonly=True)
    date_o2c_shipped = fields.Datetime(string="Shipped", readonly=True)
    date_o2c_invoiced = fields.Datetime(string="Invoiced", readonly=True)
    date_o2c_paid = fields.Datetime(string="Paid", readonly=True)
    date_o2c_next_deadline = fields.Datetime(string="Next Step Due", readonly=True)
    is_late = fields.Boolean(string="Late Now", readonly=True)
    has_deliveries = fields.Boolean(readonly=True)
    has_claim = fields.Boolean(string="With Claim", readonly=True)
    order_count = fields.Integer(string="# Orders", readonly=True)
    claim_count = fields.Integer(string="# Claims", readonly=True)
    error_count = fields.Integer(string="# Entry Errors", readonly=True)
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount",
        currency_field="currency_id",
        readonly=True,
        help="In the company's currency, at the order's rate.",
    )
    quotation_hours = fields.Float(
        string="Request to Quotation (h)", readonly=True, aggregator="avg"
    )
    confirmation_hours = fields.Float(
        string="Quotation to Customer Confirmation (h)", readonly=True, aggregator="avg"
    )
    entry_hours = fields.Float(string="Confirmation to Entry (h)", readonly=True, aggregator="avg")
    processing_hours = fields.Float(string="Request to Entry (h)", readonly=True, aggregator="avg")
    preparation_hours = fields.Float(
        string="Entry to Goods Ready (h)", readonly=True, aggregator="avg"
    )
    shipping_hours = fields.Float(
        string="Goods Ready to Shipment (h)", readonly=True, aggregator="avg"
    )
    delivery_hours = fields.Float(string="Entry to Shipment (h)", readonly=True, aggregator="avg")
    invoicing_hours = fields.Float(
        string="Shipment (or Entry) to Invoice (h)", readonly=True, aggregator="avg"
    )
    payment_hours = fields.Float(string="Invoice to Payment (h)", readonly=True, aggregator="avg")
    cycle_hours = fields.Float(string="Whole Cycle (h)", readonly=True, aggregator="avg")

    @property
    def _table_query(self):
        return SQL("%s %s %s", self._select(), self._from(), self._where())

    @api.model
    def _select(self):
        durations = SQL(", ").join(
            SQL(
                "EXTRACT(EPOCH FROM (%s - %s)) / 3600.0 AS %s",
                SQL(end),
                SQL(start),
                SQL.identifier(fname),
            )
            for fname, _label, start, end in O2C_DURATIONS
        )
        return SQL(
            """
            SELECT so.id AS id,
                   so.id AS order_id,
                   so.company_id,
                   company.currency_id,
                   partner.commercial_partner_id AS partner_id,
                   partner.country_id,
                   so.user_id,
                   so.team_id,
                   so.coordinator_id,
                   so.order_entry_user_id,
                   so.state,
                   so.o2c_stage,
                   so.o2c_next_step,
                   so.date_order,
                   so.date_o2c_request, so.date_o2c_quotation_sent, so.date_o2c_customer_confirmed,
                   so.date_o2c_entered, so.date_o2c_goods_ready, so.date_o2c_shipped,
                   so.date_o2c_invoiced, so.date_o2c_paid, so.date_o2c_next_deadline,
                   COALESCE(so.date_o2c_next_deadline < (NOW() AT TIME ZONE 'UTC'), FALSE)
                       AS is_late,
                   COALESCE(so.has_o2c_deliveries, FALSE) AS has_deliveries,
                   claims.n IS NOT NULL AS has_claim,
                   1 AS order_count,
                   COALESCE(claims.n, 0) AS claim_count,
                   COALESCE(errors.n, 0) AS error_count,
                   so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1.0) AS amount_untaxed,
                   %s
        """,
            durations,
        )

    @api.model
    def _from(self):
        return SQL("""
              FROM sale_order so
              JOIN res_company company ON company.id = so.company_id
              JOIN res_partner partner ON partner.id = so.partner_id
         LEFT JOIN (SELECT order_id, COUNT(*) AS n FROM sales_support_claim
                     WHERE order_id IS NOT NULL GROUP BY order_id) claims ON claims.order_id = so.id
         LEFT JOIN (SELECT order_id, COUNT(*) AS n FROM sales_support_order_error
                     WHERE NOT COALESCE(is_customer_request, FALSE)
                     GROUP BY order_id) errors ON errors.order_id = so.id
        """)

    @api.model
    def _where(self):
        return SQL("")

    # Changes of these tables change the view's rows.
    _depends = {
        "sale.order": [
            "company_id",
            "partner_id",
            "user_id",
            "team_id",
            "coordinator_id",
            "order_entry_user_id",
            "state",
            "o2c_stage",
            "o2c_next_step",
            "date_order",
            "date_o2c_request",
            "date_o2c_quotation_sent",
            "date_o2c_customer_confirmed",
            "date_o2c_entered",
            "date_o2c_goods_ready",
            "date_o2c_shipped",
            "date_o2c_invoiced",
            "date_o2c_paid",
            "date_o2c_next_deadline",
            "has_o2c_deliveries",
            "amount_untaxed",
            "currency_rate",
        ],
        "sales.support.claim": ["order_id"],
        "sales.support.order.error": ["order_id", "is_customer_request"],
    }
