/** @odoo-module **/

import {registry} from "@web/core/registry";

// A coordinator submits a tender from its form: the four submission documents are to prepare
// (0 / 4 ready), they are marked ready one by one on the Documents tab, then the tender is
// submitted. Started on the tender's form (tests/test_ui_trade.py).
const DOCUMENTS = ["Tender Form", "Bid Bond Copy", "Technical Offer", "Price Offer"];
const row = (name) =>
    `.o_field_widget[name=support_document_ids] .o_data_row:contains("${name}")`;

registry.category("web_tour.tours").add("sales_support_tender_tour", {
    steps: () => [
        {
            content: "the tender is in preparation, nothing is ready",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Preparation)",
        },
        {
            content: "the checklist shows what is missing",
            trigger:
                ".o_form_view .o_field_widget[name=checklist_progress]:contains(0 / 4)",
        },
        {
            content: "open the documents tab",
            trigger: ".o_notebook a[name=documents]",
            run: "click",
        },
        ...DOCUMENTS.flatMap((name) => [
            {
                content: `${name} is to prepare`,
                trigger: `${row(name)} .o_field_badge:contains("To Prepare")`,
            },
            {
                content: `mark ${name} ready`,
                trigger: `${row(name)} button[name=action_mark_ready]`,
                run: "click",
            },
            {
                content: `${name} is ready`,
                trigger: `${row(name)} .o_field_badge:contains("Ready")`,
            },
        ]),
        {
            content: "every document is ready",
            trigger:
                ".o_form_view .o_field_widget[name=checklist_progress]:contains(4 / 4)",
        },
        {
            content: "submit the offer",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_submit]",
            run: "click",
        },
        {
            content: "the tender is submitted",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Submitted)",
        },
    ],
});
