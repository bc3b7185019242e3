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
        "views/o2c_kpi_views.xml",
        "views/o2c_kpi_menus.xml",
    ],
    "installable": True,
}
