# Sourced by scripts/docker_smoke.sh: the local base image, made once.
#
#   base_image_up TAG   ensures TAG exists in the engine: Debian bookworm (minbase) with
#                       python3, python3-venv, python3-pip and the host's CA bundle, made with
#                       debootstrap from the host's apt mirror and `docker import`ed.
#                       Sets BASE_REPLACED to the id of the base it replaced, if any.
#
# No registry is reachable here, so `python:3.11-slim-bookworm` cannot be pulled; Debian
# bookworm's python3 is 3.11 as well. The image carries its recipe as a label, so a later run,
# from this clone or a fresh one, finds it in the engine and does nothing: every fresh clone
# debootstrapping its own base made a new base id, a cold app build and ~3 GB of dangling
# images each time (a full disk failed one CI run).

# Bump to rebuild the base everywhere (the label carries it).
BASE_RECIPE=2
BASE_REPLACED=""

# The host's Debian mirror as apt has it (a snapshot or proxy stays in use), else Debian's CDN.
_debian_mirror() {
  local uri
  # shellcheck disable=SC2016  # apt's own $(FIELD) placeholders, not the shell's
  uri="$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
    awk '$2 == "bookworm" {print $1; exit}')"
  echo "${uri:-http://deb.debian.org/debian/}"
}

# rm -rf of a rootfs is only safe with nothing mounted inside it (debootstrap mounts /proc
# while it runs; an interrupted run can leave it there)
_rm_rootfs() {
  if grep -q " $1/" /proc/mounts; then
    echo "[docker-smoke] $1 still has mounts; not removing it"
    return 1
  fi
  rm -rf "$1"
}

base_image_up() {
  local tag="$1" id old rootfs mirror
  old="$("$DOCKER" image inspect -f '{{.Id}} {{index .Config.Labels "notesqa.base-recipe"}}' \
    "$tag" 2>/dev/null || true)"
  if [[ "${old#* }" == "$BASE_RECIPE" ]]; then
    echo "[docker-smoke] base image $tag: cached (${old:0:19}, recipe $BASE_RECIPE)"
    return 0
  fi
  if ! command -v debootstrap >/dev/null; then
    # a fresh machine may have no package lists yet
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap \
      >"$WORK/apt-debootstrap.log" 2>&1 || {
      echo "[docker-smoke] cannot install debootstrap: $(tail -1 "$WORK/apt-debootstrap.log")"
      return 1
    }
  fi
  mirror="$(_debian_mirror)"
  rootfs="$WORK/rootfs"
  _rm_rootfs "$rootfs" || return 1
  echo "[docker-smoke] debootstrap bookworm from $mirror (about 2 minutes)"
  local t0=$SECONDS
  if ! debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    bookworm "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1; then
    echo "[docker-smoke] debootstrap failed: $(tail -3 "$WORK/debootstrap.log")"
    return 1
  fi
  # The host's trust store, as one more local CA file: pip and apt inside builds then trust what
  # the host trusts (a TLS-inspecting proxy included), and it survives update-ca-certificates.
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/local/share/ca-certificates/host-bundle.crt"
  chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
  # apt's downloads and lists are dead weight in an image (the Dockerfile runs apt-get update)
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  # An imported image has no config: give it what the official image sets (PATH, a UTF-8
  # locale for the Chinese text) and python3 as its command.
  id="$(tar -C "$rootfs" -c . | "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' --change "LABEL notesqa.base-recipe=$BASE_RECIPE" \
    - "$tag")" || return 1
  _rm_rootfs "$rootfs" || true
  # the base this one replaces: the caller removes it once the app image built on it is gone
  BASE_REPLACED="${old%% *}"
  echo "[docker-smoke] base image $tag made in $((SECONDS - t0)) s"
}
