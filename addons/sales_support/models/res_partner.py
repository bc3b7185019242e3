from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .sales_customer_cheque import UNCLEARED_STATES

# Partner fields the assignment rules of a customer read: changing one re-assigns the customer.
SUPPORT_FACT_FIELDS = {"user_id", "country_id", "state_id", "company_id", "is_company", "parent_id"}

CUSTOMER_STATUSES = [
    ("new", "New"),
    ("active", "Active"),
    ("at_risk", "At Risk"),
    ("dormant", "Dormant"),
    ("lost", "Lost"),
]
ABC_CLASSES = [("A", "A"), ("B", "B"), ("C", "C")]
AT_RISK_FACTOR = 1.5  # silent for 1.5 usual intervals: at risk
DORMANT_FACTOR = 2.0  # silent for 2 usual intervals (or a year): dormant
DORMANT_DAYS = 365
LOST_DAYS = 730
ABC_A_SHARE = 0.80  # the customers making the first 80 % of the revenue
ABC_B_SHARE = 0.95  # the next 15 %


class ResPartner(models.Model):
    """The customer as sales support sees it. Three parts, in this order:

    1. Coordinator: each customer has one coordinator per company that sells to it. A partner of
       a company has a coordinator in that company only; a partner shared between companies (no
       company) has one per company, set by that company's rules and people: the values are
       company-dependent, read and searched in the current company.
    2. Accounting support: credit exposure, cheques, statement of account. The figures are
       computed on read with grouped queries, never stored on the partner (a stored aggregate
       would make parallel orders of one customer fight over its row). They are shown to the
       users who serve the customer (``_filter_support_served``), also without accounting
       rights, in the current company's currency.
    3. Customer care: status, ABC class and contact cadence of commercial partners (customers),
       per company (company-dependent fields: a customer shared between companies has the
       status and class of its orders in each of them), written by a nightly cron (and on
       demand) in batch SQL, one company at a time, from the confirmed orders of that company.
       Amounts are in that company's currency."""

    _inherit = "res.partner"

    support_coordinator_id = fields.Many2one(
        "res.users",
        string="Support Coordinator",
        company_dependent=True,
        tracking=True,
        domain="[('support_level', 'in', ('coordinator', 'manager')), "
        "('company_ids', 'in', company_id or current_company_id)]",
        help="Coordinator serving this customer in the current company: chosen by hand, else "
        "from the company's assignment rules, else the salesperson's coordinator. Contacts "
        "follow their company. Clear it to go back to the rules.",
    )
    is_support_coordinator_manual = fields.Boolean(
        string="Coordinator Set by Hand",
        company_dependent=True,
        readonly=True,
        help="The coordinator was chosen by hand for the current company: the rules keep it.",
    )

    # ------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------
    @api.constrains("support_coordinator_id")
    def _check_support_coordinator_id(self):
        for partner in self.filtered("support_coordinator_id"):
            coordinator = partner.support_coordinator_id
            coordinator._check_can_serve(
                _("the coordinator of %(customer)s", customer=partner.display_name)
            )
            company = partner.company_id or self.env.company
            if company not in coordinator.company_ids:
                raise ValidationError(
                    _(
                        "%(coordinator)s does not work for %(company)s and cannot serve "
                        "%(customer)s there: choose a coordinator of that company.",
                        coordinator=coordinator.name,
                        company=company.name,
                        customer=partner.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if not self.env.context.get("sales_support_auto_assign"):
            chosen = self.browse(
                [
                    p.id
                    for p, vals in zip(partners, vals_list, strict=False)
                    if vals.get("support_coordinator_id")
                ]
            )
            chosen._flag_manual_support_coordinator()
            partners._sync_support_coordinators()
        return partners

    def write(self, vals):
        if "support_coordinator_id" in vals and not self.env.context.get(
            "sales_support_auto_assign"
        ):
            vals = dict(vals)
            coordinator_id = vals.pop("support_coordinator_id")
            res = super().write(vals) if vals else True
            # The value is the coordinator of the partner's company (of the current company for a
            # shared partner), whatever company the user has switched to.
            by_company = defaultdict(lambda: self.browse())
            for partner in self:
                by_company[partner.company_id or self.env.company] |= partner
            for company, partners in by_company.items():
                partners = partners.with_company(company)
                super(ResPartner, partners).write({"support_coordinator_id": coordinator_id})
                partners._flag_manual_support_coordinator()
        else:
            res = super().write(vals)
        if SUPPORT_FACT_FIELDS & vals.keys() and not self.env.context.get(
            "sales_support_auto_assign"
        ):
            # sudo: the contacts follow, also those the user cannot read
            self.sudo().search([("id", "child_of", self.ids)])._sync_support_coordinators()
        return res

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------
    def _get_support_companies(self, companies, all_companies):
        """Companies whose coordinator ``self`` (one partner) needs, among ``companies`` (all
        companies when empty): its company, or every one for a shared partner."""
        self.ensure_one()
        if self.company_id:
            return (
                self.company_id
                if not companies or self.company_id in companies
                else self.company_id.browse()
            )
        return companies or all_companies

    def _flag_manual_support_coordinator(self):
        """After an explicit choice of the coordinator in the current company: a value other than
        the rules' is kept as a manual choice; an empty value goes back to the rules. Contacts
        follow their company."""
        company = self.env.company
        customers = self.filtered(lambda p: p.is_company or not p.parent_id)
        expected = self.env["sales.support.assignment.rule"]._get_partner_coordinators(
            customers, company
        )
        # sudo: the manual flag is kept by the system (readonly for users)
        auto = customers.sudo().with_company(company).with_context(sales_support_auto_assign=True)
        todo = defaultdict(list)  # values -> partner ids
        for partner in auto:
            rules_value = expected[partner]
            if not partner.support_coordinator_id:
                todo[rules_value.id, False].append(partner.id)
            else:
                todo[None, partner.support_coordinator_id != rules_value].append(partner.id)
        for (coordinator_id, manual), ids in todo.items():
            values = {"is_support_coordinator_manual": manual}
            if coordinator_id is not None:  # None: keep the chosen coordinator
                values["support_coordinator_id"] = coordinator_id
            auto.browse(ids).write(values)
        # sudo: the contacts follow, also those the user cannot read
        children = self.sudo().search(
            [("id", "child_of", customers.ids), ("id", "not in", customers.ids)]
        )
        children._sync_support_coordinators(company)

    def _sync_support_coordinators(self, companies=None):
        """Store the coordinator of each partner of ``self`` in each company that needs one
        (``companies`` only, when given): customers get the assignment rules' coordinator (a
        choice by hand is kept while its coordinator may serve that company), contacts their
        company's, colleagues and pure suppliers (a supplier rank, no customer rank, no sale
        order) none. Writes only what changes, grouped by coordinator."""
        if not self:
            return
        # sudo: coordinators are maintained by the system for every company serving the partner,
        # whoever edits it; context: these writes are not choices by hand.
        partners = self.sudo().with_context(sales_support_auto_assign=True, tracking_disable=True)
        Rule = self.env["sales.support.assignment.rule"]
        # colleagues and the companies' own partners are nobody's customers
        company_partners = (
            self.env["res.company"].sudo().with_context(active_test=False).search([]).partner_id
        )
        colleagues = partners.filtered(lambda p: not p.partner_share or p in company_partners)
        # pure suppliers (never sold to) are nobody's customers either
        suppliers = partners.filtered(lambda p: p.supplier_rank and not p.customer_rank)
        if suppliers:
            sold_to = {
                partner.id
                for [partner] in self.env["sale.order"]
                .sudo()
                ._read_group([("partner_id", "in", suppliers.ids)], ["partner_id"])
            }
            colleagues |= suppliers.filtered(lambda p: p.id not in sold_to)
        customers = partners.filtered(lambda p: p.is_company or not p.parent_id) - colleagues
        contacts = partners - customers - colleagues
        # sudo: a shared customer is served in every company, including those the user cannot open
        all_companies = self.env["res.company"].sudo().search([])
        per_company = defaultdict(lambda: partners.browse())
        for partner in partners:
            for company in partner._get_support_companies(companies, all_companies):
                per_company[company] |= partner
        for company, in_company in per_company.items():
            in_company = in_company.with_company(company)
            todo = defaultdict(list)  # (coordinator, manual) -> partner ids
            company_customers = in_company & customers
            manual = company_customers.filtered(
                lambda p, company=company: p.is_support_coordinator_manual
                and p.support_coordinator_id._can_coordinate_for(company)
            )
            expected = Rule._get_partner_coordinators(company_customers - manual, company)
            for partner in company_customers - manual:
                if (
                    partner.support_coordinator_id != expected[partner]
                    or partner.is_support_coordinator_manual
                ):
                    todo[expected[partner].id, False].append(partner.id)
            for (coordinator_id, _flag), ids in todo.items():
                self._store_support_coordinator(company, ids, coordinator_id)
            todo.clear()
            for partner in in_company & contacts:
                value = partner.commercial_partner_id.support_coordinator_id
                if partner.support_coordinator_id != value or partner.is_support_coordinator_manual:
                    todo[value.id, False].append(partner.id)
            for partner in (in_company & colleagues).filtered("support_coordinator_id"):
                todo[False, False].append(partner.id)
            for (coordinator_id, _flag), ids in todo.items():
                self._store_support_coordinator(company, ids, coordinator_id)

    @api.model
    def _store_support_coordinator(self, company, ids, coordinator_id=None, keep_coordinator=False):
        """Set, in ``company``, the coordinator of partners ``ids`` (rules' value: not by hand).

        One SQL update of the company's key in the two jsonb columns: the ORM's write of a
        partner re-syncs its contacts one by one (``_fields_sync``), which a batch of thousands
        cannot afford, and a system re-assignment is no edit of the customer (no write_date, no
        tracking, as for orders re-assigned in batch)."""
        if not ids:
            return
        fnames = ["support_coordinator_id", "is_support_coordinator_manual"]
        self.flush_model(fnames)
        key = str(company.id)
        assignments = [
            SQL(
                "is_support_coordinator_manual = "
                "COALESCE(is_support_coordinator_manual, '{}'::jsonb) "
                "|| jsonb_build_object(%s::text, false)",
                key,
            )
        ]
        if not keep_coordinator:
            assignments.append(
                SQL(
                    "support_coordinator_id = COALESCE(support_coordinator_id, '{}'::jsonb) "
                    "|| jsonb_build_object(%s::text, %s::int4)",
                    key,
                    coordinator_id or None,
                )
            )
        self.env.cr.execute(
            SQL("UPDATE res_partner SET %s WHERE id IN %s", SQL(", ").join(assignments), tuple(ids))
        )
        self.browse(ids).invalidate_recordset(fnames)

    @api.model
    def _release_support_coordinators(self, users):
        """``users`` may no longer serve some customers (archived, role or company removed): those
        customers and their contacts go back to the rules in the companies concerned."""
        if not users:
            return
        # sudo: see _sync_support_coordinators
        for company in self.env["res.company"].sudo().search([]):
            unable = users.filtered(lambda u, company=company: not u._can_coordinate_for(company))
            if not unable:
                continue
            Partner = self.sudo().with_company(company).with_context(sales_support_auto_assign=True)
            served = Partner.search([("support_coordinator_id", "in", unable.ids)])
            if served:
                self._store_support_coordinator(company, served.ids, keep_coordinator=True)
                served._sync_support_coordinators(company)

    # ============================================================
    # Accounting support: credit exposure, cheques, statement
    # ============================================================

    # ------------------------------------------------------------
    # Credit exposure (current company, its currency)
    # ------------------------------------------------------------
    support_credit_visible = fields.Boolean(
        compute="_compute_support_credit",
        string="Credit Figures Visible",
        help="The current user serves this customer and may read its credit figures.",
    )
    support_credit_currency_id = fields.Many2one(
        "res.currency", compute="_compute_support_credit", string="Exposure Currency"
    )
    support_open_receivable = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Open Receivables",
        help="Posted, unreconciled receivables of the customer in the current company.",
    )
    support_overdue_amount = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Overdue",
        help="Part of the open receivables past its due date.",
    )
    support_to_invoice_amount = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Orders to Invoice",
        help="What is left to invoice (taxes included) on confirmed orders.",
    )
    support_uncleared_cheque_amount = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Uncleared Cheques",
        help="Cheques received or deposited that the bank has not paid yet, whose payment is "
        "registered (until then the debt they pay is still in the open receivables).",
    )
    support_credit_exposure = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Credit Exposure",
        help="Open receivables + orders to invoice + uncleared cheques, each counted when the "
        "company's settings include it.",
    )
    support_credit_limit = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Credit Limit (Exposure)",
        help="The customer's credit limit (Invoicing: Sales Credit Limit), 0 when none applies.",
    )
    support_credit_available = fields.Monetary(
        compute="_compute_support_credit",
        currency_field="support_credit_currency_id",
        string="Credit Available",
    )
    support_is_over_credit_limit = fields.Boolean(
        compute="_compute_support_credit",
        search="_search_support_is_over_credit_limit",
        string="Over Credit Limit",
    )

    # ------------------------------------------------------------
    # Cheques
    # ------------------------------------------------------------
    support_cheque_count = fields.Integer(compute="_compute_support_cheques", string="Cheques")
    support_bounced_cheque_count = fields.Integer(
        compute="_compute_support_cheques",
        string="Bounced Cheques (12 Months)",
        help="Cheques of the customer that bounced in the last 12 months.",
    )
    support_has_unresolved_bounce = fields.Boolean(
        compute="_compute_support_cheques",
        string="Unresolved Bounced Cheque",
        help="A cheque of the customer bounced and is not replaced yet.",
    )

    # ------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------
    @api.depends_context("company", "uid")
    def _compute_support_credit(self):
        company = self.env.company
        real = self.filtered(lambda p: isinstance(p._origin.id, int) and p._origin.id)
        served = real._origin._filter_support_served()
        figures = served._get_credit_exposure(company)
        for partner in self:
            values = figures.get(partner._origin.commercial_partner_id.id)
            partner.support_credit_currency_id = company.currency_id
            partner.support_credit_visible = partner._origin in served
            values = values if partner.support_credit_visible else {}
            partner.support_open_receivable = values.get("receivable", 0.0)
            partner.support_overdue_amount = values.get("overdue", 0.0)
            partner.support_to_invoice_amount = values.get("to_invoice", 0.0)
            partner.support_uncleared_cheque_amount = values.get("cheques", 0.0)
            partner.support_credit_exposure = values.get("exposure", 0.0)
            partner.support_credit_limit = values.get("limit", 0.0)
            partner.support_credit_available = (
                values["limit"] - values["exposure"] if values.get("limit") else 0.0
            )
            partner.support_is_over_credit_limit = values.get("is_over", False)

    def _search_support_is_over_credit_limit(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(_("Search on 'Over Credit Limit' supports = and != only."))
        # sudo: candidates are customers with a credit limit of the current company; the served
        # ones are kept below through the computed figures (which check the user).
        candidates = self.sudo().search([("credit_limit", ">", 0), ("parent_id", "=", False)])
        over = candidates.with_env(self.env).filtered("support_is_over_credit_limit")
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", over.ids)]

    @api.depends_context("company", "uid")
    def _compute_support_cheques(self):
        real = self.filtered(lambda p: isinstance(p._origin.id, int) and p._origin.id)._origin
        commercial = real._filter_support_served().commercial_partner_id
        # sudo: counts of the cheques of the customers the user serves (checked just above),
        # also for users with no right on cheques (a flag on the customer, not the cheques)
        Cheque = self.env["sales.customer.cheque"].sudo()
        company = self.env.company
        total = {
            partner.id: count
            for partner, count in Cheque._read_group(
                [("commercial_partner_id", "in", commercial.ids), ("company_id", "=", company.id)],
                ["commercial_partner_id"],
                ["__count"],
            )
        }
        bounced = Cheque._get_bounced_counts(commercial, company)
        unresolved = {
            partner.id
            for [partner] in Cheque._read_group(
                [
                    ("commercial_partner_id", "in", commercial.ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "bounced"),
                ],
                ["commercial_partner_id"],
            )
        }
        for partner in self:
            commercial_id = partner._origin.commercial_partner_id.id
            partner.support_cheque_count = total.get(commercial_id, 0)
            partner.support_bounced_cheque_count = bounced.get(commercial_id, 0)
            partner.support_has_unresolved_bounce = commercial_id in unresolved

    # ------------------------------------------------------------
    # Who serves whom
    # ------------------------------------------------------------
    def _filter_support_served(self):
        """Partners of ``self`` whose customer the current user serves: managers (sales or
        support) all those they may read; others the customers whose salesperson or coordinator
        they are, or of whom they may read an order through their own record rules."""
        partners = self._filtered_access("read")
        user = self.env.user
        if not partners or user.share:
            return self.browse()
        if user.has_group("sales_support.group_support_manager") or user.has_group(
            "sales_team.group_sale_manager"
        ):
            return partners
        commercial = partners.commercial_partner_id
        served = commercial.filtered(
            lambda p: p.user_id == user
            or p.support_coordinator_id == user
            or user in p.user_id.support_coordinator_id
        )
        rest = commercial - served
        if rest and self.env["sale.order"].has_access("read"):
            # Normal access: the orders the user's record rules let them read (an order with no
            # salesperson, readable by every salesperson, is no sign of serving the customer).
            groups = self.env["sale.order"]._read_group(
                [
                    ("partner_id.commercial_partner_id", "in", rest.ids),
                    "|",
                    ("user_id", "!=", False),
                    ("coordinator_id", "=", user.id),
                ],
                ["partner_id"],
            )
            served |= self.browse([p.id for [p] in groups]).commercial_partner_id
        return partners.filtered(lambda p: p.commercial_partner_id in served)

    def _check_support_served(self):
        """AccessError unless the current user serves every customer of ``self``."""
        refused = self - self._filter_support_served()
        if refused:
            raise AccessError(
                _(
                    "You do not serve %(customers)s: its accounting figures (statement, credit "
                    "exposure) are for its salesperson, its coordinator and managers.",
                    customers=", ".join(refused.mapped("display_name")),
                )
            )

    # ------------------------------------------------------------
    # Credit exposure
    # ------------------------------------------------------------
    def _get_credit_exposure(self, company=None):
        """Exposure of the commercial partners of ``self`` in ``company`` (default: current),
        in its currency: {commercial partner id: {receivable, overdue, to_invoice, cheques,
        exposure, limit, is_over}}. Three grouped queries whatever the number of partners.
        No access check: callers show it only to who serves the customer (or use it for the
        confirmation check)."""
        company = company or self.env.company
        customers = self.commercial_partner_id.filtered(lambda p: isinstance(p.id, int))
        if not customers:
            return {}
        currency = company.currency_id
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].sudo().search([("id", "child_of", company.id)])
        result = {
            pid: {
                "receivable": 0.0,
                "overdue": 0.0,
                "to_invoice": 0.0,
                "cheques": 0.0,
            }
            for pid in customers.ids
        }
        # 1. open receivables (company currency): posted, unreconciled receivable items
        self.env["account.move.line"].flush_model(
            ["account_id", "amount_residual", "company_id", "parent_state", "partner_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id,
                       SUM(l.amount_residual),
                       SUM(l.amount_residual) FILTER (
                           WHERE COALESCE(l.date_maturity, l.date) < %(today)s)
                  FROM account_move_line l
                  JOIN account_account a ON a.id = l.account_id
                  JOIN res_partner p ON p.id = l.partner_id
                 WHERE a.account_type = 'asset_receivable'
                   AND l.parent_state = 'posted'
                   AND NOT l.reconciled
                   AND l.company_id IN %(companies)s
                   AND p.commercial_partner_id IN %(customers)s
                 GROUP BY p.commercial_partner_id
                """,
                today=today,
                companies=tuple(companies.ids),
                customers=tuple(customers.ids),
            )
        )
        for pid, receivable, overdue in self.env.cr.fetchall():
            result[pid]["receivable"] = receivable or 0.0
            result[pid]["overdue"] = overdue or 0.0
        # 2. confirmed orders, left to invoice taxes included (Odoo's amount_to_invoice is not
        # stored: its stored untaxed amount scaled by each line's total / subtotal). Per order,
        # as Odoo's own credit check: an invoiced down payment not deducted yet counts negative
        # (it is in the receivables, or paid), and an order never counts below 0 (a down payment
        # on goods invoiced on delivery, nothing delivered yet, gives no room above the limit).
        self.env["sale.order.line"].flush_model(
            ["untaxed_amount_to_invoice", "price_total", "price_subtotal", "order_id"]
        )
        self.env["sale.order"].flush_model(["state", "company_id", "partner_id", "currency_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT per_order.commercial_partner_id, per_order.currency_id,
                       SUM(GREATEST(per_order.amount, 0))
                  FROM (
                        SELECT p.commercial_partner_id, o.currency_id,
                               SUM(CASE WHEN sol.price_subtotal <> 0
                                        THEN sol.untaxed_amount_to_invoice * sol.price_total
                                             / sol.price_subtotal
                                        ELSE sol.untaxed_amount_to_invoice END) AS amount
                          FROM sale_order_line sol
                          JOIN sale_order o ON o.id = sol.order_id
                          JOIN res_partner p ON p.id = o.partner_id
                         WHERE o.state = 'sale'
                           AND o.company_id IN %(companies)s
                           AND sol.untaxed_amount_to_invoice <> 0
                           AND p.commercial_partner_id IN %(customers)s
                         GROUP BY o.id, p.commercial_partner_id, o.currency_id
                       ) per_order
                 GROUP BY per_order.commercial_partner_id, per_order.currency_id
                """,
                companies=tuple(companies.ids),
                customers=tuple(customers.ids),
            )
        )
        to_invoice = self.env.cr.fetchall()
        # 3. cheques not cleared yet whose payment is booked: the debt left the receivables
        # but comes back if the bank refuses the cheque. A cheque whose payment is not booked
        # yet is still in the receivables (or the orders to invoice): counting it would count
        # the same debt twice.
        # sudo: figures only; the caller decides who sees them
        cheques = (
            self.env["sales.customer.cheque"]
            .sudo()
            ._read_group(
                [
                    ("commercial_partner_id", "in", customers.ids),
                    ("company_id", "in", companies.ids),
                    ("state", "in", UNCLEARED_STATES),
                    ("payment_id.state", "in", ("in_process", "paid")),
                ],
                ["commercial_partner_id", "currency_id"],
                ["amount:sum"],
            )
        )
        rates = {}

        def convert(amount, currency_id):
            if currency_id not in rates:
                rates[currency_id] = self.env["res.currency"]._get_conversion_rate(
                    self.env["res.currency"].browse(currency_id), currency, company, today
                )
            return amount * rates[currency_id]

        for pid, currency_id, amount in to_invoice:
            result[pid]["to_invoice"] += convert(amount or 0.0, currency_id)
        for partner, cheque_currency, amount in cheques:
            result[partner.id]["cheques"] += convert(amount or 0.0, cheque_currency.id)
        # sudo: the credit limit is an accounting field; only its value is used here
        limits = customers.sudo().with_company(company)
        use_limit = company.account_use_credit_limit
        for customer in limits:
            values = result[customer.id]
            for key in ("receivable", "overdue", "to_invoice", "cheques"):
                values[key] = currency.round(values[key])
            values["exposure"] = currency.round(
                (values["receivable"] if company.sales_support_exposure_receivable else 0.0)
                + (values["to_invoice"] if company.sales_support_exposure_to_invoice else 0.0)
                + (values["cheques"] if company.sales_support_exposure_cheques else 0.0)
            )
            values["limit"] = customer.credit_limit if use_limit else 0.0
            values["is_over"] = bool(values["limit"]) and (
                currency.compare_amounts(values["exposure"], values["limit"]) > 0
            )
        return result

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_view_support_cheques(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sales_customer_cheque_action"
        )
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "search_default_group_state": 0,
        }
        return action

    def action_open_support_statement(self):
        self.ensure_one()
        self.commercial_partner_id._check_support_served()
        return {
            "type": "ir.actions.act_window",
            "name": _("Statement of Account"),
            "res_model": "sales.support.statement.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    # ------------------------------------------------------------
    # RPC
    # ------------------------------------------------------------
    @api.readonly
    @api.model
    def get_statement_lines(
        self, partner_id=None, date_from=None, date_to=None, as_of=None, company_id=None
    ):
        """Statement of account of a customer, for external scripts (see readme/API.md).

        ``partner_id`` (or the single record called on), ``date_from`` and ``date_to``
        (``YYYY-MM-DD``), ``as_of`` (default ``date_to``), ``company_id`` (default the user's
        current company). Only for the customers the user serves (else AccessError)."""
        partner = self.browse(partner_id) if partner_id else self
        if len(partner) != 1 or not partner.exists():
            raise AccessError(_("Give one existing customer (partner_id) for its statement."))
        company = self.env["res.company"].browse(company_id) if company_id else self.env.company
        data = self.env["sales.support.statement"]._get_statement_data(
            partner, date_from, date_to, as_of, company
        )
        return self.env["sales.support.statement"]._statement_to_json(data)

    @api.readonly
    @api.model
    def get_credit_exposure(self, partner_ids=None, company_id=None):
        """Credit exposure of customers, for external scripts: {partner id: {receivable,
        overdue, to_invoice, cheques, exposure, limit, is_over, currency}} in the company's
        currency. Only for the customers the user serves (else AccessError)."""
        partners = self.browse(partner_ids) if partner_ids else self
        partners = partners.exists()
        company = self.env["res.company"].browse(company_id) if company_id else self.env.company
        if company not in self.env.user.company_ids:
            raise AccessError(_("You do not work for %(company)s.", company=company.display_name))
        partners.commercial_partner_id._check_support_served()
        figures = partners._get_credit_exposure(company)
        # XML-RPC wants string keys
        return {
            str(partner.id): dict(
                figures[partner.commercial_partner_id.id], currency=company.currency_id.name
            )
            for partner in partners
        }

    # ============================================================
    # Customer care: status, ABC class, contact cadence
    # ============================================================

    # Company-dependent (jsonb {company id: value}, Odoo's index on it): the figures of the
    # customer's orders in the current company, written by the nightly computation.
    customer_status = fields.Selection(
        CUSTOMER_STATUSES,
        company_dependent=True,
        readonly=True,
        help="Status from the orders in the current company. New: first order in the "
        "new-customer period. At risk: no order for 1.5 times its usual interval between orders "
        "(median gap of its own history). Dormant: no order for twice that interval or a year. "
        "Lost: no order for two years, or marked lost. Computed nightly.",
    )
    customer_status_date = fields.Date(
        string="Status Since",
        company_dependent=True,
        readonly=True,
        help="When the status last changed.",
    )
    customer_first_order_date = fields.Date(
        string="First Order", company_dependent=True, readonly=True
    )
    customer_last_order_date = fields.Date(
        string="Last Order", company_dependent=True, readonly=True
    )
    customer_order_interval = fields.Float(
        string="Usual Interval (days)",
        company_dependent=True,
        readonly=True,
        digits=(16, 1),
        help="Median number of days between two ordering days of the customer.",
    )
    # a Float: Odoo 18 has no company-dependent Monetary (shown with the currency's decimals by
    # the monetary widget; no decimal precision: read with every partner's company-dependent
    # fields, its lookup cost a query on each read of a coordinator)
    customer_revenue_12m = fields.Float(
        string="Revenue (12 months)",
        company_dependent=True,
        readonly=True,
        help="Untaxed amount of the confirmed orders of the last 12 months in the current "
        "company, in its currency.",
    )
    customer_abc_class = fields.Selection(
        ABC_CLASSES,
        string="ABC Class",
        company_dependent=True,
        readonly=True,
        help="Among the customers of the current company: A: the customers that make the top "
        "80% of the last 12 months' revenue; B: the next 15%; C: the rest.",
    )
    # per company, as the figures they override: a customer strategic for one company of the
    # group may be an occasional buyer of another
    is_customer_strategic = fields.Boolean(
        string="Strategic",
        company_dependent=True,
        tracking=True,
        help="Contacted as often as class A customers in the current company, whatever their "
        "revenue.",
    )
    is_customer_lost = fields.Boolean(
        string="Marked Lost",
        company_dependent=True,
        tracking=True,
        help="Lost for the current company whatever its orders say.",
    )
    customer_last_contact_date = fields.Date(
        string="Last Contact",
        company_dependent=True,
        readonly=True,
        help="In the current company: last meeting (calendar event the customer attends, "
        "organised by a user of the company), or last message or done activity of an internal "
        "user of the company on the customer or its orders in the company.",
    )
    customer_contact_cadence = fields.Integer(
        string="Contact Every (days)", compute="_compute_customer_contact_cadence"
    )
    customer_next_contact_date = fields.Date(
        string="Next Contact Due",
        compute="_compute_customer_next_contact_date",
        search="_search_customer_next_contact_date",
    )
    customer_contact_reminded_date = fields.Date(
        string="Contact Reminder Sent",
        company_dependent=True,
        readonly=True,
        help="When the coordinator was last asked to contact the customer (once per delay).",
    )
    payment_promise_count = fields.Integer(
        string="Promises to Pay", compute="_compute_payment_promise_stats"
    )
    payment_promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        compute="_compute_payment_promise_stats",
        digits=(16, 0),
        help="Share of the settled promises to pay (kept or broken) that were kept.",
    )

    @api.depends("customer_abc_class", "is_customer_strategic", "company_id")
    @api.depends_context("company")
    def _compute_customer_contact_cadence(self):
        for partner in self:
            company = partner.company_id or self.env.company
            cadence = 0
            if partner.is_customer_strategic or partner.customer_abc_class == "A":
                cadence = company.sales_support_cadence_a
            elif partner.customer_abc_class == "B":
                cadence = company.sales_support_cadence_b
            elif partner.customer_abc_class == "C":
                cadence = company.sales_support_cadence_c
            partner.customer_contact_cadence = cadence

    @api.depends(
        "customer_abc_class",
        "is_customer_strategic",
        "customer_last_contact_date",
        "customer_first_order_date",
        "company_id",
    )
    @api.depends_context("company")
    def _compute_customer_next_contact_date(self):
        for partner in self:
            cadence = partner.customer_contact_cadence
            start = partner.customer_last_contact_date or partner.customer_first_order_date
            partner.customer_next_contact_date = (
                cadence and start and start + timedelta(days=cadence)
            ) or False

    def _search_customer_next_contact_date(self, operator, value):
        # the computation above in SQL, in the current company: last contact (else first
        # order) + the cadence of the class (class A for strategic customers)
        if operator not in ("<", "<=", ">", ">=", "=", "!=") or (
            not value and operator not in ("=", "!=")
        ):
            raise UserError(
                _(
                    "Search the next contact date with <, <=, >, >=, = or != and a date, or "
                    "with = or != and no date (customers with no contact due, or with one)."
                )
            )
        self.env["res.partner"].flush_model()
        company = self.env.company

        def cd(fname):  # the value of a company-dependent column in the current company
            return SQL("(p.%s->>%s)", SQL.identifier(fname), str(company.id))

        # a sub-query of the search (not a list of ids: "no contact due" is most customers)
        dues = SQL(
            """
                SELECT id FROM (
                    SELECT p.id,
                           COALESCE(%(contact)s, %(first)s)::date AS start,
                           CASE
                               WHEN %(strategic)s OR %(abc)s = 'A'
                                   THEN c.sales_support_cadence_a
                               WHEN %(abc)s = 'B' THEN c.sales_support_cadence_b
                               WHEN %(abc)s = 'C' THEN c.sales_support_cadence_c
                           END AS cadence
                      FROM res_partner p
                      JOIN res_company c ON c.id = COALESCE(p.company_id, %(company)s)
                     WHERE %(contact)s IS NOT NULL OR %(first)s IS NOT NULL
                ) dues
                WHERE cadence > 0 AND %(condition)s
            """,
            contact=cd("customer_last_contact_date"),
            first=cd("customer_first_order_date"),
            abc=cd("customer_abc_class"),
            strategic=SQL("COALESCE(%s::boolean, FALSE)", cd("is_customer_strategic")),
            company=company.id,
            # no date: the customers that have one, then the complement below
            condition=SQL("start + cadence %s %s", SQL(operator), fields.Date.to_date(value))
            if value
            else SQL("TRUE"),
        )
        return [("id", "not in" if not value and operator == "=" else "in", SQL("(%s)", dues))]

    def _compute_payment_promise_stats(self):
        counts = {
            (partner.id, state): count
            for partner, state, count in self.env["sales.support.payment.promise"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id", "state"],
                ["__count"],
            )
        }
        for partner in self:
            key = partner.commercial_partner_id.id
            kept, broken = counts.get((key, "kept"), 0), counts.get((key, "broken"), 0)
            partner.payment_promise_count = kept + broken + counts.get((key, "open"), 0)
            partner.payment_promise_kept_rate = (
                100.0 * kept / (kept + broken) if kept + broken else 0
            )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_recompute_customer_care(self):
        """On demand: recompute the status, class and last contact of these customers (their
        class is ranked against all the customers of their company). The figures are the
        system's: written with sudo, for customers the user may read only."""
        self.check_access("read")
        for company, partners in self.commercial_partner_id.grouped(
            lambda p: p.company_id or self.env.company
        ).items():
            # ranked as the nightly run ranks them: among the company's own and shared customers
            self.env["res.partner"]._run_customer_care(
                company, only_partners=partners, include_shared=True
            )
        return True

    def action_open_payment_promises(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sales_support_payment_promise_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------
    # Computation (batch SQL)
    # ------------------------------------------------------------
    @api.model
    def _get_customer_history(self, company, include_shared, today):
        """{partner id: (first day, last day, median gap, revenue 12 months, share before)}
        of the commercial partners that have confirmed orders in ``company`` (theirs, or shared
        ones when ``include_shared``). One query with window functions: the gaps between
        ordering days (LAG) and the running revenue total for the ABC ranking."""
        self.env["sale.order"].flush_model(
            ["state", "company_id", "partner_id", "date_order", "amount_untaxed", "currency_rate"]
        )
        self.flush_model(["commercial_partner_id", "company_id"])
        rows = self.env.execute_query(
            SQL(
                """
                WITH orders AS (
                    SELECT partner.commercial_partner_id AS partner_id,
                           so.date_order::date AS day,
                           so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount
                      FROM sale_order so
                      JOIN res_partner partner ON partner.id = so.partner_id
                      JOIN res_partner customer ON customer.id = partner.commercial_partner_id
                     WHERE so.state = 'sale'
                       AND so.company_id = %(company)s
                       AND so.date_order::date <= %(today)s
                       AND (customer.company_id = %(company)s
                            OR (%(shared)s AND customer.company_id IS NULL))
                ), gaps AS (
                    SELECT partner_id, day,
                           day - LAG(day) OVER (PARTITION BY partner_id ORDER BY day) AS gap
                      FROM (SELECT DISTINCT partner_id, day FROM orders) days
                ), history AS (
                    SELECT partner_id, MIN(day) AS first_day, MAX(day) AS last_day,
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS interval
                      FROM gaps
                  GROUP BY partner_id
                ), revenue AS (
                    SELECT partner_id, SUM(amount) AS revenue
                      FROM orders
                     WHERE day > %(year_ago)s
                  GROUP BY partner_id
                ), ranked AS (
                    SELECT history.*, COALESCE(revenue.revenue, 0) AS revenue,
                           SUM(COALESCE(revenue.revenue, 0)) OVER (
                               ORDER BY COALESCE(revenue.revenue, 0) DESC, history.partner_id
                               ROWS UNBOUNDED PRECEDING) AS running,
                           SUM(COALESCE(revenue.revenue, 0)) OVER () AS total
                      FROM history
                 LEFT JOIN revenue ON revenue.partner_id = history.partner_id
                )
                SELECT partner_id, first_day, last_day, interval, revenue,
                       CASE WHEN total > 0 THEN (running - revenue) / total END
                  FROM ranked
                """,
                company=company.id,
                today=today,
                shared=include_shared,
                year_ago=today - timedelta(days=365),
            )
        )
        return {row[0]: row[1:] for row in rows}

    @api.model
    def _get_last_contact_dates(self, partner_ids, today, company):
        """{commercial partner id: last contact day for ``company``}: meetings it attends
        (calendar events up to now, organised by a user of the company or by nobody), messages
        and done activities of the company's internal users on it or on its orders in the
        company. A customer shared by two companies is not "contacted" for one by staff who
        work for the other only (a user of both companies contacts it for both)."""
        if not partner_ids:
            return {}
        for model in ("calendar.event", "mail.message", "sale.order"):
            self.env[model].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                WITH staff AS (
                    SELECT u.id, u.partner_id
                      FROM res_users u
                      JOIN res_company_users_rel rel ON rel.user_id = u.id
                     WHERE u.share IS NOT TRUE AND rel.cid = %(company)s
                )
                SELECT partner_id, MAX(day) FROM (
                    SELECT partner.commercial_partner_id AS partner_id, event.start::date AS day
                      FROM calendar_event event
                      JOIN calendar_event_res_partner_rel rel ON rel.calendar_event_id = event.id
                      JOIN res_partner partner ON partner.id = rel.res_partner_id
                     WHERE event.active AND event.start::date <= %(today)s
                       AND (event.user_id IS NULL OR event.user_id IN (SELECT id FROM staff))
                       AND partner.commercial_partner_id IN %(ids)s
                 UNION ALL
                    SELECT partner.commercial_partner_id, msg.date::date
                      FROM mail_message msg
                      JOIN res_partner partner ON partner.id = msg.res_id
                     WHERE msg.model = 'res.partner'
                       AND (msg.message_type = 'comment' OR msg.mail_activity_type_id IS NOT NULL)
                       AND msg.author_id IN (SELECT partner_id FROM staff)
                       AND partner.commercial_partner_id IN %(ids)s
                 UNION ALL
                    SELECT partner.commercial_partner_id, msg.date::date
                      FROM mail_message msg
                      JOIN sale_order so ON so.id = msg.res_id
                      JOIN res_partner partner ON partner.id = so.partner_id
                     WHERE msg.model = 'sale.order'
                       AND so.company_id = %(company)s
                       AND (msg.message_type = 'comment' OR msg.mail_activity_type_id IS NOT NULL)
                       AND msg.author_id IN (SELECT partner_id FROM staff)
                       AND partner.commercial_partner_id IN %(ids)s
                ) contacts
              GROUP BY partner_id
                """,
                today=today,
                ids=tuple(partner_ids),
                company=company.id,
            )
        )
        return dict(rows)

    @api.model
    def _get_customer_status(self, company, history, is_lost, today):
        """Status of a customer from its history (first day, last day, median gap)."""
        first_day, last_day, interval = history[:3]
        silent = (today - last_day).days
        interval = interval or company.sales_support_new_customer_days or 90
        if is_lost or silent > LOST_DAYS:
            return "lost"
        if silent > DORMANT_DAYS or silent > DORMANT_FACTOR * interval:
            return "dormant"
        if (today - first_day).days <= company.sales_support_new_customer_days:
            return "new"
        if silent > AT_RISK_FACTOR * interval:
            return "at_risk"
        return "active"

    @api.model
    def _run_customer_care(self, company, only_partners=None, include_shared=False, today=None):
        """Compute and store the status, class, revenue and last contact of the customers of
        ``company`` (only of ``only_partners`` when given, ranked against all of them), then
        ask coordinators to contact those not contacted in time (once per delay)."""
        today = today or fields.Date.context_today(self)
        history = self._get_customer_history(company, include_shared, today)
        # sudo: system figures written for every customer, whoever triggers the run
        Partner = self.sudo().with_company(company)
        scope = Partner.search(
            [
                ("id", "in", list(history))
                if only_partners is None
                else ("id", "in", only_partners.ids),
            ]
        )
        if only_partners is None:
            # customers whose orders all went (cancelled, other company): reset their figures
            scope |= Partner.search(
                [
                    ("customer_status", "!=", False),
                    ("company_id", "in", [company.id, False] if include_shared else [company.id]),
                    ("id", "not in", list(history)),
                ]
            )
        contacts = self._get_last_contact_dates(scope.ids, today, company)
        values = []
        for partner in scope:
            data = history.get(partner.id)
            if not data:
                values.append(
                    SQL(
                        "(%s, NULL::varchar, NULL::date, NULL::date, NULL::date, NULL::float8, "
                        "0.0::numeric, NULL::varchar, %s::date)",
                        partner.id,
                        contacts.get(partner.id),
                    )
                )
                continue
            first_day, last_day, interval, revenue, share_before = data
            status = self._get_customer_status(company, data, partner.is_customer_lost, today)
            if not revenue or share_before is None:
                abc = "C"
            elif share_before < ABC_A_SHARE:
                abc = "A"
            elif share_before < ABC_B_SHARE:
                abc = "B"
            else:
                abc = "C"
            status_date = (
                partner.customer_status_date if partner.customer_status == status else today
            )
            values.append(
                SQL(
                    "(%s, %s::varchar, %s::date, %s::date, %s::date, %s::float8, %s::numeric, "
                    "%s::varchar, %s::date)",
                    partner.id,
                    status,
                    status_date,
                    first_day,
                    last_day,
                    interval,
                    revenue or 0.0,
                    abc,
                    contacts.get(partner.id),
                )
            )
        if values:
            self.flush_model()
            fnames = [
                "customer_status",
                "customer_status_date",
                "customer_first_order_date",
                "customer_last_order_date",
                "customer_order_interval",
                "customer_revenue_12m",
                "customer_abc_class",
                "customer_last_contact_date",
            ]
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE res_partner partner
                       SET %s
                      FROM (VALUES %s) AS v(id, %s)
                     WHERE partner.id = v.id
                    """,
                    self._company_dependent_sets(company, fnames),
                    SQL(", ").join(values),
                    SQL(", ").join(SQL.identifier(fname) for fname in fnames),
                )
            )
            scope.invalidate_recordset(fnames)
            scope.modified(fnames)
            scope.flush_recordset()
        scope._remind_customer_contact(company, today)
        return scope

    @api.model
    def _company_dependent_sets(self, company, fnames):
        """The SET clause writing the company-dependent columns ``fnames`` of res_partner from
        the columns of the same names of ``v`` in ``company`` only (the other companies' values
        are kept): Odoo 18 stores them as jsonb {company id: value}."""
        return SQL(", ").join(
            SQL(
                "%(col)s = COALESCE(partner.%(col)s, '{}'::jsonb) "
                "|| jsonb_build_object(%(company)s, v.%(col)s)",
                col=SQL.identifier(fname),
                company=str(company.id),
            )
            for fname in fnames
        )

    def _remind_customer_contact(self, company, today):
        """An activity for the coordinator of each customer of ``self`` (still a customer: not
        lost) whose next contact is past due, once per due date: not again while no contact
        moves the due date past the last reminder."""
        late = self.filtered(
            lambda p: p.customer_status
            and p.customer_status != "lost"
            and p.customer_next_contact_date
            and p.customer_next_contact_date < today
            and not (
                p.customer_contact_reminded_date
                and p.customer_contact_reminded_date >= p.customer_next_contact_date
            )
        )
        if not late:
            return
        activity_type = self.env.ref("mail.mail_activity_data_call")
        model_id = self.env["ir.model"]._get_id("res.partner")
        late = late.with_company(company)
        self.env["mail.activity"].sudo().create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "user_id": (
                        partner.support_coordinator_id
                        or partner.user_id.support_coordinator_id
                        or partner.user_id
                        or self.env.user
                    ).id,
                    "date_deadline": today,
                    "summary": self.env._(
                        "Contact %(customer)s: class %(abc)s, every %(days)s days",
                        customer=partner.name,
                        abc=partner.customer_abc_class or "-",
                        days=partner.customer_contact_cadence,
                    ),
                }
                for partner in late
            ]
        )
        late.flush_recordset()
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner partner SET %s
                  FROM (SELECT %s::date AS customer_contact_reminded_date) v
                 WHERE partner.id IN %s
                """,
                self._company_dependent_sets(company, ["customer_contact_reminded_date"]),
                today,
                tuple(late.ids),
            )
        )
        late.invalidate_recordset(["customer_contact_reminded_date"])

    @api.model
    def _cron_customer_care(self):
        """Every company's customers, the shared ones too (their figures in each company)."""
        for company in self.env["res.company"].sudo().search([]):
            self._run_customer_care(company, include_shared=True)

    def action_open_meeting_brief(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Meeting Brief"),
            "res_model": "sales.support.meeting.brief",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_user_id": (self.commercial_partner_id.user_id or self.env.user).id,
            },
        }
