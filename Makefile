# Two commands on a fresh machine (Python 3.11 only): `make report` and `make test`.
# Everything is installed into .venv from the pinned requirements.lock, by uv (pinned below):
# the same packages as pip installs, in seconds. Modules are compiled to bytecode when first
# imported, not all at install: the commands below let Python write its bytecode caches even on
# a machine that sets PYTHONDONTWRITEBYTECODE, which would otherwise compile every module anew
# in every process (the test suite starts hundreds).
unexport PYTHONDONTWRITEBYTECODE

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2
UV_VERSION := 0.13.8
UV     := $(BIN)/uv pip

.PHONY: all install report test test-fast lab fixtures browser graphviz benchmark clean help

all: test

help:
	@echo "make report   - install, run every paper notebook, write reports/index.html"
	@echo "make test     - install and run the whole test suite"
	@echo "make lab      - open JupyterLab on notebooks/"
	@echo "make fixtures - regenerate lavaan/semTools reference values (needs R)"
	@echo "make benchmark - bootstrap and whole-suite timings"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(UV) install --quiet --python $(BIN)/python -r requirements.lock
	$(UV) install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

install: $(STAMP)

report: $(STAMP) graphviz
	$(BIN)/replicate run --jobs $(JOBS) --out reports

# Headless Chromium renders the HTML reports in the browser test; install it when missing and we
# are allowed to (root with apt-get). Without it that one test is skipped with its reason.
browser: graphviz
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "chromium not installed: the browser test will be skipped"; }

# Graphviz `dot` lays out the path diagrams of every report; installed like chromium when missing.
graphviz:
	@command -v dot >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
	    || echo "graphviz (dot) not installed: path diagrams cannot be drawn"; }

test: $(STAMP) browser
	$(BIN)/lint-imports
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# JupyterLab refuses to start as root without --allow-root (root is the default user of many
# servers and containers); the file browser opens on notebooks/.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_ROOT) --ServerApp.root_dir=notebooks

# Reference values from R (lavaan, semTools); the tests read the committed JSON and need no R.
fixtures: $(STAMP)
	$(BIN)/python scripts/lavaan_fixture_data.py
	for f in scripts/*_fixtures.R; do Rscript $$f || exit 1; done

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bootstrap.py
	$(BIN)/python benchmarks/suite.py

clean:
	rm -rf reports .pytest_cache .hypothesis
