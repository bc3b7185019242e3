#!/usr/bin/env bash
# `make bench`: Odoo's own Order-to-Cash path (create, send, confirm, deliver, invoice, pay) on
# generated data, timed on two databases with the same data: ss_bench_core (sale_management,
# sale_stock, demo data) and ss_bench_addon (the same database plus sales_support and o2c_kpi),
# then the overhead of our addons per phase and in total. See "Benchmarks" in README.md.
#
#   N=2000      orders generated (default 2000)     SEED=42   seed of the generated data
#   BATCH=200   orders per batch                    ROUNDS=1  runs per database; the fastest
#                                                             of each phase counts
#   INTERLEAVE=1  the two runs take turns batch by batch (same machine load for both);
#                 0: one whole run after the other
#   REUSE_DB=1  keep both databases (update our addons in ss_bench_addon) instead of
#               recreating them
#   BENCH_CORE_DB / BENCH_ADDON_DB: other database names
#   KPI=0       skip the KPI step (default 1): scripts/bench_kpi.py on its own database
#               BENCH_KPI_DB (default ss_kpibench, created from BENCH_KPI_TEMPLATE=ss_tpl if
#               missing, else from a fresh install), whose generated history (100,000 orders)
#               is kept between runs
# Each run is one transaction rolled back: the databases are left as they were. Results (JSON)
# and installation logs go to bench-results/ (git-ignored).
source "$(dirname "$0")/env.sh"
setup_all
N="${N:-2000}"
SEED="${SEED:-42}"
BATCH="${BATCH:-200}"
ROUNDS="${ROUNDS:-1}"
CORE_DB="${BENCH_CORE_DB:-ss_bench_core}"
ADDON_DB="${BENCH_ADDON_DB:-ss_bench_addon}"
CORE_MODULES=sale_management,sale_stock
OUR_ADDONS=sales_support,o2c_kpi
OUT="$PROJECT_ROOT/bench-results"
mkdir -p "$OUT"
bench_start=$(date +%s)

# Databases with their filestore (`odoo-bin db` only sees the db_name of odoo.conf).
filestore() {
    "$PY" -c 'import sys; from odoo.tools import config
config.parse_config(["-c", sys.argv[1]]); print(config.filestore(sys.argv[2]))' \
        "$PROJECT_ROOT/odoo.conf" "$1"
}
drop_db() { dropdb --if-exists "$1" && rm -rf "$(filestore "$1")"; }
copy_db() {
    local from_fs to_fs
    from_fs=$(filestore "$1") to_fs=$(filestore "$2")
    createdb -T "$1" "$2" || return 1
    rm -rf "$to_fs"
    if [ -d "$from_fs" ]; then cp -a "$from_fs" "$to_fs"; fi
}

