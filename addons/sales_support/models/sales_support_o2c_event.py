"""The Order-to-Cash event ledger: one append-only row per thing that happened to an order.

Events are written only by the server, in the core steps where they happen (quotation sent,
confirmation, cancellation, reset, reservation, picking validation, invoice posting,
reconciliation, claims, order-entry errors), dated by the source record where Odoo keeps a date.
Users and RPC read them; nobody creates, writes or deletes them (ACL read-only, and ``write`` /
``unlink`` refused even with elevated rights). The milestone datetimes on ``sale.order`` are
derived from this ledger (:meth:`_get_milestones`)."""

from datetime import datetime, time

import pytz
from psycopg2.extras import Json

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

EVENT_TYPES = [
    ("request", "Request Received"),
    ("quotation_sent", "Quotation Sent"),
    ("customer_confirmed", "Confirmed by Customer"),
    ("entered", "Order Entered"),
    ("reopened", "Reset to Quotation"),
    ("cancelled", "Cancelled"),
    ("goods_ready", "Goods Ready"),
    ("delivery_done", "Delivery Validated"),
    ("shipped", "Shipped"),
    ("shipping_reopened", "More to Ship"),
    ("return_done", "Return Received"),
    ("exchange_done", "Replacement Delivered"),
    ("invoice_posted", "Invoice Posted"),
    ("downpayment_posted", "Down-Payment Invoice Posted"),
    ("credit_note_posted", "Credit Note Posted"),
    ("invoice_cancelled", "Invoice Reset or Cancelled"),
    ("invoiced", "Fully Invoiced"),
    ("invoicing_reopened", "More to Invoice"),
    ("payment", "Payment Reconciled"),
    ("credit_note_settled", "Settled by Credit Note"),
    ("paid", "Paid"),
    ("payment_undone", "Payment Undone"),
    ("claim_opened", "Claim Opened"),
    ("claim_resolved", "Claim Resolved"),
    ("order_error", "Order-Entry Error"),
    ("document_ready", "Document Ready"),
    ("document_sent", "Document Sent"),
    ("document_returned", "Original Returned / Approved"),
    ("document_overridden", "Missing Documents Overridden"),
    ("tender_submitted", "Tender Submitted"),
    ("tender_won", "Tender Won"),
    ("tender_lost", "Tender Lost"),
]
# Milestone step that an event type reaches (see O2C_STEPS).
EVENT_SETS_STEP = {
    "request": "request",
    "quotation_sent": "quotation_sent",
    "customer_confirmed": "customer_confirmed",
    "entered": "entered",
    "goods_ready": "goods_ready",
    "shipped": "shipped",
    "invoiced": "invoiced",
    "paid": "paid",
}
# Milestone steps that an event type undoes.
EVENT_CLEARS_STEPS = {
    "reopened": ("customer_confirmed", "entered", "goods_ready", "shipped", "invoiced", "paid"),
    "shipping_reopened": ("goods_ready", "shipped"),
    "invoicing_reopened": ("invoiced", "paid"),
    "payment_undone": ("paid",),
}
SOURCE_MODELS = [
    ("sale.order", "Order"),
    ("stock.picking", "Transfer"),
    ("account.move", "Invoice"),
    ("account.partial.reconcile", "Reconciliation"),
    ("sales.support.request", "Customer Request"),
    ("sales.support.claim", "Claim"),
    ("sales.support.order.error", "Order-Entry Error"),
    ("sales.support.document", "Document"),
    ("sales.tender", "Tender"),
    ("sales.letter.of.credit", "Letter of Credit"),
]


def local_end_of_day(day, tz_name="UTC"):
    """The last second of ``day`` in the time zone ``tz_name``, as a naive UTC datetime."""
    local_end = pytz.timezone(tz_name or "UTC").localize(datetime.combine(day, time(23, 59, 59)))
    return local_end.astimezone(pytz.utc).replace(tzinfo=None)


def end_of_day(day, now, tz_name="UTC"):
    """A date-only source (invoice date, reconciliation date) as a naive UTC datetime: the end of
    that day in the time zone ``tz_name`` (where the date was given: the company's), never later
    than ``now``, so that it never precedes a same-day event of the order. (At 23:59:59 UTC, an
    invoice dated in Los Angeles at 17:30 local time would precede the order's entry.)"""
    if not day:
        return now
    return min(now, local_end_of_day(day, tz_name))


