#!/usr/bin/env bash
# Shared set-up for `make run` and `make test`: PostgreSQL, the virtualenv, the Odoo 18.0 source.
# Sourced by scripts/run.sh and scripts/test.sh; every step is idempotent and fails loudly.
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PROJECT_ROOT
VENV="$PROJECT_ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m[sales-support]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[sales-support] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root to run: $* (install it by hand, then run again)"; fi
}

apt_install() {
    command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
    if [ ! -f /tmp/.sales_support_apt_updated ]; then
        as_root apt-get update -q >/dev/null && touch /tmp/.sales_support_apt_updated
    fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "$@" >/dev/null \
        || die "apt-get install $* failed"
}

ensure_postgres() {
    if ! command -v pg_ctlcluster >/dev/null && ! command -v pg_ctl >/dev/null; then
        say "PostgreSQL is missing: installing it with apt-get"
        apt_install postgresql
    fi
    if ! pg_isready -q 2>/dev/null; then
        say "starting PostgreSQL"
        if command -v pg_lsclusters >/dev/null; then
            local ver name
            read -r ver name _ < <(pg_lsclusters -h | head -n1) \
                || die "no PostgreSQL cluster found (pg_lsclusters is empty): create one with pg_createcluster"
            as_root pg_ctlcluster "$ver" "$name" start || true
        fi
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
        pg_isready -q || die "PostgreSQL does not answer on the default socket"
    fi
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        say "creating PostgreSQL role $(whoami)"
        as_root su postgres -c "createuser -s $(whoami)" \
            || die "could not create a PostgreSQL role for $(whoami)"
    fi
}

find_odoo() {
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -f "$ODOO_SRC/odoo-bin" ] || die "ODOO_SRC=$ODOO_SRC has no odoo-bin"
    elif [ -f /opt/odoo/odoo-bin ]; then
        ODOO_SRC=/opt/odoo
    elif [ -f "$PROJECT_ROOT/.odoo-src/odoo-bin" ]; then
        ODOO_SRC="$PROJECT_ROOT/.odoo-src"
    else
        say "no Odoo source in \$ODOO_SRC or /opt/odoo: cloning the official 18.0 branch"
        if ! git clone -q --depth 1 -b 18.0 https://github.com/odoo/odoo.git "$PROJECT_ROOT/.odoo-src"; then
            rm -rf "$PROJECT_ROOT/.odoo-src"
            die "Odoo 18.0 source not found and it could not be downloaded. Put an Odoo 18.0 tree
       (the folder with odoo-bin) at /opt/odoo, or export ODOO_SRC=/path/to/odoo, then run again."
        fi
        ODOO_SRC="$PROJECT_ROOT/.odoo-src"
    fi
    grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" \
        || die "$ODOO_SRC is not Odoo 18.0 (see odoo/release.py)"
    export ODOO_SRC
}

ensure_venv() {
    [ -x "$PY" ] || { say "creating $VENV"; python3 -m venv "$VENV" || die "python3 -m venv failed"; }
    local stamp="$VENV/.requirements.sha" want
    want="$(cat "$PROJECT_ROOT/requirements.txt" | sha1sum | cut -d' ' -f1) $ODOO_SRC"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing requirements.txt into $VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check -r "$PROJECT_ROOT/requirements.txt" \
            || die "pip install -r requirements.txt failed"
        "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -e "$ODOO_SRC" \
            || die "pip install -e $ODOO_SRC failed"
        echo "$want" > "$stamp"
    fi
}

# prettier + its XML plugin for the lint gate, pinned as in OCA's 18.0 template (npm packages).
PRETTIER_NPM="prettier@3.3.3 @prettier/plugin-xml@3.4.1"

ensure_dev_tools() {
    # The lint gate, checklog and packaging tools: requirements-dev.txt into .venv (after
    # requirements.txt, its own stamp), prettier from npm into .venv/node (linked in .venv/bin).
    local stamp="$VENV/.requirements-dev.sha" want
    want="$(sha1sum < "$PROJECT_ROOT/requirements-dev.txt" | cut -d' ' -f1) $PRETTIER_NPM"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ ! -x "$VENV/bin/prettier" ]; then
        say "installing requirements-dev.txt and prettier into $VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check -r "$PROJECT_ROOT/requirements-dev.txt" \
            || die "pip install -r requirements-dev.txt failed"
        command -v npm >/dev/null || apt_install npm
        mkdir -p "$VENV/node"
        # shellcheck disable=SC2086 # PRETTIER_NPM is a list of packages
        (cd "$VENV/node" && npm install --silent --no-audit --no-fund --save-exact $PRETTIER_NPM) \
            || die "npm install $PRETTIER_NPM failed"
        ln -sfn ../node/node_modules/.bin/prettier "$VENV/bin/prettier"
        echo "$want" > "$stamp"
    fi
}

ensure_test_tools() {
    # Browser tours need chromium (they are skipped, not failed, without it), PDF reports need
    # wkhtmltopdf, right-to-left CSS needs rtlcss.
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
        || { say "installing chromium"; apt_install chromium; }
    command -v wkhtmltopdf >/dev/null || { say "installing wkhtmltopdf"; apt_install wkhtmltopdf; }
    command -v rtlcss >/dev/null || {
        say "installing rtlcss"
        command -v npm >/dev/null || apt_install npm
        npm install -g --silent rtlcss >/dev/null || die "npm install -g rtlcss failed"
    }
}

# The addons a project database gets: the two addons, and the loyalty bridge (which also installs
# Odoo's sale_loyalty, so that the tests cover the digest with loyalty programs; on a customer's
# database it installs by itself only where sale_loyalty is).
PROJECT_ADDONS=sales_support,o2c_kpi,sales_support_loyalty

odoo_bin() { "$PY" "$ODOO_SRC/odoo-bin" -c "$PROJECT_ROOT/odoo.conf" "$@"; }

db_exists() { psql -d postgres -tAc "select 1 from pg_database where datname='$1'" | grep -q 1; }

# update_project_addons DB [odoo-bin options]: update our addons in DB and install those it lacks
# (an addon added since, such as the loyalty bridge). Never `-i` an installed addon: that reloads
# its noupdate data over the users' edits.
update_project_addons() {
    local db=$1 missing=() name
    shift
    for name in ${PROJECT_ADDONS//,/ }; do
        psql -d "$db" -tAc "select 1 from ir_module_module where name='$name' and state='installed'" \
            | grep -q 1 || missing+=("$name")
    done
    local args=(-u "$PROJECT_ADDONS")
    ((${#missing[@]})) && args+=(-i "$(IFS=,; echo "${missing[*]}")")
    odoo_bin -d "$db" "${args[@]}" --stop-after-init "$@"
}

setup_all() {
    ensure_postgres
    find_odoo
    ensure_venv
}
