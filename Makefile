# ChartLab — two entry points: `make run` and `make test`.
PYTHON ?= python3
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
	@if [ "$$CHARTLAB_DEMO" = "1" ]; then $(PY) -m progress seed-demo; fi
	$(PY) -m streamlit run asgi.py

test: $(STAMP)
	$(PY) -m pytest -q

validate: $(STAMP)
	$(PY) -m cases validate --seeds 50

bench: $(STAMP)
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
