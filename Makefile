# Sales Support for Odoo 18.0: see README.md.
.PHONY: run test setup bench load pot lint fmt

run:      ## set up everything and serve http://localhost:8069 (database sales_support_demo)
	bash scripts/run.sh

test:     ## lint gate, set up, one fresh test database, pytest (Odoo tests + end-to-end over RPC)
	bash scripts/test.sh

lint:     ## the hygiene gate: pre-commit hooks (ruff, pylint-odoo, OCA checks, prettier), check only
	bash scripts/lint.sh

fmt:      ## apply the mechanical fixes (ruff --fix, ruff format, prettier --write): review the diff
	bash scripts/lint.sh --fix

setup:    ## PostgreSQL, .venv (with the dev tools), Odoo source only
	bash -c 'source scripts/env.sh && setup_all && ensure_dev_tools && ensure_test_tools'

bench:    ## benchmarks on generated data (database sales_support_bench)
	bash scripts/bench.sh

load:     ## 20 clients for 60 s on a --workers=4 server (copy of the test database), then checks
	bash scripts/load.sh

pot:      ## regenerate the .pot templates from the test database
	bash scripts/pot.sh
