# Footnote: `make run` sets up, ingests the sample corpus and serves the app;
# `make test` sets up and runs the test suite. Everything installs into .venv.
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: setup system-deps run ingest test test-fast lint data bench bench-ingest clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install Footnote (CPU torch first)

system-deps:  ## chromium and PostgreSQL for the browser and Postgres tests (apt-get when missing)
	@bash scripts/system_deps.sh

run: setup  ## ingest the sample corpus and serve the app on http://127.0.0.1:$(PORT)
	$(BIN)/footnote db upgrade
	$(BIN)/footnote ingest sample
	$(BIN)/footnote app --port $(PORT)

ingest: setup
	$(BIN)/footnote ingest sample

.PHONY: eval
eval: setup  ## the sample eval set through the answer path, gated as in docs/evals.md
	$(BIN)/footnote ingest sample
	$(BIN)/footnote eval run data/evals/sample.jsonl --source sample --fail-under hit@5=0.8,refusal_correct=0.75,forbidden_leakage=0,superseded_leakage=0,faithfulness=0.9,citation_precision=0.9,must_include=0.75

test: setup system-deps  ## the whole suite, as CI runs it
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -rs

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not browser and not postgres"

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

data: setup  ## regenerate the binary files of the sample corpus from data/src
	$(BIN)/python scripts/make_data.py

bench: setup  ## benchmarks; figures go to docs/benchmarks.md
	$(BIN)/python -m benchmarks.ingest
	$(BIN)/python -m benchmarks.search --points 100000
	@if [ -d ../shared/datasets/scifact ]; then $(BIN)/footnote bench retrieval ../shared/datasets/scifact --tune train; fi
	$(BIN)/footnote bench qa  # the sample set, and the dxw handbook set when ../shared is present

bench-ingest: setup
	$(BIN)/python -m benchmarks.ingest

clean:
	rm -rf .footnote .pytest_cache
