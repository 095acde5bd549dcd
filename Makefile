# Two commands for a fresh Linux machine with Python 3.11, git and make:
#   make run    set up, build the sample warehouse on first use, open the dashboard
#   make test   set up (including headless Chromium for browser tests) and run every test
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test setup browser lint clean bench-smoke

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Tenure needs Python 3.11 ($(PYTHON) not found); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(PY) requirements.lock
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) -m pipelines demo
	$(PY) -m ui.serve --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

browser:
	bash scripts/install-browser.sh

test: setup browser
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) data/local

# A ~200k-ticket benchmark run as a smoke test: fails on errors, never on time.
bench-smoke: setup
	$(PY) -m pipelines bench --people 300 --tickets 200000 --out data/local/bench --report data/local/bench-smoke.md
