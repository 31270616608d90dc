# The two commands users need: `make run` and `make test`. Both set up .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= dyads.duckdb
ARTICLES ?= 2000

.PHONY: run test bench eval clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/dyads ingest examples/articles --db $(DB)
	$(BIN)/dyads events --db $(DB) --format table

test: $(STAMP)
	bash scripts/ensure_chromium.sh
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/dyads eval ../shared/data/dev/plover_gsr_dev.jsonl
	$(BIN)/dyads eval ../shared/data/dev/petr2_gsr_validation.jsonl

bench: $(STAMP)
	$(BIN)/python bench/bench_code.py --articles $(ARTICLES)
	$(BIN)/python bench/bench_series.py
	$(BIN)/python bench/bench_load.py

clean:
	rm -rf $(VENV) $(DB) build *.egg-info src/*.egg-info
