from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestTranslation(TransactionCase):
    """The app's key terms exist in Hebrew, Arabic and Russian; Hebrew and Arabic are
    right-to-left."""

    def test_key_terms_in_hebrew_arabic_russian(self):
        expected = {
            "he_IL": ("תמיכת מכירות", "שולם", "rtl"),
            "ar_001": ("دعم المبيعات", "مدفوع", "rtl"),
            "ru_RU": ("Поддержка продаж", "Оплачено", "ltr"),
        }
        for code, (app_name, paid, direction) in expected.items():
            self.env["res.lang"]._activate_lang(code)
            self.env["ir.module.module"]._load_module_terms(["sales_support"], [code])
            menu = self.env.ref("sales_support.menu_sales_support_root").with_context(lang=code)
            self.assertEqual(menu.name, app_name)
            env = self.env(context={"lang": code})
            labels = dict(env["sale.order"]._fields["o2c_stage"]._description_selection(env))
            self.assertEqual(labels["paid"], paid)
            self.assertEqual(self.env["res.lang"]._lang_get(code).direction, direction)

    def test_ledger_descriptions_in_each_reader_language(self):
        """A Russian-speaking coordinator marks the purchase order received: the ledger says it
        in Russian to them and in English to an English reader, not in the language of whoever
        caused it."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["sales_support"], ["ru_RU"])
        coordinator = new_test_user(
            self.env,
            login="ss_coord_ru",
            groups="sales_support.group_support_coordinator",
            lang="ru_RU",
        )
        customer = self.env["res.partner"].create({"name": "Customer RU"})
        order = self.env["sale.order"].create(
            {"partner_id": customer.id, "coordinator_id": coordinator.id}
        )
        order.with_user(coordinator).with_context(lang="ru_RU").action_o2c_customer_confirmed()
        event = order.o2c_event_ids.filtered(lambda e: e.event_type == "customer_confirmed")
        self.assertEqual(event.with_context(lang="ru_RU").name, "Получен заказ покупателя")
        self.assertEqual(event.with_context(lang="en_US").name, "Purchase order received")
