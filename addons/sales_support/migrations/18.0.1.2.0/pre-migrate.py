"""18.0.1.2.0: Order-to-Cash events without an order (tender steps) follow their tender's
visibility. The record rules are ``noupdate``: let this update rewrite their domains."""

RULES = (
    "sales_support_o2c_event_rule_salesman_own",
    "sales_support_o2c_event_rule_support_own",
    "sales_support_o2c_event_rule_support_assistant",
)


def migrate(cr, version):
    cr.execute(
        """
        UPDATE ir_model_data SET noupdate = false
         WHERE module = 'sales_support' AND model = 'ir.rule' AND name IN %s
        """,
        [RULES],
    )
