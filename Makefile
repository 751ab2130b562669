# Two commands: `make demo` (fresh machine -> working demo on DuckDB) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := examples/shop

.PHONY: demo test bench clean

$(BIN)/fusion: core/pyproject.toml adapters/duckdb/pyproject.toml adapters/postgres/pyproject.toml adapters/databricks/pyproject.toml \
		signing/pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ./core -e ./adapters/duckdb -e ./adapters/postgres -e ./adapters/databricks -e ./signing \
		-r requirements-dev.txt
	touch $(BIN)/fusion

demo: $(BIN)/fusion
	cd $(DEMO_DIR) && ../../$(BIN)/fusion build
	cd $(DEMO_DIR) && ../../$(BIN)/fusion show --select customers --limit 5

test: $(BIN)/fusion
	$(BIN)/python -m pytest -q

bench: $(BIN)/fusion
	$(BIN)/python bench/run_bench.py --models 1000

clean:
	rm -rf $(VENV) $(DEMO_DIR)/target $(DEMO_DIR)/logs $(DEMO_DIR)/*.duckdb
