# ChartLab — two entry points: `make run` and `make test`.
# `make run` listens on 127.0.0.1 only; CHARTLAB_HOST=0.0.0.0 (or an address) opens it to the
# network (the first account then needs the setup token printed on this console). CHARTLAB_DEV=1
# shows full error details in the browser (off otherwise, see .streamlit/config.toml).
# CHARTLAB_DEMO=1 seeds the demo cohort once when the server starts (asgi.py), so it works with
# `streamlit run asgi.py` too.
PYTHON ?= python3
CHARTLAB_HOST ?= 127.0.0.1
ERROR_DETAILS := $(if $(filter 1,$(CHARTLAB_DEV)),--client.showErrorDetails full,)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench validate clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run asgi.py --server.address "$(CHARTLAB_HOST)" $(ERROR_DETAILS)

test: $(STAMP)
	$(PY) -m pytest -q

validate: $(STAMP)
	$(PY) -m cases validate --seeds 50

bench: $(STAMP)
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
