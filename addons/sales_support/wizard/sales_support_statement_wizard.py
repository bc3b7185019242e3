from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SalesSupportStatementWizard(models.TransientModel):
    """Statement of account of a customer for a period, as of a date: on screen (its lines and
    the same HTML as the PDF) and as a PDF. The figures come from ``sales.support.statement``,
    which checks that the user serves the customer."""

    _name = "sales.support.statement.wizard"
    _description = "Statement of Account"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain="[('id', 'in', allowed_company_ids)]",
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1)
        - relativedelta(months=3),
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    as_of = fields.Date(
        compute="_compute_as_of",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        help="Open amounts and aging count the payments reconciled up to this day: a statement "
        "of a past date stays the same when later payments are recorded.",
    )
    line_ids = fields.One2many("sales.support.statement.line", "wizard_id", string="Lines")
    statement_html = fields.Html(compute="_compute_statement_html", sanitize=False)

    @api.depends("date_to")
    def _compute_as_of(self):
        for wizard in self:
            if not wizard.as_of or (wizard.date_to and wizard.as_of < wizard.date_to):
                wizard.as_of = wizard.date_to

    @api.depends("partner_id", "company_id", "date_from", "date_to", "as_of")
    def _compute_statement_html(self):
        for wizard in self:
            if not (wizard.partner_id and wizard.date_from and wizard.date_to and wizard.as_of):
                wizard.statement_html = False
                continue
            try:
                data = wizard._get_statement()
            except UserError as error:
                wizard.statement_html = Markup('<p class="text-danger">%s</p>') % str(error)
                continue
            wizard.statement_html = self.env["ir.qweb"]._render(
                "sales_support.report_statement_body", {"st": data, "wizard": wizard}
            )

    def _get_statement(self):
        self.ensure_one()
        return self.env["sales.support.statement"]._get_statement_data(
            self.partner_id, self.date_from, self.date_to, self.as_of, self.company_id
        )

    def _prepare_line_values(self, data):
        values = []
        for section in data["sections"]:
            for line in section["lines"]:
                values.append(
                    {
                        "wizard_id": self.id,
                        "currency_id": section["currency"].id,
                        "company_currency_id": data["company_currency"].id,
                        "move_name": line["name"],
                        "move_id": line["move_id"],
                        "kind": line["kind"],
                        "ref": line["ref"],
                        "date": line["date"],
                        "date_maturity": line["date_maturity"],
                        "debit": line["debit"],
                        "credit": line["credit"],
                        "amount_company": line["amount_company"],
                        "open_amount": line["open_amount"],
                        "running_balance": line["running_balance"],
                        "is_overdue": line["is_overdue"],
                        "days_overdue": line["days_overdue"],
                    }
                )
        return values

    def action_show_lines(self):
        self.ensure_one()
        data = self._get_statement()
        self.line_ids.unlink()
        self.env["sales.support.statement.line"].create(self._prepare_line_values(data))
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "Statement of %(customer)s, %(start)s - %(end)s",
                customer=self.partner_id.display_name,
                start=self.date_from,
                end=self.date_to,
            ),
            "res_model": "sales.support.statement.line",
            "view_mode": "list",
            "domain": [("wizard_id", "=", self.id)],
            "context": {"search_default_group_currency": 1},
        }

    def action_print(self):
        self.ensure_one()
        self._get_statement()  # access and input checks before the report opens
        return self.env.ref("sales_support.action_report_statement").report_action(self)


class SalesSupportStatementLine(models.TransientModel):
    """One journal item of a statement on screen (a snapshot, never edited)."""

    _name = "sales.support.statement.line"
    _description = "Statement of Account Line"
    _order = "currency_id, date, id"

    wizard_id = fields.Many2one(
        "sales.support.statement.wizard", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    move_name = fields.Char(string="Document", readonly=True)
    move_id = fields.Integer(readonly=True)
    kind = fields.Selection(
        [
            ("invoice", "Invoice"),
            ("credit_note", "Credit Note"),
            ("payment", "Payment"),
            ("other", "Other"),
        ],
        readonly=True,
    )
    ref = fields.Char(string="Reference", readonly=True)
    date = fields.Date(readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    debit = fields.Monetary(readonly=True)
    credit = fields.Monetary(readonly=True)
    amount_company = fields.Monetary(
        string="Amount (Company Currency)", currency_field="company_currency_id", readonly=True
    )
    open_amount = fields.Monetary(string="Open", readonly=True)
    running_balance = fields.Monetary(string="Balance", readonly=True, aggregator=None)
    is_overdue = fields.Boolean(string="Overdue", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
