"""18.0.1.2.0: Order-to-Cash events without an order (tender steps) follow their tender's
visibility. The record rules are in a ``noupdate`` file, which an update never rewrites: drop
the three rules whose domain changed, so that the update creates them again from the file."""

RULES = (
    "sales_support_o2c_event_rule_salesman_own",
    "sales_support_o2c_event_rule_support_own",
    "sales_support_o2c_event_rule_support_assistant",
)


def migrate(cr, version):
    cr.execute(
        """
        DELETE FROM ir_rule WHERE id IN (
            SELECT res_id FROM ir_model_data
             WHERE module = 'sales_support' AND model = 'ir.rule' AND name IN %s)
        """,
        [RULES],
    )
    cr.execute(
        """
        DELETE FROM ir_model_data
         WHERE module = 'sales_support' AND model = 'ir.rule' AND name IN %s
        """,
        [RULES],
    )
