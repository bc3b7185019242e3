/** @odoo-module **/

import {registry} from "@web/core/registry";

// A coordinator creates the return of a claim; back on the claim, the return is counted and
// "Create Return" is gone: the goods cannot be returned twice. Started on the claim's form
// (tests/test_ui.py).
registry.category("web_tour.tours").add("sales_support_claim_return_tour", {
    steps: () => [
        {
            content: "create the return of the claimed goods",
            trigger:
                ".o_form_view .o_statusbar_buttons button[name=action_create_return]",
            run: "click",
        },
        {
            content: "the return opens",
            trigger:
                ".o_form_view .o_field_widget[name=move_ids_without_package] .o_data_row",
        },
        {
            content: "back to the claim",
            trigger: '.o_breadcrumb .breadcrumb-item:not(.active) a:contains("CLM/")',
            run: "click",
        },
        {
            content: "the claim counts its return",
            trigger:
                ".o_form_view button[name=action_view_returns] .o_stat_value:contains(1)",
        },
        {
            content: "and offers no second return",
            trigger:
                ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_create_return]))",
        },
    ],
});
