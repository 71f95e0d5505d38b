#!/bin/sh
# Create .venv and install the hash-pinned dependencies and the app into it.
# Called by `make`; safe to re-run. Needs only Python >= 3.11 and, on a bare
# Debian/Ubuntu, apt-get (as root) for the venv module.
#
#   bootstrap.sh runtime   what the app needs to run (`make run`): requirements.txt
#   bootstrap.sh dev       the above plus the test and lint tools (`make test`, lint, ...)
set -eu

LEVEL=${1:-dev}
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

case "$LEVEL" in
  runtime) locks="-r packaging/requirements.txt -r packaging/requirements-build.txt" ;;
  dev) locks="-r packaging/requirements.txt -r packaging/requirements-build.txt \
-r packaging/requirements-dev.txt -r packaging/requirements-lint.txt" ;;
  *) echo "usage: $0 runtime|dev" >&2; exit 2 ;;
esac

if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON not found; install Python 3.11 or newer" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: $("$PYTHON" --version 2>&1) is too old; vault-app needs Python 3.11 or newer" >&2
  echo "       (choose another interpreter with: make PYTHON=python3.12 ...)" >&2
  exit 1
fi

# Debian splits venv/ensurepip into python3-venv.
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  pkg="python3-venv"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $pkg ..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
  else
    echo "error: Python's venv module is missing. Install it with:" >&2
    echo "    sudo apt-get install -y $pkg" >&2
    exit 1
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating $VENV with $("$PYTHON" --version 2>&1) ..." >&2
  "$PYTHON" -m venv "$VENV"
fi

echo "Installing pinned $LEVEL dependencies into $VENV ..." >&2
# shellcheck disable=SC2086  # the list of -r options is meant to split
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes $locks
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-deps --no-build-isolation --config-settings editable_mode=compat --editable .
