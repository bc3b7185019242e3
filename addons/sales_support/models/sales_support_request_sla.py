from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .sales_support_request_type import PRIORITIES


class SalesSupportRequestSla(models.Model):
    _name = "sales.support.request.sla"
    _description = "Customer Request SLA"
    _order = "type_id, priority desc"

    type_id = fields.Many2one("sales.support.request.type", required=True, ondelete="cascade", index=True)
    priority = fields.Selection(PRIORITIES, required=True, default="1")
    first_response_hours = fields.Float(string="First Response (working hours)", required=True)
    resolution_hours = fields.Float(string="Resolution (working hours)", required=True)

    _sql_constraints = [
        ("type_priority_uniq", "unique(type_id, priority)",
         "A request type has one SLA per priority."),
    ]

    @api.constrains("first_response_hours", "resolution_hours")
    def _check_hours(self):
        for sla in self:
            if sla.first_response_hours <= 0 or sla.resolution_hours <= 0:
                raise ValidationError(_("SLA targets must be positive numbers of working hours."))
            if sla.resolution_hours < sla.first_response_hours:
                raise ValidationError(_(
                    "The resolution target (%(res)s h) cannot be shorter than the first-response "
                    "target (%(first)s h).", res=sla.resolution_hours, first=sla.first_response_hours))
