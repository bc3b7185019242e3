from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .sales_customer_cheque import UNCLEARED_STATES


class ResPartner(models.Model):
    """Accounting support on the customer: credit exposure, cheques, statement of account.

    The figures are computed on read with grouped queries, never stored on the partner (a stored
    aggregate would make parallel orders of one customer fight over its row). They are shown to
    the users who serve the customer (``_filter_support_served``), also without accounting
    rights, in the current company's currency."""

    _inherit = "res.partner"

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
        help="Cheques received or deposited that the bank has not paid yet.",
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
        # stored: its stored untaxed amount scaled by each line's total / subtotal)
        self.env["sale.order.line"].flush_model(
            ["untaxed_amount_to_invoice", "price_total", "price_subtotal", "order_id"]
        )
        self.env["sale.order"].flush_model(["state", "company_id", "partner_id", "currency_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id, o.currency_id,
                       SUM(CASE WHEN sol.price_subtotal <> 0
                                THEN sol.untaxed_amount_to_invoice * sol.price_total
                                     / sol.price_subtotal
                                ELSE sol.untaxed_amount_to_invoice END)
                  FROM sale_order_line sol
                  JOIN sale_order o ON o.id = sol.order_id
                  JOIN res_partner p ON p.id = o.partner_id
                 WHERE o.state = 'sale'
                   AND o.company_id IN %(companies)s
                   AND sol.untaxed_amount_to_invoice <> 0
                   AND p.commercial_partner_id IN %(customers)s
                 GROUP BY p.commercial_partner_id, o.currency_id
                """,
                companies=tuple(companies.ids),
                customers=tuple(customers.ids),
            )
        )
        to_invoice = self.env.cr.fetchall()
        # 3. cheques not cleared yet
        # sudo: figures only; the caller decides who sees them
        cheques = (
            self.env["sales.customer.cheque"]
            .sudo()
            ._read_group(
                [
                    ("commercial_partner_id", "in", customers.ids),
                    ("company_id", "in", companies.ids),
                    ("state", "in", UNCLEARED_STATES),
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
