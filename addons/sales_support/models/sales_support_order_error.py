import sys

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.api import call_kw
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.misc import clean_context

ERROR_TYPES = [
    ("product", "Product"),
    ("quantity", "Quantity"),
    ("price", "Price"),
    ("address", "Address"),
    ("terms", "Terms"),
    ("duplicate", "Duplicate"),
]
# The client calls (web client or RPC) by which a person edits an order. Whatever else writes an
# order line (validating a delivery, Update Prices, invoicing, down payments, crons, server
# actions, Odoo's own computations) is the system's work: never an order-entry error.
PERSON_EDIT_CALLS = {
    ("sale.order", "web_save"),
    ("sale.order", "write"),
    ("sale.order.line", "web_save"),
    ("sale.order.line", "write"),
    ("sale.order.line", "create"),
    ("sale.order.line", "unlink"),
    # Odoo's Discount button on the order (a discount on every line, or a discount line)
    ("sale.order.discount", "action_apply_discount"),
}


def get_client_call():
    """``(model, method)`` of the client call being served, or None.

    The web client (``/web/dataset/call_kw``) and RPC clients (``/xmlrpc/2/object``, ``/jsonrpc``)
    all reach the models through ``odoo.api.call_kw``: its outermost frame on the stack names the
    call a person (or their script) made. Code run by crons, by other server flows or by tests
    calling models directly has no such frame."""
    frame = sys._getframe(1)
    call = None
    while frame is not None:
        if frame.f_code is call_kw.__code__:
            call = (frame.f_locals["model"]._name, frame.f_locals["name"])
        frame = frame.f_back
    return call


