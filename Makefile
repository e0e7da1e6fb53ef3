# Every target creates .venv when it is missing, so a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup browser demo test test-fast crawl lint schema-docs bench reliability clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/kei-crawler demo

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# Debian's chromium, which the report's browser tests drive with Playwright (never a downloaded browser).
# Without recommends (a few dozen desktop packages fewer); a failed install retries after `apt-get update`,
# since a fresh machine's package lists may be stale. Not root or no apt-get: one line of advice, and the
# browser tests skip (fail under KEI_REQUIRE_BROWSER=1, as in .ci/run).
APT_CHROMIUM := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
browser:
	@if [ -n "$$KEI_CHROMIUM" ] && [ -x "$$KEI_CHROMIUM" ] || [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		$(APT_CHROMIUM) || { apt-get update && $(APT_CHROMIUM); }; \
	else echo "make browser: install Debian's chromium (apt-get install chromium) or set KEI_CHROMIUM; the browser tests skip without it"; fi

# The unit tests alone (tests/unit: no sockets, no child processes; under a minute). `make test` runs all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

crawl: $(STAMP)
	$(BIN)/kei-crawler crawl

# ruff, ruff format, and mypy: strict over kei_crawler, tests and benchmarks non-strict (pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# docs/schema.md's generated tables (columns, schema versions) from items.py and storage/snapshot/schema.py.
schema-docs: $(STAMP)
	$(BIN)/python -m kei_crawler.storage.snapshot.schema_docs

# BENCH_ARGS narrows or widens it: BENCH_ARGS="--only crawl --only extraction", or BENCH_ARGS=--all
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

reliability: $(STAMP)
	$(BIN)/python -m benchmarks.reliability

clean:
	rm -rf $(VENV) build *.egg-info
