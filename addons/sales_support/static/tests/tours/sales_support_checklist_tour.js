/** @odoo-module **/

import {registry} from "@web/core/registry";

// A coordinator opens an export order, sees its document checklist, marks the commercial
// invoice ready (it blocks the delivery) and validates the delivery. Started on the order's
// form (tests/test_ui_checklist.py).
const CI_ROW =
    '.o_field_widget[name=support_document_ids] .o_data_row:contains("Commercial Invoice")';

registry.category("web_tour.tours").add("sales_support_checklist_tour", {
    steps: () => [
        {
            content: "the checklist shows the progress",
            trigger: ".o_form_view",
        },
        {
            content: "open the documents tab",
            trigger: ".o_notebook a[name=support_documents]",
            run: "click",
        },
        {
            content: "the commercial invoice is to prepare",
            trigger: `${CI_ROW} .o_field_badge:contains("To Prepare")`,
        },
        {
            content: "mark it ready",
            trigger: `${CI_ROW} button[name=action_mark_ready]`,
            run: "click",
        },
        {
            content: "it is ready",
            trigger: `${CI_ROW} .o_field_badge:contains("Ready")`,
        },
        {
            content: "open the delivery",
            trigger: ".o_form_view button[name=action_view_delivery]",
            run: "click",
        },
        {
            content: "validate it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            content: "the delivery is done",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Done)",
        },
    ],
});
