# Two commands matter: `make run` and `make test`. Everything else is a step they call.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
UI_PORT ?= 8501

.PHONY: venv index run serve ui test lint format bench eval clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Incremental: a no-op in a second when nothing changed, a rebuild when settings changed.
index: venv
	$(PY) -m ingest

-include mk/generators.mk

run: index
	$(PY) -m service --host $(HOST) --port $(PORT)

test: venv
	$(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy core ingest service eval

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

eval: index
	$(PY) -m eval.run --mode all --retrieval-only

clean:
	rm -rf index eval/out .pytest_cache .mypy_cache .ruff_cache
