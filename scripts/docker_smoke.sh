#!/usr/bin/env bash
# make docker-smoke: build the project's Dockerfile for real and answer from inside the image.
#
#   engine (install docker.io / start dockerd if needed) → local base image (debootstrap, once)
#   → docker build → API container: /readyz, /healthz, a real /ask answered by llama.cpp with
#   citations, /metrics, non-root, HEALTHCHECK healthy → UI container serves its page
#   → docker-compose.yml and compose.gpu.env through a real Compose (v2, from PyPI)
#
# Everything runs on the host's network (`--network host`, dockerd --bridge=none) and serves on
# 127.0.0.1 only. Figures go to .cache/docker/results.json. Skips (exit 0, with the reason) only
# when no Docker engine can be had. What it started (dockerd, containers, the loopback wheel
# server) it stops on exit, by pid or name.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
WORK="$ROOT/.cache/docker"
mkdir -p "$WORK"
# the official image can't be pulled here; Debian bookworm's python3 is 3.11 too
BASE_IMAGE="${DOCKER_BASE_IMAGE:-local/python:3.11-bookworm}"
IMAGE="${DOCKER_SMOKE_IMAGE:-llm-notes-qa:smoke}"
# 45 min: a cold build took 43 min on 2 cores shared with other heavy jobs, ~20 expected on
# 2 free ones (docs/benchmarks.md); CI allows 90 min in all, ~20 of them for `make test`
BUILD_TIMEOUT_S="${DOCKER_BUILD_TIMEOUT_S:-2700}"
RESULTS="$WORK/results.json"
TAG="smoke-$$"
WHEEL_PID=""

source scripts/docker/engine.sh
source scripts/docker/base_image.sh
source scripts/docker/compose_check.sh

log() { echo "[docker-smoke] $*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() {
  local rc=$?
  for c in "$TAG-api" "$TAG-ui"; do
    "${DOCKER:-docker}" rm -f "$c" >/dev/null 2>&1 || true
  done
  "${DOCKER:-docker}" volume rm -f "$TAG-progress" >/dev/null 2>&1 || true
  if [[ -n "$WHEEL_PID" ]]; then kill "$WHEEL_PID" 2>/dev/null || true; fi
  engine_down
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
  log "FAILED: $*"
  local c
  for c in "$TAG-api" "$TAG-ui"; do
    if "$DOCKER" inspect "$c" >/dev/null 2>&1; then
      log "--- last lines of $c ---"
      "$DOCKER" logs --tail 40 "$c" 2>&1 || true
    fi
  done
  exit 1
}

# The torch wheel the Dockerfile pins, from the host pip's find-links directories when one has
# it (download.pytorch.org, the Dockerfile's default index, is unreachable here): served as a
# one-project index on loopback, which the build reaches through the host network. Sets
# TORCH_ARG (global, not echoed: the server's pid must stay in this shell to be stopped).
TORCH_ARG=()
torch_index_arg() {
  local want dirs d whl=""
  want="$(grep -o 'torch==[0-9.]*' Dockerfile | head -1 | cut -d= -f3)"
  dirs="${PIP_FIND_LINKS:-} $(python3 -m pip config list 2>/dev/null |
    sed -n "s/^[a-z:]*\.find-links='\(.*\)'$/\1/p")"
  for d in $dirs; do
    d="${d#file://}"
    for whl in "$d"/torch-"$want"+cpu-cp311-cp311-*x86_64.whl; do
      [[ -f "$whl" ]] && break
      whl=""
    done
    [[ -n "$whl" ]] && break
  done
  if [[ -z "${whl:-}" ]]; then
    log "torch: no local $want+cpu wheel; the build uses the Dockerfile's default index"
    return 0
  fi
  rm -rf "$WORK/torch-index" && mkdir -p "$WORK/torch-index/torch"
  ln -s "$whl" "$WORK/torch-index/torch/"
  # A fixed port: the URL is a build arg, so it is part of the torch layer's cache key, and a
  # new port each run would rebuild that layer and every one after it. Another if it is taken.
  local port="${DOCKER_WHEEL_PORT:-38471}"
  if ! python3 -c "import socket,sys; socket.socket().bind(('127.0.0.1', int(sys.argv[1])))" "$port" 2>/dev/null; then
    port="$(free_port)"
    log "torch: port ${DOCKER_WHEEL_PORT:-38471} is taken, using $port (the torch layer rebuilds)"
  fi
  python3 -m http.server --bind 127.0.0.1 --directory "$WORK/torch-index" "$port" \
    >"$WORK/torch-index.log" 2>&1 &
  WHEEL_PID=$!
  log "torch: serving $(basename "$whl") on 127.0.0.1:$port (pid $WHEEL_PID)"
  TORCH_ARG=(--build-arg "TORCH_INDEX_URL=http://127.0.0.1:$port/")
}

if ! engine_up; then
  log "SKIPPED: no Docker engine can be started here: $ENGINE_WHY"
  exit 0
fi
export DOCKER_BUILDKIT=1
base_image_up "$BASE_IMAGE" || die "could not make the base image $BASE_IMAGE"

