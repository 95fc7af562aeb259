#!/usr/bin/env bash
# Check the frozen app: run dist/transcript-reader/transcript-reader --smoke-test offscreen with a temporary data
# folder (opens the bundled transcript, waits for outline and index, searches, saves a highlight) and require
# exit code 0 and "ok": true in its JSON report; and that the source-only encoder was left out.
#
#   packaging/check-bundle.sh [BUNDLE_DIR]        (make check-bundle builds the bundle first)
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${1:-dist/transcript-reader}
exe="$bundle/transcript-reader"
[ -x "$exe" ] || { echo "error: $exe not found: run 'make bundle' first" >&2; exit 1; }

# The refined outline's encoder stays in source checkouts (the spec's SOURCE_ONLY): the bundle must not carry it.
if [ -e "$bundle/_internal/resources/models/outline_minilm.npz" ]; then
  echo "FAIL: the bundle carries resources/models/outline_minilm.npz (21 MB; source checkouts only)" >&2
  exit 1
fi

# Libraries the bundle expects from the system (X11, fonts, D-Bus, OpenGL): report any that are missing.
missing=$(find "$bundle/_internal/PySide6/Qt/lib" "$bundle/_internal/PySide6/Qt/plugins/platforms" -name '*.so*' \
  -exec env LD_LIBRARY_PATH="$bundle/_internal" ldd {} \; 2>/dev/null | awk '/not found/ { print $1 }' | sort -u | tr '\n' ' ')
[ -z "$missing" ] || echo "note: system libraries not found (needed on a desktop, not offscreen): $missing"

data_dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$data_dir" "$log"' EXIT
start=$(date +%s%N)
set +e
QT_QPA_PLATFORM=offscreen "$exe" --smoke-test --data-dir "$data_dir" 2>"$log" | tee "$data_dir/report.json"
code=${PIPESTATUS[0]}
set -e
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$code" -ne 0 ] || ! grep -q '"ok": true' "$data_dir/report.json"; then
  echo "FAIL: the frozen app's smoke test exited with $code; its log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
echo "OK: frozen smoke test passed in ${elapsed_ms} ms ($(du -sh "$bundle" | cut -f1) bundle)"
