# One entry point for everything a developer does. Each target first installs what it
# needs, and only that, from uv.lock (serving needs no Pulumi); uv itself is fetched
# into .local/uv on first use unless UV names one.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STACK  ?= dev
PORT   ?= 3000
# Test processes: each takes whole modules, so a module's server starts once (a module marked
# independent is spread test by test: tests/conftest.py). Two on two cores: side by side on
# this machine, two took 197 s and 178 s, three 212 s and 180 s, with a fifth more CPU.
TEST_WORKERS ?= 2
UV_VERSION ?= 0.13.9
UV     ?= .local/uv/bin/uv
BOOT   := $(filter .local/uv/bin/uv,$(UV))
export UV_PYTHON_DOWNLOADS := never
# $(call SYNC,--extra local ...): install exactly the lock's versions and leave alone anything
# else in .venv (the other targets' needs), except plugins the lock no longer lists, which would
# still be found by their entry points: those are uninstalled, one line each.
SYNC   = @$(UV) sync --quiet --frozen --inexact --python $(PYTHON) --no-default-groups $(1) \
	&& $(PY) -m infra.plugin_pruning --uv $(UV)

.PHONY: help serve test lint format bench invoke openapi snapshots settings new-operation new-plugin lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /\1\t/'

.local/uv/bin/uv:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=python3.11)")'
	@$(PYTHON) -m venv .local/uv
	@.local/uv/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

serve: $(BOOT) ## Run the API locally on an embedded DynamoDB (STACK=dev PORT=3000, ARGS=--debug ...)
	$(call SYNC,--extra local --group plugins)
	$(PY) -m local_api serve --stack $(STACK) --port $(PORT) $(ARGS)

# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set, as on our machines, every child
# process (each local server, engine and project copy) would otherwise compile moto, pydantic
# and the rest from source: a server's start took 2.1 s of CPU, and takes 1.25 s compiled.
test: $(BOOT) ## Run the whole test suite, end-to-end on moto and dynalite (TEST_WORKERS=2)
	$(call SYNC,--extra testing --group test --group deploy --group plugins --group lint --compile-bytecode)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(ARGS)

lint: $(BOOT) ## ruff lint and format check, mypy type check
	$(call SYNC,--extra testing --group test --group deploy --group plugins --group lint)
	@$(UV) lock --check --quiet --python $(PYTHON) || (echo "uv.lock is out of date with pyproject.toml: run make lock" >&2; exit 1)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m local_api openapi --check

format: $(BOOT) ## Format with ruff and apply its safe fixes
	$(call SYNC,--group lint)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(BOOT) ## Benchmarks: ratios measured side by side in one run
	$(call SYNC,--extra local --group deploy --group plugins)
	$(PY) -m bench $(ARGS)

invoke: $(BOOT) ## Run one event through the handler: make invoke EVENT=tests/events/read.json
	$(call SYNC,--extra local --group plugins)
	$(PY) -m local_api invoke --stack $(STACK) $(if $(EVENT),--event $(EVENT)) $(ARGS)

openapi: $(BOOT) ## Write the stack's OpenAPI document from the registry (openapi.json; STACK=prod: openapi.prod.json)
	$(call SYNC,--extra local --group plugins)
	$(PY) -m local_api openapi --stack $(STACK) $(if $(OUT),--output $(OUT))

snapshots: $(BOOT) ## Record what each stack deploys (tests/infra/snapshots; STACK=dev: one); a replaced table needs REPLACE="Table: why"
	$(call SYNC,--extra testing --group deploy --group plugins)
	$(PY) -m tests.infra.snapshots $(if $(filter command line,$(origin STACK)),--stack $(STACK)) $(if $(REPLACE),--replace '$(subst ','\'',$(REPLACE))')

settings: $(BOOT) ## Write Pulumi.yaml's config and docs/deploying.md's settings table from the settings' models
	$(call SYNC,--extra local --group plugins)
	$(PY) -m infra.settings_reference --write

new-operation: $(BOOT) ## Scaffold operations/NAME.py and its test: make new-operation NAME=count (STACK=shop: in its own package)
	$(call SYNC,--extra local)
	$(PY) -m local_api new-operation $(NAME) $(if $(filter command line,$(origin STACK)),--stack $(STACK))

new-plugin: $(BOOT) ## Scaffold a plugin distribution: make new-plugin NAME=acme-notes DIR=../acme-notes
	$(call SYNC,--extra local)
	$(PY) -m local_api new-plugin $(NAME) $(DIR)

lock: $(BOOT) ## Update uv.lock after editing pyproject.toml's dependencies
	$(UV) lock --python $(PYTHON)

clean: ## Remove the virtualenv, caches and build output (the kept local data stays in .local)
	rm -rf $(VENV) build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
