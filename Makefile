# The one place the project's commands live. README and CI call these.
#   make run    set everything up, then run web, worker and beat with demo data
#   make test   set everything up, then run the whole test suite
#   make bench  set everything up, then time letters, the 45-day clock's sweep and the main pages (bench/)
PYTHON ?= python3
VENV := .venv

.PHONY: run test bench setup lint clean

run: setup
	$(VENV)/bin/python -m nrm_panel.local run

test: setup
	$(VENV)/bin/python -m nrm_panel.local test

bench: setup
	$(VENV)/bin/python bench/letters
	$(VENV)/bin/python bench/clock
	$(VENV)/bin/python bench/pages

setup:
	PYTHON=$(PYTHON) scripts/setup

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules static/build var/staticfiles
