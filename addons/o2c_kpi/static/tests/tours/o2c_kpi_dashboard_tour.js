/** @odoo-module **/

import {registry} from "@web/core/registry";

// The spreadsheet model of the dashboard shown by the Dashboards action (the grid is a canvas:
// its figures are read from the model, not from the DOM).
function findDashboardModel(node) {
    const model = node.component?.state?.activeDashboard?.model;
    if (model) {
        return model;
    }
    for (const child of Object.values(node.children || {})) {
        const found = findDashboardModel(child);
        if (found) {
            return found;
        }
    }
    return undefined;
}

async function waitForFigure(expected) {
    const deadline = Date.now() + 8000;
    let values = [];
    while (Date.now() < deadline) {
        const model = findDashboardModel(odoo.__WOWL_DEBUG__.root.__owl__);
        if (model) {
            const sheetId = model.getters.getActiveSheetId();
            values = model.getters.getEvaluatedCells(sheetId).map((cell) => cell.value);
            if (values.includes(expected)) {
                return;
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(
        `KPI figure ${expected} not shown on the dashboard; values: ${JSON.stringify(values)}`
    );
}

// A support manager opens Dashboards > Sales Support: the figures of this month, last month and
// the same month last year come from the KPI snapshots.
registry.category("web_tour.tours").add("o2c_kpi_dashboard_tour", {
    url: "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
    steps: () => [
        {
            content: "open the support manager dashboard",
            trigger: '.o_search_panel li[data-name="Support Manager"]',
            run: "click",
        },
        {
            content: "the dashboard is loaded",
            trigger: ".o_search_panel li.active[data-name='Support Manager']",
        },
        {
            content: "the KPI name is listed",
            trigger: ".o_spreadsheet_dashboard_action .o-grid",
            run: () => waitForFigure("Tour first response"),
        },
        {
            content: "this month's figure is shown",
            trigger: ".o_spreadsheet_dashboard_action .o-grid",
            run: () => waitForFigure(4.25),
        },
        {
            content: "same month last year is shown",
            trigger: ".o_spreadsheet_dashboard_action .o-grid",
            run: () => waitForFigure(7.5),
        },
        {
            content: "this month's figure of the coordinator is shown",
            trigger: ".o_spreadsheet_dashboard_action .o-grid",
            run: () => waitForFigure(3.75),
        },
        {
            content: "the coordinator is listed",
            trigger: ".o_spreadsheet_dashboard_action .o-grid",
            run: () => waitForFigure("Tour Coordinator"),
        },
        {
            content: "open the sales manager dashboard",
            trigger: '.o_search_panel li[data-name="Sales Manager"]',
            run: "click",
        },
        {
            content: "the company's sales volume of last month is shown",
            trigger: ".o_search_panel li.active[data-name='Sales Manager']",
            run: () => waitForFigure(12345),
        },
        {
            content: "the team's sales volume of this month is shown",
            trigger: ".o_spreadsheet_dashboard_action .o-grid",
            run: () => waitForFigure(6789.5),
        },
    ],
});
