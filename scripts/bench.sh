#!/usr/bin/env bash
# `make bench`: the Order-to-Cash benchmark on generated data, on the test database (created by
# `make test`; reused here) inside a transaction that is rolled back. N=10000 by default.
source "$(dirname "$0")/env.sh"
setup_all
DB="${TEST_DB:-sales_support_test}"
db_exists "$DB" || die "database $DB not found: run 'make test' first (or TEST_DB=<db with both addons>)"
"$PY" "$PROJECT_ROOT/scripts/bench_o2c.py" -c "$PROJECT_ROOT/odoo.conf" -d "$DB" -n "${N:-10000}" "$@"
