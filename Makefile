# FleksMatch: every target creates .venv and installs on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test serve bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

# Debian packages the suite uses (mdbtools for Access, chromium for browser tests); idempotent, best effort.
system-deps:
	@bash .ci/system-deps

demo: $(STAMP)
	$(BIN)/fleksmatch demo

test: $(STAMP) system-deps
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2

serve: $(STAMP)
	$(BIN)/fleksmatch serve

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var test-artifacts
