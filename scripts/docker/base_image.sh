# Sourced by scripts/docker_smoke.sh: the local base image, made once.
#
#   base_image_up TAG   ensures TAG exists in the engine: Debian bookworm (minbase) with
#                       python3, python3-venv, python3-pip and the host's CA bundle, made with
#                       debootstrap from the host's apt mirror and `docker import`ed.
#
# No registry is reachable here, so `python:3.11-slim-bookworm` cannot be pulled; Debian
# bookworm's python3 is 3.11 as well. Cached by a stamp (STAMP_DIR) that holds the image id:
# a later run with the same recipe and the image still in the engine does nothing.

# Bump to rebuild the base everywhere (the stamp name carries it).
BASE_RECIPE=1

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
  local tag="$1" stamp="$STAMP_DIR/base-image.r$BASE_RECIPE.id" id rootfs mirror
  if [[ -s "$stamp" ]] && "$DOCKER" image inspect "$(cat "$stamp")" >/dev/null 2>&1; then
    "$DOCKER" tag "$(cat "$stamp")" "$tag"
    echo "[docker-smoke] base image $tag: cached ($(cut -c1-19 "$stamp"))"
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
    --change 'CMD ["python3"]' - "$tag")" || return 1
  _rm_rootfs "$rootfs" || true
  mkdir -p "$STAMP_DIR"
  echo "$id" >"$stamp"
  echo "[docker-smoke] base image $tag made in $((SECONDS - t0)) s"
}
