# `make run` serves the portal with demo data; `make test` runs the whole suite. Both install first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
PORT ?= 5000
WORKERS ?= 2
DEMO_ITEMS ?= 500
PYTEST_ARGS ?=

# Every install is pinned by the lock file: the whole tree, not only the direct dependencies.
CONSTRAINTS := requirements/constraints.txt
PIP_INSTALL := $(BIN)/pip install --quiet --constraint $(CONSTRAINTS)

.PHONY: install install-runtime run test lint audit lock browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The serving environment: the portal and its runtime dependencies only (what `make run` needs).
$(VENV)/.installed-runtime: setup.cfg pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP_INSTALL) pip
	$(PIP_INSTALL) -e .
	touch $@

# Development: the runtime plus the test tools (pytest, ruff, Playwright...).
$(VENV)/.installed: $(VENV)/.installed-runtime
	$(PIP_INSTALL) -e '.[test]'
	touch $@

$(VENV)/.installed-audit: $(VENV)/.installed-runtime
	$(PIP_INSTALL) -e '.[audit]'
	touch $@

install: $(VENV)/.installed

install-runtime: $(VENV)/.installed-runtime

run: $(VENV)/.installed-runtime
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty --items $(DEMO_ITEMS)
	@$(FLASK) search check >/dev/null 2>&1 || $(FLASK) search reindex
	@echo "Serving the portal at http://127.0.0.1:$(PORT)"
	$(BIN)/gunicorn --no-control-socket --workers $(WORKERS) --bind 127.0.0.1:$(PORT) wsgi:app

# Debian's Chromium drives the end-to-end tests; installed when missing and this user may install it.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing and cannot be installed here: end-to-end tests will be skipped."; fi; }

lint: install
	$(BIN)/ruff check .

test: install browser lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Known vulnerabilities in the pinned tree (.ci/audit.py): fails on a finding; says loudly, without
# failing, when the vulnerability database cannot be reached (AUDIT_STRICT=1 fails then too).
audit: $(VENV)/.installed-audit
	$(BIN)/python .ci/audit.py $(CONSTRAINTS)

# Re-resolve the whole tree from setup.cfg in a clean environment and pin it into $(CONSTRAINTS).
lock:
	rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet --upgrade pip
	$(VENV)-lock/bin/pip install --quiet '.[test,audit]'
	{ sed -n '/^#/p' $(CONSTRAINTS); echo "pip==$$($(VENV)-lock/bin/pip --version | cut -d' ' -f2)"; \
	  $(VENV)-lock/bin/pip freeze --exclude one-planet-catalogue; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf $(VENV)-lock build

clean:
	rm -rf $(VENV) $(VENV)-lock .pytest_cache .ruff_cache