# odoo-bin with --stop-after-init on DB, its log in bench-results/install-DB.log; then checks
# that every module of MODULES is installed.
odoo_install() {
    local db=$1 modules=$2 log="$OUT/install-$1.log"
    shift 2
    local start=$SECONDS
    if ! odoo_bin -d "$db" "$@" --stop-after-init --log-level=warn >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "odoo-bin -d $db $* failed (log: $log)"
    fi
    local missing
    missing=$(psql -d "$db" -tAc "SELECT string_agg(name, ',') FROM ir_module_module
        WHERE name = ANY(string_to_array('$modules', ',')) AND state != 'installed'")
    [ -z "$missing" ] || { tail -n 30 "$log" >&2; die "not installed in $db: $missing (log: $log)"; }
    local errors
    errors=$(grep -c -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" || true)
    [ "$errors" = 0 ] || say "WARNING: $errors ERROR lines while installing into $db (see $log)"
    say "$db ready in $((SECONDS - start)) s (log: $log)"
}

# The two databases: core from scratch with demo data; addon = a copy of core (filestore
# included) with our addons installed on top, so that both start from the same records.
if [ "${REUSE_DB:-0}" = 1 ] && db_exists "$CORE_DB" && db_exists "$ADDON_DB"; then
    say "REUSE_DB=1: reusing $CORE_DB, updating $OUR_ADDONS in $ADDON_DB"
    odoo_install "$ADDON_DB" "$CORE_MODULES,$OUR_ADDONS" -u "$OUR_ADDONS"
else
    if [ "${REUSE_DB:-0}" = 1 ] && db_exists "$CORE_DB"; then
        say "REUSE_DB=1: reusing $CORE_DB"
    else
        db_exists "$CORE_DB" && { say "dropping old $CORE_DB"; drop_db "$CORE_DB"; }
        say "creating $CORE_DB ($CORE_MODULES, demo data; about 2-3 min)"
        odoo_install "$CORE_DB" "$CORE_MODULES" -i "$CORE_MODULES"
    fi
    say "copying $CORE_DB to $ADDON_DB, then installing $OUR_ADDONS"
    db_exists "$ADDON_DB" && drop_db "$ADDON_DB"
    copy_db "$CORE_DB" "$ADDON_DB" || die "copying $CORE_DB to $ADDON_DB failed"
    odoo_install "$ADDON_DB" "$CORE_MODULES,$OUR_ADDONS" -i "$OUR_ADDONS"
fi

# The same script, the same data, on each database in its own process. By default the two
# processes take turns batch by batch (INTERLEAVE=1): one database's batch, then the other's,
# so that both meet the same load of the machine; the time spent waiting for the turn is not
# measured. INTERLEAVE=0: one whole run after the other.
bench_run() {  # db json [turn options...]
    local db=$1 json=$2
    shift 2
    "$PY" "$PROJECT_ROOT/scripts/bench_o2c.py" -c "$PROJECT_ROOT/odoo.conf" --db "$db" \
        -n "$N" --seed "$SEED" --batch "$BATCH" --json "$json" "$@"
}
core_json=() addon_json=()
for round in $(seq 1 "$ROUNDS"); do
    core="$OUT/o2c-$CORE_DB-$round" addon="$OUT/o2c-$ADDON_DB-$round"
    rm -f "$core.json" "$addon.json"
    if [ "${INTERLEAVE:-1}" = 1 ]; then
        say "round $round/$ROUNDS: $CORE_DB and $ADDON_DB, taking turns batch by batch"
        turns="$OUT/turns"
        rm -rf "$turns" && mkdir -p "$turns" && printf '0 0' >"$turns/turn"
        bench_run "$CORE_DB" "$core.json" --turn-dir "$turns" --turn-role 0 >"$core.log" 2>&1 &
        core_pid=$!
        bench_run "$ADDON_DB" "$addon.json" --turn-dir "$turns" --turn-role 1 >"$addon.log" 2>&1 &
        addon_pid=$!
        failed=()
        wait "$core_pid" || { failed+=("$CORE_DB"); touch "$turns/abort"; }
        wait "$addon_pid" || failed+=("$ADDON_DB")
        cat "$core.log" "$addon.log"
        [ ${#failed[@]} = 0 ] || die "the benchmark failed on ${failed[*]} (logs: $core.log, $addon.log)"
    else
        for db in "$CORE_DB" "$ADDON_DB"; do
            say "round $round/$ROUNDS: $db"
            bench_run "$db" "$OUT/o2c-$db-$round.json" || die "the benchmark on $db failed"
        done
    fi
    core_json+=("$core.json") addon_json+=("$addon.json")
done
"$PY" "$PROJECT_ROOT/scripts/bench_compare.py" --core "${core_json[@]}" --addon "${addon_json[@]}"
# KPI engine: full and incremental refresh, hand-written SQL, dashboard read, peak memory.
if [ "${KPI:-1}" = 1 ]; then
    KPI_DB="${BENCH_KPI_DB:-ss_kpibench}"
    if ! db_exists "$KPI_DB"; then
        if db_exists "${BENCH_KPI_TEMPLATE:-ss_tpl}"; then
            createdb -T "${BENCH_KPI_TEMPLATE:-ss_tpl}" "$KPI_DB" || die "creating $KPI_DB failed"
            odoo_install "$KPI_DB" "$CORE_MODULES,$OUR_ADDONS" -u "$OUR_ADDONS"
        else
            odoo_install "$KPI_DB" "$CORE_MODULES,$OUR_ADDONS" -i "$CORE_MODULES,$OUR_ADDONS"
        fi
    else
        odoo_install "$KPI_DB" "$CORE_MODULES,$OUR_ADDONS" -u "$OUR_ADDONS"
    fi
    say "KPI engine on $KPI_DB"
    "$PY" "$PROJECT_ROOT/scripts/bench_kpi.py" -c "$PROJECT_ROOT/odoo.conf" --db "$KPI_DB" \
        || die "the KPI benchmark failed"
fi
say "make bench done in $(( $(date +%s) - bench_start )) s"
