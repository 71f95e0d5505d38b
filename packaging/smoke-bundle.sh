#!/bin/sh
# Smoke-check a PyInstaller build of vault-app (run by `make package`).
#
#   sh packaging/smoke-bundle.sh [BUNDLE_DIR] [VERSION]
#
# BUNDLE_DIR defaults to dist/vault-app; VERSION (e.g. 0.1.0) to the one in
# vault_app/__init__.py. Needs no display: Qt runs on the offscreen platform, and
# HOME/XDG_* point at a throwaway folder so no real settings or vault are touched.
#
# Checks:
#   1. `vault-app --version` and `vault-app-cli --version` print "<name> VERSION", exit 0;
#   2. the GUI starts and is still running after 5 s (no import error, no crash);
#   3. the CLI creates a vault and lists it (argon2, cryptography, zxcvbn, the
#      bundled resources/exchanges.json), and rejects a weak password (zxcvbn).
set -eu

bundle=${1:-dist/vault-app}
version=${2:-$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' vault_app/__init__.py)}
gui="$bundle/vault-app"
cli="$bundle/vault-app-cli"

fail() {
  echo "smoke check FAILED: $*" >&2
  exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vault-app-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/config" "$tmp/data" "$tmp/cache" "$tmp/runtime"
chmod 700 "$tmp/runtime"
export HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" \
  XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/runtime" QT_QPA_PLATFORM=offscreen
unset DISPLAY WAYLAND_DISPLAY VAULT_APP_VAULT 2>/dev/null || true

# 1. --version (argparse exits before Qt is loaded)
for exe in "$gui" "$cli"; do
  [ -x "$exe" ] || fail "$exe is missing"
  name=$(basename "$exe")
  out=$("$exe" --version) || fail "$name --version exited with $?"
  [ "$out" = "$name $version" ] || fail "$name --version printed '$out', expected '$name $version'"
  echo "ok: $out"
done

# 2. the GUI starts (create-vault screen for a vault that does not exist yet)
status=0
timeout 5 "$gui" --vault "$tmp/gui.vault" >"$tmp/gui.log" 2>&1 || status=$?
if [ "$status" -ne 124 ] || grep -q -e Traceback -e "Error:" "$tmp/gui.log"; then
  cat "$tmp/gui.log" >&2
  fail "the GUI exited with $status within 5 s (expected to be still running: 124)"
fi
echo "ok: GUI ran offscreen for 5 s (stopped by timeout)"

# 3. the CLI round trip
pw="smoke check: correct horse battery staple 1987"
printf '%s\n%s\n' "$pw" "$pw" | "$cli" --vault "$tmp/cli.vault" init >/dev/null \
  || fail "vault-app-cli init exited with $?"
printf '%s\nSMOKEKEY1234567890\nsmokesecret1234567890abcdef\n' "$pw" \
  | "$cli" --vault "$tmp/cli.vault" add --exchange kraken --label smoke >/dev/null \
  || fail "vault-app-cli add exited with $?"
printf '%s\n' "$pw" | "$cli" --vault "$tmp/cli.vault" list | grep -q "^smoke " \
  || fail "vault-app-cli list does not show the key just added"
status=0
printf 'password\npassword\n' | "$cli" --vault "$tmp/weak.vault" init >/dev/null 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "vault-app-cli init accepted a weak password (exit $status)"
echo "ok: CLI created, filled and listed a vault; zxcvbn rejected a weak password"
