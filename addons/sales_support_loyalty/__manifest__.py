{
    "name": "Sales Support - Loyalty Programs",
    "version": "18.0.1.0.0",
    "summary": "Promotions, discount codes and coupons running today in the salespeople's digest",
    "category": "Sales/Sales Support",
    "author": "Sales Support founders",
    "website": "https://example.com/sales-support",
    "license": "LGPL-3",
    # a bridge: installed by itself wherever both sales_support and sale_loyalty are, so that
    # sales_support never pulls the loyalty programs into a database that does not use them
    "depends": ["sales_support", "sale_loyalty"],
    "data": ["views/sale_order_views.xml"],
    "auto_install": True,
    "installable": True,
}
