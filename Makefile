# The one place the project's commands live. README and CI call these.
#   make run    set everything up, then run web, worker and beat with demo data
#   make test   set everything up, then run the whole test suite
PYTHON ?= python3
VENV := .venv

.PHONY: run test setup lint clean

run: setup
	$(VENV)/bin/python -m nrm_panel.local run

test: setup
	$(VENV)/bin/python -m nrm_panel.local test

setup:
	PYTHON=$(PYTHON) scripts/setup

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules static/build var/staticfiles
