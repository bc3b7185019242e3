#!/usr/bin/env bash
# `make run`: set everything up, create the demo database once, serve http://localhost:8069.
source "$(dirname "$0")/env.sh"
setup_all
DB="${DB:-sales_support_demo}"
if db_exists "$DB" && psql -d "$DB" -tAc "select 1 from ir_module_module where name='o2c_kpi' and state='installed'" 2>/dev/null | grep -q 1; then
    say "reusing database $DB (drop it with: dropdb $DB)"
    update_project_addons "$DB" --log-level=warn
else
    db_exists "$DB" && dropdb "$DB"
    say "creating database $DB with demo data and $PROJECT_ADDONS (about 3 minutes)"
    odoo_bin -d "$DB" -i "$PROJECT_ADDONS" --stop-after-init --log-level=warn
fi
say "serving http://localhost:8069 (database $DB, admin / admin; support users: see README)"
exec "$PY" "$ODOO_SRC/odoo-bin" -c "$PROJECT_ROOT/odoo.conf" -d "$DB" --db-filter="^$DB\$"
