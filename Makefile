# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench demo clean

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
	$(BIN)/pytest
	# The API suite again, end to end against a real `runwright dev` process tree.
	$(BIN)/pytest tests/api --api-target=dev -q

demo: $(STAMP)
	$(BIN)/runwright demo

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .runwright .pytest_cache .mypy_cache .ruff_cache
