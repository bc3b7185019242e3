from collections import namedtuple

from odoo import api, fields, models
from odoo.tools import SQL

# What the rows of a table move in the KPI figures: ``query`` selects the company, the
# earliest date of the figures they move and the source (a key of SOURCE_CALCULATORS) of the
# rows matching a condition on ``alias`` (``%s`` in the query); ``flush`` names the fields
# of each model it reads. The nightly refresh reads the rows written since its last run with
# these queries; a change the write dates cannot show (a deletion; a change of company, order
# or date, which leaves the figures of the old one) is noted with them before it is made
# (o2c.kpi.pending.change).
MovedBy = namedtuple("MovedBy", "alias query flush")
MOVED_BY = {
    "requests": MovedBy(
        "request",
        """
        SELECT request.company_id, request.date_received, 'requests'
          FROM sales_support_request request
         WHERE %s
        """,
        {"sales.support.request": ["company_id", "date_received"]},
    ),
    # a claim moves the perfect orders of its order's shipment too
    "claims": MovedBy(
        "claim",
        """
        SELECT claim.company_id, LEAST(claim.date_claim, so.date_o2c_shipped), 'claims'
          FROM sales_support_claim claim
     LEFT JOIN sale_order so ON so.id = claim.order_id
         WHERE %s
        """,
        {
            "sales.support.claim": ["company_id", "date_claim", "order_id"],
            "sale.order": ["date_o2c_shipped"],
        },
    ),
    # an order-entry error moves its order's entry (errors per 100 orders) and shipment
    # (perfect orders)
    "errors": MovedBy(
        "error",
        """
        SELECT so.company_id,
               LEAST(error.date_found, so.date_o2c_entered, so.date_o2c_shipped), 'errors'
          FROM sales_support_order_error error
          JOIN sale_order so ON so.id = error.order_id
         WHERE %s
        """,
        {
            "sales.support.order.error": ["date_found", "order_id"],
            "sale.order": ["company_id", "date_o2c_entered", "date_o2c_shipped"],
        },
    ),
    # a rating given on an order (satisfaction), dated when given
    "ratings": MovedBy(
        "rating",
        """
        SELECT so.company_id, rating.date_o2c_rated, 'ratings'
          FROM rating_rating rating
          JOIN sale_order so ON so.id = rating.res_id
         WHERE rating.res_model = 'sale.order' AND rating.consumed AND %s
        """,
        {
            "rating.rating": ["res_model", "res_id", "consumed", "date_o2c_rated"],
            "sale.order": ["company_id"],
        },
    ),
    # an order's lead (CRM): converted by its confirmed orders, counted from its creation
    "order_leads": MovedBy(
        "so",
        """
        SELECT lead.company_id, lead.create_date, 'leads'
          FROM sale_order so
          JOIN crm_lead lead ON lead.id = so.opportunity_id
         WHERE %s
        """,
        {"sale.order": ["opportunity_id"], "crm.lead": ["company_id"]},
    ),
}


def moved_by(source, condition):
    """SQL: (company id, earliest date, source) of the figures moved by the rows of
    ``source`` (a key of ``MOVED_BY``) matching ``condition`` (SQL over its alias)."""
    return SQL(MOVED_BY[source].query, condition)


class O2cKpiPendingChange(models.Model):
    """A change the nightly KPI refresh would not see in the write dates: a request, claim,
    order-entry error or rating deleted, or moved to another company, order or date (the
    figures of the old one stay), an order given another lead or deleted (the lead's
    conversion). Noted before the change as the company and earliest date of the figures it
    moves; the next nightly refresh recomputes them and deletes the rows it read, in the
    statement that reads them.

    Written with SQL by whoever makes the change (as ``o2c.kpi.order.seen``): a row is not a
    document of its own, no user edits one."""

    _name = "o2c.kpi.pending.change"
    _description = "KPI Figures Moved by a Change Not Recomputed Yet"
    _log_access = False
    _order = "date, id"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    date = fields.Datetime(
        required=True, readonly=True, help="The figures are recomputed from this date on."
    )
    source = fields.Selection(
        [
            ("requests", "Customer Request"),
            ("claims", "Claim"),
            ("errors", "Order-Entry Error"),
            ("ratings", "Rating"),
            ("leads", "Lead"),
        ],
        required=True,
        readonly=True,
        help="What was deleted or moved: its KPIs are recomputed.",
    )

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    @api.model
    def _note_moved_figures(self, source, records):
        """Note the figures ``records`` (rows of ``source``, a key of ``MOVED_BY``) move as
        they are now, before a change the write dates will not show."""
        if not records:
            return
        moved = MOVED_BY[source]
        for model, fnames in moved.flush.items():
            if model in self.env:
                self.env[model].flush_model(fnames)
        records.flush_recordset()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO o2c_kpi_pending_change (company_id, date, source)
                SELECT company_id, date, source FROM (%s) moved(company_id, date, source)
                 WHERE company_id IS NOT NULL AND date IS NOT NULL
                """,
                moved_by(source, SQL("%s.id = ANY(%s)", SQL.identifier(moved.alias), records.ids)),
            )
        )
