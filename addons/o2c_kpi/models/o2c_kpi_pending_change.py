from odoo import api, fields, models
from odoo.tools import SQL

# What a record moves in the KPI figures: {source: (alias, SELECT of the company, the earliest
# date of the figures it moves and the source, of the rows matching a condition on the alias)}.
# The nightly refresh reads the rows written since its last run with these queries; a change
# the write dates cannot show (a deletion; a change of company or date, which leaves the
# figures of the old one) is noted with them before it is made (o2c.kpi.pending.change).
MOVED_BY = {
    "requests": (
        "request",
        """
        SELECT request.company_id, request.date_received, 'requests'
          FROM sales_support_request request
         WHERE %s
        """,
    ),
    # a claim moves the perfect orders of its order's shipment too
    "claims": (
        "claim",
        """
        SELECT claim.company_id, LEAST(claim.date_claim, so.date_o2c_shipped), 'claims'
          FROM sales_support_claim claim
     LEFT JOIN sale_order so ON so.id = claim.order_id
         WHERE %s
        """,
    ),
    # an order-entry error moves its order's entry (errors per 100 orders, perfect orders)
    "errors": (
        "error",
        """
        SELECT so.company_id, LEAST(error.date_found, so.date_o2c_entered), 'errors'
          FROM sales_support_order_error error
          JOIN sale_order so ON so.id = error.order_id
         WHERE %s
        """,
    ),
    # an order's lead (CRM): converted by its confirmed orders, counted from its creation
    "order_leads": (
        "so",
        """
        SELECT lead.company_id, lead.create_date, 'leads'
          FROM sale_order so
          JOIN crm_lead lead ON lead.id = so.opportunity_id
         WHERE %s
        """,
    ),
}


def moved_by(source, condition):
    """SQL: (company id, earliest date, source) of the figures moved by the rows of
    ``source`` (a key of ``MOVED_BY``) matching ``condition`` (SQL over its alias)."""
    return SQL(MOVED_BY[source][1], condition)


class O2cKpiPendingChange(models.Model):
    """A change the nightly KPI refresh would not see in the write dates: a request, claim or
    order-entry error deleted, or moved to another company, order or date (the figures of the
    old one), an order given another lead (the old lead's conversion). Noted, before the
    change, as the company and earliest date of the figures it moves; the next nightly refresh
    recomputes them and deletes the rows it read, in the statement that reads them.

    Written with SQL by whoever makes the change (as ``o2c.kpi.order.seen``): a row is not a
    document of its own, no user edits one."""

    _name = "o2c.kpi.pending.change"
    _description = "KPI Figures Moved by a Change Not Recomputed Yet"
    _log_access = False
    _order = "date, id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    date = fields.Datetime(required=True, readonly=True, help="From when the figures moved.")
    source = fields.Char(required=True, readonly=True, help="What changed (see MOVED_BY).")

    @api.model
    def _note(self, source, records):
        """Note the figures ``records`` (rows of ``source``, a key of ``MOVED_BY``) move as
        they are now, before a change the write dates will not show."""
        if not records:
            return
        records.flush_recordset()
        alias, _query = MOVED_BY[source]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO o2c_kpi_pending_change (company_id, date, source)
                SELECT company_id, date, source FROM (%s) moved(company_id, date, source)
                 WHERE company_id IS NOT NULL AND date IS NOT NULL
                """,
                moved_by(source, SQL("%s.id = ANY(%s)", SQL.identifier(alias), records.ids)),
            )
        )
