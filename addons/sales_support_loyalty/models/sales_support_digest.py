from odoo import api, models

from odoo.addons.sales_support.models.sales_support_digest import DigestField, DigestLabel

# The programs a salesperson can tell a customer about today. Gift cards, eWallets and loyalty
# cards are means of payment or point schemes held by a customer, not promotions that run.
DIGEST_PROGRAM_TYPES = ("promotion", "promo_code", "buy_x_get_y", "next_order_coupons", "coupons")


class SalesSupportDigest(models.AbstractModel):
    _inherit = "sales.support.digest"

    @api.model
    def _get_digest_promotions(self, day):
        """Plus the loyalty programs running on ``day`` (both validity dates included, as the
        program form says) that are offered on sales orders, have a start or an end date and are not
        used up, with their rewards and discount codes: a fixed number of queries whatever the
        number of programs and salespeople."""
        promotions = super()._get_digest_promotions(day)
        # sudo: the digest cron reads the programs of every company; _get_digest_data gives
        # each salesperson only those of the companies they work in (and the shared ones)
        Program = self.env["loyalty.program"].sudo()
        programs = Program.search_fetch(
            [
                ("program_type", "in", DIGEST_PROGRAM_TYPES),
                # offered on sales orders (not only in the shop or the point of sale)
                ("sale_ok", "=", True),
                # a campaign with dates, as for price-list rules: a permanent program is no
                # news, and would send every salesperson the same mail every morning
                "|",
                ("date_from", "!=", False),
                ("date_to", "!=", False),
                "|",
                ("date_from", "=", False),
                ("date_from", "<=", day),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", day),
            ],
            ["name", "program_type", "company_id", "date_from", "date_to"],
            order="sequence, id",
        )
        # used up: no more orders may use it (the count is read for all programs at once)
        programs = programs.filtered(
            lambda p: not p.limit_usage or p.total_order_count < p.max_usage
        )
        programs.fetch(["reward_ids", "rule_ids"])
        programs.reward_ids.fetch(["description"])
        programs.rule_ids.fetch(["code"])
        for program in programs:
            promotions.append(
                {
                    # in each salesperson's language (_localize_digest_data)
                    "source": DigestLabel(Program._name, "program_type", program.program_type),
                    "name": DigestField(program, "name"),
                    "code": ", ".join(code for code in program.rule_ids.mapped("code") if code),
                    "reward": "; ".join(program.reward_ids.mapped("description")),
                    "date_start": program.date_from or "",
                    "date_end": program.date_to or "",
                    "company_id": program.company_id.id,
                }
            )
        return promotions
