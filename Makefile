# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install demo serve test lint translations clean bench

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## make demo: install, migrate, load the course, seed the demo and serve it
demo: install
	$(BIN)/lms db upgrade
	$(BIN)/lms content load course_content/social-media-manager
	$(BIN)/lms demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C stops)"
	$(BIN)/lms run --host $(HOST) --port $(PORT)

## make test: install and run the whole suite (LMS_TEST_DATABASE_URL selects PostgreSQL)
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

## make translations: extract messages and refresh the catalogs, then compile them
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k _ln:1,2 -k lazy_ngettext:1,2 -o lms/translations/messages.pot --no-location --omit-header lms
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d lms/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## make bench: the benchmark suite on PostgreSQL (bench/README.md); never part of make test.
## Needs wrk from Debian (installed here if missing) and the database server on 127.0.0.1:5432.
bench: install
	command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)
