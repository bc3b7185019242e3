from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

CUSTOMER_STATUSES = [
    ("new", "New"),
    ("active", "Active"),
    ("at_risk", "At Risk"),
    ("dormant", "Dormant"),
    ("lost", "Lost"),
]
ABC_CLASSES = [("A", "A"), ("B", "B"), ("C", "C")]
AT_RISK_FACTOR = 1.5  # silent for 1.5 usual intervals: at risk
DORMANT_FACTOR = 2.0  # silent for 2 usual intervals (or a year): dormant
DORMANT_DAYS = 365
LOST_DAYS = 730
ABC_A_SHARE = 0.80  # the customers making the first 80 % of the revenue
ABC_B_SHARE = 0.95  # the next 15 %


class ResPartner(models.Model):  # pylint: disable=consider-merging-classes-inherited
    """Customer status, ABC class and contact cadence of commercial partners (customers).

    The figures are stored, written by a nightly cron (and on demand) in batch SQL, from the
    confirmed orders of ONE company: the partner's company, or, for a partner shared between
    companies, the company the run is made for (the cron's company, or the user's current
    company on demand). Amounts are in that company's currency.

    A file of its own (not merged into res_partner.py): customer care is a capability a
    newcomer looks for by name, as the credit exposure in res_partner_credit.py."""

    _inherit = "res.partner"

    customer_status = fields.Selection(
        CUSTOMER_STATUSES,
        readonly=True,
        index=True,
        help="New: first order in the new-customer period. At risk: no order for 1.5 times "
        "its usual interval between orders (median gap of its own history). Dormant: no order "
        "for twice that interval or a year. Lost: no order for two years, or marked lost. "
        "Computed nightly.",
    )
    customer_status_date = fields.Date(
        string="Status Since", readonly=True, index=True, help="When the status last changed."
    )
    customer_first_order_date = fields.Date(string="First Order", readonly=True)
    customer_last_order_date = fields.Date(string="Last Order", readonly=True)
    customer_order_interval = fields.Float(
        string="Usual Interval (days)",
        readonly=True,
        digits=(16, 1),
        help="Median number of days between two ordering days of the customer.",
    )
    customer_revenue_12m = fields.Monetary(
        string="Revenue (12 months)",
        currency_field="currency_id",
        readonly=True,
        help="Untaxed amount of the confirmed orders of the last 12 months, in the company's "
        "currency.",
    )
    customer_abc_class = fields.Selection(
        ABC_CLASSES,
        string="ABC Class",
        readonly=True,
        index=True,
        help="A: the customers that make the top 80% of the last 12 months' revenue; B: the "
        "next 15%; C: the rest.",
    )
    is_customer_strategic = fields.Boolean(
        string="Strategic",
        tracking=True,
        help="Contacted as often as class A customers, whatever their revenue.",
    )
    is_customer_lost = fields.Boolean(
        string="Marked Lost", tracking=True, help="Lost whatever its orders say."
    )
    customer_last_contact_date = fields.Date(
        string="Last Contact",
        readonly=True,
        help="Last meeting (calendar event the customer attends), or last message or done "
        "activity of an internal user on the customer or its orders.",
    )
    customer_contact_cadence = fields.Integer(
        string="Contact Every (days)", compute="_compute_customer_contact_cadence"
    )
    customer_next_contact_date = fields.Date(
        string="Next Contact Due",
        compute="_compute_customer_next_contact_date",
        store=True,
        index=True,
    )
    customer_contact_reminded_date = fields.Date(
        string="Contact Reminder Sent",
        readonly=True,
        copy=False,
        help="When the coordinator was last asked to contact the customer (once per delay).",
    )
    payment_promise_count = fields.Integer(
        string="Promises to Pay", compute="_compute_payment_promise_stats"
    )
    payment_promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        compute="_compute_payment_promise_stats",
        digits=(16, 0),
        help="Share of the settled promises to pay (kept or broken) that were kept.",
    )

    @api.depends("customer_abc_class", "is_customer_strategic", "company_id")
    @api.depends_context("company")
    def _compute_customer_contact_cadence(self):
        for partner in self:
            company = partner.company_id or self.env.company
            cadence = 0
            if partner.is_customer_strategic or partner.customer_abc_class == "A":
                cadence = company.sales_support_cadence_a
            elif partner.customer_abc_class == "B":
                cadence = company.sales_support_cadence_b
            elif partner.customer_abc_class == "C":
                cadence = company.sales_support_cadence_c
            partner.customer_contact_cadence = cadence

    @api.depends(
        "customer_abc_class",
        "is_customer_strategic",
        "customer_last_contact_date",
        "customer_first_order_date",
        "company_id",
    )
    def _compute_customer_next_contact_date(self):
        for partner in self:
            cadence = partner.customer_contact_cadence
            start = partner.customer_last_contact_date or partner.customer_first_order_date
            partner.customer_next_contact_date = (
                cadence and start and start + timedelta(days=cadence)
            ) or False

    def _compute_payment_promise_stats(self):
        counts = {
            (partner.id, state): count
            for partner, state, count in self.env["sales.support.payment.promise"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id", "state"],
                ["__count"],
            )
        }
        for partner in self:
            key = partner.commercial_partner_id.id
            kept, broken = counts.get((key, "kept"), 0), counts.get((key, "broken"), 0)
            partner.payment_promise_count = kept + broken + counts.get((key, "open"), 0)
            partner.payment_promise_kept_rate = (
                100.0 * kept / (kept + broken) if kept + broken else 0
            )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_recompute_customer_care(self):
        """On demand: recompute the status, class and last contact of these customers (their
        class is ranked against all the customers of their company). The figures are the
        system's: written with sudo, for customers the user may read only."""
        self.check_access("read")
        for company, partners in self.commercial_partner_id.grouped(
            lambda p: p.company_id or self.env.company
        ).items():
            self.env["res.partner"]._run_customer_care(
                company, only_partners=partners, include_shared=not partners.company_id
            )
        return True

    def action_open_payment_promises(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sales_support.sales_support_payment_promise_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------
    # Computation (batch SQL)
    # ------------------------------------------------------------
    @api.model
    def _get_customer_history(self, company, include_shared, today):
        """{partner id: (first day, last day, median gap, revenue 12 months, share before)}
        of the commercial partners that have confirmed orders in ``company`` (theirs, or shared
        ones when ``include_shared``). One query with window functions: the gaps between
        ordering days (LAG) and the running revenue total for the ABC ranking."""
        self.env["sale.order"].flush_model(
            ["state", "company_id", "partner_id", "date_order", "amount_untaxed", "currency_rate"]
        )
        self.flush_model(["commercial_partner_id", "company_id"])
        rows = self.env.execute_query(
            SQL(
                """
                WITH orders AS (
                    SELECT partner.commercial_partner_id AS partner_id,
                           so.date_order::date AS day,
                           so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount
                      FROM sale_order so
                      JOIN res_partner partner ON partner.id = so.partner_id
                      JOIN res_partner customer ON customer.id = partner.commercial_partner_id
                     WHERE so.state = 'sale'
                       AND so.company_id = %(company)s
                       AND so.date_order::date <= %(today)s
                       AND (customer.company_id = %(company)s
                            OR (%(shared)s AND customer.company_id IS NULL))
                ), gaps AS (
                    SELECT partner_id, day,
                           day - LAG(day) OVER (PARTITION BY partner_id ORDER BY day) AS gap
                      FROM (SELECT DISTINCT partner_id, day FROM orders) days
                ), history AS (
                    SELECT partner_id, MIN(day) AS first_day, MAX(day) AS last_day,
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS interval
                      FROM gaps
                  GROUP BY partner_id
                ), revenue AS (
                    SELECT partner_id, SUM(amount) AS revenue
                      FROM orders
                     WHERE day > %(year_ago)s
                  GROUP BY partner_id
                ), ranked AS (
                    SELECT history.*, COALESCE(revenue.revenue, 0) AS revenue,
                           SUM(COALESCE(revenue.revenue, 0)) OVER (
                               ORDER BY COALESCE(revenue.revenue, 0) DESC, history.partner_id
                               ROWS UNBOUNDED PRECEDING) AS running,
                           SUM(COALESCE(revenue.revenue, 0)) OVER () AS total
                      FROM history
                 LEFT JOIN revenue ON revenue.partner_id = history.partner_id
                )
                SELECT partner_id, first_day, last_day, interval, revenue,
                       CASE WHEN total > 0 THEN (running - revenue) / total END
                  FROM ranked
                """,
                company=company.id,
                today=today,
                shared=include_shared,
                year_ago=today - timedelta(days=365),
            )
        )
        return {row[0]: row[1:] for row in rows}

    @api.model
    def _get_last_contact_dates(self, partner_ids, today):
        """{commercial partner id: last contact day}: meetings it attends (calendar events up to
        now), messages and done activities of internal users on it or its orders."""
        if not partner_ids:
            return {}
        for model in ("calendar.event", "mail.message", "sale.order"):
            self.env[model].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                WITH internal AS (
                    SELECT partner_id FROM res_users WHERE share IS NOT TRUE
                )
                SELECT partner_id, MAX(day) FROM (
                    SELECT partner.commercial_partner_id AS partner_id, event.start::date AS day
                      FROM calendar_event event
                      JOIN calendar_event_res_partner_rel rel ON rel.calendar_event_id = event.id
                      JOIN res_partner partner ON partner.id = rel.res_partner_id
                     WHERE event.active AND event.start::date <= %(today)s
                       AND partner.commercial_partner_id IN %(ids)s
                 UNION ALL
                    SELECT partner.commercial_partner_id, msg.date::date
                      FROM mail_message msg
                      JOIN res_partner partner ON partner.id = msg.res_id
                     WHERE msg.model = 'res.partner'
                       AND (msg.message_type = 'comment' OR msg.mail_activity_type_id IS NOT NULL)
                       AND msg.author_id IN (SELECT partner_id FROM internal)
                       AND partner.commercial_partner_id IN %(ids)s
                 UNION ALL
                    SELECT partner.commercial_partner_id, msg.date::date
                      FROM mail_message msg
                      JOIN sale_order so ON so.id = msg.res_id
                      JOIN res_partner partner ON partner.id = so.partner_id
                     WHERE msg.model = 'sale.order'
                       AND (msg.message_type = 'comment' OR msg.mail_activity_type_id IS NOT NULL)
                       AND msg.author_id IN (SELECT partner_id FROM internal)
                       AND partner.commercial_partner_id IN %(ids)s
                ) contacts
              GROUP BY partner_id
                """,
                today=today,
                ids=tuple(partner_ids),
            )
        )
        return dict(rows)

    @api.model
    def _get_customer_status(self, company, history, is_lost, today):
        """Status of a customer from its history (first day, last day, median gap)."""
        first_day, last_day, interval = history[:3]
        silent = (today - last_day).days
        interval = interval or company.sales_support_new_customer_days or 90
        if is_lost or silent > LOST_DAYS:
            return "lost"
        if silent > DORMANT_DAYS or silent > DORMANT_FACTOR * interval:
            return "dormant"
        if (today - first_day).days <= company.sales_support_new_customer_days:
            return "new"
        if silent > AT_RISK_FACTOR * interval:
            return "at_risk"
        return "active"

    @api.model
    def _run_customer_care(self, company, only_partners=None, include_shared=False, today=None):
        """Compute and store the status, class, revenue and last contact of the customers of
        ``company`` (only of ``only_partners`` when given, ranked against all of them), then
        ask coordinators to contact those not contacted in time (once per delay)."""
        today = today or fields.Date.context_today(self)
        history = self._get_customer_history(company, include_shared, today)
        # sudo: system figures written for every customer, whoever triggers the run
        Partner = self.sudo().with_company(company)
        scope = Partner.search(
            [
                ("id", "in", list(history))
                if only_partners is None
                else ("id", "in", only_partners.ids),
            ]
        )
        if only_partners is None:
            # customers whose orders all went (cancelled, other company): reset their figures
            scope |= Partner.search(
                [
                    ("customer_status", "!=", False),
                    ("company_id", "in", [company.id, False] if include_shared else [company.id]),
                    ("id", "not in", list(history)),
                ]
            )
        contacts = self._get_last_contact_dates(scope.ids, today)
        values = []
        for partner in scope:
            data = history.get(partner.id)
            if not data:
                values.append(
                    SQL(
                        "(%s, NULL::varchar, NULL::date, NULL::date, NULL::date, NULL::float8, "
                        "0.0::numeric, NULL::varchar, %s::date)",
                        partner.id,
                        contacts.get(partner.id),
                    )
                )
                continue
            first_day, last_day, interval, revenue, share_before = data
            status = self._get_customer_status(company, data, partner.is_customer_lost, today)
            if not revenue or share_before is None:
                abc = "C"
            elif share_before < ABC_A_SHARE:
                abc = "A"
            elif share_before < ABC_B_SHARE:
                abc = "B"
            else:
                abc = "C"
            status_date = (
                partner.customer_status_date if partner.customer_status == status else today
            )
            values.append(
                SQL(
                    "(%s, %s::varchar, %s::date, %s::date, %s::date, %s::float8, %s::numeric, "
                    "%s::varchar, %s::date)",
                    partner.id,
                    status,
                    status_date,
                    first_day,
                    last_day,
                    interval,
                    revenue or 0.0,
                    abc,
                    contacts.get(partner.id),
                )
            )
        if values:
            self.flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE res_partner partner
                       SET customer_status = v.status,
                           customer_status_date = v.status_date,
                           customer_first_order_date = v.first_day,
                           customer_last_order_date = v.last_day,
                           customer_order_interval = v.interval,
                           customer_revenue_12m = v.revenue,
                           customer_abc_class = v.abc,
                           customer_last_contact_date = v.contact
                      FROM (VALUES %s) AS v(id, status, status_date, first_day, last_day,
                                            interval, revenue, abc, contact)
                     WHERE partner.id = v.id
                    """,
                    SQL(", ").join(values),
                )
            )
            fnames = [
                "customer_status",
                "customer_status_date",
                "customer_first_order_date",
                "customer_last_order_date",
                "customer_order_interval",
                "customer_revenue_12m",
                "customer_abc_class",
                "customer_last_contact_date",
            ]
            scope.invalidate_recordset(fnames)
            scope.modified(fnames)
            scope.flush_recordset()
        scope._remind_customer_contact(company, today)
        return scope

    def _remind_customer_contact(self, company, today):
        """An activity for the coordinator of each customer of ``self`` (still a customer: not
        lost) whose next contact is past due, once per due date: not again while no contact
        moves the due date past the last reminder."""
        late = self.filtered(
            lambda p: p.customer_status
            and p.customer_status != "lost"
            and p.customer_next_contact_date
            and p.customer_next_contact_date < today
            and not (
                p.customer_contact_reminded_date
                and p.customer_contact_reminded_date >= p.customer_next_contact_date
            )
        )
        if not late:
            return
        activity_type = self.env.ref("mail.mail_activity_data_call")
        model_id = self.env["ir.model"]._get_id("res.partner")
        late = late.with_company(company)
        self.env["mail.activity"].sudo().create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "user_id": (
                        partner.support_coordinator_id
                        or partner.user_id.support_coordinator_id
                        or partner.user_id
                        or self.env.user
                    ).id,
                    "date_deadline": today,
                    "summary": self.env._(
                        "Contact %(customer)s: class %(abc)s, every %(days)s days",
                        customer=partner.name,
                        abc=partner.customer_abc_class or "-",
                        days=partner.customer_contact_cadence,
                    ),
                }
                for partner in late
            ]
        )
        late.flush_recordset()
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET customer_contact_reminded_date = %s WHERE id IN %s",
                today,
                tuple(late.ids),
            )
        )
        late.invalidate_recordset(["customer_contact_reminded_date"])

    @api.model
    def _cron_customer_care(self):
        """Every company's customers; shared customers with the cron's own company."""
        for company in self.env["res.company"].sudo().search([]):
            self._run_customer_care(company, include_shared=company == self.env.company)

    def action_open_meeting_brief(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Meeting Brief"),
            "res_model": "sales.support.meeting.brief",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_user_id": (self.commercial_partner_id.user_id or self.env.user).id,
            },
        }
