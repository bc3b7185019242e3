/** @odoo-module **/

// "Click everywhere" for window actions: Odoo's clickbot (web/webclient/clickbot) clicks every
// menu of an app, its views and filters; this opens window actions by id (also those that no
// menu reaches), every view of each, one record of each list and kanban, and every tab of that
// record's form. Any error dialog or uncaught error fails the run.
//
// Called by tests/test_click_everywhere.py:
//   odoo.loader.modules.get("@sales_support/../tests/tours/click_actions")
//       .clickActions([{id, xmlid, name}, ...])
// and prints SUCCESS_SIGNAL when every action was opened without an error.

import {App} from "@odoo/owl";
import {browser} from "@web/core/browser/browser";
import {rpcBus} from "@web/core/network/rpc";

export const SUCCESS_SIGNAL = "sales_support: every action opened";

const pendingRPC = {};
let lastRPCError = null;

function onRPCRequest({detail}) {
    pendingRPC[detail.data.id] = detail.url;
}

function onRPCResponse({detail}) {
    delete pendingRPC[detail.data.id];
    if (detail.error) {
        lastRPCError = detail.error;
    }
}

function hasScheduledTask() {
    for (const app of App.apps) {
        if (app.scheduler.tasks.size) {
            return true;
        }
    }
    return false;
}

/**
 * Wait until `condition()` holds, no RPC is pending and Owl is idle; throw on an error dialog, and
 * after `timeout` ms (or return false when `soft`).
 */
async function settle(condition, what, {timeout = 30000, soft = false} = {}) {
    let left = timeout;
    for (;;) {
        const dialog = document.querySelector(".o_error_dialog");
        if (dialog) {
            const rpc = lastRPCError?.data?.name ? ` [${lastRPCError.data.name}]` : "";
            const text =
                dialog.querySelector(".modal-body")?.innerText || dialog.innerText;
            throw new Error(
                `Error dialog while ${what}${rpc}: ${text.trim().slice(0, 500)}`
            );
        }
        if (condition() && !Object.keys(pendingRPC).length && !hasScheduledTask()) {
            // one more frame, for what the last RPC triggered
            await new Promise((resolve) => requestAnimationFrame(resolve));
            if (
                !Object.keys(pendingRPC).length &&
                !hasScheduledTask() &&
                !document.querySelector(".o_error_dialog")
            ) {
                return true;
            }
        }
        if (left <= 0) {
            if (soft) {
                return false;
            }
            throw new Error(
                `Timeout (${timeout / 1000} s) while ${what}; pending RPC: ${Object.values(pendingRPC).join(", ")}`
            );
        }
        await new Promise((resolve) => browser.setTimeout(resolve, 25));
        left -= 25;
    }
}

function click(element) {
    for (const type of ["mouseover", "mouseenter", "mousedown", "mouseup", "click"]) {
        element.dispatchEvent(
            new MouseEvent(type, {bubbles: true, cancelable: true, view: window})
        );
    }
}

function currentViewType() {
    const controller = document.querySelector(".o_action_manager .o_view_controller");
    if (!controller) {
        return null;
    }
    const cls = [...controller.classList].find(
        (c) => c.startsWith("o_") && c.endsWith("_view")
    );
    return cls ? cls.slice(2, -5) : null;
}

function isSample() {
    return Boolean(document.querySelector(".o_action_manager .o_view_sample_data"));
}

async function openAction(env, action, what) {
    await env.services.action.doAction(action.id, {clearBreadcrumbs: true});
    await settle(() => currentViewType(), what);
}

async function switchView(env, viewType, what) {
    const button = document.querySelector(
        `nav.o_cp_switch_buttons button.o_switch_view.o_${viewType}`
    );
    if (button && !button.classList.contains("active")) {
        click(button);
        await settle(() => currentViewType() === viewType, what);
    }
}

