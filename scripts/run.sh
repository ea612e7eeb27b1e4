#!/usr/bin/env bash
# Started by `make run`: the chat UI in the background, the API in the foreground.
# Ctrl-C (or the API exiting) stops the UI, and the vLLM server if `make run` started one.
set -euo pipefail
: "${PY:=.venv/bin/python}" "${HOST:=127.0.0.1}" "${PORT:=8000}" "${UI_PORT:=8501}" "${GENERATOR:=extractive}"

mkdir -p .cache
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$GENERATOR" = "vllm" ]; then make --no-print-directory vllm-stop || true; fi
}
trap cleanup EXIT INT TERM

if [ -f ui/app.py ]; then
  NOTESQA_API_URL="http://$HOST:$PORT" "$PY" -m streamlit run ui/app.py \
    --server.headless true --server.address "$HOST" --server.port "$UI_PORT" \
    --browser.gatherUsageStats false >.cache/ui.log 2>&1 &
  pids+=("$!")
  echo "chat UI:  http://$HOST:$UI_PORT  (log: .cache/ui.log)"
fi
echo "API:      http://$HOST:$PORT/docs   generator: $GENERATOR"
if [ "$GENERATOR" = "vllm" ]; then
  # The server `make vllm-serve` started, unless the caller points elsewhere.
  export NOTESQA_LLM_BASE_URL="${NOTESQA_LLM_BASE_URL:-http://127.0.0.1:${VLLM_PORT:-8100}/v1}"
  # the served model name, as `make vllm-serve` named it (it follows the CPU)
  export NOTESQA_LLM_MODEL="${NOTESQA_LLM_MODEL:-${HF_MODEL:-qwen0.5b}}"
  if [ -d "models/$NOTESQA_LLM_MODEL-hf" ]; then  # exact token counts for prompt budgeting
    export NOTESQA_LLM_TOKENIZER_PATH="${NOTESQA_LLM_TOKENIZER_PATH:-models/$NOTESQA_LLM_MODEL-hf}"
  fi
fi
# In the background plus `wait`, so a TERM to this script runs the cleanup at once.
"$PY" -m service --host "$HOST" --port "$PORT" --generator "$GENERATOR" &
pids+=("$!")
wait "$!"
