# One entry point for everything a developer does. The virtualenv is created on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STACK  ?= dev
PORT   ?= 3000
# Test processes: each takes whole modules, so a module's server starts once.
TEST_WORKERS ?= 2

.PHONY: help serve test lint format bench invoke new-operation clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /\1\t/'

$(STAMP): requirements.txt requirements-dev.txt function/requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=python3.11)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

serve: $(STAMP) ## Run the API locally on an embedded DynamoDB (STACK=dev PORT=3000, ARGS=--reload ...)
	$(PY) -m local_api serve --stack $(STACK) --port $(PORT) $(ARGS)

test: $(STAMP) ## Run the whole test suite, end-to-end on moto and dynalite (TEST_WORKERS=2)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope $(ARGS)

lint: $(STAMP) ## ruff lint and format check, mypy type check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(STAMP) ## Format with ruff and apply its safe fixes
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP) ## Benchmarks: ratios measured side by side in one run
	$(PY) -m bench $(ARGS)

invoke: $(STAMP) ## Run one event through the handler: make invoke EVENT=tests/events/read.json
	$(PY) -m local_api invoke --stack $(STACK) $(if $(EVENT),--event $(EVENT)) $(ARGS)

new-operation: $(STAMP) ## Scaffold operations/NAME.py and its test: make new-operation NAME=count
	$(PY) -m local_api new-operation $(NAME)

clean: ## Remove the virtualenv, caches and build output (the kept local data stays in .local)
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
