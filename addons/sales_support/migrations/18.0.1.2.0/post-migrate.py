"""18.0.1.2.0: Order-to-Cash events without an order (tender steps) follow their tender's
visibility.

The record rules are ``noupdate`` data: an update does not reload them. Give each rule its new
domain and name from the module's file, unless a user has edited it (then their domain is kept,
as Odoo keeps every edit of noupdate data)."""

import re
from os.path import join

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.modules import get_module_path

OLD_DOMAINS = {
    "sales_support_o2c_event_rule_salesman_own": """['|', ('order_id.user_id', '=', user.id),
        ('order_id.user_id', '=', False)]""",
    "sales_support_o2c_event_rule_support_own": """['|', '|',
        ('order_id.coordinator_id', '=', user.id),
        ('order_id.user_id.support_coordinator_id', '=', user.id),
        '&', ('order_id.user_id.support_backup_coordinator_id', '=', user.id),
             ('order_id.user_id.support_coordinator_id.is_support_absent', '=', True)]""",
    "sales_support_o2c_event_rule_support_assistant": """['|',
        ('order_id.coordinator_id.support_assistant_ids', '=', user.id),
        ('order_id.user_id.support_coordinator_id.support_assistant_ids', '=', user.id)]""",
}


def _squeeze(text):
    return re.sub(r"\s+", "", text or "")


def _rules_in_file():
    """{xml id: (name, domain)} of the ledger rules as the module's file defines them now."""
    path = join(get_module_path("sales_support"), "security", "sales_support_o2c_rules.xml")
    tree = etree.parse(path)
    rules = {}
    for xml_id in OLD_DOMAINS:
        record = tree.find(f".//record[@id='{xml_id}']")
        rules[xml_id] = (
            record.find("field[@name='name']").text.strip(),
            record.find("field[@name='domain_force']").text,
        )
    return rules


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xml_id, (name, domain) in _rules_in_file().items():
        rule = env.ref(f"sales_support.{xml_id}", raise_if_not_found=False)
        if rule and _squeeze(rule.domain_force) == _squeeze(OLD_DOMAINS[xml_id]):
            rule.write({"name": name, "domain_force": domain})
