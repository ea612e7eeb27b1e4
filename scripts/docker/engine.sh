# Sourced by scripts/docker_smoke.sh: a Docker engine to build and run with.
#
#   engine_up      installs Debian's docker.io if no dockerd exists, starts dockerd if none
#                  answers, and sets DOCKER (a client that can build with BuildKit)
#   engine_down    stops the dockerd that engine_up started (by its own pid), nothing else
#
# Both return non-zero with ENGINE_WHY set when no engine can be had; the caller then skips.
# shellcheck disable=SC2034  # ENGINE_WHY and DOCKER are read by the script that sources this

ENGINE_PID=""
ENGINE_WHY=""
# where dockerd's log goes when we start it (the caller sets WORK)
ENGINE_LOG="${WORK:-/tmp}/dockerd.log"

# A client that builds with BuildKit: the cache mounts in the Dockerfile need it. Docker 23+
# clients build with BuildKit only through the buildx plugin; a 20.10 client (Debian's
# docker.io) has BuildKit built in behind DOCKER_BUILDKIT=1. A machine can have both (here:
# a static 28.x client in /usr/local/bin without buildx, and docker.io's in /usr/bin).
_pick_client() {
  local c major
  for c in $(type -ap docker); do
    if "$c" buildx version >/dev/null 2>&1; then
      DOCKER="$c"
      return 0
    fi
    major="$("$c" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)"
    if [[ "$major" =~ ^[0-9]+$ ]] && ((major < 23)); then
      DOCKER="$c"
      return 0
    fi
  done
  ENGINE_WHY="no docker client with BuildKit (neither the buildx plugin nor a 20.10 client)"
  return 1
}

_install_engine() {
  command -v dockerd >/dev/null && return 0
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
    ENGINE_WHY="no dockerd, and no root apt-get to install Debian's docker.io"
    return 1
  fi
  echo "[docker-smoke] installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  # the package lists may be stale or trimmed: one update, then the install
  apt-get update -qq >/dev/null 2>&1 || true
  if ! apt-get install -y -qq --no-install-recommends docker.io >"$WORK/apt-docker.log" 2>&1; then
    ENGINE_WHY="apt-get install docker.io failed: $(tail -1 "$WORK/apt-docker.log")"
    return 1
  fi
}

engine_up() {
  _install_engine || return 1
  _pick_client || return 1
  if "$DOCKER" info >/dev/null 2>&1; then
    echo "[docker-smoke] using the running engine ($("$DOCKER" version --format '{{.Server.Version}}'))"
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    ENGINE_WHY="no engine answers and starting dockerd needs root"
    return 1
  fi
  # --bridge=none and no iptables: builds and containers use the host's network (loopback for
  # the tests), so no container gets an address on a private range and no NAT rule is made.
  dockerd --bridge=none --iptables=false --ip6tables=false >"$ENGINE_LOG" 2>&1 &
  ENGINE_PID=$!
  # up to 60 s: a first start on a fresh disk sets up overlay2 and containerd
  for _ in $(seq 1 60); do
    if "$DOCKER" info >/dev/null 2>&1; then
      echo "[docker-smoke] started dockerd (pid $ENGINE_PID)"
      return 0
    fi
    if ! kill -0 "$ENGINE_PID" 2>/dev/null; then
      ENGINE_WHY="dockerd exited at start: $(tail -1 "$ENGINE_LOG")"
      ENGINE_PID=""
      return 1
    fi
    sleep 1
  done
  ENGINE_WHY="dockerd did not answer within 60 s: $(tail -1 "$ENGINE_LOG")"
  engine_down
  return 1
}

engine_down() {
  [[ -n "$ENGINE_PID" ]] || return 0
  kill -TERM "$ENGINE_PID" 2>/dev/null || true
  # dockerd stops its containers first; 30 s, then it is killed
  for _ in $(seq 1 30); do
    kill -0 "$ENGINE_PID" 2>/dev/null || break
    sleep 1
  done
  kill -KILL "$ENGINE_PID" 2>/dev/null || true
  wait "$ENGINE_PID" 2>/dev/null || true
  echo "[docker-smoke] stopped dockerd (pid $ENGINE_PID)"
  ENGINE_PID=""
}
