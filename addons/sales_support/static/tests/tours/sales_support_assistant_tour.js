/** @odoo-module **/

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// An assistant opens an order of the coordinator he assists from Sales Support > Orders, reads its
// Order-to-Cash tab and its events.
registry.category("web_tour.tours").add("sales_support_assistant_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "open the Sales Support app",
            trigger: '.o_app[data-menu-xmlid="sales_support.menu_sales_support_root"]',
            run: "click",
        },
        {
            content: "open the Orders menu",
            trigger: '.o_menu_sections button:contains("Orders")',
            run: "click",
        },
        {
            content: "go to the orders",
            trigger:
                '.o-dropdown--menu .dropdown-item[data-menu-xmlid="sales_support.menu_sales_support_orders"]',
            run: "click",
        },
        {
            content: "the orders of the coordinator he assists are there",
            trigger:
                '.o_kanban_renderer:not(.o_view_sample_data) .o_kanban_record:contains("Assistant Tour Customer")',
            run: "click",
        },
        {
            content: "the order opens",
            trigger: ".o_form_view .o_form_sheet .o_field_widget[name=partner_id]",
        },
        {
            content: "open the Order-to-Cash tab",
            trigger: 'a.nav-link:contains("Order-to-Cash")',
            run: "click",
        },
        {
            content: "the milestones are shown",
            trigger: '.o_field_widget[name="date_o2c_quotation_sent"]:not(:empty)',
        },
        {
            content: "and the order's events",
            trigger:
                '.o_field_widget[name="o2c_event_ids"] .o_data_row:contains("Quotation Sent")',
        },
    ],
});
