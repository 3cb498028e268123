# legiongraph: `make run` builds the graph and shows it; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The built store lives in the working copy so that `make run` and `make clean` find it.
export LEGIONGRAPH_STORE_PATH ?= $(CURDIR)/var/store

.PHONY: run test lint build stats bench reference clean distclean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

$(LEGIONGRAPH_STORE_PATH)/CURRENT: $(STAMP) $(wildcard ontology/*.ttl data/*/*.ttl data/*/*.trig)
	$(BIN)/legiongraph build

build: $(STAMP)
	$(BIN)/legiongraph build

run: $(LEGIONGRAPH_STORE_PATH)/CURRENT
	$(BIN)/legiongraph stats
	@echo
	@echo "== Foreign prisoners of war held by Ukraine on 2 May 2025, by citizenship =="
	$(BIN)/legiongraph query pow-by-country
	@echo
	@echo "== Named persons and what happened to them =="
	$(BIN)/legiongraph query named-persons

test: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts

reference: $(STAMP)
	$(BIN)/python scripts/make_reference.py

clean:
	rm -rf var tests/artifacts .pytest_cache

distclean: clean
	rm -rf $(VENV) src/*.egg-info
