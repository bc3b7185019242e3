#!/usr/bin/env bash
# `make pot`: regenerate addons/*/i18n/*.pot from a database where our addons are installed.
source "$(dirname "$0")/env.sh"
setup_all
DB="${TEST_DB:-sales_support_test}"
db_exists "$DB" || die "database $DB not found: run 'make test' first (or TEST_DB=<db with $PROJECT_ADDONS>)"
for module in ${PROJECT_ADDONS//,/ }; do
    odoo_bin -d "$DB" --i18n-export="$PROJECT_ROOT/addons/$module/i18n/$module.pot" \
        --modules="$module" --stop-after-init --log-level=warn
    say "wrote addons/$module/i18n/$module.pot"
done
