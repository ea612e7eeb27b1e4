#!/usr/bin/env bash
# The browser tests (tests/ui/test_browser*.py) drive Debian's Chromium through ChromeDriver.
# `make test` calls this: a no-op when both are installed; as root it installs them (with a
# CJK font: without one, Chinese renders as boxes in the screenshots); otherwise it says how.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
packages="chromium chromium-driver fonts-wqy-microhei"
if [ "$(id -u)" != 0 ]; then
  echo "the browser tests need Chromium: sudo apt-get install -y $packages" >&2
  exit 1
fi
echo "installing $packages (Debian, for the browser tests)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $packages >/dev/null
