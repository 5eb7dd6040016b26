# Every target creates the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow lint typecheck bench bench-large clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/notion-crm demo

lint: $(STAMP)
	$(BIN)/ruff check notion_crm tests benchmarks
	$(BIN)/ruff format --check notion_crm tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes S,M

bench-large: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes L --unlimited-sizes L --timing-sizes "" \
		--skip baseline,first-ever --results benchmarks/RESULTS-L.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
