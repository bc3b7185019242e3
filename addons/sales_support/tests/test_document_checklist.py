import logging

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import SalesSupportCommon

_logger = logging.getLogger(__name__)


class DocumentChecklistCommon(SalesSupportCommon):
    """A US company; an "outside the EU + letter of credit" template (export orders, customer
    outside the European group, payment term "Letter of Credit") with a commercial invoice that
    blocks the delivery, a certificate of origin that blocks invoicing and an optional bill of
    lading (original must return). The default templates are archived."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["sales.support.checklist.template"].search([]).action_archive()
        cls.company.country_id = cls.env.ref("base.us")
        cls.customer_be = cls.env["res.partner"].create(
            {
                "name": "Belgian Customer",
                "is_company": True,
                "user_id": cls.salesperson_1.id,
                "country_id": cls.env.ref("base.be").id,
            }
        )
        cls.lc_term = cls.env["account.payment.term"].create({"name": "Letter of Credit at sight"})
        cls.customer_jp = cls.env["res.partner"].create(
            {
                "name": "Japanese Customer",
                "is_company": True,
                "user_id": cls.salesperson_3.id,
                "country_id": cls.env.ref("base.jp").id,
            }
        )
        # export customers pay by letter of credit (the order takes the customer's terms)
        (cls.customer_il | cls.customer_jp | cls.customer_be | cls.customer_1).write(
            {"property_payment_term_id": cls.lc_term.id}
        )
        cls.goods = cls.env["product.product"].create(
            {"name": "Crate", "type": "consu", "invoice_policy": "order", "list_price": 100.0}
        )
        cls.ci = cls.env.ref("sales_support.document_type_commercial_invoice")
        cls.coo = cls.env.ref("sales_support.document_type_certificate_of_origin")
        cls.bl = cls.env.ref("sales_support.document_type_bill_of_lading")
        cls.template = cls.env["sales.support.checklist.template"].create(
            {
                "name": "Outside the EU with a letter of credit",
                "applies_to": "order",
                "is_export_only": True,
                "excluded_country_group_ids": [Command.set(cls.env.ref("base.europe").ids)],
                "payment_term_ids": [Command.set(cls.lc_term.ids)],
                "line_ids": [
                    Command.create(
                        {
                            "document_type_id": cls.ci.id,
                            "blocks": "delivery",
                            "anchor": "shipment",
                            "due_offset_days": -2,
                        }
                    ),
                    Command.create({"document_type_id": cls.coo.id, "blocks": "invoicing"}),
                    Command.create({"document_type_id": cls.bl.id, "required": False}),
                ],
            }
        )

    @classmethod
    def _export_order(cls, partner=None, **values):
        return cls._create_order(
            partner or cls.customer_il,
            products=cls.goods,
            payment_term_id=cls.lc_term.id,
            **values,
        )

    def _doc(self, order, doc_type):
        return order.support_document_ids.filtered(lambda d: d.document_type_id == doc_type)

    def _validate_delivery(self, order, user):
        picking = order.picking_ids.with_user(user)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        return picking.button_validate()


@tagged("post_install", "-at_install")
class TestDocumentChecklist(DocumentChecklistCommon):
    def test_template_applies_to_matching_order_only(self):
        export = self._export_order()
        self.assertTrue(export.is_export)
        self.assertEqual(export.support_document_ids.document_type_id, self.ci | self.coo | self.bl)
        self.assertEqual(export.checklist_progress, "0 / 3 ready")
        self.assertEqual(export.checklist_missing_count, 2)  # the bill of lading is optional
        ci = self._doc(export, self.ci)
        self.assertEqual((ci.blocks, ci.required, ci.state), ("delivery", True, "to_prepare"))
        self.assertEqual(ci.coordinator_id, self.coordinator)
        self.assertEqual(ci.partner_id, self.customer_il)
        # domestic, inside the EU, or not paid by letter of credit: nothing
        domestic = self._export_order(self.customer_1)
        self.assertFalse(domestic.is_export)
        self.assertFalse(domestic.support_document_ids)
        self.assertFalse(self._export_order(self.customer_be).support_document_ids)
        self.assertFalse(
            self._create_order(
                self.customer_il, products=self.goods, payment_term_id=False
            ).support_document_ids
        )

    def test_product_category_condition_child_of(self):
        self.template.product_categ_ids = self.categ_parent
        order = self._export_order()
        self.assertFalse(order.support_document_ids)
        order.order_line = [Command.create({"product_id": self.lathe.id})]  # child category
        self.assertEqual(len(order.support_document_ids), 3)

    def test_changing_customer_reapplies_and_keeps_work(self):
        order = self._export_order()
        ci, coo = self._doc(order, self.ci), self._doc(order, self.coo)
        ci.with_user(self.coordinator).action_mark_ready()
        coo.with_user(self.coordinator).attachment_ids = [
            Command.create({"name": "coo-draft.pdf", "raw": b"draft"})
        ]
        # the customer changes to a domestic one: the template no longer matches
        order.with_user(self.coordinator).partner_id = self.customer_1
        self.assertFalse(order.is_export)
        self.assertEqual(ci.state, "ready", "work done is kept")
        self.assertTrue(ci.is_obsolete)
        self.assertEqual(coo.state, "not_applicable")
        self.assertEqual(coo.attachment_ids.name, "coo-draft.pdf")
        self.assertFalse(order._checklist_missing())
        # back to the export customer: the same documents come back, nothing duplicated
        order.with_user(self.coordinator).partner_id = self.customer_il
        self.assertEqual(len(order.support_document_ids), 3)
        self.assertEqual((ci.state, ci.is_obsolete), ("ready", False))
        self.assertEqual((coo.state, coo.is_obsolete), ("to_prepare", False))
        self.assertEqual(order.checklist_progress, "1 / 3 ready")

    def test_delivery_blocked_until_ready(self):
        order = self._export_order()
        order.action_confirm()
        with self.assertRaisesRegex(UserError, "Commercial Invoice") as caught:
            self._validate_delivery(order, self.coordinator)
        self.assertIn(order.name, str(caught.exception))
        self.assertNotIn("Certificate of Origin", str(caught.exception))  # blocks invoicing
        self.assertEqual(order.picking_ids.state, "assigned")
        self._doc(order, self.ci).with_user(self.coordinator).action_mark_ready()
        self._validate_delivery(order, self.coordinator)
        self.assertEqual(order.picking_ids.state, "done")

    def test_manager_override_logged(self):
        order = self._export_order()
        order.action_confirm()
        action = order.with_user(self.support_manager).action_checklist_override()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.support_manager)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard.block, "delivery")
        wizard.reason = "Customer collects today, invoice follows by e-mail"
        wizard.save().action_confirm()
        self.assertIn("Customer collects today", order.message_ids[0].body)
        event = order.o2c_event_ids.filtered(lambda e: e.event_type == "document_overridden")
        self.assertEqual(event.user_id, self.support_manager)
        self._validate_delivery(order, self.coordinator)
        self.assertEqual(order.picking_ids.state, "done")
        # the override is for the delivery only: invoicing is still blocked
        invoice = order._create_invoices()
        with self.assertRaisesRegex(UserError, "Certificate of Origin"):
            invoice.with_user(self.coordinator).action_post()

    def test_coordinator_cannot_override(self):
        order = self._export_order()
        order.action_confirm()
        wizard = (
            self.env["sales.support.checklist.override"]
            .with_user(self.coordinator)
            .create(
                {
                    "res_model": "sale.order",
                    "res_id": order.id,
                    "block": "delivery",
                    "reason": "in a hurry",
                }
            )
        )
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        with self.assertRaisesRegex(UserError, "Commercial Invoice"):
            self._validate_delivery(order, self.coordinator)

    def test_invoice_posting_blocked_until_ready(self):
        order = self._export_order()
        order.action_confirm()
        invoice = order._create_invoices()
        with self.assertRaisesRegex(UserError, "Certificate of Origin"):
            invoice.with_user(self.coordinator).action_post()
        self.assertEqual(invoice.state, "draft")
        self._doc(order, self.coo).with_user(self.coordinator).action_mark_sent()
        invoice.with_user(self.coordinator).action_post()
        self.assertEqual(invoice.state, "posted")

    def test_steps_in_ledger_and_still_out(self):
        order = self._export_order()
        ci, bl = self._doc(order, self.ci), self._doc(order, self.bl)
        ci.with_user(self.coordinator).action_mark_ready()
        bl.with_user(self.coordinator).action_mark_sent()
        events = order.o2c_event_ids.filtered(lambda e: e.source_model == "sales.support.document")
        self.assertEqual(
            sorted(events.mapped("event_type")),
            ["document_ready", "document_ready", "document_sent"],
        )
        self.assertTrue(bl.is_still_out)
        self.assertFalse(ci.is_still_out)
        Document = self.env["sales.support.document"].with_user(self.coordinator)
        self.assertEqual(
            Document.search([("is_still_out", "=", True), ("order_id", "=", order.id)]), bl
        )
        [still_out] = Document.get_still_out(partner_ids=self.customer_il.ids)
        self.assertEqual((still_out["id"], still_out["customer_id"]), (bl.id, self.customer_il.id))
        self.assertEqual(bl.days_outstanding, 0)
        bl.with_user(self.coordinator).action_mark_returned()
        self.assertFalse(bl.is_still_out)
        self.assertTrue(bl.date_returned)
        self.assertIn("document_returned", order.o2c_event_ids.mapped("event_type"))
        with self.assertRaisesRegex(UserError, "Only sent documents"):
            ci.with_user(self.coordinator).action_mark_returned()

    def test_access_like_orders(self):
        order = self._export_order()
        ci = self._doc(order, self.ci)
        other = self._export_order(self.customer_jp)  # coordinator_2's
        self.assertTrue(other.support_document_ids)
        Document = self.env["sales.support.document"]
        ours = [("order_id", "in", (order | other).ids)]

        def seen_by(user):
            return Document.with_user(user).search(ours).order_id

        self.assertEqual(seen_by(self.coordinator), order)
        self.assertEqual(seen_by(self.coordinator_2), other)
        self.assertEqual(seen_by(self.assistant), order)
        self.assertEqual(seen_by(self.salesperson_1), order)
        self.assertFalse(seen_by(self.salesperson_2))
        self.assertEqual(seen_by(self.support_manager), order | other)
        # the assistant does the paperwork; a salesperson reads it only
        ci.with_user(self.assistant).action_mark_ready()
        with self.assertRaises(AccessError):
            self._doc(order, self.coo).with_user(self.salesperson_1).action_mark_ready()
        with self.assertRaises(AccessError):
            ci.with_user(self.coordinator_2).read(["state"])
        with self.assertRaises(AccessError):
            Document.with_user(self.salesperson_1).create(
                {"order_id": order.id, "document_type_id": self.bl.id}
            )

    def test_assistant_edits_documents_but_cannot_waive_a_blocking_one(self):
        """The assistant does the paperwork (edits, attaches, marks ready) but may not make a
        blocking document block nothing: that is an override, for support managers only."""
        order = self._export_order()
        order.action_confirm()
        ci, coo = self._doc(order, self.ci), self._doc(order, self.coo)
        as_assistant = ci.with_user(self.assistant)
        as_assistant.write(
            {
                "reference": "CI-2026-0042",
                "note": "Two originals, three copies",
                "responsible_id": self.assistant.id,
                "attachment_ids": [Command.create({"name": "ci.pdf", "raw": b"%PDF-1.4"})],
            }
        )
        self.assertEqual(ci.reference, "CI-2026-0042")
        self.assertEqual(ci.responsible_id, self.assistant)
        self.assertEqual(ci.attachment_ids.name, "ci.pdf")
        # the file given inline is the document's: the coordinator opens it too (it was readable
        # only by the assistant who sent it, and the order's form failed for everyone else)
        self.assertEqual((ci.attachment_ids.res_model, ci.attachment_ids.res_id), (ci._name, ci.id))
        as_coordinator = ci.with_user(self.coordinator)
        self.assertEqual(
            as_coordinator.web_read({"attachment_ids": {"fields": {"name": {}}}})[0][
                "attachment_ids"
            ][0]["name"],
            "ci.pdf",
        )
        for vals in (
            {"blocks": "none"},
            {"required": False, "blocks": "none"},
            {"blocks": "invoicing"},
        ):
            with self.assertRaisesRegex(AccessError, "only a support manager can waive it"):
                as_assistant.write(vals)
        with self.assertRaisesRegex(AccessError, "only a support manager can waive it"):
            as_assistant.action_mark_not_applicable()
        # nor the coordinator
        with self.assertRaisesRegex(AccessError, "only a support manager can waive it"):
            coo.with_user(self.coordinator).write({"blocks": "none"})
        self.assertEqual((ci.blocks, ci.required, ci.state), ("delivery", True, "to_prepare"))
        with self.assertRaisesRegex(UserError, "Commercial Invoice"):
            self._validate_delivery(order, self.coordinator)
        # an optional document can still be set aside by the assistant
        self._doc(order, self.bl).with_user(self.assistant).action_mark_not_applicable()
        # the support manager may
        ci.with_user(self.support_manager).write({"blocks": "none"})
        self.assertEqual(ci.blocks, "none")
        # the assistant's paperwork also unblocks: marked ready
        coo.with_user(self.assistant).action_mark_ready()
        self.assertEqual(coo.state, "ready")

    def test_bad_input(self):
        order = self._export_order()
        Document = self.env["sales.support.document"].with_user(self.coordinator)
        with self.assertRaisesRegex(ValidationError, "belongs to an order or a tender"):
            Document.create({"document_type_id": self.bl.id})
        with self.assertRaisesRegex(ValidationError, "optional document cannot block"):
            Document.create(
                {
                    "order_id": order.id,
                    "document_type_id": self.bl.id,
                    "required": False,
                    "blocks": "delivery",
                }
            )
        with self.assertRaisesRegex(UserError, "with its buttons"):
            self._doc(order, self.ci).with_user(self.coordinator).write({"state": "ready"})
        with self.assertRaises(AccessError):
            self._doc(order, self.ci).with_user(self.coordinator).write(
                {"date_sent": "2020-01-01 00:00:00"}
            )
        with self.assertRaisesRegex(ValidationError, "at most 3650 days"):
            self.template.line_ids[0].due_offset_days = 5000
        with self.assertRaisesRegex(ValidationError, "cannot block a step"):
            self.template.line_ids[2].blocks = "delivery"
        with self.assertRaisesRegex(ValidationError, "only block the submission"):
            self.template.applies_to = "tender"
        with self.assertRaises(AccessError):
            self.template.with_user(self.coordinator).name = "Mine"


@tagged("post_install", "-at_install")
class TestDocumentChecklistPerformance(DocumentChecklistCommon):
    def _orders(self, n):
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer_il.id,
                    "user_id": self.salesperson_1.id,
                    "payment_term_id": self.lc_term.id,
                }
                for _i in range(n)
            ]
        )
        self.assertEqual(len(orders.support_document_ids), 3 * n)
        # a new template for the existing orders, and the export template changes its lines
        self.env["sales.support.checklist.template"].create(
            {
                "name": "Insurance",
                "applies_to": "order",
                "is_export_only": True,
                "line_ids": [
                    Command.create(
                        {
                            "document_type_id": self.env.ref(
                                "sales_support.document_type_insurance_certificate"
                            ).id
                        }
                    )
                ],
            }
        )
        self.template.line_ids.filtered(lambda ln: ln.document_type_id == self.bl).required = True
        self.env.flush_all()
        self.env.invalidate_all()
        return self.env["sale.order"].browse(orders.ids)

    def _apply(self, orders, queries):
        with self.assertQueryCount(queries):
            orders._checklist_apply_templates()
            self.env.flush_all()
        self.assertEqual(len(orders.support_document_ids), 4 * len(orders))

    # Re-applying templates reads orders, documents and templates in one query per model and
    # field (1,000 rows per fetch), and writes in Odoo's statements of 100 rows: 1,000 orders
    # (1,000 new documents, 1,000 changed) cost 18 statements more than 10 orders, not 990.
    def test_apply_templates_10_orders(self):
        self._apply(self._orders(10), 25)  # measured: 25

    def test_apply_templates_1000_orders(self):
        self._apply(self._orders(1000), 43)  # measured: 43

    def test_multi_company(self):
        """Documents follow the company of their order; a company-specific template applies
        only there; a manager of the first company does not see the second's documents."""
        company_b = self.env["res.company"].create(
            {"name": "Export Branch", "country_id": self.env.ref("base.us").id}
        )
        self.env.user.company_ids |= company_b
        self.template.copy(
            {
                "name": "Branch only",
                "company_id": company_b.id,
                "is_export_only": False,
                "payment_term_ids": [Command.clear()],
                "excluded_country_group_ids": [Command.clear()],
            }
        )
        order_b = (
            self.env["sale.order"]
            .with_company(company_b)
            .create({"partner_id": self.customer_1.id, "company_id": company_b.id})
        )
        self.assertEqual(order_b.support_document_ids.company_id, company_b)
        self.assertEqual(len(order_b.support_document_ids), 3, "the branch template only")
        self.assertFalse(self._export_order(self.customer_1).support_document_ids)
        Document = self.env["sales.support.document"].with_user(self.support_manager)
        self.assertFalse(Document.search([("order_id", "=", order_b.id)]))
