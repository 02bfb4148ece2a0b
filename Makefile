# qz811: one entry point for tooling. `make demo` and `make test` create .venv themselves.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
DEMO_YEAR := --from 2019-01-01 --to 2019-12-31 --landing data/sample/air_2019 --known-gap 2019-04-08
SOURCE_SAMPLES := data/sample/sources/hj212_platform_2019-07.log data/sample/sources/wastewater_export_2019-07.csv \
	data/sample/sources/kahsolt_QZS04_2021-01.csv

.PHONY: venv demo test lint format bench bench-memory scale-demo lock clean

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "qz811 needs Python 3.11 (set PYTHON=...)"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -r requirements.lock
	@# The repo itself goes on the venv's path (no build step): pipeline/ and the DAGs import from here.
	$(PY) -c 'import site, sys; open(site.getsitepackages()[0] + "/qz811.pth", "w").write(sys.argv[1] + "\n")' "$(CURDIR)"
	@rm -f $(VENV)/.installed-* && touch $@

demo: venv  ## the real 2019 air year, water, sources, then the 811 scoreboard and alerts, on the bundled samples (SQLite)
	$(PY) -m pipeline init-db
	$(PY) -m pipeline backfill $(DEMO_YEAR)
	$(PY) -m pipeline summary --year 2019 --city 衢州
	$(PY) -m pipeline ranking --year 2019
	$(PY) -m pipeline water --date 2019-07-01 --date 2019-07-02 --quiet
	$(PY) -m pipeline water --month 2019-07
	$(PY) -m pipeline ingest sources $(SOURCE_SAMPLES)
	$(PY) -m pipeline sources --year 2019
	$(PY) -m pipeline ingest statistics data/sample/plan/statistics_2014-2019.csv
	$(PY) -m pipeline ingest precipitation data/sample/plan/precipitation_2018-2019.csv
	$(PY) -m pipeline ingest noise data/sample/plan/noise_2018-2019.csv
	$(PY) -m pipeline scoreboard --year 2019
	$(PY) -m pipeline report --year 2019
	$(PY) -m pipeline alerts --year 2019

test: venv  ## the suite on SQLite and on a throw-away PostgreSQL server (scripts/pg-test-server), with Chromium
	@scripts/ensure-chromium || echo "no Chromium: the report's browser test will be skipped (or fail if CI is set)"
	@if pg_env=$$(scripts/pg-test-server start); then \
		eval "$$pg_env"; trap 'scripts/pg-test-server stop "$$QZ811_TEST_PG_DIR"' EXIT; \
		echo "PostgreSQL test server: $$QZ811_TEST_PG_URL"; \
	else echo "no PostgreSQL server: its tests will be skipped"; fi; \
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check pipeline dags tests bench
	$(VENV)/bin/ruff format --check pipeline dags tests bench

format: venv
	$(VENV)/bin/ruff format pipeline dags tests bench
	$(VENV)/bin/ruff check --fix pipeline dags tests bench

PEER_STAMP := .venv-peer/.installed-$(shell cat bench/requirements-peer.txt | cksum | cut -d' ' -f1)

$(PEER_STAMP): bench/requirements-peer.txt  ## the calculators' speed peer (aqi-hub), never in the runtime lock
	$(PYTHON) -m venv .venv-peer
	.venv-peer/bin/python -m pip install --quiet -r bench/requirements-peer.txt
	@rm -f .venv-peer/.installed-* && touch $@

bench: venv $(PEER_STAMP)  ## figures -> bench/results.md and bench/results.json (a national year; a national night on SQLite and PostgreSQL; the calculators vs aqi-hub)
	@if pg_env=$$(scripts/pg-test-server start); then \
		eval "$$pg_env"; trap 'scripts/pg-test-server stop "$$QZ811_TEST_PG_DIR"' EXIT; \
		export QZ811_BENCH_PG_URL="$$QZ811_TEST_PG_URL"; \
	else echo "no PostgreSQL server: the PostgreSQL figures will not be measured"; fi; \
	$(PY) bench/run.py

SCALE_STAMP := .venv-scale/.installed-$(shell cat requirements.lock requirements-scale.txt | cksum | cut -d' ' -f1)

$(SCALE_STAMP): requirements.lock requirements-scale.txt
	$(PYTHON) -m venv .venv-scale
	.venv-scale/bin/python -m pip install --quiet --upgrade "pip>=24"
	.venv-scale/bin/python -m pip install --quiet -r requirements.lock
	.venv-scale/bin/python -m pip install --quiet -r requirements-scale.txt
	.venv-scale/bin/python -c 'import site, sys; open(site.getsitepackages()[0] + "/qz811.pth", "w").write(sys.argv[1] + "\n")' "$(CURDIR)"
	@rm -f .venv-scale/.installed-* && touch $@

bench-memory: venv  ## peak memory of `ingest` on inputs that unfold (issue 28.6) -> bench/input_memory.md and .json
	$(PY) bench/input_memory.py

scale-demo: $(SCALE_STAMP)  ## the national air night on Airflow + Celery: Redis, PostgreSQL, 2 workers vs 1 -> bench/scale_demo.md
	.venv-scale/bin/python bench/scale_demo.py

lock:  ## re-resolve requirements.in into requirements.lock
	rm -rf /tmp/qz811-lock && $(PYTHON) -m venv /tmp/qz811-lock
	/tmp/qz811-lock/bin/pip install --quiet --upgrade "pip>=24" && /tmp/qz811-lock/bin/pip install --quiet -r requirements.in
	/tmp/qz811-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) .venv-scale var
