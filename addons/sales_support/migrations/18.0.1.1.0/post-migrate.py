"""18.0.1.1.0: milestones now derive from the Order-to-Cash event ledger. Orders of the previous
version have no ledger: build it from the source records' own dates."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["sale.order"]._o2c_rebuild_ledger()