class SalesSupportO2cEvent(models.Model):
    _name = "sales.support.o2c.event"
    _description = "Order-to-Cash Event"
    _order = "date desc, id desc"
    _rec_name = "event_type"

    order_id = fields.Many2one(
        "sale.order", string="Order", index=True, ondelete="cascade", readonly=True
    )
    tender_id = fields.Many2one(
        "sales.tender",
        string="Tender",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        help="Tender steps and tender documents (an event has an order, a tender, or both).",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    event_type = fields.Selection(
        EVENT_TYPES, string="Event", required=True, index=True, readonly=True
    )
    step = fields.Selection(
        selection="_selection_step",
        compute="_compute_step",
        string="Milestone",
        help="Order-to-Cash milestone this event reaches, if any.",
    )
    date = fields.Datetime(
        required=True,
        index=True,
        readonly=True,
        help="When it happened, taken from the source document where Odoo keeps it.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Done By",
        readonly=True,
        help="Who caused the event (empty for automatic steps).",
    )
    source_model = fields.Selection(SOURCE_MODELS, string="Source Type", readonly=True)
    source_id = fields.Many2oneReference(
        string="Source ID", model_field="source_model", readonly=True
    )
    source_ref = fields.Reference(
        selection=SOURCE_MODELS, string="Source", compute="_compute_source_ref"
    )
    name = fields.Char(
        string="Description",
        readonly=True,
        translate=True,
        help="Document number, or what happened in each installed language (not in the language "
        "of whoever caused it).",
    )
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    coordinator_id = fields.Many2one(related="order_id.coordinator_id")
    salesperson_id = fields.Many2one(related="order_id.user_id", string="Salesperson")

    _sql_constraints = [
        (
            "order_or_tender",
            "CHECK(order_id IS NOT NULL OR tender_id IS NOT NULL)",
            "An Order-to-Cash event belongs to an order or a tender.",
        ),
    ]

    def init(self):
        # The ledger of an order is read in insertion order to derive its milestones.
        self.env.cr.execute(
            SQL("""
            CREATE INDEX IF NOT EXISTS sales_support_o2c_event_order_id_id_idx
                ON sales_support_o2c_event (order_id, id)
        """)
        )

    @api.model
    def _selection_step(self):
        from .sales_support_o2c_step import O2C_STEP_SELECTION

        return O2C_STEP_SELECTION

    @api.depends("event_type")
    def _compute_step(self):
        for event in self:
            event.step = EVENT_SETS_STEP.get(event.event_type, False)

    @api.depends("source_model", "source_id")
    def _compute_source_ref(self):
        for event in self:
            event.source_ref = (
                f"{event.source_model},{event.source_id}"
                if event.source_model and event.source_id
                else False
            )

    @api.depends("event_type", "order_id", "tender_id")
    def _compute_display_name(self):
        labels = dict(self._fields["event_type"]._description_selection(self.env))
        for event in self:
            event.display_name = (
                f"{event.order_id.name or event.tender_id.name or ''}: "
                f"{labels.get(event.event_type, '')}"
            )

    # ------------------------------------------------------------
    # Append-only
    # ------------------------------------------------------------
    def write(self, vals):  # pylint: disable=method-required-super
        # No super(): an event is never rewritten, not even by the server (append-only ledger).
        self.check_access("write")  # users get the access error; the server gets the reason below
        raise UserError(
            _(
                "Order-to-Cash events are a ledger: they cannot be changed. What happened "
                "next is recorded as a new event by the step that causes it."
            )
        )

    @api.ondelete(at_uninstall=True)
    def _unlink_never(self):
        raise UserError(
            _(
                "Order-to-Cash events are a ledger: they cannot be deleted. They go "
                "with their order when the order itself is deleted."
            )
        )

    # ------------------------------------------------------------
    # Server API
    # ------------------------------------------------------------
    @api.model
    def _log_events(self, values_list):
        """Append events. Each dict: ``order_id`` and/or ``tender_id`` (id or record),
        ``event_type``, optional ``date`` (default now), ``source`` (any record), ``user_id``
        (default the current user when a person), ``name`` (a string, e.g. a document number, or
        a function of an environment returning the text in its language: stored in every
        installed language). Returns the new events. Server-side only (not callable over
        RPC)."""
        now = fields.Datetime.now()
        person = (
            self.env.user
            if self.env.user._is_internal() and not self.env.user._is_superuser()
            else False
        )
        rows = []
        described = {}  # row index: name function
        for values in values_list:
            values = dict(values)
            if callable(values.get("name")):
                described[len(rows)] = values.pop("name")
            order = values.pop("order_id", False)
            order = (
                order
                if isinstance(order, models.BaseModel)
                else self.env["sale.order"].browse(order or [])
            )
            tender = values.pop("tender_id", False)
            tender = (
                tender
                if isinstance(tender, models.BaseModel)
                else self.env["sales.tender"].browse(tender or [])
            )
            source = values.pop("source", None)
            if source is not None and source._name not in dict(SOURCE_MODELS):
                source = None
            user = values.pop("user_id", None)
            if isinstance(user, models.BaseModel):
                user = user.id
            rows.append(
                {
                    "order_id": order.id,
                    "tender_id": tender.id,
                    "company_id": (order.company_id or tender.company_id).id,
                    "date": values.pop("date", None) or now,
                    "user_id": (person.id if person else False) if user is None else user,
                    "source_model": source._name if source else False,
                    "source_id": source.id if source else False,
                    **values,
                }
            )
        if not rows:
            return self.browse()
        translations = {}
        if described:
            langs = [code for code, _name in self.env["res.lang"].get_installed()]
            envs = {lang: self.with_context(lang=lang).env for lang in {"en_US", *langs}}
            for index, name in described.items():
                translations[index] = {lang: name(env) for lang, env in envs.items()}
                rows[index]["name"] = translations[index]["en_US"]
        # sudo: the ledger is written by the server only; users have read access to it.
        # The orders' milestones follow (stored computes depending on o2c_event_ids).
        events = self.sudo().with_context(lang="en_US").create(rows)
        if translations:
            # every language at once (write is refused on the ledger): one UPDATE
            self.env.cr.execute(
                SQL(
                    """
                UPDATE sales_support_o2c_event event
                   SET name = v.name
                  FROM (VALUES %s) AS v(id, name)
                 WHERE event.id = v.id
            """,
                    SQL(", ").join(
                        SQL("(%s, %s::jsonb)", events[index].id, Json(names))
                        for index, names in translations.items()
                    ),
                )
            )
            events.invalidate_recordset(["name"])
        return events.with_env(self.env)

    @api.model
    def _get_milestones(self, orders):
        """{order id: {step: datetime}} derived from the ledger of ``orders``, in one query.

        Events are applied in insertion order: a reaching event sets its step (the earliest date
        reached since the step was last undone); an undoing event (reset to quotation, more to ship,
        more to invoice, payment undone) clears the steps it undoes.

        A request dated after the order was first sent, confirmed by the customer or entered
        cannot be its start (history imported into Odoo with earlier order dates, whose request
        is dated by the import; a request linked to the order afterwards): the request step is
        then unknown (empty), as any step that cannot be dated, never a negative duration."""
        result = {order_id: {} for order_id in orders.ids}
        # the first time each order was sent, confirmed or entered, whatever was undone since
        first_steps = {}
        if not orders.ids:
            return result
        self.flush_model(["order_id", "event_type", "date"])
        self.env.cr.execute(
            SQL(
                """
            SELECT order_id, event_type, date FROM sales_support_o2c_event
             WHERE order_id = ANY(%s) ORDER BY order_id, id
        """,
                orders.ids,
            )
        )
        for order_id, event_type, date in self.env.cr.fetchall():
            milestones = result[order_id]
            for step in EVENT_CLEARS_STEPS.get(event_type, ()):
                milestones.pop(step, None)
            step = EVENT_SETS_STEP.get(event_type)
            if step and (step not in milestones or date < milestones[step]):
                milestones[step] = date
            if step in ("quotation_sent", "customer_confirmed", "entered"):
                first = first_steps.get(order_id)
                first_steps[order_id] = min(first, date) if first else date
        for order_id, first in first_steps.items():
            request = result[order_id].get("request")
            if request and request > first:
                del result[order_id]["request"]
        return result
