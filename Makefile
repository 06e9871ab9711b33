# The two commands of README.md: `make lab` opens the course (the repository root is served, so notebooks/ and
# exercises/ are both reachable), `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# jupyter refuses to start as root without --allow-root (containers, Binder-like machines)
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: lab test notebooks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

lab: $(BIN)/python
	$(BIN)/pip install -q -e ".[course]"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=. notebooks/00_start_here.ipynb

test: $(BIN)/python
	bash tools/setup-system.sh
	$(BIN)/pip install -q -e ".[test]"
	$(BIN)/autograd-kit sandbox-setup  # the grading sandbox's interpreter (once per machine)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest tests
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest --nbval --nbval-current-env \
		--nbval-sanitize-with notebooks/nbval_sanitize.cfg notebooks

notebooks: $(BIN)/python
	$(BIN)/pip install -q -e ".[course]"
	$(BIN)/python tools/build_notebooks.py
