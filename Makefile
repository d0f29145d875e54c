# Each target bootstraps .venv when it is missing, so a fresh clone needs only Python 3.10+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,torch]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/python main.py

test: $(BIN)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(BIN)/.installed-test
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check .

bench: $(BIN)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/engine_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/gui_bench.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/redraw_bench.py
	$(BIN)/python benchmarks/startup_bench.py

clean:
	rm -rf $(VENV)
