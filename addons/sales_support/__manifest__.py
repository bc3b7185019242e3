{
    "name": "Sales Support",
    "version": "18.0.1.1.0",
    "summary": "Sales-support back office: coordinators, assignment, Order-to-Cash follow-up",
    "description": """
Sales Support
=============
A sales-support function for the sales force: support staff at three levels
(assistant, coordinator, customer-service manager), each coordinator serving a group
of salespeople, assigned automatically to customers and their orders.
""",
    "category": "Sales/Sales Support",
    "author": "Sales Support founders",
    "website": "https://example.com/sales-support",
    "license": "LGPL-3",
    "depends": ["sale_management", "sale_stock", "mail", "resource"],
    "data": [
        "security/sales_support_security.xml",
        "security/sales_support_api_security.xml",
        "security/ir.model.access.csv",
        "security/sales_support_rules.xml",
        "security/sales_support_o2c_rules.xml",
        "security/sales_support_request_rules.xml",
        "data/ir_sequence_data.xml",
        "data/sales_support_request_type_data.xml",
        "data/mail_data.xml",
        "data/ir_cron_data.xml",
        "views/res_users_views.xml",
        "views/sales_support_assignment_rule_views.xml",
        "views/sales_support_request_views.xml",
        "views/sales_support_claim_views.xml",
        "views/sale_order_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/sales_support_o2c_event_views.xml",
        "report/sales_support_o2c_report_views.xml",
        "report/sales_support_request_report_views.xml",
        "views/sales_support_menus.xml",
    ],
    "demo": [
        "demo/sales_support_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "sales_support/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "_post_init_hook",
    "application": True,
    "installable": True,
}
