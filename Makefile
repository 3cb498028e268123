# legiongraph: `make run` builds the graph and serves it; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
DOCS_STAMP := $(VENV)/.installed-docs
# The store a checkout builds and serves: the CLI's own default (config.default_store_path), so that
# `legiongraph query ...` typed after `make run` reads it too. Not exported: a store_path set in a
# configuration file must keep its precedence over this default.
LEGIONGRAPH_STORE_PATH ?= $(CURDIR)/var/store
# `make run PORT=8080 HOST=0.0.0.0`; empty means the configured value (default 127.0.0.1:8000).
PORT ?=
HOST ?=

.PHONY: run test lint build stats bench loadtest reference vendor docs clean distclean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# The test and docs tools (playwright, hypothesis, ruff, mkdocs) only for `make test` / `make docs`.
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

$(DOCS_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

# The query UI's YASGUI, pinned in package-lock.json, is served by our own server (no CDN).
NPM_STAMP  := node_modules/.installed
YASGUI_SRC := node_modules/@zazuko/yasgui/build
YASGUI_DIR := src/legiongraph/web/static/vendor/yasgui

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NPM_STAMP)

$(YASGUI_DIR)/yasgui.min.js: $(NPM_STAMP)
	mkdir -p $(YASGUI_DIR)
	cp $(YASGUI_SRC)/yasgui.min.css $(YASGUI_SRC)/yasgui.min.js.map $(YASGUI_DIR)/
	cp $(YASGUI_SRC)/yasgui.min.js $(YASGUI_DIR)/

# The map page's Natural Earth country shapes (world-atlas, public domain) and the code that
# projects them (d3-geo with its d3-array, topojson-client), pinned in package-lock.json too.
MAP_DIR := src/legiongraph/web/static/vendor/map

$(MAP_DIR)/countries-110m.json: $(NPM_STAMP)
	mkdir -p $(MAP_DIR)
	cp node_modules/d3-array/dist/d3-array.min.js node_modules/d3-geo/dist/d3-geo.min.js $(MAP_DIR)/
	cp node_modules/topojson-client/dist/topojson-client.min.js $(MAP_DIR)/
	cp node_modules/world-atlas/LICENSE $(MAP_DIR)/world-atlas-LICENSE
	cp node_modules/world-atlas/countries-110m.json $(MAP_DIR)/

vendor: $(YASGUI_DIR)/yasgui.min.js $(MAP_DIR)/countries-110m.json

$(LEGIONGRAPH_STORE_PATH)/CURRENT: $(STAMP) $(wildcard ontology/*.ttl data/*/*.ttl data/*/*.trig)
	$(BIN)/legiongraph build

build: $(STAMP)
	$(BIN)/legiongraph build

run: $(LEGIONGRAPH_STORE_PATH)/CURRENT vendor
	$(BIN)/legiongraph stats
	@echo
	@echo "== Foreign prisoners of war held by Ukraine on 2 May 2025, by citizenship =="
	$(BIN)/legiongraph query pow-by-country
	@echo
	$(BIN)/legiongraph serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

# The suite runs in TEST_WORKERS processes (pytest-xdist), each test file in one of them, so that
# a file's module fixtures are made once; `make test TEST_WORKERS=0` runs it in this process.
TEST_WORKERS ?= 2

test: $(TEST_STAMP) $(DOCS_STAMP) vendor
	$(BIN)/ruff check src tests scripts bench docs
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile
	$(MAKE) docs

# The documentation site (MkDocs, Material theme) in site/; --strict turns a broken link or a
# missing page into a failure. `legiongraph serve` serves it at /docs/ once built.
docs: $(DOCS_STAMP)
	DISABLE_MKDOCS_2_WARNING=true NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests scripts bench

# Not part of `make test`: builds, serves and times 10k, 100k and 1M synthetic triples against raw
# pyoxigraph, Oxigraph's own server and rdflib-endpoint (installed in its own
# bench/.venv-rdflib-endpoint), and writes bench/results/results.{md,json}, keeping the sizes an
# earlier run measured. `make bench BENCH_SIZES=10000000` runs only that size (about 30 minutes:
# 3 runs a query, the 30 s time limit, no rdflib-endpoint). The test extras bring Oxigraph's own
# server (the `oxigraph` command), the peer column.
BENCH_SIZES ?= 10000 100000 1000000
bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py --sizes $(BENCH_SIZES)

# Not part of `make test`: serves the built store and measures p50/p95/p99 latency and error rate of
# the named queries, alone and while one client sends queries that are killed at the time limit.
loadtest: $(LEGIONGRAPH_STORE_PATH)/CURRENT
	$(BIN)/python bench/load.py

reference: $(STAMP)
	$(BIN)/python scripts/make_reference.py

clean:
	rm -rf var tests/artifacts .pytest_cache site

distclean: clean
	rm -rf $(VENV) src/*.egg-info node_modules $(YASGUI_DIR)
