# Two commands: `make demo` (fresh machine -> working demo on DuckDB) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# fakesnow (the Snowflake emulator tests/snowflake starts) pins its own duckdb and sqlglot
FAKESNOW := .venv-fakesnow/bin/python
DEMO_DIR := examples/shop

TRINO_DRIVER := drivers/trino/build/libadbc_driver_trino.so

.PHONY: demo test bench clean browser trino-build-deps

$(BIN)/fusion: core/pyproject.toml adapters/duckdb/pyproject.toml adapters/postgres/pyproject.toml \
		adapters/redshift/pyproject.toml adapters/databricks/pyproject.toml adapters/snowflake/pyproject.toml adapters/bigquery/pyproject.toml adapters/trino/pyproject.toml signing/pyproject.toml adapter-tests/pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ./core -e ./adapters/duckdb -e ./adapters/postgres -e ./adapters/redshift \
		-e ./adapters/databricks \
		-e ./adapters/snowflake -e ./adapters/bigquery -e ./adapters/trino -e ./signing -e ./adapter-tests \
		-r requirements-dev.txt
	touch $(BIN)/fusion

demo: $(BIN)/fusion
	cd $(DEMO_DIR) && ../../$(BIN)/fusion build
	cd $(DEMO_DIR) && ../../$(BIN)/fusion show --select customers --limit 5

# Spark Connect servers the tests start (tests/spark): each in its own venv, never beside pyspark's
.venv-sail/bin/sail:
	$(PYTHON) -m venv .venv-sail
	.venv-sail/bin/pip install --quiet pysail==0.7.2

.venv-spark/bin/pyspark:
	$(PYTHON) -m venv .venv-spark
	.venv-spark/bin/pip install --quiet pyspark==4.3.0

$(FAKESNOW): tests/snowflake/requirements-fakesnow.txt
	$(PYTHON) -m venv .venv-fakesnow
	.venv-fakesnow/bin/pip install --quiet -r tests/snowflake/requirements-fakesnow.txt
	touch $(FAKESNOW)

# bqemulator (the BigQuery emulator tests/bigquery starts) pins its own duckdb
.venv-bqemulator/bin/bqemulator: tests/bigquery/requirements-bqemulator.txt
	$(PYTHON) -m venv .venv-bqemulator
	.venv-bqemulator/bin/pip install --quiet -r tests/bigquery/requirements-bqemulator.txt
	touch .venv-bqemulator/bin/bqemulator

# Debian's chromium for tests/test_docs_serve.py, installed when missing and we are root (CI is);
# where it cannot be installed that test skips and says why
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
		|| echo "chromium cannot be installed here: tests/test_docs_serve.py will skip its browser test"

# The Trino ADBC driver (drivers/trino) is C against libcurl and jansson: their Debian -dev
# packages are installed when missing and we are root (CI is); adbc.h comes from the venv
trino-build-deps:
	@printf '#include <curl/curl.h>\n#include <jansson.h>\n' | cc -E -x c - >/dev/null 2>&1 \
		|| { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcurl4-openssl-dev libjansson-dev >/dev/null; } \
		|| echo "libcurl4-openssl-dev and libjansson-dev cannot be installed here: the Trino driver cannot be built"

$(TRINO_DRIVER): $(BIN)/fusion trino-build-deps $(wildcard drivers/trino/src/*) drivers/trino/Makefile
	$(MAKE) -C drivers/trino PYTHON=$(CURDIR)/$(BIN)/python

test: $(BIN)/fusion .venv-sail/bin/sail .venv-spark/bin/pyspark $(FAKESNOW) .venv-bqemulator/bin/bqemulator browser \
		$(TRINO_DRIVER)
	$(BIN)/python -m pytest -q --durations=15

bench: $(BIN)/fusion
	$(BIN)/python bench/run_bench.py --models 1000

clean:
	$(MAKE) -C drivers/trino clean
	rm -rf $(VENV) .venv-sail .venv-spark .venv-fakesnow .venv-bqemulator $(DEMO_DIR)/target $(DEMO_DIR)/logs $(DEMO_DIR)/*.duckdb
