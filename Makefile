# The two commands of the quick start: `make run` and `make test`.
# Each creates .venv when missing and (re)installs when pyproject.toml or requirements.lock changed:
# every dependency from requirements.lock, checked against its hashes, then the project itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock

.PHONY: run test lint bench lock clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install -q --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

# Refresh requirements.lock after changing a dependency in pyproject.toml (pip-tools in its own venv).
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q pip-tools
	.venv-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --extra test --strip-extras \
		--no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml

run: $(STAMP)
	$(BIN)/shiftbrief run

lint: $(STAMP)
	$(BIN)/ruff check bot content scheduler tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

# The answerer's accuracy, then every load benchmark (clicks over HTTP beside the bare-bolt floor, fan-out,
# questions, acknowledgements, reports at force scale: about 12 minutes), which writes docs/PERFORMANCE.md.
bench: $(STAMP)
	$(BIN)/python -m bench --sealed
	$(BIN)/python -m bench.performance

# PNGs of each person's page (officer, sergeant, the coordinator's dashboard) at desktop and phone width, on the
# demo force with made-up history in a temporary database, into docs/screenshots/ (Debian's chromium).
screenshots: $(STAMP)
	$(BIN)/python -m tools.screenshots --out docs/screenshots

clean:
	rm -rf $(VENV) .venv-lock .pytest_cache .mypy_cache .ruff_cache
