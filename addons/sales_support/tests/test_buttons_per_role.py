"""Every button a role is shown in our forms works for that role, or is hidden from it.

For each form (the order form with our additions, customer requests, claims, order-entry errors,
customer cheques, the coordinators' user form) and each role (assistant, coordinator,
customer-service manager, salesperson; the sales manager and the accounting manager on the cheque
form, whose buttons are given to coordinators and accounting managers):
- the arch the role gets from ``get_views`` (buttons with ``groups=`` the role lacks are removed
  there, as in the web client);
- for each button of the form (not those of embedded lists), every prepared record the role can
  read on which the button is visible (its ``invisible`` expression evaluated on the record);
- the button is pressed as the role, in a savepoint that is rolled back: an ``object`` button calls
  its method, an ``action`` button loads its action with the record as active record;
- the action returned is followed one level as the web client would: a wizard (transient model
  opened in a dialog) is created with the action's context and each of its visible buttons is
  pressed; a window action must be readable by the role (model, and record when it has one).
An ``AccessError`` anywhere is a failure: the role was shown a button it may not use. A
``UserError`` / ``ValidationError`` is a business refusal with a message, which is accepted.

The methods pressed are logged, and ``MUST_WORK`` lists those that must have been pressed and must
have worked, so that a change in the views cannot silently empty this test.

The cheque buttons are also pressed one by one as every role, shown or not (an RPC call needs no
button): ``CHEQUE_ALLOWED`` roles must get the state change, the others an ``AccessError``.
"""

import ast
import logging
from contextlib import closing

from lxml import etree
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import SalesSupportCommon

_logger = logging.getLogger(__name__)

# Widgets of wizard forms that stand for a button: (widget name, method it calls)
WIDGET_BUTTONS = {"mail_composer_send_dropdown": "action_send_mail"}
# What the user types in a wizard before pressing its button: {model: values}
WIZARD_INPUT = {
    "sales.customer.cheque.bounce": {"bounce_reason": "Insufficient funds"},
    # sale_loyalty's "Coupon Code" (installed with the loyalty bridge): a code that does not
    # exist, refused with a message
    "sale.loyalty.coupon.wizard": {"coupon_code": "NO-SUCH-CODE"},
}
CHEQUE_BUTTONS = (
    "action_register_payment",
    "action_deposit",
    "action_clear",
    "action_open_bounce_wizard",
    "action_replace",
    "action_cancel",
    "action_view_payment",
)
# Roles that work the cheques of the customers they serve (groups of the form's buttons)
CHEQUE_ALLOWED = ("coordinator", "manager", "accountant")
# (role, model, method or action xmlid): pressed on some record, and worked (no refusal at all)
MUST_WORK = {
    *(
        (role, "sales.customer.cheque", button)
        for role in CHEQUE_ALLOWED
        for button in CHEQUE_BUTTONS
    ),
    ("coordinator", "sale.order", "action_confirm"),
    ("coordinator", "sale.order", "sale.action_view_sale_advance_payment_inv"),
    ("coordinator", "sale.order", "action_log_order_error"),
    ("coordinator", "sales.support.request", "action_start"),
    ("coordinator", "sales.support.request", "action_create_quotation"),
    ("coordinator", "sales.support.claim", "action_create_return"),
    ("manager", "sales.support.claim", "action_create_credit_note"),
    ("manager", "sales.support.request", "action_done"),
    ("salesperson", "sale.order", "action_confirm"),
}


