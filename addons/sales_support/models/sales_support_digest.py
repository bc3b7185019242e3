from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from odoo import Command, api, fields, models
from odoo.tools import SQL, format_date

LOW_STOCK_MONTHS = 6  # a product is "usual" when ordered by the salesperson's customers lately


class DigestLabel(NamedTuple):
    """A selection value of the digest data, shown in each salesperson's language."""

    model: str
    field: str
    key: str


class DigestField(NamedTuple):
    """A field of a record (a name, a computed text), read in each salesperson's language:
    once per language and model (the records of a run share their prefetch)."""

    record: models.BaseModel
    field: str


# the name of a price-list rule for every product, in each salesperson's language
ALL_PRODUCTS = object()


class DigestAmount(NamedTuple):
    """An amount of the digest data, formatted in each salesperson's language."""

    amount: float
    currency: models.BaseModel


class SalesSupportDigest(models.AbstractModel):
    """The daily digest e-mailed each working morning to each salesperson: price-list changes
    since the previous working day, promotions active today, low stock on their customers' usual
    products, Order-to-Cash steps of their customers' orders, invoices that became overdue.

    One set of grouped queries per run, whatever the number of salespeople: the data is gathered
    for all of them, split by salesperson in Python, rendered (plain values, no lazy reads) and
    the mails are created in one batch."""

    _name = "sales.support.digest"
    _description = "Sales Support Daily Digest"

    # ------------------------------------------------------------
    # Calendar
    # ------------------------------------------------------------
    @api.model
    def _get_working_weekdays(self, company):
        calendar = company.resource_calendar_id
        days = {int(day) for day in calendar.attendance_ids.mapped("dayofweek")}
        return days or set(range(5))

    @api.model
    def _get_previous_working_day(self, company, day):
        weekdays = self._get_working_weekdays(company)
        previous = day - timedelta(days=1)
        for _i in range(7):
            if previous.weekday() in weekdays:
                break
            previous -= timedelta(days=1)
        return previous

    # ------------------------------------------------------------
    # Data (one query set for all salespeople)
    # ------------------------------------------------------------
    @api.model
    def _get_digest_recipients(self, companies):
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    ("company_id", "in", companies.ids),
                    ("sales_support_digest_optout", "=", False),
                    ("email", "!=", False),
                    ("groups_id", "in", self.env.ref("sales_team.group_sale_salesman").ids),
                ]
            )
        )

    @api.model
    def _get_digest_data(self, users, day, since):
        """{user id: {section: [plain dicts]}} for ``users`` on ``day``, changes from ``since``
        (a date, included) to ``day`` (excluded). Grouped queries, none per salesperson."""
        # sudo: the digest reads prices, stock, events and invoices for the salespeople it
        # writes to, each filtered to that salesperson's customers below
        env = self.sudo().env
        # the days of the run (UTC): a salesperson's local day would leave a gap between two
        # runs for those west of the run's time (their day is not over when the cron runs)
        start = datetime.combine(since, time.min)
        end = datetime.combine(day, time.min)

        data = {
            user.id: {
                "pricelist_changes": [],
                "promotions": [],
                "low_stock": [],
                "order_events": [],
                "new_overdue": [],
            }
            for user in users
        }
        companies_of = {user.id: set(user.company_ids.ids) for user in users}

        def visible(user_id, company_id):
            return not company_id or company_id in companies_of[user_id]

        # price-list rules changed and promotions active today, read once for everybody
        Item = env["product.pricelist.item"]
        changed = Item.search_fetch(
            [("write_date", ">=", start), ("write_date", "<", end)],
            [
                "pricelist_id",
                "company_id",
                "product_tmpl_id",
                "product_id",
                "categ_id",
                "price",
                "date_start",
                "date_end",
            ],
        )
        now = fields.Datetime.now()
        promoted = Item.search_fetch(
            [
                "|",
                ("date_start", "!=", False),
                ("date_end", "!=", False),
                "|",
                ("date_start", "=", False),
                ("date_start", "<=", now),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", now),
            ],
            [
                "pricelist_id",
                "company_id",
                "product_tmpl_id",
                "product_id",
                "categ_id",
                "price",
                "date_start",
                "date_end",
            ],
        )

        def item_values(item):
            applies_to = item.product_id or item.product_tmpl_id or item.categ_id
            return {
                "pricelist": DigestField(item.pricelist_id, "display_name"),
                "source": DigestField(item.pricelist_id, "display_name"),
                "name": DigestField(applies_to, "display_name") if applies_to else ALL_PRODUCTS,
                "price": DigestField(item, "price"),
                "code": "",
                "reward": DigestField(item, "price"),
                # datetimes: shown as dates in each salesperson's time zone
                "date_start": item.date_start or "",
                "date_end": item.date_end or "",
                "company_id": item.company_id.id or item.pricelist_id.company_id.id,
            }

        changed_values = [item_values(item) for item in changed]
        promo_values = [item_values(item) for item in promoted]
        promo_values += self._get_digest_promotions(day)
        for user in users:
            data[user.id]["pricelist_changes"] = [
                v for v in changed_values if visible(user.id, v["company_id"])
            ]
            data[user.id]["promotions"] = [
                v for v in promo_values if visible(user.id, v["company_id"])
            ]

        # low stock: storable products their customers ordered in the last months, with less on
        # hand than one month of those orders
        ordered = env["sale.order.line"]._read_group(
            [
                ("salesman_id", "in", users.ids),
                ("state", "=", "sale"),
                ("order_id.date_order", ">=", start - timedelta(days=30 * LOW_STOCK_MONTHS)),
                ("product_id.is_storable", "=", True),
            ],
            ["salesman_id", "product_id"],
            ["product_uom_qty:sum"],
        )
        products = env["product.product"].browse({product.id for _u, product, _q in ordered})
        products.fetch(["display_name"])
        on_hand = {product.id: product.qty_available for product in products}
        for salesman, product, qty in ordered:
            monthly = qty / LOW_STOCK_MONTHS
            if on_hand[product.id] < monthly:
                data[salesman.id]["low_stock"].append(
                    {
                        "product": DigestField(product, "display_name"),
                        "on_hand": on_hand[product.id],
                        "monthly": monthly,
                        "uom": DigestField(product.uom_id, "name"),
                    }
                )

        # Order-to-Cash steps of their orders since the previous working day
        Event = env["sales.support.o2c.event"]
        events = Event.search_fetch(
            [
                ("date", ">=", start),
                ("date", "<", end),
                ("order_id.user_id", "in", users.ids),
            ],
            ["order_id", "event_type", "date"],
            order="date, id",
        )
        events.order_id.fetch(["name", "user_id", "partner_id"])
        for event in events:
            data[event.order_id.user_id.id]["order_events"].append(
                {
                    "order": event.order_id.name,
                    "customer": event.order_id.partner_id.display_name,
                    "event": DigestLabel(Event._name, "event_type", event.event_type),
                }
            )

        # receivables that became overdue since the previous working day: invoices, their
        # instalments, opening-balance entries; one line per entry and customer, of the
        # salesperson of the invoice, else of the customer (as on the collections worklist)
        Report = env["sales.support.collection.report"]
        env["account.move.line"].flush_model()
        env["account.move"].flush_model(["invoice_user_id", "name"])
        env["res.partner"].flush_model(["commercial_partner_id", "user_id"])
        rows = env.execute_query(
            SQL(
                """
                SELECT receivable.move_id, receivable.partner_id, receivable.user_id,
                       receivable.currency_id, receivable.amount_residual, receivable.date_due,
                       receivable.company_id
                  FROM (%s) receivable
                 WHERE receivable.user_id IN %s
              ORDER BY receivable.date_due, receivable.move_id, receivable.partner_id
                """,
                Report._receivable_groups_query(date_from=since, date_to=day),
                tuple(users.ids),
            )
        )
        names = {move.id: move.name for move in env["account.move"].browse({r[0] for r in rows})}
        customers = {
            partner.id: partner.display_name
            for partner in env["res.partner"].browse({r[1] for r in rows})
        }
        currencies = {c.id: c for c in env["res.currency"].browse({r[3] for r in rows})}
        for move_id, partner_id, user_id, currency_id, amount, due, company_id in rows:
            # the customer's salesperson applies in every company: those they work in only
            if not visible(user_id, company_id):
                continue
            data[user_id]["new_overdue"].append(
                {
                    "invoice": names[move_id],
                    "customer": customers[partner_id],
                    "amount": DigestAmount(amount, currencies[currency_id]),
                    "due": due,
                }
            )
        return self._localize_digest_data(data, users)

    @api.model
    def _localize_digest_data(self, data, users):
        """Each salesperson's sections in their language: dates (datetimes in their time zone),
        amounts, selection labels and record names (``date``, ``DigestAmount``,
        ``DigestLabel``, ``DigestField`` values) formatted for them. Labels are read once per
        language, names once per language and model."""
        labels = {}

        def localize(value, env):
            if isinstance(value, DigestField):
                # the record's own (sudo) environment, in the salesperson's language
                return value.record.with_context(lang=env.lang)[value.field] or ""
            if value is ALL_PRODUCTS:
                return env._("All products")
            if isinstance(value, DigestLabel):
                key = (env.lang, value.model, value.field)
                if key not in labels:
                    field = env[value.model]._fields[value.field]
                    labels[key] = dict(field._description_selection(env))
                return labels[key].get(value.key, value.key)
            if isinstance(value, DigestAmount):
                return value.currency.with_env(env).format(value.amount)
            if isinstance(value, date):
                return format_date(env, value)
            return value

        for user in users:
            env = self.with_context(lang=user.lang or self.env.lang, tz=user.tz).env
            data[user.id] = {
                section: [{k: localize(v, env) for k, v in row.items()} for row in rows]
                for section, rows in data[user.id].items()
            }
        return data

    @api.model
    def _get_digest_promotions(self, day):
        """Hook: promotions other than price-list rules running on ``day``, for every company.

        Called once per run of :meth:`_get_digest_data` (never per salesperson): gather them
        with a bounded number of queries. Returns plain dicts with the keys ``source`` (where
        the promotion comes from: a price-list, a kind of program), ``name``, ``code`` (the
        discount code to give, or ""), ``reward`` (or ""), ``date_start``, ``date_end``
        (``date``, "" when open) and ``company_id`` (False: every company); each salesperson
        gets those of the companies they work in. Dates, ``DigestAmount`` and ``DigestLabel``
        values are formatted in each salesperson's language. Bridge addons extend it
        (``sales_support_loyalty``: the loyalty programs)."""
        return []

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------
    @api.model
    def _send_digest(self, users, day, since):
        """Render and queue one mail per salesperson of ``users`` that has something to read."""
        data = self._get_digest_data(users, day, since)
        QWeb = self.env["ir.qweb"]
        mails = []
        for user in users:
            sections = data[user.id]
            if not any(sections.values()):
                continue
            body = QWeb.with_context(lang=user.lang)._render(
                "sales_support.sales_support_digest_mail",
                {
                    "user_name": user.name,
                    "day": format_date(self.env, day, lang_code=user.lang),
                    **sections,
                },
            )
            mails.append(
                {
                    "subject": self.with_context(lang=user.lang).env._(
                        "Your sales digest of %(day)s",
                        day=format_date(self.env, day, lang_code=user.lang),
                    ),
                    "body_html": body,
                    "email_from": user.company_id.email_formatted
                    or self.env.company.email_formatted,
                    "recipient_ids": [Command.link(user.partner_id.id)],
                    "auto_delete": True,
                }
            )
        # sudo: the cron queues mails for every salesperson
        return self.env["mail.mail"].sudo().create(mails)

    @api.model
    def _cron_send_digest(self, day=None):
        """Each working morning (of each company's calendar), the digest of its salespeople."""
        day = day or fields.Date.context_today(self)
        mails = self.env["mail.mail"]
        by_since = defaultdict(lambda: self.env["res.company"])
        for company in self.env["res.company"].sudo().search([]):
            if day.weekday() in self._get_working_weekdays(company):
                by_since[self._get_previous_working_day(company, day)] |= company
        for since, companies in by_since.items():
            users = self._get_digest_recipients(companies)
            if users:
                mails |= self._send_digest(users, day, since)
        return mails