/** Open the first record of the list or kanban on screen; return a description, or null. */
async function openFirstRecord(viewType, what) {
    if (isSample()) {
        return null;
    }
    if (viewType === "list") {
        if (!document.querySelector(".o_list_renderer .o_data_row")) {
            const group = document.querySelector(".o_list_renderer .o_group_header");
            if (!group) {
                return null;
            }
            click(group);
            await settle(
                () => document.querySelector(".o_list_renderer .o_data_row"),
                `${what}: unfolding a group`
            );
        }
        const cell = document.querySelector(
            ".o_list_renderer .o_data_row .o_data_cell:not(.o_list_record_selector)"
        );
        click(cell);
        const opened = await settle(
            () =>
                currentViewType() === "form" ||
                document.querySelector(".o_list_renderer .o_selected_row"),
            `${what}: opening the first row`,
            {timeout: 5000, soft: true}
        );
        if (!opened) {
            // a list without form view that the user may not edit: rows do not open
            await settle(() => true, `${what}: clicking the first row`);
            return "row read in place (read-only list without form)";
        }
        if (currentViewType() !== "form") {
            // editable list: the row opened in place; leave it without saving
            const discard = document.querySelector(".o_list_button_discard");
            if (discard) {
                click(discard);
                await settle(
                    () => !document.querySelector(".o_list_renderer .o_selected_row"),
                    `${what}: discarding the row`
                );
            }
            return "row opened in place (editable list)";
        }
    } else if (viewType === "kanban") {
        const card = document.querySelector(
            ".o_kanban_renderer .o_kanban_record:not(.o_kanban_ghost)"
        );
        if (!card) {
            return null;
        }
        click(card);
        await settle(
            () => currentViewType() === "form",
            `${what}: opening the first card`
        );
    } else {
        return null;
    }
    const title =
        document.querySelector(".o_breadcrumb .active")?.innerText?.trim() || "";
    for (const tab of document.querySelectorAll(
        ".o_form_view .o_notebook_headers .nav-link"
    )) {
        click(tab);
        await settle(() => true, `${what}: tab "${tab.innerText.trim()}" of ${title}`);
    }
    return `record "${title}"`;
}

async function closeDialogs() {
    for (const button of document.querySelectorAll(
        ".modal .btn-close, .o_error_dialog .modal-footer .btn-primary"
    )) {
        click(button);
    }
    await new Promise((resolve) => browser.setTimeout(resolve, 300));
    lastRPCError = null;
}

async function clickAction(env, action) {
    const what = `opening action ${action.xmlid} ("${action.name}")`;
    browser.console.log(`Testing action ${action.xmlid}`);
    await openAction(env, action, what);
    const viewTypes = [
        ...document.querySelectorAll("nav.o_cp_switch_buttons button.o_switch_view"),
    ].map((b) =>
        [...b.classList]
            .find((c) => c !== "o_switch_view" && c.startsWith("o_"))
            .slice(2)
    );
    if (!viewTypes.length) {
        viewTypes.push(currentViewType());
    }
    let records = 0;
    for (const viewType of viewTypes) {
        const step = `${what}, ${viewType} view`;
        if (currentViewType() !== viewType) {
            await openAction(env, action, step);
            await switchView(env, viewType, step);
        }
        const opened = await openFirstRecord(viewType, step);
        browser.console.log(`  ${viewType}: ${opened || "no record opened"}`);
        if (opened) {
            records++;
            await openAction(env, action, `${what}, back from the record`);
        }
    }
    return records;
}

/** Open every action of `actions`; report every failure (not only the first) at the end. */
export async function clickActions(actions) {
    const env = odoo.__WOWL_DEBUG__.root.env;
    rpcBus.addEventListener("RPC:REQUEST", onRPCRequest);
    rpcBus.addEventListener("RPC:RESPONSE", onRPCResponse);
    let records = 0;
    const failures = [];
    try {
        for (const action of actions) {
            try {
                records += await clickAction(env, action);
            } catch (error) {
                failures.push(String(error && error.message ? error.message : error));
                await closeDialogs();
            }
        }
        browser.console.log(`Opened ${actions.length} actions and ${records} records`);
        if (failures.length) {
            browser.console.error(
                `${failures.length} action(s) failed:\n\n${failures.join("\n\n")}`
            );
        } else {
            browser.console.log(SUCCESS_SIGNAL);
        }
    } finally {
        rpcBus.removeEventListener("RPC:REQUEST", onRPCRequest);
        rpcBus.removeEventListener("RPC:RESPONSE", onRPCResponse);
    }
}
