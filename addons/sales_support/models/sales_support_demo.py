"""Demo history: eight weeks of a sales-support team's work, made through the real flows.

``_demo_generate_history`` is called once, by a ``<function>`` in a ``noupdate`` block of
``demo/sales_support_demo.xml`` (an update of the module does not replay it). Every step runs the
method the user interface runs (create a request, create its quotation, mark it sent, customer
confirmation, confirm, validate the delivery, invoice, register the payment, open a claim, create
its return or credit note, edit a confirmed order, log an entry error), as the user who does it,
with the clock set to that step's date: milestones, ledger events, SLA figures, sequences and
chatter are what the real flows produce, spread over the last eight weeks.

The clock is set with freezegun (in requirements.txt). It patches the clock of the whole process,
which is acceptable only while a database installs its demo data (``odoo-bin -i`` with demo, a test
database): that is why it is imported inside the method and nowhere else.

Scenarios are Python generators that ``yield`` the date of their next step; ``_demo_run`` plays all
of them in date order (so that references such as S00012 follow the dates), each step in its own
savepoint: a step that fails is logged with its scenario and the rest of that scenario is dropped,
the other scenarios go on (``test_demo_data`` checks that the history is complete). Random choices
come from a seeded generator: the same plan on every install, dated relative to the install day.
"""

import heapq
import logging
import random
from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models

_logger = logging.getLogger(__name__)

DEMO_WEEKS = 8
DEMO_SEED = 11

# Orders: (stage reached today, days ago the customer asked, options)
#   request=False: the quotation is made without a customer request
#   claim=<kind>: a complaint after delivery (see _demo_claim)
#   edit=<field>: the salesperson edits the confirmed order (an automatic entry error)
#   log_error=True: the coordinator logs an entry error by hand
#   replaced=True: the cancelled order is replaced by a corrected copy
ORDER_PLAN = [
    ("paid", 55, {"claim": "return"}),
    ("paid", 53, {}),
    ("paid", 51, {"request": False}),
    ("paid", 49, {"edit": "quantity"}),
    ("paid", 47, {"claim": "credit_note"}),
    ("paid", 45, {"services": True}),
    ("paid", 43, {"claim": "exchange"}),
    ("paid", 41, {}),
    ("paid", 39, {"claim": "rejected"}),
    ("paid", 37, {"request": False}),
    ("paid", 35, {"log_error": True}),
    ("paid", 33, {}),
    ("invoiced", 34, {"claim": "credit_note_draft"}),
    ("invoiced", 29, {"edit": "customer_asked"}),
    ("invoiced", 26, {}),
    ("invoiced", 23, {"request": False}),
    ("invoiced", 20, {"claim": "new"}),
    ("shipped", 17, {}),
    ("shipped", 15, {"claim": "return_open"}),
    ("shipped", 12, {"log_error": True}),
    ("goods_ready", 13, {}),
    ("goods_ready", 8, {"request": False}),
    ("goods_ready", 5, {}),
    ("entered", 11, {"made_to_order": True}),
    ("entered", 4, {"made_to_order": True}),
    ("customer_confirmed", 6, {}),
    ("customer_confirmed", 3, {"request": False}),
    ("quotation_sent", 21, {}),
    ("quotation_sent", 10, {}),
    ("quotation_sent", 4, {"request": False}),
    ("quotation_sent", 2, {}),
    ("request", 16, {}),
    ("request", 3, {}),
    ("request", 1, {}),
    ("cancel", 30, {"replaced": True}),
    ("cancel", 14, {}),
]
O2C_ORDER = [
    "request",
    "quotation_sent",
    "customer_confirmed",
    "entered",
    "goods_ready",
    "shipped",
    "invoiced",
    "paid",
]

