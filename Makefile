# Two commands on a fresh machine:  make run  and  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test notebooks bench lint format setup browser clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) browser

# Headless Chromium for the browser test of `siepac report` (Debian's package). Where it cannot be
# installed (no apt-get, not root, no registry) this only says so, and that test is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) >/dev/null 2>&1; } \
		|| echo "chromium not installed: the browser test of siepac report will be skipped"

run: $(STAMP)
	$(BIN)/siepac run scenarios/base_2022.yaml

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy simulator
	$(BIN)/pytest
	rm -rf results/notebooks/7_days && SIEPAC_NOTEBOOK_DAYS=7 $(BIN)/pytest --nbmake --nbmake-timeout=600 notebooks/*.ipynb

# The five notebooks on the full year; executed copies (with outputs) in results/notebooks/executed/
notebooks: $(STAMP)
	mkdir -p results/notebooks/executed
	SIEPAC_NOTEBOOK_DAYS= $(BIN)/jupyter-execute --output='../results/notebooks/executed/{notebook_name}' notebooks/[0-9]*.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/run_benchmarks.py --runs 3
	$(BIN)/python benchmarks/expansion.py --runs 3 --monolithic-runs 1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) results
