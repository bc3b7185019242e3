{
    "name": "Order-to-Cash KPIs",
    "version": "18.0.1.0.0",
    "summary": "Support-team and sales KPIs, targets, team comparison and manager reports",
    "category": "Sales/Sales Support",
    "author": "Sales Support founders",
    "website": "https://example.com/sales-support",
    "license": "LGPL-3",
    "depends": ["sales_support", "rating", "spreadsheet_dashboard"],
    "data": [
        "security/o2c_kpi_security.xml",
        "security/ir.model.access.csv",
        "data/mail_template_data.xml",
        "data/o2c_kpi_rating_cron_data.xml",
        "data/spreadsheet_dashboard_data.xml",
        "views/o2c_kpi_views.xml",
        "views/res_config_settings_views.xml",
        "views/sale_order_views.xml",
        "views/o2c_kpi_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "o2c_kpi/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
