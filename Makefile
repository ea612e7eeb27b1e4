# Two commands matter: `make run` and `make test`. Everything else is a step they call.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
UI_PORT ?= 8501
# The CPU default, chosen by measurement (docs/benchmarks.md, "Grounded answers"): the notes'
# own sentences, composed from the selected evidence and checked, answer in ~0.1 s; with the
# 0.5B LLM rewriting them most drafts failed the support check and fell back to that same
# composition after 6-90 s. GENERATOR=vllm or llamacpp let an LLM condense and translate.
GENERATOR ?= extractive

.PHONY: venv index run browser generator-vllm generator-llamacpp generator-openai generator-extractive \
	test test-setup lint format eval bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Incremental: a no-op in a second when nothing changed, a rebuild when settings changed.
index: venv
	$(PY) -m ingest

include mk/generators.mk
include mk/docker.mk

generator-vllm: vllm-serve
generator-llamacpp: llamacpp models-gguf
generator-openai generator-extractive:
	@true

# API on $(PORT) and chat UI on $(UI_PORT); Ctrl-C stops both (and the vLLM server).
run: index generator-$(GENERATOR)
	GENERATOR=$(GENERATOR) HOST=$(HOST) PORT=$(PORT) UI_PORT=$(UI_PORT) PY=$(PY) VLLM_PORT=$(VLLM_PORT) \
		HF_MODEL=$(strip $(HF_MODEL)) \
		bash scripts/run.sh

# Everything the tests need: both llama.cpp GGUFs (0.5B answers, 1.5B judges), llama.cpp
# itself, the vLLM CPU venv and its HF model, Chromium for the browser tests. Each step is
# stamped or checked first: reruns cost nothing.
test-setup: venv llamacpp vllm-venv browser
	$(MAKE) models-gguf GGUF_MODEL="qwen0.5b qwen1.5b"
	$(MAKE) models-hf HF_MODEL=qwen0.5b

test: test-setup
	$(PY) -m pytest -q

browser:
	@bash scripts/install_browser.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy contract core ingest service eval ui

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

eval: index
	$(PY) -m eval.run --mode all

bench:
	$(PY) scripts/bench_api.py --url http://$(HOST):$(PORT)

clean:
	rm -rf index eval/out .pytest_cache .mypy_cache .ruff_cache
