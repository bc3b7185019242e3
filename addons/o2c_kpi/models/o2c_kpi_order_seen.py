from odoo import api, fields, models
from odoo.tools import SQL

# What the KPI figures read of an order: {column of o2c.kpi.order.seen: SQL expression over
# sale_order ``so``}. The order's customer, state and dimensions are one fingerprint: a change
# of any of them moves every figure of the order.
ORDER_VALUES = {
    "company_id": "so.company_id",
    "fingerprint": (
        "md5(ROW(so.company_id, so.commercial_partner_id, so.team_id, so.user_id,"
        " so.coordinator_id, so.state)::text)"
    ),
    "order_create_date": "so.create_date",
    "date_order": "so.date_order",
    "date_request": "so.date_o2c_request",
    "date_entered": "so.date_o2c_entered",
    "date_shipped": "so.date_o2c_shipped",
    "date_paid": "so.date_o2c_paid",
    "commitment_date": "so.commitment_date",
    "delivery_status": "so.delivery_status",
    "has_deliveries": "so.has_o2c_deliveries",
    "amount_untaxed": "so.amount_untaxed",
    "currency_rate": "so.currency_rate",
}


class O2cKpiOrderSeen(models.Model):
    """The values of an order the KPI figures were last computed from (one row per order,
    written by the nightly refresh in bulk, never through the ORM). Comparing an order changed
    since with its row tells which figures the change moves, and from which date: shipping an
    order entered last month recomputes the periods from its shipment on, not from its entry.

    The row's id is the order's. The table has no foreign key (recording 100,000 orders would
    check 100,000 keys): a deleted order keeps its row, ``order_id`` emptied by
    ``sale.order.unlink``, until the next refresh has taken its figures away."""

    _name = "o2c.kpi.order.seen"
    _description = "Order as Last Measured by the KPIs"
    _auto = False
    _log_access = False

    order_id = fields.Many2one("sale.order", readonly=True, help="Empty once the order is deleted.")
    company_id = fields.Many2one("res.company", readonly=True)
    fingerprint = fields.Char(
        readonly=True,
        help="Of the order's customer, state, company, sales team, salesperson and coordinator.",
    )
    order_create_date = fields.Datetime(string="Order Created On", readonly=True)
    date_order = fields.Datetime(string="Order Date", readonly=True)
    date_request = fields.Datetime(string="Requested On", readonly=True)
    date_entered = fields.Datetime(string="Entered On", readonly=True)
    date_shipped = fields.Datetime(string="Shipped On", readonly=True)
    date_paid = fields.Datetime(string="Paid On", readonly=True)
    commitment_date = fields.Datetime(string="Delivery Date", readonly=True)
    delivery_status = fields.Char(readonly=True)
    has_deliveries = fields.Boolean(readonly=True)
    # numeric, as the order's columns: compared exactly
    amount_untaxed = fields.Float(string="Untaxed Amount", digits=0, readonly=True)
    currency_rate = fields.Float(digits=0, readonly=True)

    def init(self):
        res = super().init()
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS o2c_kpi_order_seen (
                id integer PRIMARY KEY,
                order_id integer,
                company_id integer NOT NULL,
                fingerprint varchar NOT NULL,
                order_create_date timestamp,
                date_order timestamp,
                date_request timestamp,
                date_entered timestamp,
                date_shipped timestamp,
                date_paid timestamp,
                commitment_date timestamp,
                delivery_status varchar,
                has_deliveries boolean,
                amount_untaxed numeric,
                currency_rate numeric
            ) WITH (fillfactor = 70);  -- rows rewritten in place (HOT) every night
            -- the refresh looks for the rows of deleted orders
            CREATE INDEX IF NOT EXISTS o2c_kpi_order_seen_deleted_idx
                ON o2c_kpi_order_seen (company_id) WHERE order_id IS NULL;
            """
        )
        return res

    @api.model
    def _record(self):
        """Record the current values of every order, replacing every row (the first nightly
        run, after computing every figure; the next runs record the orders changed since, see
        :meth:`_record_sql`), then gather the statistics the next runs' plans need."""
        self.env["sale.order"].flush_model()
        self.env.cr.execute("DELETE FROM o2c_kpi_order_seen")
        self.env.cr.execute(
            SQL(
                "INSERT INTO o2c_kpi_order_seen (id, order_id, %s) SELECT so.id, so.id, %s"
                " FROM sale_order so",
                SQL(", ").join(SQL.identifier(column) for column in ORDER_VALUES),
                SQL(", ").join(SQL(expression) for expression in ORDER_VALUES.values()),
            )
        )
        self.env.cr.execute("ANALYZE o2c_kpi_order_seen")
        self.invalidate_model()

    @api.model
    def _mark_deleted(self, order_ids):
        """Mark the rows of the orders ``order_ids`` deleted, keeping the values the figures
        were computed from. An order without a row (changed since it was measured, before any
        value was recorded) gets one with its current values, dated from the earliest of its
        creation and its ledger events (the dates of the milestones it had, which go with
        it). The next refresh takes their figures away and drops the rows."""
        self.env["sale.order"].flush_model()
        values = dict(
            ORDER_VALUES,
            order_create_date="""LEAST(so.create_date,
                                       (SELECT MIN(event.date) FROM sales_support_o2c_event event
                                         WHERE event.order_id = so.id))""",
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO o2c_kpi_order_seen (id, order_id, %(columns)s)
                SELECT so.id, NULL, %(values)s FROM sale_order so WHERE so.id = ANY(%(ids)s)
                ON CONFLICT (id) DO UPDATE SET order_id = NULL
                """,
                columns=SQL(", ").join(SQL.identifier(column) for column in values),
                values=SQL(", ").join(SQL(expression) for expression in values.values()),
                ids=list(order_ids),
            )
        )
        self.invalidate_model()

    @api.model
    def _record_sql(self, source):
        """Common table expressions (to follow others in a WITH) recording the rows of
        ``source`` (the name of a table or CTE with ``id`` and the columns of
        ``ORDER_VALUES``: values of orders) and dropping the rows of deleted orders. They see
        the rows as they were when the statement started: its query compares orders with
        their earlier values."""
        return SQL(
            """
            , recorded AS (
                INSERT INTO o2c_kpi_order_seen (id, order_id, %(columns)s)
                SELECT id, id, %(columns)s FROM %(source)s
                ON CONFLICT (id) DO UPDATE SET %(updates)s
            ), gone AS (
                -- (an order in the source is alive: a deletion refused after the mark)
                DELETE FROM o2c_kpi_order_seen seen
                 WHERE seen.order_id IS NULL
                   AND NOT EXISTS (SELECT 1 FROM %(source)s alive WHERE alive.id = seen.id)
            )""",
            columns=SQL(", ").join(SQL.identifier(column) for column in ORDER_VALUES),
            source=SQL.identifier(source),
            updates=SQL(", ").join(
                SQL("%s = EXCLUDED.%s", SQL.identifier(column), SQL.identifier(column))
                for column in ("order_id", *ORDER_VALUES)
            ),
        )
