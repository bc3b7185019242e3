from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_document_checklist import DocumentChecklistCommon


@tagged("post_install", "-at_install")
class TestExportOrder(DocumentChecklistCommon):
    def test_export_flag_follows_countries_and_can_be_set(self):
        order = self._export_order(self.customer_1)
        self.assertFalse(order.is_export)
        order.partner_id = self.customer_il
        self.assertTrue(order.is_export)
        self.assertTrue(order.support_document_ids)
        # a domestic customer shipping abroad: the export flag is set by hand
        domestic = self._export_order(self.customer_1)
        domestic.with_user(self.coordinator).is_export = True
        self.assertEqual(len(domestic.support_document_ids), 3)
        domestic.with_user(self.coordinator).is_export = False
        self.assertEqual(set(domestic.support_document_ids.mapped("state")), {"not_applicable"})

    def test_export_fields_and_progress(self):
        broker = self.env["res.partner"].create({"name": "Broker Ltd"})
        order = self._export_order(
            customs_broker_id=broker.id,
            certification_body_id=broker.id,
            incoterm=self.env.ref("account.incoterm_FCA").id,
            export_declaration_number="EX-2026-0042",
            export_declaration_date="2026-11-20",
        )
        self.assertEqual(order.checklist_progress, "0 / 3 ready")
        self._doc(order, self.ci).with_user(self.coordinator).action_mark_ready()
        self._doc(order, self.bl).with_user(self.coordinator).action_mark_not_applicable()
        order.invalidate_recordset(["checklist_progress"])
        self.assertEqual(order.checklist_progress, "1 / 2 ready")
        self.assertEqual(order.checklist_missing_count, 1)

    def test_incoterm_condition(self):
        self.template.incoterm_ids = self.env.ref("account.incoterm_CIF")
        fca = self._export_order(incoterm=self.env.ref("account.incoterm_FCA").id)
        self.assertFalse(fca.support_document_ids)
        fca.incoterm = self.env.ref("account.incoterm_CIF")
        self.assertEqual(len(fca.support_document_ids), 3)

    def test_due_dates_follow_planned_shipment(self):
        order = self._export_order(commitment_date="2026-12-10 10:00:00")
        ci = self._doc(order, self.ci)
        self.assertEqual(str(ci.date_due), "2026-12-08")
        order.commitment_date = "2026-12-20 10:00:00"
        self.assertEqual(str(ci.date_due), "2026-12-18")

    def test_get_missing_documents(self):
        order = self._export_order()
        missing = order.with_user(self.coordinator).get_missing_documents()
        self.assertEqual({m["code"] for m in missing}, {"CI", "COO"})
        self.assertEqual(
            [
                m["code"]
                for m in order.with_user(self.coordinator).get_missing_documents("delivery")
            ],
            ["CI"],
        )
        with self.assertRaisesRegex(UserError, "block must be"):
            order.with_user(self.coordinator).get_missing_documents("shipping")
        with self.assertRaises(AccessError):
            order.with_user(self.coordinator_2).get_missing_documents()

    def test_default_templates(self):
        """The data templates: export outside the EU, and the letter-of-credit set."""
        templates = self.env["sales.support.checklist.template"].with_context(active_test=False)
        export = self.env.ref("sales_support.checklist_template_export_non_eu")
        (templates.search([]) - self.template).action_archive()
        self.template.action_archive()
        export.action_unarchive()
        order = self._export_order()
        self.assertIn(
            self.env.ref("sales_support.document_type_export_declaration"),
            order.support_document_ids.document_type_id,
        )
        self.assertFalse(self._export_order(self.customer_be).support_document_ids)
        self.assertFalse(self._export_order(self.customer_1).support_document_ids)

    def test_checklist_pdf(self):
        order = self._export_order()
        self._doc(order, self.ci).with_user(self.coordinator).action_mark_ready()
        report = self.env.ref("sales_support.action_report_sales_support_checklist")
        html = report.with_user(self.coordinator)._render_qweb_html(report, order.ids)[0]
        html = html.decode()
        self.assertIn("Commercial Invoice", html)
        self.assertIn("Certificate of Origin", html)
        self.assertIn("o_ss_missing", html)
        self.assertIn("1 / 3 ready", html)
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            .with_user(self.coordinator)
            ._render_qweb_pdf(report, order.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreater(len(pdf), 1000)

    def test_manual_document_kept(self):
        order = self._export_order()
        manual = (
            self.env["sales.support.document"]
            .with_user(self.coordinator)
            .create(
                {
                    "order_id": order.id,
                    "document_type_id": self.env.ref(
                        "sales_support.document_type_signed_delivery_note"
                    ).id,
                }
            )
        )
        order.partner_id = self.customer_1
        self.assertEqual((manual.state, manual.is_obsolete), ("to_prepare", False))
        order.write({"order_line": [Command.create({"product_id": self.lathe.id})]})
        self.assertEqual(manual.state, "to_prepare")
