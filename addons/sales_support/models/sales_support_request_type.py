from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

PRIORITIES = [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")]


class SalesSupportRequestType(models.Model):
    _name = "sales.support.request.type"
    _description = "Customer Request Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Stable technical code for scripts and reports.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    first_response_hours = fields.Float(
        string="First Response (working hours)",
        default=4.0,
        help="Default target when no SLA line matches the request's priority.",
    )
    resolution_hours = fields.Float(string="Resolution (working hours)", default=24.0)
    sla_ids = fields.One2many("sales.support.request.sla", "type_id", string="SLA by Priority")
    is_quotation_request = fields.Boolean(help="Requests of this type usually lead to a quotation.")
    is_claim = fields.Boolean(help="Requests of this type usually lead to a claim.")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The code of a request type must be unique."),
    ]

    @api.constrains("first_response_hours", "resolution_hours")
    def _check_hours(self):
        for rtype in self:
            rtype._check_sla_targets(rtype.first_response_hours, rtype.resolution_hours, rtype.name)

    @api.model
    def _check_sla_targets(self, first_response_hours, resolution_hours, label):
        """Refuse a target that is not a positive number of working hours, or a resolution target
        shorter than the first-response one (``label`` names the type or SLA line)."""
        if first_response_hours <= 0:
            raise ValidationError(
                _(
                    "The first-response target of %(label)s must be a positive number of working "
                    "hours: enter for example 4 (half a day of 8 hours), not %(value)s.",
                    label=label,
                    value=first_response_hours,
                )
            )
        if resolution_hours <= 0:
            raise ValidationError(
                _(
                    "The resolution target of %(label)s must be a positive number of working "
                    "hours: enter for example 16 (two days of 8 hours), not %(value)s.",
                    label=label,
                    value=resolution_hours,
                )
            )
        if resolution_hours < first_response_hours:
            raise ValidationError(
                _(
                    "The resolution target of %(label)s (%(resolution)s h) cannot be shorter "
                    "than its first-response target (%(first)s h): raise the resolution target "
                    "or lower the first-response one.",
                    label=label,
                    resolution=resolution_hours,
                    first=first_response_hours,
                )
            )

    @api.model
    def _get_default_type(self):
        """Type of a new request: the first quotation-request type (most requests ask for a
        quotation), else the first type."""
        return self.search([("is_quotation_request", "=", True)], limit=1) or self.search(
            [], limit=1
        )

    def _get_sla_targets(self, priority):
        """(first response hours, resolution hours) for ``priority``."""
        self.ensure_one()
        line = self.sla_ids.filtered(lambda s: s.priority == priority)[:1]
        if line:
            return line.first_response_hours, line.resolution_hours
        return self.first_response_hours, self.resolution_hours
