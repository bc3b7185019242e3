from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.res_partner import ABC_CLASSES, CUSTOMER_STATUSES


class SalesSupportMeetingBrief(models.TransientModel):
    """What a salesperson should know before meeting a customer, on screen and as a PDF: class
    and status, credit exposure and overdue, open orders and their Order-to-Cash stage, open
    requests and claims, the last 12 months by product category, the last contacts. "Prepare
    meeting" creates the calendar event with the brief attached."""

    _name = "sales.support.meeting.brief"
    _description = "Customer Meeting Brief"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        domain="[('is_company', '=', True)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda s: s.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    meeting_start = fields.Datetime(
        string="Meeting At",
        required=True,
        default=lambda self: fields.Datetime.now().replace(minute=0, second=0) + timedelta(days=1),
    )
    meeting_duration = fields.Float(string="Duration (hours)", default=1.0)
    brief_html = fields.Html(
        string="Brief", compute="_compute_brief_html", sanitize=False, readonly=True
    )
    event_id = fields.Many2one("calendar.event", string="Meeting", readonly=True)

    @api.depends("partner_id", "company_id", "user_id")
    def _compute_brief_html(self):
        for brief in self:
            if not brief.partner_id:
                brief.brief_html = False
                continue
            brief.brief_html = self.env["ir.qweb"]._render(
                "sales_support.meeting_brief_content", {"b": brief._get_brief_values()}
            )

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id.user_id:
            self.user_id = self.partner_id.commercial_partner_id.user_id

    # ------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------
    def _get_brief_exposure(self, partner):
        """{exposure, overdue, receivable, limit} in the company's currency, for who serves the
        customer (else empty). Hook: uses the credit exposure of the accounting support."""
        if not partner._filter_support_served():
            return {}
        return partner._get_credit_exposure(self.company_id).get(partner.id, {})

    def _get_brief_values(self):
        self.ensure_one()
        if not self.env.su and self.company_id not in self.env.user.company_ids:
            # the figures below read orders, invoices and exposure of that company
            raise AccessError(
                _(
                    "You do not work for %(company)s: prepare the brief in one of your "
                    "companies.",
                    # sudo: the name of the company chosen on this brief, for the message only
                    company=self.company_id.sudo().display_name,
                )
            )
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        today = fields.Date.context_today(self)
        year_ago = today - timedelta(days=365)
        customer_domain = [("partner_id", "child_of", partner.id)]
        Order = self.env["sale.order"]
        stage_labels = dict(Order._fields["o2c_stage"]._description_selection(self.env))
        open_orders = Order.search(
            customer_domain + [("state", "=", "sale"), ("o2c_stage", "not in", ("paid", "cancel"))],
            order="date_order desc",
            limit=20,
        )
        requests = self.env["sales.support.request"].search(
            customer_domain + [("state", "not in", ("done", "cancel"))],
            order="id desc",
            limit=20,
        )
        claims = self.env["sales.support.claim"].search(
            customer_domain + [("state", "in", ("new", "in_progress"))],
            order="id desc",
            limit=20,
        )
        # the sales analysis: untaxed amounts in the company's currency, the user's rules
        by_category = self.env["sale.report"]._read_group(
            [
                ("commercial_partner_id", "=", partner.id),
                ("state", "=", "sale"),
                ("company_id", "=", self.company_id.id),
                ("date", ">=", year_ago),
            ],
            ["categ_id"],
            ["price_subtotal:sum", "product_uom_qty:sum"],
            order="price_subtotal:sum desc",
        )
        categories = [
            {"name": categ.display_name or self.env._("No category"), "amount": amount, "qty": qty}
            for categ, amount, qty in by_category
        ]
        contacts = self.env["calendar.event"].search(
            [("partner_ids", "in", partner.ids), ("start", "<=", fields.Datetime.now())],
            order="start desc",
            limit=5,
        )
        messages = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("message_type", "=", "comment"),
            ],
            order="date desc",
            limit=5,
        )
        exposure = self._get_brief_exposure(partner)
        return {
            "brief": self,
            "partner": partner,
            "currency": self.company_id.currency_id,
            "status": dict(CUSTOMER_STATUSES).get(partner.customer_status, _("Unknown")),
            "abc_class": dict(ABC_CLASSES).get(partner.customer_abc_class, "-"),
            "exposure": exposure,
            "open_orders": open_orders,
            "stage_labels": stage_labels,
            "requests": requests,
            "claims": claims,
            "categories": categories,
            "category_total": sum(c["amount"] for c in categories),
            "events": contacts,
            "messages": messages,
        }

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_print(self):
        return self.env.ref("sales_support.action_report_meeting_brief").report_action(self)

    def action_prepare_meeting(self):
        """Create the meeting in the salesperson's calendar, with the customer (and its contact
        who is the partner chosen) and the salesperson as attendees, the brief PDF attached."""
        self.ensure_one()
        if self.event_id:
            raise UserError(_("The meeting is already prepared: open it from the brief."))
        pdf, _format = self.env["ir.actions.report"]._render_qweb_pdf(
            "sales_support.action_report_meeting_brief", self.ids
        )
        event = self.env["calendar.event"].create(
            {
                "name": _("Meeting with %(customer)s", customer=self.partner_id.display_name),
                "start": self.meeting_start,
                "stop": self.meeting_start + timedelta(hours=self.meeting_duration or 1.0),
                "duration": self.meeting_duration or 1.0,
                "user_id": self.user_id.id,
                "partner_ids": [
                    Command.set((self.user_id.partner_id | self.partner_id).ids),
                ],
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.partner_id.id,
            }
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": _("Meeting brief %(customer)s.pdf", customer=self.partner_id.name),
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": "calendar.event",
                "res_id": event.id,
            }
        )
        event.message_post(
            body=_("Meeting brief prepared for %(user)s.", user=self.user_id.name),
            attachment_ids=attachment.ids,
        )
        self.event_id = event
        return {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "res_id": event.id,
            "view_mode": "form",
            "target": "current",
        }
