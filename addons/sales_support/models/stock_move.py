from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools import without_client_defaults
from .sale_order import DELIVERY_CODES

# Context key set by _create_backorder while it splits claim replacements (a recordset).
EXCHANGE_SPLIT_KEY = "sales_support_exchange_split"
# Server-written marks of a claim replacement (see stock.return.picking._get_proc_values).
EXCHANGE_FIELDS = ("is_o2c_exchange", "is_o2c_exchange_counted")


class StockMove(models.Model):
    _inherit = "stock.move"

    is_o2c_exchange = fields.Boolean(
        string="Claim Replacement",
        readonly=True,
        copy=False,
        help="Replacement sent after a return ('Exchange' in the return wizard): not part of the "
        "order's shipment.",
    )
    is_o2c_exchange_counted = fields.Boolean(
        string="Replacement Counts as Delivered",
        readonly=True,
        copy=False,
        help="The return of this replacement lowered the order's delivered quantity ('Update "
        "quantities on SO/PO'): the replacement raises it again, as in Odoo. Off for a claim's "
        "exchange, whose return kept it.",
    )

    @api.model
    def _check_o2c_exchange_field(self, vals):
        """Only the return wizard's exchange marks a replacement (its procurement creates the
        moves under sudo), and the backorder of a replacement stays one (see _create_backorder):
        a user marking the moves of a delivery would close the order's shipment without
        shipping."""
        splitting = self.env.context.get(EXCHANGE_SPLIT_KEY)
        written = [fname for fname in EXCHANGE_FIELDS if fname in vals]
        if (
            written
            and not self.env.su
            # a recordset in the context can only come from the server, never from a client
            and not (isinstance(splitting, models.BaseModel) and vals.get("is_o2c_exchange"))
        ):
            raise AccessError(
                _(
                    "Claim Replacement is recorded by Odoo when an exchange is created from a "
                    "return and cannot be written. Use the return wizard's Exchange instead."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_o2c_exchange_field(vals)
        return super(StockMove, without_client_defaults(self, list(EXCHANGE_FIELDS))).create(
            vals_list
        )

    def write(self, vals):
        self._check_o2c_exchange_field(vals)
        return super().write(vals)

    def _create_backorder(self):
        # the rest of a claim replacement shipped in part is still a replacement
        exchange = self.filtered("is_o2c_exchange")
        if exchange:
            return super(
                StockMove, self.with_context(**{EXCHANGE_SPLIT_KEY: exchange})
            )._create_backorder()
        return super()._create_backorder()

    def _split(self, qty, restrict_partner_id=False):
        vals_list = super()._split(qty, restrict_partner_id=restrict_partner_id)
        splitting = self.env.context.get(EXCHANGE_SPLIT_KEY)
        if isinstance(splitting, models.BaseModel) and self in splitting:
            for vals in vals_list:
                vals["is_o2c_exchange"] = True
                vals["is_o2c_exchange_counted"] = self.is_o2c_exchange_counted
        return vals_list

    @api.model
    def _prepare_merge_moves_distinct_fields(self):
        # a claim replacement is never merged into the order's own delivery moves (it would
        # count as delivered again)
        return [*super()._prepare_merge_moves_distinct_fields(), *EXCHANGE_FIELDS]

    def _action_assign(self, force_qty=False):
        res = super()._action_assign(force_qty=force_qty)
        # a reservation only makes goods ready: orders already ready (and not shipped) keep it
        self._get_o2c_orders().filtered(
            lambda o: not o.date_o2c_goods_ready or o.date_o2c_shipped
        )._o2c_sync(invoice=False)
        return res

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        # new moves only matter to orders already shipped (more to ship); the reservation that
        # follows makes the goods ready
        moves._get_o2c_orders().filtered("date_o2c_shipped")._o2c_sync(invoice=False)
        return moves

    def _get_o2c_orders(self):
        """Orders of the outgoing moves (their deliveries make "goods ready" and "shipped")."""
        # sudo: reservations are made by warehouse users and the scheduler; only the link is read
        return (
            self.sudo()
            .filtered(lambda m: m.picking_code in DELIVERY_CODES)
            .sale_line_id.order_id.filtered(lambda o: o.state == "sale")
        )
