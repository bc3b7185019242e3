#!/usr/bin/env bash
# `make test`: set-up, ONE fresh test database with both addons and demo data, then pytest:
# pytest-odoo over addons/*/tests and the end-to-end tests in tests/ (a live server over RPC).
source "$(dirname "$0")/env.sh"
setup_all
ensure_test_tools
DB="${TEST_DB:-sales_support_test}"
cd "$PROJECT_ROOT"
if [ "${REUSE_DB:-0}" = 1 ] && db_exists "$DB"; then
    say "REUSE_DB=1: updating $DB instead of recreating it"
    odoo_bin -d "$DB" -u sales_support,o2c_kpi --stop-after-init --log-level=warn
else
    db_exists "$DB" && { say "dropping old $DB"; dropdb "$DB"; }
    say "creating test database $DB (sale, stock, account, demo data, both addons)"
    start=$(date +%s)
    odoo_bin -d "$DB" -i sales_support,o2c_kpi --stop-after-init --log-level=warn \
        || die "installing the addons into $DB failed"
    say "database ready in $(( $(date +%s) - start ))s"
fi
export SALES_SUPPORT_TEST_DB="$DB"
# PYTEST_TARGETS (development): run only these test paths instead of the whole suite.
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider \
    --odoo-config="$PROJECT_ROOT/odoo.conf" --odoo-database="$DB" --odoo-http \
    --odoo-log-level="${ODOO_LOG_LEVEL:-warn}" \
    ${PYTEST_TARGETS:-addons/sales_support/tests addons/o2c_kpi/tests tests} "$@"
rc=$?
set -e
[ $rc -eq 5 ] && die "pytest collected no test"
exit $rc
