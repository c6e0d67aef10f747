#!/usr/bin/env bash
# Render a lineage HTML report with headless Chromium (Debian's `chromium`
# package), offline, into a PDF, a PNG screenshot or the rendered DOM.
#
# Usage: scripts/render-html.sh REPORT.html OUT.(pdf|png|html) [WIDTH,HEIGHT]
#   .pdf  print to PDF (the print stylesheet, with its page breaks)
#   .png  screenshot of the first WIDTH x HEIGHT pixels (default 1200,1600)
#   .html the DOM after rendering (--dump-dom)
# Exits 3 when chromium is not installed. CHROMIUM overrides the binary.
set -euo pipefail
in=${1:?usage: scripts/render-html.sh REPORT.html OUT.(pdf|png|html) [WIDTH,HEIGHT]}
out=${2:?usage: scripts/render-html.sh REPORT.html OUT.(pdf|png|html) [WIDTH,HEIGHT]}
size=${3:-1200,1600}
bin=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$bin" ]; then
  echo "render-html: chromium is not installed (apt-get install -y chromium)" >&2
  exit 3
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
url="file://$(cd "$(dirname "$in")" && pwd)/$(basename "$in")"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-default-apps --disable-extensions --hide-scrollbars
  --user-data-dir="$profile")
case "$out" in
  *.pdf) "$bin" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out" "$url" 2>/dev/null ;;
  *.png) "$bin" "${flags[@]}" --window-size="$size" --screenshot="$out" "$url" 2>/dev/null ;;
  *.html) "$bin" "${flags[@]}" --dump-dom "$url" > "$out" 2>/dev/null ;;
  *) echo "render-html: output must end in .pdf, .png or .html" >&2; exit 2 ;;
esac
test -s "$out"
