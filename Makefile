# The two commands of the quick start: `make run` and `make test`.
# Each creates .venv when missing and (re)installs the project only when pyproject.toml changed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/shiftbrief run

lint: $(STAMP)
	$(BIN)/ruff check bot content scheduler tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench --heldout
	$(BIN)/python -m bench.acknowledgements

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
