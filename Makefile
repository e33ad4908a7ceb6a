# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench soak demo clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,sandbox]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/runwright dev

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	# promtool and prometheus for tests/deploy (Debian's `prometheus` package if missing).
	bash scripts/ensure-prometheus.sh
	bash scripts/ensure-bubblewrap.sh
	# Three processes (pytest-xdist): tests mostly wait on servers, so this fits two cores.
	$(BIN)/pytest -n 3
	# The API suite again, end to end against a real `runwright dev` process tree per process.
	$(BIN)/pytest tests/api tests/reliability/test_isolation_every_endpoint.py --api-target=dev -q -n 2

demo: $(STAMP)
	$(BIN)/runwright demo

# Every benchmark plus the reliability suite in its full profile -> bench/results.md.
bench: $(STAMP)
	bash scripts/ensure-bubblewrap.sh
	$(BIN)/python -m bench --soak --out bench/results.md

# The reliability suite alone in its full profile (faults, bad input, isolation, load).
soak: $(STAMP)
	bash scripts/ensure-bubblewrap.sh
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) .runwright .pytest_cache .mypy_cache .ruff_cache
