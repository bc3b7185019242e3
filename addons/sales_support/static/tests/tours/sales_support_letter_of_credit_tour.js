/** @odoo-module **/

import {localization} from "@web/core/l10n/localization";
import {registry} from "@web/core/registry";

const {DateTime} = luxon;

// A coordinator records a letter of credit received for an export customer: its number,
// applicant, amount and dates; marks it received and notes a discrepancy the bank found.
// Started on a new letter of credit (tests/test_ui_trade.py).
const inDays = (days) => DateTime.now().plus({days}).toFormat(localization.dateFormat);

registry.category("web_tour.tours").add("sales_support_letter_of_credit_tour", {
    steps: () => [
        {
            content: "the number given by the issuing bank",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit ILC/TOUR/0042",
        },
        {
            content: "the applicant",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input",
            run: "edit Tour Importer",
        },
        {
            content: "pick the customer",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Importer Ltd)",
            run: "click",
        },
        {
            content: "the amount",
            trigger: ".o_form_view .o_field_widget[name=amount] input",
            run: "edit 20000",
        },
        {
            content: "the tolerance",
            trigger: ".o_form_view .o_field_widget[name=tolerance] input",
            run: "edit 10",
        },
        {
            content: "the latest shipment date",
            trigger: ".o_form_view .o_field_widget[name=date_latest_shipment] input",
            run: `edit ${inDays(30)}`,
        },
        {
            content: "the expiry date",
            trigger: ".o_form_view .o_field_widget[name=date_expiry] input",
            run: `edit ${inDays(60)}`,
        },
        {
            content: "save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "saved",
            trigger:
                ".o_form_view .o_form_saved .o_field_widget[name=date_presentation_deadline]",
        },
        {
            content: "the advising bank notified it: received",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_receive]",
            run: "click",
        },
        {
            content: "it is received",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Received)",
        },
        {
            content: "open the discrepancies",
            trigger: ".o_notebook a[name=discrepancies]",
            run: "click",
        },
        {
            content: "add the discrepancy the bank found",
            trigger:
                ".o_field_widget[name=discrepancy_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "describe it",
            trigger:
                ".o_field_widget[name=discrepancy_ids] .o_data_row .o_field_widget[name=name] input",
            run: "edit Packing list gross weight differs from the bill of lading",
        },
        {
            content: "save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "saved",
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});

// The coordinator links the letter of credit to the export quotation: its documents appear on
// the checklist; the pre-shipment ones (they block the delivery) are marked ready and the order
// is confirmed. Started on the quotation's form.
const lcRow = (name) =>
    `.o_field_widget[name=support_document_ids] .o_data_row:contains("${name}")`;

registry
    .category("web_tour.tours")
    .add("sales_support_letter_of_credit_documents_tour", {
        steps: () => [
            {
                content: "choose the letter of credit",
                trigger: ".o_form_view .o_field_widget[name=letter_of_credit_id] input",
                run: "edit ILC/TOUR",
            },
            {
                content: "pick it",
                trigger: ".o-autocomplete--dropdown-item a:contains(ILC/TOUR/0042)",
                run: "click",
            },
            {
                content: "save: the letter-of-credit checklist applies",
                trigger: ".o_form_view .o_form_button_save",
                run: "click",
            },
            {
                content: "open the documents tab",
                trigger:
                    ".o_form_view:has(.o_form_saved) .o_notebook a[name=support_documents]",
                run: "click",
            },
            ...["Commercial Invoice", "Packing List", "Insurance Certificate"].flatMap(
                (name) => [
                    {
                        content: `mark ${name} ready`,
                        trigger: `${lcRow(name)} button[name=action_mark_ready]`,
                        run: "click",
                    },
                    {
                        content: `${name} is ready`,
                        trigger: `${lcRow(name)} .o_field_badge:contains("Ready")`,
                    },
                ]
            ),
            {
                content: "confirm the order",
                trigger:
                    ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
                run: "click",
            },
            {
                content: "it is a sales order",
                trigger:
                    ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Sales Order)",
            },
        ],
    });
