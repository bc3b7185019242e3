from datetime import date

from odoo import Command
from odoo.tools import SQL

from odoo.addons.o2c_kpi.engine.kpi_functions import KpiParams, compute_kpis
from odoo.addons.sales_support.tests.common import SalesSupportCommon


class O2cKpiCommon(SalesSupportCommon):
    """A company of its own in Jerusalem (UTC+2 in winter, UTC+3 in summer), so that the
    figures hold only the records made here; salespeople 1 and 2 in team A, salesperson 3 in
    team B; coordinator serves 1 and 2, coordinator_2 serves 3 (SalesSupportCommon).

    The records are made with the ORM, their dates then set with SQL: the calculators read the
    tables, and the dates are what the ledger would have written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kpi_company = cls.env["res.company"].create({"name": "KPI Test Company"})
        cls.kpi_company.partner_id.tz = "Asia/Jerusalem"
        users = (
            cls.salesperson_1
            | cls.salesperson_2
            | cls.salesperson_3
            | cls.coordinator
            | cls.coordinator_2
            | cls.support_manager
            | cls.assistant
        )
        users.write({"company_ids": [(4, cls.kpi_company.id)]})
        cls.team_a = cls.env["crm.team"].create({"name": "KPI Team A", "company_id": False})
        cls.team_b = cls.env["crm.team"].create({"name": "KPI Team B", "company_id": False})
        cls.env["crm.team.member"].create(
            [
                {"crm_team_id": cls.team_a.id, "user_id": cls.salesperson_1.id},
                {"crm_team_id": cls.team_a.id, "user_id": cls.salesperson_2.id},
                {"crm_team_id": cls.team_b.id, "user_id": cls.salesperson_3.id},
            ]
        )
        cls.request_type = cls.env["sales.support.request.type"].search([], limit=1)

    @classmethod
    def _invoice(cls, invoice_date, due_date, amount, currency=None, salesperson=None):
        """A posted customer invoice of the KPI company (no taxes, no payment terms: due on
        ``due_date``) of ``salesperson`` (default: salesperson 1, team A; salesperson 3: team B)."""
        salesperson = salesperson or cls.salesperson_1
        invoice = (
            cls.env["account.move"]
            .with_company(cls.kpi_company)
            .create(
                {
                    "move_type": "out_invoice",
                    "company_id": cls.kpi_company.id,
                    "partner_id": cls.customer_1.id,
                    "currency_id": (currency or cls.kpi_company.currency_id).id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": due_date,
                    "invoice_payment_term_id": False,
                    "invoice_user_id": salesperson.id,
                    "team_id": (cls.team_b if salesperson == cls.salesperson_3 else cls.team_a).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "KPI service",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        return invoice

    @classmethod
    def _order(cls, salesperson, customer=None, company=None, **dates):
        """A confirmed order of the KPI company, its milestones set to ``dates`` (UTC)."""
        order = cls.env["sale.order"].create(
            {
                "company_id": (company or cls.kpi_company).id,
                "partner_id": (customer or cls.customer_1).id,
                "user_id": salesperson.id,
                "team_id": (cls.team_b if salesperson == cls.salesperson_3 else cls.team_a).id,
                "coordinator_id": salesperson.support_coordinator_id.id,
                "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 1})],
            }
        )
        values = {"state": "sale", "currency_rate": 1.0, **dates}
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                "UPDATE sale_order SET %s WHERE id = %s",
                SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(name), value) for name, value in values.items()
                ),
                order.id,
            )
        )
        order.invalidate_recordset()
        return order

    @classmethod
    def _sql_insert(cls, table, values):
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES (%s) RETURNING id",
                SQL.identifier(table),
                SQL(", ").join(SQL.identifier(name) for name in values),
                SQL(", ").join(SQL("%s", value) for value in values.values()),
            )
        )
        return cls.env.cr.fetchone()[0]

    def _snapshot(self):
        """The stored figures of the KPI company, to 6 decimals."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT kpi_code, period_type, date_start, dimension, company_id, team_id, user_id,
                   coordinator_id, round(value::numeric, 6), round(numerator::numeric, 6),
                   round(denominator::numeric, 6), currency_id
              FROM o2c_kpi_value WHERE company_id = %s
            """,
            [self.kpi_company.id],
        )
        return set(self.env.cr.fetchall())

    def _watermark(self):
        """The watermark of a next nightly run, the KPI company's orders written before it."""
        self.env.flush_all()
        self.env.cr.execute("SELECT NOW() AT TIME ZONE 'UTC' - interval '1 second'")
        watermark = self.env.cr.fetchone()[0]
        # The orders written before the watermark (one transaction: NOW()).
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = %s - interval '1 hour' WHERE company_id = %s",
            [watermark, self.kpi_company.id],
        )
        return watermark

    def compute(self, date_from, date_to, period_type="month", function=None):
        """{(code, period start, dimension, key): row} of the KPI company."""
        functions = (
            [function]
            if function
            else ["support_kpis", "order_kpis", "customer_kpis", "sales_kpis", "money_kpis"]
        )
        self.env.flush_all()
        rows = compute_kpis(
            self.env.cr,
            KpiParams(date_from, date_to, period_type, [self.kpi_company.id]),
            {name: None for name in functions},
        )
        result = {}
        for row in rows:
            key = {
                "company": row.company_id,
                "team": row.team_id,
                "salesperson": row.user_id,
                "coordinator": row.coordinator_id,
            }[row.dimension]
            result[row.code, row.period_start, row.dimension, key] = row
        return result

    def company_value(self, figures, code, start):
        return figures[code, start, "company", self.kpi_company.id].value


MARCH = date(2025, 3, 1)
APRIL = date(2025, 4, 1)
