# Two commands on a fresh machine:  make run  and  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test notebooks bench lint format setup clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/siepac run scenarios/base_2022.yaml

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy simulator
	$(BIN)/pytest
	rm -rf results/notebooks/7_days && SIEPAC_NOTEBOOK_DAYS=7 $(BIN)/pytest --nbmake --nbmake-timeout=300 notebooks/*.ipynb

# The four notebooks on the full year; executed copies (with outputs) in results/notebooks/executed/
notebooks: $(STAMP)
	mkdir -p results/notebooks/executed
	SIEPAC_NOTEBOOK_DAYS= $(BIN)/jupyter-execute --output='../results/notebooks/executed/{notebook_name}' notebooks/[0-9]*.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/run_benchmarks.py --runs 3

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) results
