# `make run` serves the portal with demo data; `make test` runs the whole suite. Both install first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
PORT ?= 5000
WORKERS ?= 2
DEMO_ITEMS ?= 500
PYTEST_ARGS ?=

.PHONY: install run test lint browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty --items $(DEMO_ITEMS)
	@$(FLASK) search check >/dev/null 2>&1 || $(FLASK) search reindex
	@echo "Serving the portal at http://127.0.0.1:$(PORT)"
	$(BIN)/gunicorn --no-control-socket --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

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

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
