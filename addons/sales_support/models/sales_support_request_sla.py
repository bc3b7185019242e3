from odoo import _, api, fields, models

from .sales_support_request_type import PRIORITIES


class SalesSupportRequestSla(models.Model):
    _name = "sales.support.request.sla"
    _description = "Customer Request SLA"
    _order = "type_id, priority desc"

    type_id = fields.Many2one(
        "sales.support.request.type", required=True, ondelete="cascade", index=True
    )
    priority = fields.Selection(PRIORITIES, required=True, default="1")
    first_response_hours = fields.Float(string="First Response (working hours)", required=True)
    resolution_hours = fields.Float(string="Resolution (working hours)", required=True)

    _sql_constraints = [
        (
            "type_priority_uniq",
            "unique(type_id, priority)",
            "A request type has one SLA per priority.",
        ),
    ]

    @api.constrains("first_response_hours", "resolution_hours")
    def _check_hours(self):
        priorities = dict(self._fields["priority"]._description_selection(self.env))
        for sla in self:
            sla.type_id._check_sla_targets(
                sla.first_response_hours,
                sla.resolution_hours,
                _(
                    "%(type)s, priority %(priority)s",
                    type=sla.type_id.name,
                    priority=priorities.get(sla.priority, sla.priority),
                ),
            )
