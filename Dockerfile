# CPU image of the API with the extractive or llama.cpp generator.
# The GPU deployment talks to a separate `vllm serve` container (see README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    NOTESQA_HOST=0.0.0.0

WORKDIR /app
# torch first, from the CPU wheel index: left to itself pip would pull a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY core core
COPY ingest ingest
COPY service service
COPY eval eval
COPY corpus corpus
# Build the index at image build time so the container starts ready.
RUN pip install . && python -m ingest --quiet

EXPOSE 8000
# nobody: the app only reads the image's files
USER 65534
CMD ["python", "-m", "service", "--host", "0.0.0.0", "--port", "8000", "--generator", "extractive"]
