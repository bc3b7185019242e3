#!/usr/bin/env bash
# `make test`: set-up, ONE fresh test database with our addons and demo data, then pytest:
# pytest-odoo over addons/*/tests and the end-to-end tests in tests/ (a live server over RPC).
source "$(dirname "$0")/env.sh"
# The lint gate first (make lint). LINT=0 skips it during development only: CI always runs it.
if [ "${LINT:-1}" != 0 ] || [ "${CI:-}" = true ]; then
    bash "$PROJECT_ROOT/scripts/lint.sh" || die "the lint gate failed (above): make test stops here"
else
    say "LINT=0: lint gate skipped (development only; CI always runs it)"
fi
setup_all
ensure_dev_tools
ensure_test_tools
DB="${TEST_DB:-sales_support_test}"
cd "$PROJECT_ROOT"
# Odoo's log of each step is also written to .logs/<db>/; scripts/checklog.py then fails the run
# on an unexpected WARNING/ERROR in it (allow-list, each entry with its reason: checklog-odoo.cfg).
LOGS="$PROJECT_ROOT/.logs/$DB"
mkdir -p "$LOGS" && rm -f "$LOGS"/*.log
# TEST_EXTRA_MODULES (default crm): Odoo modules our addons work with without depending on
# them, installed in the test database so that those paths are tested too (CRM: the
# lead-to-order conversion KPI, through sale_crm, which Odoo installs with crm and sale).
# TEST_EXTRA_MODULES= (empty) tests without them, on a new database.
: "${TEST_EXTRA_MODULES=crm}"
if [ "${REUSE_DB:-0}" = 1 ] && db_exists "$DB"; then
    say "REUSE_DB=1: updating $DB instead of recreating it"
    update_project_addons "$DB" --log-level=warn 2>&1 \
        | tee "$LOGS/install.log" || die "updating the addons in $DB failed"
    # the extra modules the reused database lacks (an installed one is never -i'd again)
    missing=""
    for module in ${TEST_EXTRA_MODULES//,/ }; do
        state=$(echo "SELECT state FROM ir_module_module WHERE name = :'name'" \
            | psql -d "$DB" -v name="$module" -At)
        [ "$state" = installed ] || missing="${missing:+$missing,}$module"
    done
    if [ -n "$missing" ]; then
        say "installing $missing into $DB (TEST_EXTRA_MODULES)"
        odoo_bin -d "$DB" -i "$missing" --stop-after-init --log-level=warn 2>&1 \
            | tee -a "$LOGS/install.log" || die "installing $missing into $DB failed"
    fi
else
    db_exists "$DB" && { say "dropping old $DB"; dropdb "$DB"; }
    say "creating test database $DB (sale, stock, account, demo data, $PROJECT_ADDONS;" \
        "with ${TEST_EXTRA_MODULES:-no other module})"
    start=$(date +%s)
    odoo_bin -d "$DB" -i "$PROJECT_ADDONS${TEST_EXTRA_MODULES:+,$TEST_EXTRA_MODULES}" \
        --stop-after-init --log-level=warn 2>&1 \
        | tee "$LOGS/install.log" || die "installing the addons into $DB failed"
    say "database ready in $(( $(date +%s) - start ))s"
fi
export SALES_SUPPORT_TEST_DB="$DB"
# PYTEST_TARGETS (development): run only these test paths instead of the whole suite.
# pytest's --log-file keeps every record at WARNING+ (also those of passing tests, whose output
# pytest hides), in Odoo's format; the console output is shown and saved to .logs/<db>/pytest.log.
touch "$LOGS/.pytest-start"
set +e
"$VENV/bin/python" -m pytest -p no:cacheprovider \
    --odoo-config="$PROJECT_ROOT/odoo.conf" --odoo-database="$DB" --odoo-http \
    --odoo-log-level="${ODOO_LOG_LEVEL:-warn}" \
    --log-file="$LOGS/pytest-odoo.log" --log-file-level=WARNING \
    --log-file-format="%(asctime)s,%(msecs)03d %(process)d %(levelname)s $DB %(name)s: %(message)s" \
    --log-file-date-format="%Y-%m-%d %H:%M:%S" \
    ${PYTEST_TARGETS:-addons/sales_support/tests addons/o2c_kpi/tests addons/sales_support_loyalty/tests tests} "$@" 2>&1 \
    | tee "$LOGS/pytest.log"
rc=${PIPESTATUS[0]}
# pytest.log has what Odoo logs before pytest's log file opens (pytest-odoo's start-up); the
# live server of the end-to-end tests (tests/conftest.py) logs to $LOGS/e2e-server.log.
logs=(install="$LOGS/install.log" pytest="$LOGS/pytest.log" pytest="$LOGS/pytest-odoo.log")
[ "$LOGS/e2e-server.log" -nt "$LOGS/.pytest-start" ] && logs+=(e2e-server="$LOGS/e2e-server.log")
"$PY" "$PROJECT_ROOT/scripts/checklog.py" "${logs[@]}"
log_rc=$?
set -e
[ $rc -eq 5 ] && die "pytest collected no test"
[ $log_rc -eq 0 ] || say "checklog FAILED: unexpected WARNING/ERROR in Odoo's log (see above)"
[ $rc -ne 0 ] && exit $rc
[ $log_rc -eq 0 ] || exit 1
exit 0
