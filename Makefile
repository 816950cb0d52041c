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

# The interface's languages besides English (DESIGN.md, "Languages"); docs/translating.md says how.
TRANSLATIONS := portal/translations
LANGUAGES := fr es ar zh ru
PYBABEL := $(BIN)/pybabel
EXTRACT_OPTIONS := -k _l -k lazy_gettext -k _lp:1c,2 -k lazy_pgettext:1c,2 -k _n:1,2 -k lazy_ngettext:1,2 --ignore-dirs=".* __pycache__"

.PHONY: install install-runtime run test lint audit lock browser clean catalogues messages translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The serving environment: the portal and its runtime dependencies only (what `make run` needs).
$(VENV)/.installed-runtime: setup.cfg pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP_INSTALL) pip
	@# whoosh3 replaced whoosh-reloaded; both install the package `whoosh`: remove the old one first.
	$(BIN)/pip uninstall --quiet --yes whoosh-reloaded 2>/dev/null || true
	$(PIP_INSTALL) -e .
	touch $@

# Development: the runtime plus the test tools (pytest, ruff, Playwright...).
$(VENV)/.installed: $(VENV)/.installed-runtime
	$(PIP_INSTALL) -e '.[test]'
	touch $@

$(VENV)/.installed-audit: $(VENV)/.installed-runtime
	$(PIP_INSTALL) -e '.[audit]'
	touch $@

install: $(VENV)/.installed catalogues

install-runtime: $(VENV)/.installed-runtime catalogues

# The compiled catalogues (.mo, git-ignored) that the portal serves; fast, so always brought up to date.
catalogues: $(VENV)/.installed-runtime
	$(PYBABEL) -q compile -d $(TRANSLATIONS)

# The strings of the code, extracted into messages.pot (the translators' catalogues are left alone).
# Babel skips folders starting with "_" unless told otherwise: the templates keep their macros in _macros.
messages: $(VENV)/.installed-runtime
	$(PYBABEL) -q extract -F babel.cfg $(EXTRACT_OPTIONS) -c Translators: --add-location=file --sort-by-file \
	  --no-wrap --project="One Planet Catalogue" -o $(TRANSLATIONS)/messages.pot .

# After changing strings: extract them into messages.pot and carry them into every language's .po
# (new ones empty for the translators; no fuzzy guesses), then compile.
translations: messages
	for lang in $(LANGUAGES); do \
	  $(PYBABEL) -q update --init-missing --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date \
	    --no-wrap -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang || exit 1; \
	done
	$(MAKE) --no-print-directory catalogues

run: $(VENV)/.installed-runtime catalogues
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty --items $(DEMO_ITEMS)
	@$(FLASK) search check >/dev/null 2>&1 || $(FLASK) search reindex
	@echo "Serving the portal at http://127.0.0.1:$(PORT)"
	PORT=$(PORT) WORKERS=$(WORKERS) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Debian's Chromium drives the end-to-end tests; installed when missing and this user may install it.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing and cannot be installed here: end-to-end tests will be skipped."; fi; }

lint: install
	$(BIN)/ruff check .

# Test processes (pytest-xdist): one per core of a small machine; TEST_WORKERS=0 runs them all in one.
TEST_WORKERS ?= 2

test: install browser lint
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

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
