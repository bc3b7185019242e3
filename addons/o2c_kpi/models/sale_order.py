from odoo import _, api, fields, models
from odoo.tools import SQL, create_index

# Orders asked for a rating per run of the cron; the cron calls itself again while some are left.
RATING_REQUEST_BATCH_SIZE = 200


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["rating.mixin", "sale.order"]

    # ------------------------------------------------------------
    # CUSTOMER HISTORY (KPIs: customers won, retained, lost)
    # ------------------------------------------------------------

    # The customer of the KPIs is the commercial entity: stored on the order so that a
    # customer's first order and the order after any order are one index probe each.
    # precompute: written with the order's INSERT, not by an UPDATE after it.
    commercial_partner_id = fields.Many2one(
        "res.partner",
        string="Commercial Entity",
        related="partner_id.commercial_partner_id",
        store=True,
        precompute=True,
    )

    # ------------------------------------------------------------
    # CUSTOMER SATISFACTION
    # ------------------------------------------------------------

    rating_request_date = fields.Datetime(
        string="Rating Requested On",
        copy=False,
        readonly=True,
        help="When the customer was asked to rate the order after its delivery (asked once).",
    )

    def init(self):
        res = super().init()
        # The cron looks for shipped orders not asked yet: keep that search off the whole table.
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS sale_order_o2c_kpi_rating_to_request_idx
                    ON sale_order (company_id, date_o2c_shipped)
                 WHERE rating_request_date IS NULL AND date_o2c_shipped IS NOT NULL
                """
            )
        )
        # The KPI refresh reads the orders of a date range by each milestone: an incremental
        # refresh of a month reads a month, not the whole table.
        for column in ("date_o2c_entered", "date_o2c_shipped", "date_o2c_paid"):
            create_index(self.env.cr, f"sale_order_o2c_kpi_{column}_idx", "sale_order", [column])
        # The orders entered and not shipped yet (open orders, workload KPIs), with what the
        # KPIs read of them: read from the index alone, not from the orders' rows.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS sale_order_o2c_kpi_not_shipped_idx
                ON sale_order (company_id, date_o2c_entered)
                   INCLUDE (team_id, user_id, coordinator_id, has_o2c_deliveries)
             WHERE state = 'sale' AND date_o2c_entered IS NOT NULL AND date_o2c_shipped IS NULL
            """
        )
        # No index on write_date for the incremental refresh on purpose: every write changes
        # it, so such an index would stop the in-place (HOT) updates of every order write;
        # the nightly scan of the orders' write dates costs less.
        # Each customer's confirmed orders in time: their first order, the next after one.
        create_index(
            self.env.cr,
            "sale_order_o2c_kpi_customer_orders_idx",
            "sale_order",
            ["company_id", "commercial_partner_id", "date_order", "id"],
            where="state = 'sale'",
        )
        return res

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        pending = self.env["o2c.kpi.pending.change"]
        has_leads = "opportunity_id" in self._fields
        # An order given another lead (CRM) moves the conversion of the old lead and the new
        # one, which no write date shows (the leads are not written).
        lead_moved = has_leads and "opportunity_id" in vals
        if lead_moved:
            pending._note_moved_figures("order_leads", self.filtered("opportunity_id"))
        res = super().write(vals)
        if lead_moved:
            pending._note_moved_figures("order_leads", self.filtered("opportunity_id"))
        return res

    def message_post(self, **kwargs):
        # A message posted with a rating (rating.mixin) creates the rating as superuser:
        # check who gives the score before (the customer satisfaction KPIs).
        if kwargs.get("rating_value"):
            self.env["rating.rating"]._check_o2c_kpi_score_posted(self)
        return super().message_post(**kwargs)

    def _get_allowed_message_post_params(self):
        # No score through the chatter's routes (portal_rating allows one): they post as
        # superuser, for an employee as for anyone holding the order's portal link. The
        # customer rates an order through the link of the rating e-mail.
        return super()._get_allowed_message_post_params() - {"rating_value"}

    def unlink(self):
        # The KPI figures of a deleted order go at the next nightly refresh: its last measured
        # values stay, marked deleted (o2c.kpi.order.seen has no foreign key to the orders).
        # Before the deletion, which removes the values of an order never measured; a
        # deletion refused after it leaves an alive order marked, which the next refresh
        # measures anew.
        self.env["o2c.kpi.order.seen"]._mark_deleted(self.ids)
        # Its lead's conversion (CRM), from the lead's creation: the order's own dates may
        # be later.
        if "opportunity_id" in self._fields:
            self.env["o2c.kpi.pending.change"]._note_moved_figures(
                "order_leads", self.filtered("opportunity_id")
            )
        return super().unlink()

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_rating_request_domain(self):
        """Shipped orders of the companies asking for ratings, shipped since the option was
        enabled, not asked yet."""
        companies = self.env["res.company"].search([("o2c_kpi_rating_request", "=", True)])
        domain = [("id", "=", False)]
        for company in companies:
            domain = [
                "|",
                *domain,
                "&",
                ("company_id", "=", company.id),
                ("date_o2c_shipped", ">=", company.o2c_kpi_rating_request_date_start),
            ]
        return [
            *domain,
            ("rating_request_date", "=", False),
            ("date_o2c_shipped", "!=", False),
            ("state", "=", "sale"),
            ("partner_id.email", "!=", False),
        ]

    def _send_rating_requests(self, limit=None):
        """Ask the customers of the given orders (or of every shipped order not asked yet) to
        rate them; each order is asked once. Returns the orders asked."""
        template = self.env.ref("o2c_kpi.mail_template_sale_order_rating_request", False)
        if not template:
            return self.browse()
        orders = (
            self.filtered_domain(self._get_rating_request_domain())
            if self
            else self.search(
                self._get_rating_request_domain(), order="date_o2c_shipped, id", limit=limit
            )
        )
        for company, company_orders in orders.grouped("company_id").items():
            company_orders.rating_request_date = fields.Datetime.now()
            company_orders.with_company(company).rating_send_request(template, force_send=False)
        return orders

    # ------------------------------------------------------------
    # CRONS
    # ------------------------------------------------------------

    @api.model
    def _cron_send_rating_requests(self):
        """Ask customers to rate their delivered orders, in batches."""
        orders = self._send_rating_requests(limit=RATING_REQUEST_BATCH_SIZE)
        remaining = self.search_count(self._get_rating_request_domain()) if orders else 0
        self.env["ir.cron"]._notify_progress(done=len(orders), remaining=remaining)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_o2c_kpi_ratings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("rating.rating_rating_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {"create": False}
        action["name"] = _("Ratings of %(order)s", order=self.display_name)
        return action
