# Sales Support for Odoo 18.0: see README.md.
.PHONY: run test setup bench pot

run:      ## set up everything and serve http://localhost:8069 (database sales_support_demo)
	bash scripts/run.sh

test:     ## set up, one fresh test database, pytest (Odoo tests + end-to-end over RPC)
	bash scripts/test.sh

setup:    ## PostgreSQL, .venv, Odoo source only
	bash -c 'source scripts/env.sh && setup_all && ensure_test_tools'

bench:    ## benchmarks on generated data (database sales_support_bench)
	bash scripts/bench.sh

pot:      ## regenerate the .pot templates from the test database
	bash scripts/pot.sh
