from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.sales_support_checklist_mixin import BLOCKS


class SalesSupportChecklistOverride(models.TransientModel):
    """Let a step (delivery validation, invoice posting, tender submission) go on although
    blocking documents are missing: support managers only, with a reason logged in the chatter
    and in the Order-to-Cash ledger."""

    _name = "sales.support.checklist.override"
    _description = "Override Missing Documents"

    res_model = fields.Char(required=True)
    res_id = fields.Many2oneReference(model_field="res_model", required=True)
    block = fields.Selection(
        [b for b in BLOCKS if b[0] != "none"], string="Step to Allow", required=True
    )
    missing_documents = fields.Text(compute="_compute_missing_documents")
    reason = fields.Text(required=True)

    @api.depends("res_model", "res_id", "block")
    def _compute_missing_documents(self):
        for wizard in self:
            record = wizard._get_record()
            missing = record._checklist_missing(wizard.block) if record and wizard.block else []
            wizard.missing_documents = "\n".join(
                missing.mapped("document_type_id.name") if missing else []
            )

    def _get_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return None
        model = self.env[self.res_model]
        if not isinstance(model, self.pool["sales.support.checklist.mixin"]):
            return None
        return model.browse(self.res_id).exists()

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("sales_support.group_support_manager"):
            raise AccessError(
                _("Only a support manager can let a step go on with documents missing.")
            )
        record = self._get_record()
        if not record:
            raise UserError(_("The record to override no longer exists."))
        record.check_access("write")
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(_("Give the reason for the override."))
        step = dict(self._fields["block"]._description_selection(self.env))[self.block]
        missing = record._checklist_missing(self.block).mapped("document_type_id.name")
        # sudo: overrides are append-only; only support managers reach this line
        self.env["sales.support.document.override"].sudo().create(
            {
                "res_model": record._name,
                "res_id": record.id,
                "company_id": record.company_id.id,
                "block": self.block,
                "reason": reason,
                "missing_documents": "\n".join(missing),
                "user_id": self.env.user.id,
            }
        )
        record.message_post(
            body=_(
                "%(step)s allowed with documents missing (%(documents)s). Reason: %(reason)s",
                step=step,
                documents=", ".join(missing) or _("none"),
                reason=reason,
            ),
            subtype_xmlid="mail.mt_note",
        )
        self.env["sales.support.o2c.event"]._log_events(
            [
                {
                    record._checklist_owner_field(): record,
                    "event_type": "document_overridden",
                    "source": record,
                    "name": _("%(step)s: %(reason)s", step=step, reason=reason),
                }
            ]
        )
        return {"type": "ir.actions.act_window_close"}
