#!/usr/bin/env bash
# Build the one-folder app dist/transcript-reader/ with PyInstaller and print the build time and bundle size.
#
#   packaging/build.sh [--clean]        (make bundle runs it with the project's .venv)
#
# PYTHON picks the interpreter (default: .venv/bin/python, as created by `make setup`; otherwise a build venv in
# build/venv is created from python3 with the app's runtime dependencies). PyInstaller is installed into that
# environment when missing. --clean empties PyInstaller's caches first (a from-scratch build).
# Needs binutils (strip, readelf, objcopy, ld) on Linux.
set -euo pipefail
cd "$(dirname "$0")/.."
PYINSTALLER_SPEC="pyinstaller>=6.10,<7"

clean=""
for arg in "$@"; do
  case "$arg" in
    --clean) clean="--clean" ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then
    PYTHON=.venv/bin/python
  else
    if [ ! -x build/venv/bin/python ]; then
      echo "== creating the build environment build/venv"
      python3 -m venv build/venv
      build/venv/bin/python -m pip install --quiet --upgrade pip
      build/venv/bin/python -m pip install --quiet .
    fi
    PYTHON=build/venv/bin/python
  fi
fi

for tool in strip readelf objcopy ld; do
  if [ "$(uname -s)" = Linux ] && ! command -v "$tool" >/dev/null; then
    echo "error: '$tool' not found: install binutils (apt-get install binutils)" >&2
    exit 1
  fi
done

if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
  echo "== installing $PYINSTALLER_SPEC into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
  "$PYTHON" -m pip install --quiet "$PYINSTALLER_SPEC"
fi

echo "== PyInstaller $("$PYTHON" -m PyInstaller --version), $("$PYTHON" --version)"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm $clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/transcript-reader.spec
end=$(date +%s)

bundle=dist/transcript-reader
[ -x "$bundle/transcript-reader" ] || { echo "error: $bundle/transcript-reader was not built" >&2; exit 1; }
size_kib=$(du -sk "$bundle" | cut -f1)
files=$(find "$bundle" -type f | wc -l)
awk -v b="$bundle" -v s=$((end - start)) -v k="$size_kib" -v n="$files" \
  'BEGIN { printf "== built %s in %d s: %.1f MiB on disk (%d files)\n", b, s, k / 1024, n }'
