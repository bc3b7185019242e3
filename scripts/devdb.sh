#!/usr/bin/env bash
# Developer helper: a fast throw-away database from a template that already has sale_management
# and sale_stock with demo data (built once), then our addons ($PROJECT_ADDONS) installed on top.
#   scripts/devdb.sh DBNAME
source "$(dirname "$0")/env.sh"
setup_all
DB="${1:-ss_dev}"
TEMPLATE=ss_template_base
if ! db_exists "$TEMPLATE"; then
    say "building template $TEMPLATE (sale_management, sale_stock, demo data)"
    createdb "$TEMPLATE"
    odoo_bin -d "$TEMPLATE" -i sale_management,sale_stock --stop-after-init --log-level=warn
fi
dropdb --if-exists "$DB"
createdb -T "$TEMPLATE" "$DB"
odoo_bin -d "$DB" -i "$PROJECT_ADDONS" --stop-after-init --log-level=warn