# Requests that need no quotation: (type xmlid, subject, days ago, state today, options)
REQUEST_PLAN = [
    ("request_type_order_status", "Where is our order?", 52, "done", {}),
    (
        "request_type_shipping_documents",
        "Certificate of origin for the last shipment",
        48,
        "done",
        {"channel": "email"},
    ),
    (
        "request_type_information",
        "Price of 40 lockers delivered in March",
        44,
        "done",
        {"message": True},
    ),
    (
        "request_type_accounting",
        "Invoice sent to the wrong address",
        40,
        "done",
        {"channel": "email"},
    ),
    ("request_type_order_status", "Delivery date of the chairs", 36, "done", {"message": True}),
    (
        "request_type_information",
        "Is the sit-stand desk in stock?",
        31,
        "done",
        {"channel": "portal"},
    ),
    ("request_type_other", "Visit of the showroom", 27, "cancel", {"channel": "meeting"}),
    (
        "request_type_shipping_documents",
        "Packing list for customs",
        24,
        "done",
        {"channel": "email"},
    ),
    (
        "request_type_accounting",
        "Statement of account",
        19,
        "done",
        {"channel": "email", "message": True},
    ),
    ("request_type_information", "Promotion on filing cabinets this quarter?", 15, "waiting", {}),
    (
        "request_type_order_status",
        "Back-order of conference tables",
        9,
        "in_progress",
        {"priority": "2"},
    ),
    (
        "request_type_shipping_documents",
        "Dangerous goods declaration",
        7,
        "waiting",
        {"channel": "email"},
    ),
    (
        "request_type_accounting",
        "Duplicate payment to refund",
        6,
        "in_progress",
        {"channel": "email"},
    ),
    ("request_type_information", "Lead time for 200 chairs", 5, "new", {"priority": "2"}),
    ("request_type_order_status", "Tracking number please", 3, "new", {"channel": "email"}),
    ("request_type_other", "Change of our delivery hours", 2, "new", {"channel": "portal"}),
    ("request_type_complaint", "Installation team came late", 1, "new", {"priority": "3"}),
    ("request_type_information", "Catalogue in Hebrew", 0, "new", {"channel": "email"}),
]

# Customers of the plans (demo/sales_support_demo.xml) and the products they buy
CUSTOMERS = [
    "res_partner_customer_us",
    "res_partner_customer_hudson",
    "res_partner_customer_lonestar",
    "res_partner_customer_cascade",
    "res_partner_customer_greatlakes",
    "res_partner_customer_il",
    "res_partner_customer_tr",
    "res_partner_customer_ru",
    "res_partner_customer_ma",
    "res_partner_customer_ae",
]
GOODS = [
    "product_demo_shelving",
    "product_demo_chair",
    "product_demo_desk",
    "product_demo_cabinet",
    "product_demo_locker",
]


