#!/usr/bin/env bash
# Install Transcript Reader (the PyInstaller bundle) on Linux, with its menu entry, icon, file types and
# AppStream metadata; or remove exactly what an earlier run installed.
#
#   ./install-linux.sh              install for the current user (as root: for every user)
#   ./install-linux.sh --uninstall  remove what was installed (the app's own notes and settings are kept)
#   options: --bundle DIR (default: ./transcript-reader next to this script, or ../dist/transcript-reader)
#            --prefix DIR (install under DIR instead of the defaults below; for packaging and tests)
#
# Per user:  ~/.local/opt/transcript-reader, ~/.local/bin/transcript-reader, ~/.local/share/{applications,
#            icons/hicolor,metainfo,mime/packages}   (XDG_DATA_HOME is honoured)
# As root:   /opt/transcript-reader, /usr/local/bin/transcript-reader, /usr/local/share/...
# Every file and directory created is listed in <app dir>/install-manifest.txt, which --uninstall follows.
set -euo pipefail

APP_ID=io.github.transcriptreader.TranscriptReader
NAME=transcript-reader
ICON_SIZES="16 22 24 32 48 64 128 256 512"
here=$(cd "$(dirname "$0")" && pwd)

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "error: $*" >&2; exit 1; }

mode=install bundle="" prefix=""
while [ $# -gt 0 ]; do
  case "$1" in
    --uninstall) mode=uninstall ;;
    --bundle) bundle=${2:?--bundle needs a folder}; shift ;;
    --prefix) prefix=${2:?--prefix needs a folder}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

if [ -n "$prefix" ]; then
  mkdir -p "$prefix"
  prefix=$(cd "$prefix" && pwd)
  app_dir=$prefix/opt/$NAME bin_dir=$prefix/bin share_dir=$prefix/share
elif [ "$(id -u)" = 0 ]; then
  app_dir=/opt/$NAME bin_dir=/usr/local/bin share_dir=/usr/local/share
else
  app_dir=$HOME/.local/opt/$NAME bin_dir=$HOME/.local/bin share_dir=${XDG_DATA_HOME:-$HOME/.local/share}
fi
manifest=$app_dir/install-manifest.txt

refresh_caches() {
  # Let menus, icon themes and file managers notice the change (each tool only when installed).
  if command -v update-desktop-database >/dev/null && [ -d "$share_dir/applications" ]; then
    update-desktop-database -q "$share_dir/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null && [ -d "$share_dir/icons/hicolor" ]; then
    gtk-update-icon-cache -q -f -t "$share_dir/icons/hicolor" || true
  fi
  if command -v update-mime-database >/dev/null && [ -d "$share_dir/mime/packages" ]; then
    update-mime-database "$share_dir/mime" >/dev/null 2>&1 || true
  fi
}

uninstall() {
  [ -f "$manifest" ] || { echo "nothing to uninstall: $manifest not found"; return 0; }
  local entries_file
  entries_file=$(mktemp)
  tac "$manifest" >"$entries_file"  # newest first: files before the directories that hold them
  while IFS=' ' read -r kind path; do
    case "$kind" in
      file|link) if [ -L "$path" ] || [ -f "$path" ]; then rm -f -- "$path"; fi ;;
      app) if [ -x "$path/$NAME" ] && [ -f "$path/install-manifest.txt" ]; then rm -rf -- "$path"; fi ;;
    esac
  done <"$entries_file"
  refresh_caches
  # Directories this installer created go when nothing but the caches regenerated above is left in them.
  while IFS=' ' read -r kind path; do
    [ "$kind" = dir ] && [ -d "$path" ] || continue
    case "$path" in
      */mime) if [ -z "$(ls -A "$path/packages" 2>/dev/null)" ]; then rm -rf -- "$path"; fi ;;  # generated only
      */icons/hicolor) remove_if_only "$path" icon-theme.cache ;;
      */applications) remove_if_only "$path" mimeinfo.cache ;;
    esac
    rmdir -- "$path" 2>/dev/null || true
  done <"$entries_file"
  rm -f "$entries_file"
  echo "Transcript Reader uninstalled from $app_dir (your notes and settings are kept)."
}

remove_if_only() {
  # remove_if_only DIR CACHE: delete DIR/CACHE when it is the only file left under DIR.
  if [ -z "$(find "$1" -type f ! -name "$2" -print -quit)" ]; then rm -f -- "$1/$2"; fi
}

