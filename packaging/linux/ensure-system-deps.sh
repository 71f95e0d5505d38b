#!/bin/sh
# Make sure the system libraries Qt needs are present (Debian/Ubuntu).
#
#   ensure-system-deps.sh headless   libraries for QT_QPA_PLATFORM=offscreen (make test)
#   ensure-system-deps.sh display    the above plus the X11/xcb set for a real window (make run)
#
# As root, missing packages are installed with apt-get. Otherwise the exact
# command to run is printed and the script fails, so that `make` stops with a
# clear message instead of a Qt plugin error later.
set -eu

mode=${1:-headless}
headless="libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0 fonts-dejavu-core"
display="libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 \
libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0"

case "$mode" in
  headless) wanted=$headless ;;
  display) wanted="$headless $display" ;;
  *) echo "usage: $0 headless|display" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "note: not a Debian/Ubuntu system; make sure Qt 6's runtime libraries are installed:" >&2
  echo "      $wanted" >&2
  exit 0
fi

missing=""
for pkg in $wanted; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
  esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
  echo "Installing system libraries for Qt:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086  # the package list is meant to split
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "Qt needs system libraries that are missing. Install them with:" >&2
  echo "" >&2
  echo "    sudo apt-get install -y --no-install-recommends$missing" >&2
  echo "" >&2
  echo "then run make again." >&2
  exit 1
fi
