"""18.0.1.1.1: a coordinator reads the customers of the orders of the salespeople she serves.

The record rule is ``noupdate`` data: an update does not reload it. Give it the new clause
unless a user has edited it (then their domain is kept)."""

import re

from odoo import SUPERUSER_ID, api

OLD_DOMAIN = """['|', '|', '|', '|', '|', '|', '|', '|',
    ('partner_share', '=', False),
    ('id', 'in', user.company_ids.partner_id.ids),
    ('create_uid', '=', user.id),
    ('commercial_partner_id.support_coordinator_id', '=', user.id),
    ('commercial_partner_id.user_id', '=', user.id),
    ('commercial_partner_id.user_id.support_coordinator_id', '=', user.id),
    '&', ('commercial_partner_id.user_id.support_backup_coordinator_id', '=', user.id),
         ('commercial_partner_id.user_id.support_coordinator_id.is_support_absent', '=', True),
    ('commercial_partner_id.sale_order_ids.coordinator_id', '=', user.id),
    ('commercial_partner_id.child_ids.sale_order_ids.coordinator_id', '=', user.id)]"""
NEW_DOMAIN = """['|', '|', '|', '|', '|', '|', '|', '|', '|',
    ('partner_share', '=', False),
    ('id', 'in', user.company_ids.partner_id.ids),
    ('create_uid', '=', user.id),
    ('commercial_partner_id.support_coordinator_id', '=', user.id),
    ('commercial_partner_id.user_id', '=', user.id),
    ('commercial_partner_id.user_id.support_coordinator_id', '=', user.id),
    '&', ('commercial_partner_id.user_id.support_backup_coordinator_id', '=', user.id),
         ('commercial_partner_id.user_id.support_coordinator_id.is_support_absent', '=', True),
    ('commercial_partner_id.sale_order_ids.coordinator_id', '=', user.id),
    ('commercial_partner_id.sale_order_ids.user_id.support_coordinator_id', '=', user.id),
    ('commercial_partner_id.child_ids.sale_order_ids.coordinator_id', '=', user.id)]"""


def _squeeze(text):
    return re.sub(r"\s+", "", text or "")


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("sales_support.res_partner_rule_support_own", raise_if_not_found=False)
    if rule and _squeeze(rule.domain_force) == _squeeze(OLD_DOMAIN):
        rule.domain_force = NEW_DOMAIN
