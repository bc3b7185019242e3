from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .sales_support_checklist_mixin import ANCHORS, BLOCKS, due_date

# An offset beyond this many days (either way) is a typing error, not a plan.
MAX_OFFSET_DAYS = 3650


class SalesSupportChecklistTemplateLine(models.Model):
    _name = "sales.support.checklist.template.line"
    _description = "Document Checklist Template Line"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        "sales.support.checklist.template", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    document_type_id = fields.Many2one(
        "sales.support.document.type", string="Document Type", required=True, ondelete="restrict"
    )
    required = fields.Boolean(default=True)
    anchor = fields.Selection(
        ANCHORS,
        string="Due Relative To",
        help="Due date = this date + the offset (negative: before it).",
    )
    due_offset_days = fields.Integer(string="Offset (Days)")
    blocks = fields.Selection(
        BLOCKS, default="none", required=True, help="Step stopped while this document is missing."
    )

    @api.constrains("due_offset_days")
    def _check_due_offset_days(self):
        for line in self:
            if abs(line.due_offset_days) > MAX_OFFSET_DAYS:
                raise ValidationError(
                    _(
                        "The due offset of %(type)s is %(days)s days: use at most %(max)s days "
                        "before or after the anchor date.",
                        type=line.document_type_id.name,
                        days=line.due_offset_days,
                        max=MAX_OFFSET_DAYS,
                    )
                )

    @api.constrains("blocks", "required")
    def _check_blocks_required(self):
        for line in self:
            if line.blocks != "none" and not line.required:
                raise ValidationError(
                    _(
                        "%(type)s is optional: an optional document cannot block a step. Make it "
                        "required or let it block nothing.",
                        type=line.document_type_id.name,
                    )
                )

    def _get_due_date(self, anchor_dates):
        self.ensure_one()
        if not self.anchor:
            return False
        return due_date(anchor_dates.get(self.anchor), self.due_offset_days)