# --- installing ------------------------------------------------------------------------------------------
entries=()
record() { entries+=("$1 $2"); }

make_dir() {
  # Create a directory (and parents), recording the ones that did not exist.
  local dir=$1 missing=()
  while [ ! -d "$dir" ]; do missing=("$dir" "${missing[@]}"); dir=$(dirname "$dir"); done
  for dir in "${missing[@]}"; do mkdir -- "$dir"; record dir "$dir"; done
}

put() {
  # put SRC DEST [MODE]: copy one file into place.
  make_dir "$(dirname "$2")"
  install -m "${3:-644}" -- "$1" "$2"
  record file "$2"
}

install_app() {
  if [ -z "$bundle" ]; then
    for candidate in "$here/$NAME" "$here/../dist/$NAME"; do
      if [ -x "$candidate/$NAME" ]; then bundle=$candidate; break; fi
    done
  fi
  [ -n "$bundle" ] && [ -x "$bundle/$NAME" ] || die "no bundle found: build it with 'make bundle' or pass --bundle DIR"
  bundle=$(cd "$bundle" && pwd)
  local resources=$bundle/_internal/resources
  [ -f "$resources/linux/$APP_ID.desktop" ] || die "$bundle has no resources/linux/$APP_ID.desktop"

  if [ -f "$manifest" ]; then
    echo "Replacing the existing installation in $app_dir"
    uninstall >/dev/null
  fi
  [ ! -e "$app_dir" ] || die "$app_dir exists but was not installed by this script; remove it first"

  make_dir "$(dirname "$app_dir")"
  cp -a -- "$bundle" "$app_dir"
  record app "$app_dir"
  install -m 755 -- "$0" "$app_dir/install-linux.sh"  # so that --uninstall works without the download

  make_dir "$bin_dir"
  ln -sfn -- "$app_dir/$NAME" "$bin_dir/$NAME"
  record link "$bin_dir/$NAME"

  # The menu entry runs the installed executable by its full path (~/.local/bin is not always on PATH).
  local desktop
  desktop=$(mktemp)
  sed -e "s|^Exec=.*|Exec=\"$app_dir/$NAME\" %f|" -e "s|^TryExec=.*|TryExec=$app_dir/$NAME|" \
    "$resources/linux/$APP_ID.desktop" >"$desktop"
  put "$desktop" "$share_dir/applications/$APP_ID.desktop"
  rm -f "$desktop"

  for size in $ICON_SIZES; do
    put "$resources/icons/png/$NAME-$size.png" "$share_dir/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
  done
  put "$resources/icons/$NAME.svg" "$share_dir/icons/hicolor/scalable/apps/$APP_ID.svg"
  put "$resources/linux/$APP_ID.metainfo.xml" "$share_dir/metainfo/$APP_ID.metainfo.xml"
  put "$resources/linux/$APP_ID.mime.xml" "$share_dir/mime/packages/$APP_ID.xml"

  printf '%s\n' "${entries[@]}" >"$manifest"
  refresh_caches
  check_system_libraries
  echo "Transcript Reader installed in $app_dir; it is in the applications menu (Office)."
  echo "Command: $bin_dir/$NAME    Uninstall: $app_dir/install-linux.sh${prefix:+ --prefix $prefix} --uninstall"
}

check_system_libraries() {
  # The bundle uses the system's X11, font and D-Bus libraries (as the PySide6 wheel does): name missing ones.
  local missing
  missing=$(find "$app_dir/_internal/PySide6/Qt/lib" "$app_dir/_internal/PySide6/Qt/plugins/platforms" \
    -name '*.so*' -exec env LD_LIBRARY_PATH="$app_dir/_internal" ldd {} \; 2>/dev/null | awk '/not found/ { print $1 }' | sort -u | tr '\n' ' ')
  if [ -n "$missing" ]; then
    echo "warning: these system libraries are missing: $missing" >&2
    echo "  on Debian/Ubuntu: sudo apt-get install libx11-6 libx11-xcb1 libxcb1 libxkbcommon0 libwayland-cursor0" \
      "libwayland-egl1 libegl1 libgl1" \
      "libfontconfig1 libdbus-1-3" >&2
  fi
}

if [ "$mode" = uninstall ]; then uninstall; else install_app; fi
