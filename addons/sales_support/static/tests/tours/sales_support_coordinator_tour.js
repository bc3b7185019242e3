/** @odoo-module **/

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// A coordinator opens the Sales Support app, sees their orders by Order-to-Cash stage, opens
// one's Order-to-Cash tab, then the coordinators overview.
registry.category("web_tour.tours").add("sales_support_coordinator_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "open the Sales Support app",
            trigger: '.o_app[data-menu-xmlid="sales_support.menu_sales_support_root"]',
            run: "click",
        },
        {
            content: "the app opens on the customer requests",
            trigger: '.o_breadcrumb:contains("Customer Requests")',
        },
        {
            content: "open the Orders menu",
            trigger: '.o_menu_sections button:contains("Orders")',
            run: "click",
        },
        {
            content: "go to the orders",
            trigger: '.o-dropdown--menu .dropdown-item:contains("Orders")',
            run: "click",
        },
        {
            content: "orders are grouped by Order-to-Cash stage",
            trigger: '.o_kanban_group .o_column_title:contains("Request Received")',
        },
        {
            content: "every stage has its column",
            trigger: '.o_kanban_group .o_column_title:contains("Goods Ready")',
        },
        {
            content: "open a quotation that is still at the customer's request",
            trigger:
                '.o_kanban_group:has(.o_column_title:contains("Request Received")) .o_kanban_record',
            run: "click",
        },
        {
            content: "open the Order-to-Cash tab",
            trigger: 'a.nav-link:contains("Order-to-Cash")',
            run: "click",
        },
        {
            content: "milestones, planned dates and durations are shown",
            trigger: '.o_field_widget[name="date_o2c_request"]:not(:empty)',
        },
        {
            trigger: '.o_field_widget[name="date_o2c_planned_quotation_sent"]',
        },
        {
            content: "the order's stage is shown",
            trigger: '.o_field_widget[name="o2c_stage"]:contains("Request Received")',
        },
        {
            content: "open the Team menu",
            trigger: '.o_menu_sections button:contains("Team")',
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu .dropdown-item:contains("Coordinators")',
            run: "click",
        },
        {
            content: "the coordinators overview shows the load",
            trigger:
                '.o_kanban_record:contains("Carla Coordinator"):contains("salespeople served")',
        },
    ],
});
