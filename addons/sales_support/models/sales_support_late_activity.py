from odoo import api, fields, models


class SalesSupportLateActivity(models.AbstractModel):
    """The one engine behind the late-step crons (orders) and the SLA crons (requests): one
    activity per late record, to someone who can act on it, in their language, created in batch."""

    _name = "sales.support.late.activity"
    _description = "Late Activities Engine"

    @api.model
    def _schedule(self, records, activity_type, assignee_getter, texts_getter):
        """Create one activity of ``activity_type`` on each of ``records``.

        ``assignee_getter(record)`` returns the user who can act (records without one are
        skipped), ``texts_getter(record, user)`` the (summary, note) in that user's language.
        One ``create`` for all; returns the records that got one."""
        if not records:
            return records
        model_id = self.env["ir.model"]._get_id(records._name)
        today = fields.Date.context_today(self)
        values = []
        reminded_ids = []
        for record in records:
            user = assignee_getter(record)
            if not user:
                continue
            summary, note = texts_getter(record, user)
            values.append(
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": activity_type.id,
                    "summary": summary,
                    "note": note,
                    "user_id": user.id,
                    "date_deadline": today,
                }
            )
            reminded_ids.append(record.id)
        # quick update: no assignment e-mail per activity, the assignee sees them in the systray;
        # sudo: the cron's user need not have access to every record it reminds about.
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            values
        )
        return records.browse(reminded_ids)
