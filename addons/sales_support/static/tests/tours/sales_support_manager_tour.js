/** @odoo-module **/

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

// The customer-service manager opens Team > Salespeople: salespeople grouped by coordinator, the
// coordinator and backup editable in the list.
registry.category("web_tour.tours").add("sales_support_manager_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "open the Sales Support app",
            trigger: '.o_app[data-menu-xmlid="sales_support.menu_sales_support_root"]',
            run: "click",
        },
        {
            content: "open the Team menu",
            trigger: '.o_menu_sections button:contains("Team")',
            run: "click",
        },
        {
            content: "go to the salespeople",
            trigger:
                '.o-dropdown--menu .dropdown-item[data-menu-xmlid="sales_support.menu_sales_support_salespersons"]',
            run: "click",
        },
        {
            content: "salespeople are grouped by coordinator",
            trigger: '.o_list_view .o_group_header:contains("Carla Coordinator")',
            run: "click",
        },
        {
            content: "Carla's salespeople are listed",
            trigger: '.o_list_view .o_data_row:contains("Noa Levi")',
        },
        {
            content: "the Coordinators screen opens too",
            trigger: '.o_menu_sections button:contains("Team")',
            run: "click",
        },
        {
            trigger:
                '.o-dropdown--menu .dropdown-item[data-menu-xmlid="sales_support.menu_sales_support_coordinators"]',
            run: "click",
        },
        {
            content: "with each coordinator's load",
            trigger:
                '.o_kanban_record:contains("Carla Coordinator"):contains("salespeople served")',
        },
    ],
});
