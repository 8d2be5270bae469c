#!/usr/bin/env bash
# Render an eval HTML report in headless Chromium and save a screenshot, to check by eye that it
# looks right (and that it renders at all with no network: the report has no network assets,
# and Chromium runs with every background service off).
#
#   scripts/screenshot_report.sh [REPORT.html] [OUT.png] [WIDTHxHEIGHT]
#
# With no REPORT, runs `ghplan eval --filter adversarial --html` first (a quick report with
# drafts, highlighted findings and a failing model or two caught). Default OUT: beside REPORT.
# Needs Chromium from Debian's packages: apt-get install -y chromium (fonts-noto-cjk for Chinese).
set -euo pipefail
cd "$(dirname "$0")/.."
report="${1:-}"
if [ -z "$report" ]; then
  report="$(mktemp -d)/eval-report.html"
  .venv/bin/ghplan eval --filter "${EVAL_FILTER:-adversarial}" --no-cache --html "$report" >/dev/null || true
fi
[ -f "$report" ] || { echo "screenshot_report: no such file: $report" >&2; exit 2; }
out="${2:-${report%.html}.png}"
size="${3:-1400x2200}"
chromium="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$chromium" ] || { echo "screenshot_report: Chromium not installed (apt-get install -y chromium)" >&2; exit 2; }
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
"$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --disable-extensions \
  --disable-default-apps --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${size/x/,}" --screenshot="$(realpath -m "$out")" "file://$(realpath "$report")" \
  >/dev/null 2>&1
[ -s "$out" ] || { echo "screenshot_report: Chromium wrote no screenshot" >&2; exit 1; }
echo "$out"
