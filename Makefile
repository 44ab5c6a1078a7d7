# One command to set up and run the demo, one to set up and run the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := fixtures/demo
DEMO_DB := $(DEMO)/.posjobs/posjobs.db

.PHONY: demo test lint clean

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

lint: $(STAMP)
	$(BIN)/ruff check posjobs tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
