#!/usr/bin/env bash
# Runs the end-to-end suite: the built app (TESSERA_APP) under Xvfb, inside a private
# D-Bus session with a fresh, unlocked gnome-keyring, driven by tauri-driver.
set -euo pipefail
cd "$(dirname "$0")"
: "${TESSERA_APP:?set TESSERA_APP to the built tessera-app binary}"
: "${TESSERA_CLI:?set TESSERA_CLI to the built tessera binary}"
[ -d node_modules ] || npm ci --no-audit --no-fund
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home" XDG_STATE_HOME="$keyring_home/state" NO_AT_BRIDGE=1
dbus-run-session -- sh -c '
  echo -n tessera-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  xvfb-run -a -s "-screen 0 1280x800x24" npm test
' 2> >(grep -v "Failed to set fd limit" >&2)
