from odoo import api, fields, models
from odoo.tools import SQL

from ..models.sales_support_request import CHANNELS, REQUEST_STATES, SLA_STATUSES
from ..models.sales_support_request_type import PRIORITIES


class SalesSupportRequestReport(models.Model):
    """Customer request analysis: one row per request. Durations are NULL until their milestone
    is reached, so that averages skip the requests still waiting for it (a stored Float would
    count them as 0 h). Working hours come from the request (company calendar, time waiting for
    the customer excluded); wall-clock hours are computed here from the dates."""

    _name = "sales.support.request.report"
    _description = "Customer Request Analysis"
    _auto = False
    _rec_name = "request_id"
    _order = "date_received desc"

    request_id = fields.Many2one("sales.support.request", string="Request", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    type_id = fields.Many2one("sales.support.request.type", string="Type", readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    state = fields.Selection(REQUEST_STATES, string="Status", readonly=True)
    coordinator_id = fields.Many2one("res.users", string="Coordinator", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    date_received = fields.Datetime(string="Received At", readonly=True)
    date_first_response = fields.Datetime(string="First Response At", readonly=True)
    date_done = fields.Datetime(string="Done At", readonly=True)
    sla_status = fields.Selection(SLA_STATUSES, string="SLA Status", readonly=True)
    is_first_response_breached = fields.Boolean(string="First Response Late", readonly=True)
    is_resolution_breached = fields.Boolean(string="Resolution Late", readonly=True)
    request_count = fields.Integer(string="# Requests", readonly=True)
    first_response_late_count = fields.Integer(string="# First Responses Late", readonly=True)
    resolution_late_count = fields.Integer(string="# Resolutions Late", readonly=True)
    first_response_hours = fields.Float(
        string="First Response (working h)",
        readonly=True,
        aggregator="avg",
        help="Working hours from reception to first response; empty until then.",
    )
    resolution_hours = fields.Float(
        string="Resolution (working h)",
        readonly=True,
        aggregator="avg",
        help="Working hours from reception to done, time waiting for the customer excluded; "
        "empty until done.",
    )
    first_response_clock_hours = fields.Float(
        string="First Response (h)",
        readonly=True,
        aggregator="avg",
        help="Wall-clock hours from reception to first response; empty until then.",
    )
    resolution_clock_hours = fields.Float(
        string="Resolution (h)",
        readonly=True,
        aggregator="avg",
        help="Wall-clock hours from reception to done; empty until done.",
    )

    @property
    def _table_query(self):
        return SQL("%s %s %s", self._select(), self._from(), self._where())

    @api.model
    def _select(self):
        return SQL("""
            SELECT request.id AS id,
                   request.id AS request_id,
                   request.company_id,
                   request.type_id,
                   request.priority,
                   request.channel,
                   request.state,
                   request.coordinator_id,
                   request.user_id,
                   request.commercial_partner_id AS partner_id,
                   request.date_received,
                   request.date_first_response,
                   request.date_done,
                   request.sla_status,
                   COALESCE(request.is_first_response_breached, FALSE)
                        AS is_first_response_breached,
                   COALESCE(request.is_resolution_breached, FALSE) AS is_resolution_breached,
                   1 AS request_count,
                   CASE WHEN request.is_first_response_breached THEN 1 ELSE 0 END
                        AS first_response_late_count,
                   CASE WHEN request.is_resolution_breached THEN 1 ELSE 0 END
                        AS resolution_late_count,
                   CASE WHEN request.date_first_response IS NOT NULL
                        THEN request.first_response_hours END AS first_response_hours,
                   CASE WHEN request.date_done IS NOT NULL
                        THEN request.resolution_hours END AS resolution_hours,
                   EXTRACT(EPOCH FROM (request.date_first_response - request.date_received))
                        / 3600.0
                        AS first_response_clock_hours,
                   EXTRACT(EPOCH FROM (request.date_done - request.date_received)) / 3600.0
                        AS resolution_clock_hours
        """)

    @api.model
    def _from(self):
        return SQL("FROM sales_support_request request")

    @api.model
    def _where(self):
        return SQL("")

    # Changes of these fields change the view's rows.
    _depends = {
        "sales.support.request": [
            "company_id",
            "type_id",
            "priority",
            "channel",
            "state",
            "coordinator_id",
            "user_id",
            "commercial_partner_id",
            "date_received",
            "date_first_response",
            "date_done",
            "sla_status",
            "is_first_response_breached",
            "is_resolution_breached",
            "first_response_hours",
            "resolution_hours",
        ],
    }
