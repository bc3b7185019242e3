#!/usr/bin/env bash
# `make load`: concurrency under a prefork server. Copies the demo/test database, starts Odoo
# with --workers=4 on loopback (free ports, no cron), runs scripts/load_test.py (20 clients for
# 60 s: orders for the same customers created, confirmed, edited, delivered and invoiced, the
# same assignment rules edited), then stops the server. See "Load test" in README.md.
#
#   LOAD_SECONDS=60    how long the clients work          LOAD_CLIENTS=20   clients in all
#   LOAD_RULE_CLIENTS=2  of which edit assignment rules   LOAD_WORKERS=4    server workers
#   LOAD_TEMPLATE      database copied (default: $TEST_DB or sales_support_test, the database of
#                      `make test`; created with demo data when missing)
#   LOAD_DB            the copy the server runs on (default sales_support_load; dropped first)
#   LOAD_UPDATE=1      update both addons in the copy first (0: the copy is up to date)
# The server's log (with its serialization retries, logged at INFO by odoo.service.model) goes
# to .logs/<LOAD_DB>/load-server.log. Exit code: that of the checks (non-zero when one fails).
source "$(dirname "$0")/env.sh"
setup_all
TEMPLATE="${LOAD_TEMPLATE:-${TEST_DB:-sales_support_test}}"
DB="${LOAD_DB:-sales_support_load}"
WORKERS="${LOAD_WORKERS:-4}"
LOGS="$PROJECT_ROOT/.logs/$DB"
mkdir -p "$LOGS"
[ "$DB" != "$TEMPLATE" ] || die "LOAD_DB must differ from LOAD_TEMPLATE ($TEMPLATE): the run writes to it"

filestore() {
    "$PY" -c 'import sys; from odoo.tools import config
config.parse_config(["-c", sys.argv[1]]); print(config.filestore(sys.argv[2]))' \
        "$PROJECT_ROOT/odoo.conf" "$1"
}
if db_exists "$DB"; then
    dropdb "$DB" || die "cannot drop $DB (is a server still using it?)"
    rm -rf "$(filestore "$DB")"
fi
if db_exists "$TEMPLATE"; then
    say "copying $TEMPLATE to $DB"
    for _ in $(seq 1 10); do createdb -T "$TEMPLATE" "$DB" 2>/dev/null && break; sleep 3; done
    db_exists "$DB" || die "createdb -T $TEMPLATE $DB failed (is a session connected to $TEMPLATE?)"
    from_fs=$(filestore "$TEMPLATE")
    if [ -d "$from_fs" ]; then cp -a "$from_fs" "$(filestore "$DB")"; fi
    if [ "${LOAD_UPDATE:-1}" = 1 ]; then
        say "updating $PROJECT_ADDONS in $DB"
        update_project_addons "$DB" --log-level=warn \
            >"$LOGS/update.log" 2>&1 || { tail -n 30 "$LOGS/update.log"; die "update of $DB failed"; }
    fi
else
    say "$TEMPLATE not found: installing $PROJECT_ADDONS with demo data into $DB (about 3 min)"
    odoo_bin -d "$DB" -i "$PROJECT_ADDONS" --stop-after-init --log-level=warn \
        >"$LOGS/install.log" 2>&1 || { tail -n 30 "$LOGS/install.log"; die "install into $DB failed"; }
fi

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="${LOAD_PORT:-$(free_port)}"
GEVENT_PORT="$(free_port)"
SERVER_LOG="$LOGS/load-server.log"
: >"$SERVER_LOG"
say "starting Odoo on 127.0.0.1:$PORT with $WORKERS workers (log: $SERVER_LOG)"
# not through odoo_bin (a function: $! would be its subshell, not the server)
"$PY" "$ODOO_SRC/odoo-bin" -c "$PROJECT_ROOT/odoo.conf" -d "$DB" --db-filter="^$DB\$" --no-database-list \
    --http-interface=127.0.0.1 --http-port="$PORT" --gevent-port="$GEVENT_PORT" \
    --workers="$WORKERS" --max-cron-threads=0 \
    --log-level=warn --log-handler=odoo.service.model:INFO --logfile="$SERVER_LOG" &
SERVER_PID=$!
stop_server() {
    kill "$SERVER_PID" 2>/dev/null || return 0
    for _ in $(seq 1 30); do kill -0 "$SERVER_PID" 2>/dev/null || return 0; sleep 1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/web/health" >/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited: see $SERVER_LOG"
    sleep 1
done
curl -sf "http://127.0.0.1:$PORT/web/health" >/dev/null || die "no answer on port $PORT: see $SERVER_LOG"

set +e
"$PY" "$PROJECT_ROOT/scripts/load_test.py" --url "http://127.0.0.1:$PORT" --db "$DB" \
    --seconds "${LOAD_SECONDS:-60}" --clients "${LOAD_CLIENTS:-20}" \
    --rule-clients "${LOAD_RULE_CLIENTS:-2}" --server-log "$SERVER_LOG"
rc=$?
set -e
stop_server
trap - EXIT
# ERROR lines, but the "bad query" of each serialization failure that Odoo then retried
# (counted above as server retries; a request that still fails is a client fault)
error_lines() {
    grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$SERVER_LOG" \
        | grep -vE ' ERROR [^ ]+ odoo\.sql_db: bad query: ' || true
}
errors=$(error_lines | wc -l)
if [ "$errors" != 0 ]; then
    say "$errors ERROR lines in $SERVER_LOG:"
    error_lines | head -n 10
    rc=1
fi
exit $rc
