"""Write the two o2c_kpi spreadsheet dashboards (support manager, sales manager).

The dashboards read the monthly KPI snapshots (``o2c.kpi.value``) through pivots; each figure
is a ``PIVOT.VALUE`` of this month, last month and the same month last year (months computed
from ``TODAY()``), so the JSON does not depend on the KPI codes or the date it was written.

    python3 scripts/o2c_kpi_dashboards.py   # rewrites addons/o2c_kpi/data/files/*.json
    make fmt                                # prettier formats the JSON as committed
"""

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "addons" / "o2c_kpi" / "data" / "files"
COMPANY_FILTER = "6f1c1b52-3a1e-4c5e-9b0a-0c2a5d7f8e01"
TEAM_FILTER = "6f1c1b52-3a1e-4c5e-9b0a-0c2a5d7f8e02"
KPI_ROWS = 20  # company KPIs listed per dashboard (blank rows past the last one)
PEOPLE_ROWS = 12  # coordinators / teams listed
KPI_COLS = 7  # KPIs per coordinator / team
MONTHS = [
    ("This month", "TODAY()"),
    ("Last month", "EDATE(TODAY(),-1)"),
    ("Same month last year", "EDATE(TODAY(),-12)"),
]
STYLES = {
    "1": {"textColor": "#01666b", "bold": True, "fontSize": 16},
    "2": {"textColor": "#434343", "bold": True, "fontSize": 11},
    "3": {"textColor": "#434343", "verticalAlign": "middle"},
    "4": {"textColor": "#434343", "bold": True, "fontSize": 11, "align": "center"},
}


def col(index):
    return chr(ord("A") + index)


def pivot(pivot_id, name, domain, rows, columns, filters):
    return {
        "type": "ODOO",
        "id": pivot_id,
        "formulaId": pivot_id,
        "name": name,
        "model": "o2c.kpi.value",
        "domain": domain,
        "context": {},
        "measures": [{"id": "value", "fieldName": "value"}],
        "rows": [{"fieldName": field} for field in rows],
        "columns": [
            {"fieldName": "date_start", "granularity": "month"}
            if field == "date_start"
            else {"fieldName": field}
            for field in columns
        ],
        "sortedColumn": None,
        "fieldMatching": {
            filter_id: {"chain": chain, "type": "many2one"} for filter_id, chain in filters
        },
    }


