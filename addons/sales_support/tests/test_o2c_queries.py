from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, warmup

from ..models.sale_order import SaleOrder
from .common import SalesSupportRequestCommon
from .test_o2c_ledger import O2cFlowCommon


@tagged("post_install", "-at_install")
class TestO2cQueries(O2cFlowCommon):
    """The Order-to-Cash bookkeeping of a step (confirmation, delivery, posting) costs a fixed
    number of queries, whatever the number of lines of the order: measured inside the hooks
    (``_o2c_sync``, which also writes the step's own events), as the user who does the step."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": f"Part {i}",
                    "is_storable": True,
                    "list_price": 10.0 + i,
                    "invoice_policy": "delivery",
                    "taxes_id": [Command.clear()],
                }
                for i in range(12)
            ]
        )

    @contextmanager
    def _count_sync_queries(self):
        """Counts the queries of every ``_o2c_sync`` run inside the block (nested runs once)."""
        counter = {"queries": 0, "depth": 0, "calls": 0}
        original = SaleOrder._o2c_sync
        cr = self.env.cr

        def counting(records, *args, **kwargs):
            if not counter["depth"]:
                records.env.flush_all()  # the step's own pending writes are not ours
            counter["depth"] += 1
            before = cr.sql_log_count
            try:
                return original(records, *args, **kwargs)
            finally:
                counter["depth"] -= 1
                if not counter["depth"]:
                    records.env.flush_all()  # the ledger write and the milestones it moves
                    counter["queries"] += cr.sql_log_count - before
                    counter["calls"] += 1

        with patch.object(SaleOrder, "_o2c_sync", counting):
            yield counter

    def _lifecycle_queries(self, n_lines):
        """{step: queries of the O2C bookkeeping} for an order of ``n_lines`` lines."""
        products = self.products[:n_lines]
        for product in products:
            self._stock(product, 100)
        order = self._create_order(self.customer_1, products=products)
        self.env.flush_all()
        result = {}
        with self._count_sync_queries() as counter:
            order.with_user(self.coordinator).action_confirm()
            self.env.flush_all()
        result["confirm"] = counter["queries"]
        self.env.invalidate_all()
        with self._count_sync_queries() as counter:
            self._validate(order.picking_ids)
            self.env.flush_all()
        result["deliver"] = counter["queries"]
        self.env.invalidate_all()
        invoice = order.with_user(self.billing)._create_invoices()
        self.env.flush_all()
        self.env.invalidate_all()
        with self._count_sync_queries() as counter:
            invoice.with_user(self.billing).action_post()
            self.env.flush_all()
        result["post"] = counter["queries"]
        self.assertEqual(order.o2c_stage, "invoiced")
        return result

    @warmup
    def test_step_queries_do_not_grow_with_lines(self):
        small = self._lifecycle_queries(2)
        large = self._lifecycle_queries(12)
        for step, queries in small.items():
            self.assertLessEqual(
                large[step],
                queries,
                f"{step}: {queries} queries with 2 lines, {large[step]} with 12",
            )
            self.assertLessEqual(queries, 40, f"{step}: bounded bookkeeping")

    def test_paid_deadline_is_invoice_due_date(self):
        """M10: the 'paid' step is due when the invoices are due (payment terms), not after the
        generic step target."""
        self._stock(self.chair, 10)
        terms = self.env.ref("account.account_payment_term_30days")
        order = self._create_order(self.customer_1, products=self.chair, payment_term_id=terms.id)
        order.with_user(self.coordinator).action_confirm()
        self._validate(order.picking_ids)
        invoice = self._invoice(order)
        self.assertEqual(order.o2c_next_step, "paid")
        self.assertEqual(
            order.date_o2c_next_deadline,
            datetime.combine(invoice.invoice_date_due, datetime.max.time()).replace(microsecond=0),
        )
        self.assertGreaterEqual(invoice.invoice_date_due, fields.Date.today() + timedelta(days=29))
        # changing the step target leaves orders with open invoices at their due date
        self.env["sales.support.o2c.step"].search([("code", "=", "paid")]).target_hours = 1
        self.assertEqual(order.date_o2c_next_deadline.date(), invoice.invoice_date_due)

    def test_credit_note_settlement_is_not_a_payment(self):
        """A credit note matched against the invoice settles it without money: logged as a
        credit-note settlement, not as a payment."""
        self._stock(self.chair, 10)
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.coordinator).action_confirm()
        self._validate(order.picking_ids)
        invoice = self._invoice(order)
        # posting the reversal of an open invoice reconciles the two (Odoo)
        self._credit_note(invoice, "wrong price")
        self.assertEqual(invoice.payment_state, "reversed")
        events = self._events(order)
        self.assertIn("credit_note_settled", events)
        self.assertNotIn("payment", events)

    def test_claim_responsible_set_by_coordinators_only(self):
        """M8: who is charged with an order-entry error is set by coordinators and managers."""
        order = self._create_order(self.customer_1, products=self.chair)
        order.with_user(self.coordinator).action_confirm()
        Claim = self.env["sales.support.claim"]
        claim = Claim.with_user(self.salesperson_1).create(
            {"partner_id": self.customer_1.id, "order_id": order.id}
        )
        with self.assertRefused(AccessError, "Only support coordinators and managers"):
            claim.with_user(self.salesperson_1).write(
                {"root_cause": "order_entry", "responsible_user_id": self.salesperson_2.id}
            )
        with self.assertRefused(AccessError, "Only support coordinators and managers"):
            Claim.with_user(self.salesperson_1).create(
                {
                    "partner_id": self.customer_1.id,
                    "order_id": order.id,
                    "root_cause": "order_entry",
                    "responsible_user_id": self.salesperson_2.id,
                }
            )
        claim.with_user(self.coordinator).write(
            {"root_cause": "order_entry", "responsible_user_id": self.salesperson_1.id}
        )
        self.assertEqual(claim.responsible_user_id, self.salesperson_1)

    def test_pure_supplier_gets_no_coordinator(self):
        """M9: a partner we only buy from is nobody's customer; once sold to, it is one."""
        supplier = self.env["res.partner"].create(
            {"name": "Steel Supplier", "is_company": True, "user_id": self.salesperson_1.id}
        )
        supplier.supplier_rank = 1
        supplier._sync_support_coordinators()
        self.assertFalse(supplier.support_coordinator_id)
        customer = self.env["res.partner"].create(
            {"name": "Buyer", "is_company": True, "user_id": self.salesperson_1.id}
        )
        self.assertEqual(customer.support_coordinator_id, self.coordinator)
        # a supplier we also sell to is a customer
        self._create_order(supplier, salesperson=self.salesperson_1)
        supplier._sync_support_coordinators()
        self.assertEqual(supplier.support_coordinator_id, self.coordinator)

    def test_rebuild_and_live_invoiced_dates(self):
        """Live, "invoiced" is the posting (the server's clock); the rebuild (install on a
        database with history), which does not know when an invoice was posted, takes the end of
        its date, never later than the rebuild nor earlier than the entry: posted the day it is
        dated, both agree."""
        self._stock(self.chair, 10)
        order = self._create_order(self.customer_1, products=self.chair)
        backdated = self._create_order(self.customer_1, products=self.chair)
        with freeze_time("2026-06-10 09:00:00"):
            (order | backdated).with_user(self.coordinator).action_confirm()
            invoices = order.with_user(self.billing)._create_invoices()
            invoices |= backdated.with_user(self.billing)._create_invoices()
        invoices[1].invoice_date = datetime(2026, 6, 1).date()
        with freeze_time("2026-06-10 12:00:00"):
            invoices.with_user(self.billing).action_post()
        self.assertEqual(order.date_o2c_invoiced, datetime(2026, 6, 10, 12, 0))
        self.assertEqual(backdated.date_o2c_invoiced, datetime(2026, 6, 10, 12, 0), "posted now")
        # the same orders rebuilt from their documents (their ledger gone, as before the install)
        orders = order | backdated
        self.env.cr.execute(
            "DELETE FROM sales_support_o2c_event WHERE order_id = ANY(%s)", [orders.ids]
        )
        self.env.invalidate_all()
        with freeze_time("2026-06-10 12:00:00"):
            self.env["sale.order"]._o2c_rebuild_ledger(orders)
        orders.invalidate_recordset()
        self.env.add_to_compute(order._fields["date_o2c_invoiced"], orders)
        self.assertEqual(order.date_o2c_invoiced, datetime(2026, 6, 10, 12, 0))
        self.assertEqual(
            backdated.date_o2c_invoiced,
            datetime(2026, 6, 10, 9, 0),
            "dated before the entry: the entry, never a negative duration",
        )


@tagged("post_install", "-at_install")
class TestRequestReceivedDate(SalesSupportRequestCommon):
    def test_date_received_kept_after_creation(self):
        """M14: when a request arrived is set at creation, then only by the server."""
        received = datetime(2026, 1, 16, 16, 0)
        request = self._request(user=self.coordinator, date_received=received)
        with self.assertRefused(UserError, "cannot be changed afterwards"):
            request.with_user(self.coordinator).write({"date_received": datetime(2026, 1, 20)})
        with self.assertRefused(UserError, "cannot be changed afterwards"):
            request.with_user(self.support_manager).date_received = datetime(2026, 1, 10)
        request.with_user(self.coordinator).write({"date_received": received})  # unchanged: fine
        self.assertEqual(request.date_received, received)
        with self.assertRefused(UserError, "set by the system"):
            request.with_user(self.coordinator).write({"date_done": datetime(2026, 1, 20)})
