# claimdesk: `make run` serves the demo, `make test` runs every check. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
CLAIMDESK_DATABASE_URL ?= sqlite:///var/claimdesk.db
export CLAIMDESK_DATABASE_URL

HTMX := src/claimdesk/web/static/vendor/htmx.min.js

.PHONY: run install dev assets chromium test lint typecheck unit e2e bench clean

ACCOUNTS := var/demo-accounts.txt

run: install
	$(BIN)/claimdesk migrate
	@mkdir -p var
	@# demo prints the demo accounts' passwords once, on a database without users: keep them
	@umask 077; $(BIN)/claimdesk demo > $(ACCOUNTS).new; \
	if [ -s $(ACCOUNTS).new ]; then mv $(ACCOUNTS).new $(ACCOUNTS); else rm -f $(ACCOUNTS).new; fi
	@echo
	@echo "claimdesk: open http://$(HOST):$(PORT)/ and sign in (Ctrl-C stops the server)"
	@if [ -f $(ACCOUNTS) ]; then echo "Demo accounts (email password), kept in $(ACCOUNTS):"; \
		sed 's/^/  /' $(ACCOUNTS); fi
	@echo
	$(BIN)/claimdesk serve --host $(HOST) --port $(PORT)

install: $(VENV)/.installed assets

dev: $(VENV)/.dev-installed assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

assets: $(HTMX)

node_modules/.package-lock.json: package.json package-lock.json .npmrc
	npm ci --no-audit --no-fund

$(HTMX): node_modules/.package-lock.json
	mkdir -p $(dir $@)
	cp node_modules/htmx.org/dist/htmx.min.js $@

chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "The browser tests need Debian's chromium at /usr/bin/chromium:"; \
		echo "  sudo apt-get update && sudo apt-get install chromium"; \
		exit 1; \
	fi

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: dev
	$(BIN)/mypy src

unit: dev
	$(BIN)/pytest tests

e2e: dev chromium
	$(BIN)/pytest e2e

test: dev chromium lint typecheck unit e2e

bench: dev
	$(BIN)/python bench/checkworthiness.py
	$(BIN)/python bench/matching_quality.py
	$(BIN)/python bench/matching_speed.py

clean:
	rm -rf $(VENV) node_modules src/claimdesk/web/static/vendor var