def build(name, categories, people_dimension, people_field, people_label, people_categories):
    cells, styles, formats = {}, {}, {}
    filters = [(COMPANY_FILTER, "company_id")]
    if people_field == "team_id":
        filters.append((TEAM_FILTER, "team_id"))
    company_domain = [
        ["period_type", "=", "month"],
        ["dimension", "=", "company"],
        ["category", "in", categories],
    ]
    people_domain = [
        ["period_type", "=", "month"],
        ["dimension", "=", people_dimension],
        ["category", "in", people_categories],
    ]
    pivots = {
        "1": pivot(
            "1",
            f"{name}: company KPIs by month",
            company_domain,
            ["kpi_id"],
            ["date_start"],
            filters,
        ),
        "2": pivot(
            "2",
            f"{name}: {people_label.lower()} KPIs by month",
            people_domain,
            [people_field],
            ["kpi_id", "date_start"],
            filters,
        ),
    }
    cells["A1"] = {"content": f'=_t("{name}")'}
    styles["A1"] = 1
    cells["A3"] = {"content": '=_t("Company KPIs by month")'}
    styles["A3"] = 2
    cells["A4"] = {"content": '=_t("KPI")'}
    for index, (label, _month) in enumerate(MONTHS, start=1):
        cells[f"{col(index)}4"] = {"content": f'=_t("{label}")'}
    styles["A4:D4"] = 4
    for position in range(1, KPI_ROWS + 1):
        row = 4 + position
        cells[f"A{row}"] = {"content": f'=IFERROR(PIVOT.HEADER(1,"#kpi_id",{position}),"")'}
        for index, (_label, month) in enumerate(MONTHS, start=1):
            cells[f"{col(index)}{row}"] = {
                "content": f'=IFERROR(PIVOT.VALUE(1,"value","#kpi_id",{position},'
                f'"date_start:month",{month}),"")'
            }
    styles[f"A5:D{4 + KPI_ROWS}"] = 3
    formats[f"B5:D{4 + KPI_ROWS}"] = 1

    top = 4 + KPI_ROWS + 2
    cells[f"A{top}"] = {"content": f'=_t("{people_label}: this month")'}
    styles[f"A{top}"] = 2
    cells[f"A{top + 1}"] = {"content": f'=_t("{people_label}")'}
    for kpi in range(1, KPI_COLS + 1):
        cells[f"{col(kpi)}{top + 1}"] = {"content": f'=IFERROR(PIVOT.HEADER(2,"#kpi_id",{kpi}),"")'}
    styles[f"A{top + 1}:{col(KPI_COLS)}{top + 1}"] = 4
    for position in range(1, PEOPLE_ROWS + 1):
        row = top + 1 + position
        cells[f"A{row}"] = {"content": f'=IFERROR(PIVOT.HEADER(2,"#{people_field}",{position}),"")'}
        for kpi in range(1, KPI_COLS + 1):
            cells[f"{col(kpi)}{row}"] = {
                "content": f'=IFERROR(PIVOT.VALUE(2,"value","#{people_field}",{position},'
                f'"#kpi_id",{kpi},"date_start:month",TODAY()),"")'
            }
    last = top + 1 + PEOPLE_ROWS
    styles[f"A{top + 2}:{col(KPI_COLS)}{last}"] = 3
    formats[f"B{top + 2}:{col(KPI_COLS)}{last}"] = 1

    global_filters = [
        {
            "id": COMPANY_FILTER,
            "type": "relation",
            "label": "Company",
            "modelName": "res.company",
            "defaultValue": [],
            "defaultValueDisplayNames": [],
        }
    ]
    if people_field == "team_id":
        global_filters.append(
            {
                "id": TEAM_FILTER,
                "type": "relation",
                "label": "Sales Team",
                "modelName": "crm.team",
                "defaultValue": [],
                "defaultValueDisplayNames": [],
            }
        )
    return {
        "version": 21,
        "odooVersion": 12,
        "sheets": [
            {
                "id": "sheet1",
                "name": name,
                "colNumber": KPI_COLS + 1,
                "rowNumber": last + 2,
                "rows": {},
                "cols": {
                    "0": {"size": 260},
                    **{str(c): {"size": 130} for c in range(1, KPI_COLS + 1)},
                },
                "merges": [],
                "cells": cells,
                "styles": styles,
                "formats": formats,
                "borders": {},
                "conditionalFormats": [],
                "figures": [],
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "dataValidationRules": [],
                "comments": {},
            }
        ],
        "styles": STYLES,
        "formats": {"1": "#,##0.00"},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {
            "locale": {
                "name": "English (US)",
                "code": "en_US",
                "thousandsSeparator": ",",
                "decimalSeparator": ".",
                "dateFormat": "mm/dd/yyyy",
                "timeFormat": "hh:mm:ss",
                "formulaArgSeparator": ",",
                "weekStart": 7,
            }
        },
        "pivots": pivots,
        "pivotNextId": 3,
        "customTableStyles": {},
        "globalFilters": global_filters,
        "lists": {},
        "listNextId": 1,
        "chartOdooMenusReferences": {},
    }


def main():
    dashboards = {
        "support_manager_dashboard.json": build(
            "Support manager",
            ["support", "orders"],
            "coordinator",
            "coordinator_id",
            "Coordinators",
            ["support"],
        ),
        "sales_manager_dashboard.json": build(
            "Sales manager",
            ["sales", "customers", "money"],
            "team",
            "team_id",
            "Sales teams",
            ["sales", "customers"],
        ),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for filename, data in dashboards.items():
        (OUT / filename).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        print(OUT / filename)


if __name__ == "__main__":
    main()
