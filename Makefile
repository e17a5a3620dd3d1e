# Jigsaw: two commands set everything up on a fresh machine.
#   make play   create .venv, install, start the game on the default scenario
#   make test   create .venv, install with test extras, run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: play test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# axe-core (npm) checks the HTML debrief against WCAG in the browser test; without npm that
# one test skips (in CI it fails instead).
AXE_CORE := axe-core@4.14.1

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/axe $(AXE_CORE); \
	else echo "npm not found: the debrief's accessibility test will skip"; fi
	touch $@ $(STAMP)

play: $(STAMP)
	$(BIN)/jigsaw play classic

test: $(TSTAMP)
	$(BIN)/python -m pytest

lint: $(TSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy sim

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
