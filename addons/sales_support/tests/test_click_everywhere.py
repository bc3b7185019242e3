"""Every role clicks everywhere in the browser, without an error.

For each role (assistant, coordinator, customer-service manager, salesperson; the coordinator
also in Hebrew, right-to-left):
1. Odoo's own clickbot (``web/static/src/webclient/clickbot``, what Odoo's
   ``web/tests/test_click_everywhere.py`` runs for every app) clicks every menu of the Sales
   Support app (both addons' menus live there), every view of each menu and every filter of each
   view. A salesperson has no Sales Support app: the clickbot runs over the Sales app, whose
   order, customer and search views our addons extend.
2. ``static/tests/tours/click_actions.js`` opens every window action of ``sales_support`` and
   ``o2c_kpi`` that the role may open (also the ones no menu reaches), every view of each, the first
   record of each list and kanban, and every tab of that record's form.
Any error dialog or browser error fails the test with the menu or action and the error text.
"""

import json
import logging

from odoo.tests import tagged

from .test_ui import SalesSupportHttpCase

_logger = logging.getLogger(__name__)

APP_MENU = "sales_support.menu_sales_support_root"
CLICKBOT = "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
CLICK_ACTIONS = "@sales_support/../tests/tours/click_actions"
ACTIONS_SIGNAL = "sales_support: every action opened"


@tagged("post_install", "-at_install")
class TestClickEverywhere(SalesSupportHttpCase):
    # the runs end on whatever form the last action opened
    allow_end_on_form = True

    def _actions_for(self, user):
        """Window actions of both addons that ``user`` may open from the web client, and the
        others with the reason they are left out."""
        data = self.env["ir.model.data"].search(
            [
                ("module", "in", ("sales_support", "o2c_kpi")),
                ("model", "=", "ir.actions.act_window"),
            ]
        )
        xmlids = {d.res_id: f"{d.module}.{d.name}" for d in data}
        actions, skipped = [], {}
        for action in self.env["ir.actions.act_window"].browse(sorted(xmlids)):
            xmlid = xmlids[action.id]
            if action.groups_id and not action.groups_id & user.groups_id:
                skipped[xmlid] = "action restricted to other groups"
            elif not self.env[action.res_model].with_user(user).has_access("read"):
                skipped[xmlid] = f"no read access to {action.res_model}"
            elif action.target == "new" or "active_id" in (action.context or ""):
                skipped[xmlid] = "opened from a record (button test)"
            else:
                actions.append({"id": action.id, "xmlid": xmlid, "name": action.name})
        return actions, skipped

    def _click_everywhere(self, role, app_menu=APP_MENU):
        self._require_browser()
        user = self._role_user(role)
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
        apps = {menus[app_id]["xmlid"] for app_id in menus["root"]["children"]}
        self.assertIn(app_menu, apps, f"{user.login} does not see the app {app_menu}")
        # 1. every menu, view and filter of the app (Odoo's clickbot)
        self.browser_js(
            "/odoo",
            f"{CLICKBOT}.startClickEverywhere('{app_menu}');",
            "odoo.isReady === true",
            login=user.login,
            timeout=900,
            success_signal="clickbot test succeeded",
        )
        # 2. every window action of both addons, one record of each list
        actions, skipped = self._actions_for(user)
        for xmlid, reason in skipped.items():
            _logger.info("%s: action %s not opened: %s", user.login, xmlid, reason)
        self.assertTrue(actions, f"{user.login} may open no action of the addons")
        self.browser_js(
            "/odoo",
            f"odoo.loader.modules.get('{CLICK_ACTIONS}').clickActions({json.dumps(actions)});",
            f"odoo.isReady === true && odoo.loader.modules.has('{CLICK_ACTIONS}')",
            login=user.login,
            timeout=600,
            success_signal=ACTIONS_SIGNAL,
        )
        return actions

    def test_click_everywhere_assistant(self):
        actions = self._click_everywhere("assistant")
        self.assertIn("sales_support.sale_order_action_support", [a["xmlid"] for a in actions])

    def test_click_everywhere_coordinator(self):
        actions = self._click_everywhere("coordinator")
        self.assertIn(
            "sales_support.sales_support_order_error_action", [a["xmlid"] for a in actions]
        )

    def test_click_everywhere_csmanager(self):
        actions = self._click_everywhere("csmanager")
        self.assertIn(
            "sales_support.res_users_action_support_salesperson", [a["xmlid"] for a in actions]
        )

    def test_click_everywhere_salesperson(self):
        user = self._role_user("salesperson")
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
        apps = {menus[app_id]["xmlid"] for app_id in menus["root"]["children"]}
        self.assertNotIn(
            APP_MENU,
            apps,
            "salespeople are served by the support team: they get no Sales Support app",
        )
        # the Sales app, whose orders, customers and searches carry our fields, filters and buttons
        self._click_everywhere("salesperson", app_menu="sale.sale_menu_root")

    def test_click_actions_coordinator_hebrew(self):
        """A coordinator working in Hebrew: the web client is right-to-left (the RTL stylesheet,
        built by rtlcss, is loaded and the navigation bar runs right to left), and every action of
        both addons, its views, a record of each and the tabs of its form open without an error."""
        self._require_browser()
        lang = "he_IL"
        self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(["sales_support", "o2c_kpi"], [lang])
        user = self._role_user("coordinator")
        user.lang = lang
        actions, _skipped = self._actions_for(user)
        self.assertIn("sales_support.sales_tender_action", [a["xmlid"] for a in actions])
        check_rtl = """
            const navbar = document.querySelector('.o_main_navbar');
            const found = {
                body: document.body.classList.contains('o_rtl'),
                stylesheet: [...document.querySelectorAll('link[rel=stylesheet]')]
                    .some((link) => link.href.includes('.rtl')),
                navbar: navbar && getComputedStyle(navbar).direction,
            };
            if (!found.body || !found.stylesheet || found.navbar !== 'rtl') {
                console.error('the web client is not right-to-left: ' + JSON.stringify(found));
            } else {
                console.log('sales_support: right-to-left ' + JSON.stringify(found));
        """
        self.browser_js(
            "/odoo",
            f"{check_rtl} odoo.loader.modules.get('{CLICK_ACTIONS}')"
            f".clickActions({json.dumps(actions)}); }}",
            f"odoo.isReady === true && odoo.loader.modules.has('{CLICK_ACTIONS}')",
            login=user.login,
            timeout=600,
            success_signal=ACTIONS_SIGNAL,
        )