class SalesSupportDemo(models.AbstractModel):
    _name = "sales.support.demo"
    _description = "Sales Support demo history"

    # ------------------------------------------------------------
    # Entry point and scheduler
    # ------------------------------------------------------------
    @api.model
    def _demo_generate_history(self):
        # Install time only: freezegun patches the process' clock (see the module docstring).
        from freezegun import freeze_time  # noqa: PLC0415

        rng = random.Random(DEMO_SEED)
        now = fields.Datetime.now().replace(microsecond=0)
        # opening stock two weeks before the first order (lives moved back by whole weeks)
        start = datetime.combine(now.date() - timedelta(weeks=DEMO_WEEKS + 2), time(7, 0))
        ref = self._demo_ref
        scenarios = []
        with freeze_time(start) as clock:
            self.env.cr._now = start
            self._demo_stock(ref, start)
            for index, (stage, days_ago, options) in enumerate(ORDER_PLAN):
                customer = ref(CUSTOMERS[index % len(CUSTOMERS)])
                begin = self._demo_workday(now - timedelta(days=days_ago), rng)
                scenarios.append(
                    (
                        f"order {index + 1} ({stage})",
                        self._demo_order(rng, now, begin, customer, stage, options),
                    )
                )
            for index, (type_xmlid, subject, days_ago, state, options) in enumerate(REQUEST_PLAN):
                customer = ref(CUSTOMERS[(index * 3 + 1) % len(CUSTOMERS)])
                begin = self._demo_workday(now - timedelta(days=days_ago), rng, not_after=now)
                scenarios.append(
                    (
                        f"request '{subject}'",
                        self._demo_request(
                            rng, now, begin, customer, ref(type_xmlid), subject, state, options
                        ),
                    )
                )
            done, failed = self._demo_run(scenarios, clock, now)
        # Today, what the scheduled actions do in the first hour of a server: SLA statuses as of
        # now, and one activity per request deadline or order step that is late or at risk.
        scenarios = [
            ("scheduled action " + method, self._demo_cron(model, method))
            for model, method in (
                ("sales.support.request", "_cron_sla_late_activities"),
                ("sale.order", "_cron_o2c_late_activities"),
            )
        ]
        with freeze_time(now) as clock:
            cron_done, cron_failed = self._demo_run(scenarios, clock, now)
        _logger.info(
            "Sales Support demo history: %s steps played, %s scenarios cut short",
            done + cron_done,
            failed + cron_failed,
        )

    def _demo_cron(self, model, method):
        yield fields.Datetime.now().replace(microsecond=0)
        getattr(self.env[model], method)()

    def _demo_run(self, scenarios, clock, now):
        """Play the scenarios' steps in date order, the clock set to each step's date; a step
        due after ``now`` has not happened yet: its scenario ends there."""
        queue = []
        for number, (label, scenario) in enumerate(scenarios):
            when = next(scenario, None)
            if when:
                heapq.heappush(queue, (when, number, label, scenario))
        done = failed = 0
        while queue:
            when, number, label, scenario = heapq.heappop(queue)
            clock.move_to(when)
            # create_date / write_date come from the cursor's transaction time, not the clock
            self.env.cr._now = when
            try:
                with self.env.cr.savepoint():
                    following = next(scenario, None)
            except Exception:  # noqa: BLE001 - a demo step that fails must not lose the whole demo
                _logger.exception(
                    "Sales Support demo: a step of %s failed on %s; the rest of it is skipped",
                    label,
                    when,
                )
                failed += 1
                continue
            done += 1
            if following and following <= now:
                heapq.heappush(queue, (max(following, when), number, label, scenario))
        self.env.cr._now = None
        return done, failed

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------
    def _demo_ref(self, xmlid):
        return self.env.ref(xmlid if "." in xmlid else f"sales_support.{xmlid}")

    @staticmethod
    def _demo_workday(when, rng, not_after=None):
        """``when`` moved into office hours (07:00-16:00 UTC, Monday to Friday), at a random
        minute."""
        when = when.replace(
            hour=rng.randint(7, 15), minute=rng.randint(0, 59), second=0, microsecond=0
        )
        while when.weekday() >= 5:
            when += timedelta(days=1)
        if not_after and when > not_after:
            when = not_after - timedelta(minutes=rng.randint(20, 90))
        return when

    def _demo_after(self, rng, when, hours_min, hours_max):
        """A working-time moment ``hours_min`` to ``hours_max`` wall-clock hours after ``when``."""
        later = when + timedelta(minutes=round(rng.uniform(hours_min, hours_max) * 60))
        if later.hour >= 16 or later.hour < 7:
            later = (later + timedelta(hours=12)).replace(
                hour=rng.randint(7, 10), minute=rng.randint(0, 59)
            )
        while later.weekday() >= 5:
            later += timedelta(days=1)
        return later

    def _demo_users(self, customer):
        """(salesperson, coordinator, admin) of a customer."""
        salesperson = customer.user_id
        coordinator = customer.support_coordinator_id or salesperson.support_coordinator_id
        return salesperson, coordinator, self.env.ref("base.user_admin")

    def _demo_stock(self, ref, start):
        """Opening stock of the goods (the made-to-order table has none)."""
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        quants = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                [
                    {
                        "product_id": ref(xmlid).id,
                        "location_id": warehouse.lot_stock_id.id,
                        "inventory_quantity": 400,
                    }
                    for xmlid in GOODS
                ]
            )
        )
        quants.action_apply_inventory()

    def _demo_validate(self, picking, user):
        """The warehouse validates ``picking`` with every quantity done."""
        picking = picking.with_user(user)
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()

    # ------------------------------------------------------------
    # Scenarios
    # ------------------------------------------------------------
    def _demo_moments(self, rng, now, begin, target):
        """Moments of the steps up to ``target`` (index in O2C_ORDER), from ``begin``; the whole
        life moved back by whole weeks (weekdays kept) when its last step would be in the future."""
        gaps = [(1, 16), (20, 120), (1, 6), (0, 0), (20, 90), (2, 40), (200, 700)]
        moments = [begin]
        for low, high in gaps[:target]:
            moments.append(self._demo_after(rng, moments[-1], low, high) if high else moments[-1])
        latest = now - timedelta(hours=3)
        if moments[-1] > latest:
            weeks = (moments[-1] - latest).days // 7 + 1
            moments = [m - timedelta(weeks=weeks) for m in moments]
        return moments

    def _demo_order(self, rng, now, begin, customer, stage, options):
        """One order's life up to ``stage``, each step at its own moment (generator of dates)."""
        target = O2C_ORDER.index(stage) if stage in O2C_ORDER else O2C_ORDER.index("entered")
        moments = self._demo_moments(rng, now, begin, target)
        if options.get("services"):
            products = [self._demo_ref("product_demo_installation")]
        elif options.get("made_to_order"):
            products = [self._demo_ref("product_demo_table")]
        else:
            products = rng.sample([self._demo_ref(x) for x in GOODS], rng.randint(1, 3))
        asked = [
            {"product_id": p.id, "product_uom_qty": rng.choice([2, 4, 5, 8, 10, 12, 20])}
            for p in products
        ]
        if not options.get("services") and rng.random() < 0.3:
            # the coordinator adds the installation the customer will need
            asked.append(
                {
                    "product_id": self._demo_ref("product_demo_installation").id,
                    "product_uom_qty": rng.choice([4, 8, 16]),
                    "extra": True,
                }
            )
        order = yield from self._demo_quote(rng, moments, customer, asked, options)
        if target > O2C_ORDER.index("request"):
            yield from self._demo_enter(rng, moments, order, target, stage, options)
        if target > O2C_ORDER.index("goods_ready") and stage != "cancel":
            yield from self._demo_fulfil(rng, moments, order, target, options)

    def _demo_quote(self, rng, moments, customer, asked, options):
        """The customer's request with the products asked for, and its quotation (or a quotation
        the salesperson makes without a request). Returns the quotation."""
        salesperson, coordinator, _admin = self._demo_users(customer)
        yield moments[0]
        if not options.get("request", True):
            order = (
                self.env["sale.order"]
                .with_user(salesperson)
                .create(
                    {
                        "partner_id": customer.id,
                        "user_id": salesperson.id,
                        "order_line": [
                            Command.create({k: v for k, v in line.items() if k != "extra"})
                            for line in asked
                        ],
                    }
                )
            )
            return order.with_user(coordinator)
        request = (
            self.env["sales.support.request"]
            .with_user(coordinator)
            .create(
                {
                    "subject": "Quotation for "
                    + ", ".join(
                        self.env["product.product"].browse(line["product_id"]).name
                        for line in asked
                        if not line.get("extra")
                    ),
                    "partner_id": customer.id,
                    "type_id": self._demo_ref("request_type_quotation").id,
                    "channel": rng.choice(["phone", "email", "email", "meeting", "portal"]),
                    "priority": rng.choice(["1", "1", "1", "2", "3"]),
                    "requester_id": rng.choice([salesperson, coordinator]).id,
                    "line_ids": [
                        Command.create(
                            {
                                "product_id": line["product_id"],
                                "product_uom_qty": line["product_uom_qty"],
                            }
                        )
                        for line in asked
                        if not line.get("extra")
                    ],
                }
            )
        )
        yield self._demo_after(rng, moments[0], 0.3, 3)
        action = request.action_create_quotation()
        order = self.env["sale.order"].with_user(coordinator).browse(action["res_id"])
        extra = [line for line in asked if line.get("extra")]
        if extra:
            order.write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "product_id": line["product_id"],
                                "product_uom_qty": line["product_uom_qty"],
                            }
                        )
                        for line in extra
                    ]
                }
            )
        return order

    def _demo_enter(self, rng, moments, order, target, stage, options):
        """Sent, confirmed by the customer (purchase order received), entered; then cancelled,
        edited or found wrong as ``options`` say."""
        salesperson, coordinator, _admin = self._demo_users(order.partner_id)
        yield moments[1]
        order.action_quotation_sent()
        if order.support_request_id and rng.random() < 0.7:
            order.support_request_id.with_user(coordinator).action_done()
        if target == O2C_ORDER.index("quotation_sent"):
            return
        yield moments[2]
        order.action_o2c_customer_confirmed()
        if target == O2C_ORDER.index("customer_confirmed"):
            return
        yield moments[3]
        enterer = salesperson if rng.random() < 0.3 else coordinator
        order.with_user(enterer).action_confirm()
        if stage == "cancel":
            yield self._demo_after(rng, moments[3], 2, 30)
            order.with_context(disable_cancel_warning=True).action_cancel()
            if options.get("replaced"):
                # the customer's corrected order, entered again as a copy of the cancelled one
                copy = order.copy()
                copy.order_line[:1].product_uom_qty += 5
                copy.action_confirm()
            return
        if options.get("edit"):
            yield self._demo_after(rng, moments[3], 1, 5)
            line = order.order_line.filtered(lambda ol: ol.product_id.is_storable)[:1]
            # a person's edit in the order form (see sales.support.order.error._is_person_edit)
            order.with_user(salesperson).with_context(sales_support_person_edit=True).write(
                {
                    "order_line": [
                        Command.update(line.id, {"product_uom_qty": line.product_uom_qty + 2})
                    ]
                }
            )
            if options["edit"] == "customer_asked":
                # judged by the customer-service manager: who is charged does not judge it
                manager = self.env["res.users"].search(
                    [("login", "=", "csmanager")], limit=1
                ) or self.env.ref("base.user_admin")
                order.order_error_ids.with_user(manager).action_mark_customer_request()
        if options.get("log_error"):
            yield self._demo_after(rng, moments[3], 1, 8)
            self.env["sales.support.order.error"].with_user(coordinator).create(
                {
                    "order_id": order.id,
                    "error_type": "address",
                    "found_by": "internal",
                    "responsible_user_id": (order.order_entry_user_id or salesperson).id,
                    "cost": 35.0,
                    "description": "Delivery address of the head office instead of the site; "
                    "corrected before shipping.",
                }
            )
        # goods ready: reserved at confirmation when in stock

    def _demo_fulfil(self, rng, moments, order, target, options):
        """Shipped (a complaint about the goods may follow), invoiced, paid."""
        _salesperson, coordinator, admin = self._demo_users(order.partner_id)
        claim = options.get("claim")
        yield moments[5]
        for picking in order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            self._demo_validate(picking, admin)
        if claim in ("return", "return_open", "exchange", "rejected"):
            yield from self._demo_claim(rng, order, coordinator, admin, claim)
        if target == O2C_ORDER.index("shipped"):
            return
        yield moments[6]
        invoices = order.with_user(coordinator)._create_invoices()
        invoices.action_post()
        if claim in ("credit_note", "credit_note_draft", "new"):
            yield from self._demo_claim(rng, order, coordinator, admin, claim)
        if target == O2C_ORDER.index("invoiced"):
            return
        yield moments[7]
        # accounting offsets the credit notes against the invoices, then the customer pays the rest
        moves = order.invoice_ids.filtered(lambda m: m.state == "posted")
        if moves.filtered(lambda m: m.move_type == "out_refund"):
            moves.line_ids.filtered(
                lambda aml: aml.account_id.account_type == "asset_receivable"
                and not aml.reconciled,
            ).with_user(admin).reconcile()
        to_pay = moves.filtered(
            lambda m: m.move_type == "out_invoice" and m.payment_state != "paid"
        )
        self.env["account.payment.register"].with_user(admin).with_context(
            active_model="account.move",
            active_ids=to_pay.ids,
        ).create({})._create_payments()

    def _demo_claim(self, rng, order, coordinator, admin, kind):
        """A complaint about a delivered order: request, claim, and its resolution."""
        yield self._demo_after(rng, fields.Datetime.now(), 20, 80)
        claim_type, resolution, root_cause = {
            "return": ("damaged", "return", "carrier"),
            "return_open": ("damaged", "return", "warehouse"),
            "credit_note": ("short", "credit_note", "warehouse"),
            "credit_note_draft": ("price", "credit_note", "order_entry"),
            "exchange": ("wrong_item", "replacement", "order_entry"),
            "rejected": ("late", "none", "customer"),
            "new": ("quality", False, False),
        }[kind]
        request = (
            self.env["sales.support.request"]
            .with_user(coordinator)
            .create(
                {
                    "subject": f"Complaint about {order.name}",
                    "partner_id": order.partner_id.id,
                    "type_id": self._demo_ref("request_type_complaint").id,
                    "channel": "phone",
                    "priority": "2",
                    "description": "<p>The buyer called about the last delivery.</p>",
                }
            )
        )
        yield self._demo_after(rng, fields.Datetime.now(), 0.2, 1.5)
        # "Open Claim" on the order: a new claim form filled from the order, saved by the
        # coordinator
        action = order.with_user(coordinator).action_create_claim()
        line = (
            order.order_line.filtered(lambda ol: ol.product_id.is_storable)[:1]
            or order.order_line[:1]
        )
        claim = (
            self.env["sales.support.claim"]
            .with_user(coordinator)
            .with_context(**action["context"])
            .create(
                {
                    "request_id": request.id,
                    "claim_type": claim_type,
                    "root_cause": root_cause,
                    "responsible_user_id": (
                        order.order_entry_user_id.id if root_cause == "order_entry" else False
                    ),
                    "resolution": resolution,
                    "description": "<p>Reported by phone by the customer's buyer.</p>",
                    "line_ids": [Command.create({"order_line_id": line.id, "quantity": 1})],
                }
            )
        )
        request.with_user(coordinator).action_start()
        if kind == "new":
            return
        yield self._demo_after(rng, fields.Datetime.now(), 1, 6)
        claim.action_start()
        if kind == "rejected":
            yield self._demo_after(rng, fields.Datetime.now(), 4, 30)
            claim.action_reject()
            request.with_user(coordinator).action_done()
            return
        if resolution in ("return", "replacement"):
            claim.action_create_return()
            if kind == "return_open":
                return
            yield self._demo_after(rng, fields.Datetime.now(), 24, 96)
            for picking in claim.return_picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            ):
                self._demo_validate(picking, admin)
        else:
            claim.action_create_credit_note()
            if kind == "credit_note_draft":
                return
            yield self._demo_after(rng, fields.Datetime.now(), 2, 30)
            claim.credit_note_ids.filtered(lambda m: m.state == "draft").with_user(
                admin
            ).action_post()
        yield self._demo_after(rng, fields.Datetime.now(), 1, 8)
        claim.action_resolve()
        request.with_user(coordinator).action_done()

    def _demo_request(self, rng, now, begin, customer, request_type, subject, state, options):
        """A customer request that needs no quotation, handled up to ``state``."""
        salesperson, coordinator, _admin = self._demo_users(customer)
        yield begin
        request = (
            self.env["sales.support.request"]
            .with_user(coordinator)
            .create(
                {
                    "subject": subject,
                    "partner_id": customer.id,
                    "type_id": request_type.id,
                    "channel": options.get("channel", "phone"),
                    "priority": options.get("priority", "1"),
                    "requester_id": rng.choice([salesperson, coordinator]).id,
                }
            )
        )
        request = request.with_user(coordinator)
        if state == "new":
            return
        yield min(self._demo_after(rng, begin, 0.3, 5), now - timedelta(minutes=30))
        if options.get("message"):
            request.message_post(
                body=self.env._("We are on it and will come back to you today."),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        if state == "cancel":
            request.action_cancel()
            return
        request.action_start()
        if state == "in_progress":
            return
        yield min(self._demo_after(rng, fields.Datetime.now(), 1, 20), now - timedelta(minutes=20))
        if state == "waiting":
            request.action_wait()
            return
        request.action_done()
