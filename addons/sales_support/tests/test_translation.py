from odoo.tests import TransactionCase, tagged


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