@tagged("post_install", "-at_install")
class TestButtonsPerRole(SalesSupportCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = {
            "assistant": cls.assistant,
            "coordinator": cls.coordinator,
            "manager": cls.support_manager,
            "salesperson": cls.salesperson_1,
            # pressed on the cheque form only (see cheque_forms)
            "sales_manager": new_test_user(
                cls.env,
                login="ss_sales_manager",
                groups="sales_team.group_sale_manager",
                company_id=cls.company.id,
            ),
            "accountant": new_test_user(
                cls.env,
                login="ss_accountant",
                groups="account.group_account_manager",
                company_id=cls.company.id,
            ),
        }
        cls.goods = cls.env["product.product"].create(
            {
                "name": "Shelf",
                "type": "consu",
                "is_storable": True,
                "list_price": 100.0,
                "invoice_policy": "delivery",
            }
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.env["stock.quant"]._update_available_quantity(cls.goods, warehouse.lot_stock_id, 100)

        # Orders of salesperson 1 (served by the coordinator) at every step
        def order():
            return cls._create_order(cls.customer_1, products=cls.goods)

        cls.draft_order = order()
        cls.sent_order = order()
        cls.sent_order.action_quotation_sent()
        cls.confirmed_order = order()
        cls.confirmed_order.action_confirm()
        cls.delivered_order = order()
        cls.delivered_order.action_confirm()
        picking = cls.delivered_order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.button_validate()
        cls.invoiced_order = order()
        cls.invoiced_order.order_line.product_uom_qty = 5
        cls.invoiced_order.action_confirm()
        picking = cls.invoiced_order.picking_ids
        picking.move_ids.quantity = 5
        picking.move_ids.picked = True
        picking.button_validate()
        cls.invoice = cls.invoiced_order._create_invoices()
        cls.invoice.action_post()
        cls.cancelled_order = order()
        cls.cancelled_order.action_confirm()
        cls.cancelled_order._action_cancel()
        cls.orders = (
            cls.draft_order
            | cls.sent_order
            | cls.confirmed_order
            | cls.delivered_order
            | cls.invoiced_order
            | cls.cancelled_order
        )

        # Requests of customer 1 in every state
        Request = cls.env["sales.support.request"]
        cls.requests = Request.create(
            [
                {"subject": f"Request {state}", "partner_id": cls.customer_1.id}
                for state in ("new", "in_progress", "waiting", "done", "cancel")
            ]
        )
        cls.requests[1].action_start()
        cls.requests[2].action_wait()
        cls.requests[3].action_done()
        cls.requests[4].action_cancel()
        cls.draft_order.support_request_id = cls.requests[1]

        # Claims on the invoiced order: a return to make, a credit note to make, closed ones
        line = cls.invoiced_order.order_line
        Claim = cls.env["sales.support.claim"]
        claim_values = {
            "partner_id": cls.customer_1.id,
            "order_id": cls.invoiced_order.id,
            "picking_id": cls.invoiced_order.picking_ids.id,
            "invoice_id": cls.invoice.id,
            "line_ids": [
                Command.create(
                    {"order_line_id": line.id, "product_id": cls.goods.id, "quantity": 1}
                )
            ],
        }
        cls.claims = Claim.create(
            [
                {**claim_values, "claim_type": "damaged", "resolution": "return"},
                {**claim_values, "claim_type": "price", "resolution": "credit_note"},
                {**claim_values, "claim_type": "wrong_item", "resolution": "replacement"},
                {**claim_values, "claim_type": "late", "resolution": "none"},
                {**claim_values, "claim_type": "quality", "resolution": "none"},
                {**claim_values, "claim_type": "short", "resolution": "credit_note"},
            ]
        )
        cls.claims[1].action_start()
        cls.claims[3].action_resolve()
        cls.claims[4].write(
            {"root_cause": "order_entry", "responsible_user_id": cls.coordinator.id}
        )
        cls.claims[4].action_reject()
        # a claim with its return made, another with its credit note: their smart buttons show
        cls.claims[2].action_create_return()
        cls.claims[1].action_create_credit_note()
        cls.claims.request_id = cls.requests[1]

        # An order-entry error logged by hand
        # Order-entry errors charged to the salesperson, and one to the coordinator herself
        cls.errors = cls.env["sales.support.order.error"].create(
            [
                {
                    "order_id": cls.confirmed_order.id,
                    "error_type": error_type,
                    "found_by": "internal",
                    "responsible_user_id": responsible.id,
                }
                for error_type, responsible in (
                    ("address", cls.salesperson_1),
                    ("quantity", cls.salesperson_1),
                    ("price", cls.coordinator),
                )
            ]
        )
        cls.errors[1].action_mark_customer_request()

        # Cheques of customer 1 (salesperson 1, served by the coordinator) in every state, and
        # one of customer 3 (another coordinator's)
        Cheque = cls.env["sales.customer.cheque"]
        cheque_values = {
            "partner_id": cls.customer_1.id,
            "amount": 100.0,
            "date_received": "2025-02-01",
            "date_due": "2025-04-01",
        }
        cls.cheques = Cheque.create(
            [
                {**cheque_values, "name": f"CHQ-{state}"}
                for state in (
                    "received",
                    "deposited",
                    "cleared",
                    "bounced",
                    "replaced",
                    "cancelled",
                    "unpaid-cleared",
                )
            ]
        )
        received, deposited, cleared, bounced, replaced, cancelled, unpaid = cls.cheques
        cls.cheques[1:5].action_register_payment()
        deposited.action_deposit()
        (cleared | bounced | replaced | unpaid).action_clear()
        (bounced | replaced)._bounce(fields.Date.to_date("2025-04-05"), "Insufficient funds")
        Cheque.create({**cheque_values, "name": "CHQ-replacement", "replaces_id": replaced.id})
        cancelled.action_cancel()
        cls.cheque_by_state = {
            "received": received,
            "deposited": deposited,
            "cleared": cleared,
            "bounced": bounced,
        }
        cls.other_cheque = Cheque.create(
            {**cheque_values, "name": "CHQ-other", "partner_id": cls.customer_3.id}
        )

        cls.forms = [
            # (model, form view xmlid, records to press the buttons on)
            ("sale.order", "sale.view_order_form", cls.orders),
            (
                "sales.support.request",
                "sales_support.sales_support_request_view_form",
                cls.requests,
            ),
            ("sales.support.claim", "sales_support.sales_support_claim_view_form", cls.claims),
            (
                "sales.support.order.error",
                "sales_support.sales_support_order_error_view_form",
                cls.errors,
            ),
            (
                "sales.customer.cheque",
                "sales_support.sales_customer_cheque_view_form",
                cls.cheques | cls.other_cheque,
            ),
            (
                "res.users",
                "sales_support.res_users_view_form_support",
                cls.coordinator | cls.coordinator_2 | cls.support_manager | cls.assistant,
            ),
        ]

    # ------------------------------------------------------------
    # Reading the arch and evaluating modifiers like the web client
    # ------------------------------------------------------------
    def _visible_buttons(self, model, view_xmlid, user):
        """Buttons of the form as ``user`` gets it, outside embedded lists: [(node, ancestors)]."""
        view = self.env.ref(view_xmlid)
        arch = (
            self.env[model].with_user(user).get_views([(view.id, "form")])["views"]["form"]["arch"]
        )
        buttons = []
        for node in etree.fromstring(arch).iter("button"):
            ancestors = list(node.iterancestors())
            if any(a.tag == "field" for a in ancestors) or node.get("special"):
                continue
            if node.get("type") in ("object", "action"):
                buttons.append((node, ancestors))
        return buttons

    @staticmethod
    def _value(record, name):
        field = record._fields[name]
        value = record[name]
        if field.type == "many2one":
            return value.id
        if field.type in ("one2many", "many2many"):
            return value.ids
        if field.type in ("date", "datetime"):
            return fields.Datetime.to_string(value) if value else False
        return value

    def _eval(self, expression, record, user, extra=None):
        names = {
            n.id
            for n in ast.walk(ast.parse(expression.strip(), mode="eval"))
            if isinstance(n, ast.Name)
        }
        # the web client has the values of the fields in the view, computed for the user
        record = record.with_user(user).sudo()
        values = {name: self._value(record, name) for name in names if name in record._fields}
        values.update(
            uid=user.id,
            context={},
            parent={},
            active_id=record.id,
            active_ids=record.ids,
            active_model=record._name,
            **(extra or {}),
        )
        return safe_eval(expression, values)

    def _is_visible(self, node, ancestors, record, user):
        return not any(
            element.get("invisible") and self._eval(element.get("invisible"), record, user)
            for element in [node, *ancestors]
        )

    def _context(self, node, record, user):
        try:
            return self._eval(node.get("context") or "{}", record, user)
        except (NameError, ValueError, SyntaxError):
            return {}

    # ------------------------------------------------------------
    # Pressing buttons
    # ------------------------------------------------------------
    def _load_action(self, action_id, record):
        action = self.env["ir.actions.actions"].browse(int(action_id))
        # sudo: as /web/action/load, which reads any action and lets the model's rights decide
        action = self.env[action.sudo().type].sudo().browse(action.id)
        values = (
            action._get_action_dict()
            if action._name == "ir.actions.act_window"
            else action.read()[0]
        )
        values.update(
            active_ctx={
                "active_id": record.id,
                "active_ids": record.ids,
                "active_model": record._name,
            }
        )
        return values

    def _press(self, user, record, node):
        """Press ``node`` on ``record`` as ``user`` and follow what it returns."""
        context = self._context(node, record, user)
        if node.get("type") == "object":
            result = getattr(record.with_user(user).with_context(**context), node.get("name"))()
        else:
            result = self._load_action(node.get("name"), record)
        return self._follow(user, result, record, depth=1)

    def _follow(self, user, action, record, depth):
        """What the web client does with ``action`` for ``user``; returns the wizard buttons
        pressed."""
        if not isinstance(action, dict) or action.get("type") != "ir.actions.act_window":
            return []
        Model = self.env[action["res_model"]].with_user(user)
        active = action.pop("active_ctx", None) or {}
        context = action.get("context") or {}
        if isinstance(context, str):
            context = safe_eval(context, {**active, "uid": user.id, "context": {}})
        context = {**active, **context}
        res_id = action.get("res_id")
        if res_id:
            Model.browse(res_id).check_access("read")
            return []
        if action.get("target") != "new" or not Model._transient:
            Model.check_access("create" if action.get("target") == "new" else "read")
            return []
        if depth <= 0:
            return []
        try:
            # no flush by the savepoint: a flush computes pending fields as the superuser (the
            # transaction's environment), where the web client computes them as the user
            with self.env.cr.savepoint(flush=False):
                wizard = Model.with_context(**context).create(
                    dict(WIZARD_INPUT.get(Model._name, {}))
                )
                Model.env.flush_all()
        except IntegrityError:
            return ["(wizard needs input: not pressed)"]
        view_id = next((v for v, kind in action.get("views") or [] if kind == "form"), False)
        arch = Model.get_views([(view_id, "form")])["views"]["form"]["arch"]
        for node in etree.fromstring(arch).iter("button", "widget"):
            if node.tag == "widget":
                method = WIDGET_BUTTONS.get(node.get("name"))
            else:
                method = (
                    node.get("type") == "object" and not node.get("special") and node.get("name")
                )
            if not method or any(a.tag == "field" for a in node.iterancestors()):
                continue
            if not self._is_visible(node, list(node.iterancestors()), wizard, user):
                continue
            node_context = self._context(node, wizard, user)
            result = getattr(wizard.with_context(**context, **node_context), method)()
            self._follow(user, result, record, depth - 1)
            # the wizard's main button; its variants do the same with other options
            return [f"{Model._name}.{method}"]
        return ["(wizard without a button)"]

    def _check_role(self, role, models=None):
        user = self.roles[role]
        failures, pressed, worked, hidden = [], [], set(), []
        for model, view_xmlid, records in self.forms:
            if models and model not in models:
                continue
            if not self.env[model].with_user(user).has_access("read"):
                continue
            readable = records.with_user(user)._filtered_access("read").with_env(self.env)
            for node, ancestors in self._visible_buttons(model, view_xmlid, user):
                name = node.get("name")
                if node.get("type") == "action":
                    action = self.env["ir.actions.actions"].browse(int(name))
                    name = (
                        self.env[action.type].browse(action.id).get_external_id()[action.id] or name
                    )
                label = f"{role} / {model} / {node.get('string') or name} ({name})"
                shown_on = readable.filtered(
                    lambda r, n=node, a=ancestors: self._is_visible(n, a, r, user)
                )
                if not shown_on:
                    hidden.append(label)
                for record in shown_on:
                    with closing(self.env.cr.savepoint()):
                        try:
                            followed = self._press(user, record, node)
                            record.with_user(user).env.flush_all()  # as the user, see _follow
                        except AccessError as error:
                            failures.append(
                                f"{label} on {record.display_name}: AccessError: {error}"
                            )
                            continue
                        except (UserError, ValidationError, RedirectWarning) as error:
                            pressed.append(f"{label} on {record.display_name}: refused: {error}")
                            continue
                    worked.add((role, model, name))
                    pressed.append(f"{label} on {record.display_name}: ok {' '.join(followed)}")
        _logger.info(
            "Buttons pressed as %s:\n%s\nHidden on every prepared record:\n%s",
            role,
            "\n".join(pressed),
            "\n".join(hidden),
        )
        missing = {
            key for key in MUST_WORK if key[0] == role and (not models or key[1] in models)
        } - worked
        failures += [
            f"{r} / {m} / {b}: not shown, or refused, on every prepared record"
            for r, m, b in sorted(missing)
        ]
        if failures:
            self.fail(
                f"Buttons shown to the {role} that do not work for them:\n" + "\n".join(failures)
            )

    def test_buttons_assistant(self):
        self._check_role("assistant")

    def test_buttons_coordinator(self):
        self._check_role("coordinator")

    def test_buttons_manager(self):
        self._check_role("manager")

    def test_buttons_salesperson(self):
        self._check_role("salesperson")

    def test_buttons_sales_manager(self):
        self._check_role("sales_manager", models={"sales.customer.cheque"})

    def test_buttons_accountant(self):
        self._check_role("accountant", models={"sales.customer.cheque"})

    # ------------------------------------------------------------
    # Cheque buttons as every role: the state change, or an AccessError
    # ------------------------------------------------------------
    def _press_cheque(self, user, button, cheque):
        """Press ``button`` on ``cheque`` as ``user``, and do what its dialog or form asks (the
        bounce reason, the replacement cheque), as the web client would; return the cheque."""
        cheque = cheque.with_user(user)
        result = getattr(cheque, button)()
        if button == "action_open_bounce_wizard":
            wizard = (
                self.env[result["res_model"]]
                .with_user(user)
                .with_context(**result["context"])
                .create(dict(WIZARD_INPUT[result["res_model"]]))
            )
            wizard.action_confirm()
        elif button == "action_replace":
            self.env["sales.customer.cheque"].with_user(user).with_context(
                **result["context"]
            ).create({"name": "CHQ-new", "date_received": "2025-04-10", "date_due": "2025-05-10"})
        elif button == "action_view_payment":
            self.env[result["res_model"]].with_user(user).browse(result["res_id"]).check_access(
                "read"
            )
        cheque.env.flush_all()
        return cheque.with_env(self.env)

    def test_cheque_buttons_state_or_access_error(self):
        # (button, cheque it is pressed on, what the allowed roles see afterwards)
        cases = [
            ("action_register_payment", "received", lambda c: bool(c.payment_id)),
            ("action_deposit", "received", lambda c: c.state == "deposited"),
            ("action_clear", "deposited", lambda c: c.state == "cleared"),
            (
                "action_open_bounce_wizard",
                "cleared",
                lambda c: c.state == "bounced"
                and c.reversal_move_id.state == "posted"
                and c.bounce_reason == "Insufficient funds",
            ),
            (
                "action_replace",
                "bounced",
                lambda c: c.state == "replaced" and c.replaced_by_id.amount == c.amount,
            ),
            ("action_cancel", "received", lambda c: c.state == "cancelled"),
            ("action_view_payment", "cleared", lambda c: c.state == "cleared"),
        ]
        self.assertEqual({button for button, _state, _check in cases}, set(CHEQUE_BUTTONS))
        view = "sales_support.sales_customer_cheque_view_form"
        for role, user in self.roles.items():
            shown = {
                node.get("name")
                for node, _ancestors in self._visible_buttons("sales.customer.cheque", view, user)
            }
            for button, state, check in cases:
                cheque = self.cheque_by_state[state]
                with self.subTest(role=role, button=button), closing(self.env.cr.savepoint()):
                    if role in CHEQUE_ALLOWED:
                        self.assertIn(button, shown)
                        self.assertTrue(check(self._press_cheque(user, button, cheque)))
                    else:
                        self.assertNotIn(button, shown)
                        with self.assertRaises(AccessError):
                            self._press_cheque(user, button, cheque)
                        self.assertEqual(cheque.state, state)
        # a coordinator does not work the cheques of another coordinator's customers
        for button in ("action_deposit", "action_open_bounce_wizard", "action_cancel"):
            with self.subTest(button=button), closing(self.env.cr.savepoint()):
                with self.assertRaises(AccessError):
                    self._press_cheque(self.coordinator, button, self.other_cheque)
                self.assertEqual(self.other_cheque.state, "received")