class SalesSupportOrderError(models.Model):
    """An order-entry error: logged by hand, from a claim, or detected when a person edits a
    confirmed order or cancels it and replaces it by a copy.

    Changes the customer asked for (``is_customer_request``) are kept for the history but are no
    errors: the error rate leaves them out."""

    _name = "sales.support.order.error"
    _description = "Order-Entry Error"
    _inherit = ["sales.support.input.mixin", "mail.thread"]
    _order = "date_found desc, id desc"
    _check_company_auto = True
    _server_fields = ("origin", "replacement_order_id")

    # The order is chosen first and gives the company: no check_company on it (the company,
    # related to the order, is empty until an order is chosen); the multi-company record rule
    # of sale.order limits the choice to the user's companies.
    order_id = fields.Many2one(
        "sale.order",
        string="Order",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('state', 'in', ('sale', 'cancel'))]",
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer", store=True)
    coordinator_id = fields.Many2one(related="order_id.coordinator_id", store=True, index=True)
    user_id = fields.Many2one(
        related="order_id.user_id", string="Salesperson", store=True, index=True
    )
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Who entered the order: the person charged with the error.",
    )
    error_type = fields.Selection(ERROR_TYPES, required=True, tracking=True)
    found_by = fields.Selection(
        [("internal", "Internal"), ("customer", "Customer")],
        required=True,
        default="internal",
        tracking=True,
    )
    date_found = fields.Datetime(
        string="Found At", required=True, default=fields.Datetime.now, index=True
    )
    cost = fields.Monetary(
        currency_field="currency_id",
        tracking=True,
        help="What the error cost (freight, credit, write-off).",
    )
    description = fields.Text()
    origin = fields.Selection(
        [
            ("manual", "Logged by Hand"),
            ("claim", "From a Claim"),
            ("edit", "Edited after Confirmation"),
            ("replacement", "Cancelled and Replaced"),
        ],
        required=True,
        default="manual",
        readonly=True,
    )
    can_judge = fields.Boolean(
        compute="_compute_can_judge",
        help="The current user may judge the error (not the person charged with it).",
    )
    is_customer_request = fields.Boolean(
        string="Customer Asked for This Change",
        tracking=True,
        index=True,
        help="The change was asked for by the customer: it is kept for the history but is no "
        "order-entry error and does not count in the error rate.",
    )
    claim_id = fields.Many2one(
        "sales.support.claim", string="Claim", index="btree_not_null", check_company=True
    )
    replacement_order_id = fields.Many2one("sale.order", string="Replaced By", readonly=True)

    @api.depends("order_id", "error_type")
    def _compute_display_name(self):
        labels = dict(self._fields["error_type"]._description_selection(self.env))
        for error in self:
            error.display_name = f"{error.order_id.name or ''} · {labels.get(error.error_type, '')}"

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("cost")
    def _check_cost(self):
        for error in self:
            if error.cost < 0:
                raise ValidationError(_("The cost of an order-entry error cannot be negative."))

    @api.constrains("responsible_user_id")
    def _check_responsible_user_id(self):
        for error in self:
            user = error.responsible_user_id
            if user._is_superuser() or not user._is_internal():
                raise ValidationError(
                    _(
                        "%(user)s is not an employee and cannot be responsible for an "
                        "order-entry error: "
                        "choose who entered order %(order)s.",
                        user=user.name,
                        order=error.order_id.name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_server_fields(vals)
        errors = super().create(vals_list)
        # a "Log Entry Error" form comes with default_* context keys: not for the ledger events
        errors.with_env(errors.env(context=clean_context(errors.env.context)))._log_o2c_events()
        return errors

    def write(self, vals):
        self._check_server_fields(vals)
        self._check_not_own_errors()
        return super().write(vals)

    def _log_o2c_events(self):
        def describe(error):
            def name(env):
                label = dict(error._fields["error_type"]._description_selection(env))[
                    error.error_type
                ]
                if error.is_customer_request:
                    return env._("%(type)s (customer request)", type=label)
                return label

            return name

        self.env["sales.support.o2c.event"]._log_events(
            [
                {
                    "order_id": error.order_id,
                    # dated by the server's clock when it is recorded: date_found is what the
                    # person logging it says (like claims' date_claim)
                    "event_type": "order_error",
                    "source": error,
                    "user_id": error.responsible_user_id,
                    "name": describe(error),
                }
                for error in self
            ]
        )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    @api.depends("responsible_user_id")
    @api.depends_context("uid")
    def _compute_can_judge(self):
        manager = self.env.user.has_group("sales_support.group_support_manager")
        for error in self:
            error.can_judge = manager or error.responsible_user_id != self.env.user

    def _check_not_own_errors(self):
        """Whoever is charged with an error does not judge it: a colleague coordinator or a
        customer-service manager does (the error rate feeds KPIs and pay)."""
        if self.env.su or self.env.user.has_group("sales_support.group_support_manager"):
            return
        own = self.filtered(lambda e: e.responsible_user_id == self.env.user)
        if own:
            raise AccessError(
                _(
                    "You are charged with %(errors)s: ask a customer-service manager to review "
                    "it, you cannot change it yourself.",
                    errors=", ".join(own.mapped("display_name")),
                )
            )

    def action_mark_customer_request(self):
        """The customer asked for the change: no error, out of the error rate."""
        self.check_access("write")
        self._check_not_own_errors()
        self.filtered(lambda e: not e.is_customer_request).write({"is_customer_request": True})
        return True

    def action_unmark_customer_request(self):
        self.check_access("write")
        self._check_not_own_errors()
        self.filtered("is_customer_request").write({"is_customer_request": False})
        return True

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    @api.model
    def _is_person_edit(self):
        """Whether the write running now is a person's edit of an order (see PERSON_EDIT_CALLS),
        not a write made by Odoo or by another flow. Entry points that are not a client's
        ``write`` (the product catalog) say so with the context key
        ``sales_support_person_edit``."""
        context = self.env.context
        if self.env.su or context.get("sale_write_from_compute"):
            return False
        call = get_client_call()
        if call in PERSON_EDIT_CALLS:
            # a client cannot switch the log off by sending a context key
            return True
        if context.get("sales_support_no_error_log"):
            return False
        return bool(context.get("sales_support_person_edit"))

    def _notify_detected(self):
        """Errors detected automatically are told, not logged silently: a note on the order's
        chatter linking each error, and a notification in the browser of the person who made the
        change (the web client shows it at once)."""
        if not self:
            return
        labels = dict(self._fields["error_type"]._description_selection(self.env))
        for order in self.order_id:
            errors = self.filtered(lambda e, order=order: e.order_id == order)
            items = Markup().join(
                Markup('<li><a href="#" data-oe-model="%s" data-oe-id="%s">%s</a>: %s</li>')
                % (error._name, error.id, labels[error.error_type], error.description or "")
                for error in errors
            )
            body = Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
                _(
                    "Order-entry error logged, charged to %(user)s:",
                    user=errors[0].responsible_user_id.name,
                ),
                items,
                _(
                    "If the customer asked for this change, open the error and click "
                    '"Customer Asked '
                    'for This": it then leaves the error rate.'
                ),
            )
            # sudo: the note is the system's record of what it logged; its author stays the user
            order.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        user = self.env.user
        if user._is_internal() and not user._is_superuser():
            user._bus_send(
                "simple_notification",
                {
                    "type": "warning",
                    "title": _("Order-entry error logged"),
                    "message": _(
                        "%(orders)s: %(types)s. If the customer asked for this change, mark it "
                        "on the "
                        "order's Entry Errors.",
                        orders=", ".join(self.order_id.mapped("name")),
                        types=", ".join(sorted({labels[t] for t in self.mapped("error_type")})),
                    ),
                    "sticky": False,
                },
            )

    @api.model
    def _get_responsible(self, order):
        """Who is charged with an error of ``order``: who entered it, else the salesperson; never a
        portal or public user nor OdooBot. Empty when the order has neither."""
        for user in (order.order_entry_user_id, order.user_id):
            if user and not user._is_superuser() and user._is_internal():
                return user
        return self.env["res.users"]
