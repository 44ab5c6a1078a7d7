# One command to set up and run the demo, one to set up and run the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
DEMO   := fixtures/demo
DEMO_DB := $(DEMO)/.posjobs/posjobs.db

.PHONY: demo test lint clean bench bench-quick conformance-record

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/posjobs --project $(DEMO) render / --param user_id=7 --param email=ada@example.com
	$(BIN)/posjobs --project $(DEMO) worker --burst --fast-forward
	$(BIN)/posjobs --project $(DEMO) jobs list
	$(BIN)/posjobs --project $(DEMO) logs -n 30

test: $(STAMP)
	$(BIN)/pytest -q

# The benchmark suite's extra (Huey, py-spy) on top of what `test` set up.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run --quick

# Regenerate tests/conformance/recorded.json with Ruby Liquid 5.4 + ActiveSupport (Debian:
# apt-get install ruby-liquid ruby-activesupport); the test suite itself needs no Ruby.
conformance-record:
	ruby tests/conformance/record.rb

lint: $(STAMP)
	$(BIN)/ruff check posjobs tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