# ---- build --------------------------------------------------------------------------------
torch_index_arg
cached="warm"
old_id="$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null)" || cached="cold (no earlier image)"
log "docker build -t $IMAGE ($cached; log: $WORK/build.log)"
t0=$SECONDS
timeout "$BUILD_TIMEOUT_S" "$DOCKER" build --network host --progress plain \
  --build-arg PYTHON_IMAGE="$BASE_IMAGE" "${TORCH_ARG[@]}" -t "$IMAGE" . >"$WORK/build.log" 2>&1 ||
  { tail -30 "$WORK/build.log"; die "docker build failed (see $WORK/build.log)"; }
build_s=$((SECONDS - t0))
# the image this build replaced (~3 GB) is dead weight once the tag moves on
if [[ -n "${old_id:-}" && "$old_id" != "$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE")" ]]; then
  if "$DOCKER" rmi "$old_id" >/dev/null 2>&1; then log "removed the image it replaced (${old_id:7:12})"; fi
fi
if [[ -n "$BASE_REPLACED" ]] && "$DOCKER" rmi "$BASE_REPLACED" >/dev/null 2>&1; then
  log "removed the base image it replaced (${BASE_REPLACED:7:12})"
fi
size_mb=$(($("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE") / 1000000))
log "built in ${build_s} s; image ${size_mb} MB"

# ---- the API, as compose runs it: read-only root, tmpfs for /tmp and the home directory, ----
# ---- and a fresh named volume for practice progress                                      ----
port="$(free_port)"
run_opts=(--network host --read-only --tmpfs /tmp --tmpfs /home/app)
volumes=(-v "$TAG-progress:/app/data")
"$DOCKER" volume rm -f "$TAG-progress" >/dev/null 2>&1 || true
started_at="$(date +%s.%N)"
"$DOCKER" run -d --name "$TAG-api" "${run_opts[@]}" "${volumes[@]}" \
  -e NOTESQA_HOST=127.0.0.1 -e NOTESQA_PORT="$port" "$IMAGE" >/dev/null
python3 scripts/docker/check.py api "http://127.0.0.1:$port" --started-at "$started_at" \
  --container "$TAG-api" --docker "$DOCKER" --out "$WORK/api.json" || die "API checks"

# shellcheck disable=SC2016  # $2 is awk's
uid="$("$DOCKER" exec "$TAG-api" awk '/^Uid:/ {print $2}' /proc/1/status)"
[[ "$uid" == 10001 ]] || die "the API runs as uid $uid, not the image's user 10001"
baked="$("$DOCKER" exec "$TAG-api" readlink /app/index/current)"
grep -q "\"index_version\": \"${baked##*/}\"" "$WORK/api.json" ||
  die "the API serves another index than the one built into the image ($baked)"
# the image's HEALTHCHECK (python on PATH, urllib): first run 15 s after the start
for _ in $(seq 1 60); do
  health="$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$TAG-api")"
  [[ "$health" == starting ]] || break
  sleep 1
done
[[ "$health" == healthy ]] || die "HEALTHCHECK says $health"
log "api: uid 10001, index ${baked##*/} from the image, HEALTHCHECK healthy"

# ---- practice progress is written to its volume and survives a restart ----------------------
python3 scripts/docker/check.py practice "http://127.0.0.1:$port" --seen 0 \
  --container "$TAG-api" --docker "$DOCKER" || die "practice checks"
"$DOCKER" restart "$TAG-api" >/dev/null
python3 scripts/docker/check.py practice "http://127.0.0.1:$port" --seen 1 \
  --container "$TAG-api" --docker "$DOCKER" || die "practice progress after a restart"
log "practice: graded, and the progress kept across a restart"

# ---- the UI command, a client of that API ----------------------------------------------------
ui_port="$(free_port)"
"$DOCKER" run -d --name "$TAG-ui" "${run_opts[@]}" -e NOTESQA_API_URL="http://127.0.0.1:$port" \
  -e HEALTHCHECK_URL="http://127.0.0.1:$ui_port/_stcore/health" \
  "$IMAGE" streamlit run ui/app.py --server.headless=true --server.address=127.0.0.1 \
  --server.port="$ui_port" --browser.gatherUsageStats=false >/dev/null
python3 scripts/docker/check.py ui "http://127.0.0.1:$ui_port" --container "$TAG-ui" \
  --docker "$DOCKER" --out "$WORK/ui.json" || die "UI checks"

compose_check || die "docker-compose.yml through Compose"

python3 - "$RESULTS" "$build_s" "$cached" "$size_mb" "$WORK/api.json" "$WORK/ui.json" <<'PY'
import json, sys
out, build_s, cached, size_mb, api, ui = sys.argv[1:]
res = {"build_s": int(build_s), "build_cache": cached, "image_mb": int(size_mb)}
for f in (api, ui):
    res.update(json.load(open(f)))
json.dump(res, open(out, "w"), indent=1)
print("[docker-smoke] OK", json.dumps(res))
PY
