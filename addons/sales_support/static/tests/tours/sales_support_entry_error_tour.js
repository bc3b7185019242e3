/** @odoo-module **/

import {registry} from "@web/core/registry";

// A coordinator logs an order-entry error by hand from the order form ("Log Entry Error"): the
// dialog comes with the order and who entered it, the error is saved and counted on the order.
// Started on the form of a confirmed order (tests/test_ui.py).
registry.category("web_tour.tours").add("sales_support_entry_error_tour", {
    steps: () => [
        {
            content: "log an entry error from the order",
            trigger:
                ".o_form_view .o_statusbar_buttons button[name=action_log_order_error]",
            run: "click",
        },
        {
            content: "the error form comes with the order",
            trigger:
                '.modal .o_form_view .o_field_widget[name=order_id] input:value("Entry Error Tour Customer")',
        },
        {
            content: "and who entered it",
            trigger:
                ".modal .o_form_view .o_field_widget[name=responsible_user_id] input:not(:value(''))",
        },
        {
            content: "the quantity was wrong",
            trigger: ".modal .o_field_widget[name=error_type] select",
            run: 'select "quantity"',
        },
        {
            content: "what happened",
            trigger: ".modal .o_field_widget[name=description] textarea",
            run: "edit Ordered 10 instead of 12: the customer's PO says 12.",
        },
        {
            content: "save the error",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "the order counts its entry error",
            trigger:
                ".o_form_view button[name=action_view_order_errors] .o_stat_value:contains(1)",
        },
        {
            content: "and lists it",
            trigger: ".o_form_view button[name=action_view_order_errors]",
            run: "click",
        },
        {
            content: "the error is there, charged to who entered the order",
            trigger: '.o_list_view .o_data_row:contains("Quantity")',
        },
    ],
});
