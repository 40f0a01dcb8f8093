#!/usr/bin/env bash
# Runs the end-to-end suite: the built app (TESSERA_APP) under Xvfb, inside a private
# D-Bus session with a fresh, unlocked gnome-keyring, driven by tauri-driver.
# E2E_ONLY=PATTERN runs only the tests whose names match.
set -euo pipefail
cd "$(dirname "$0")"
: "${TESSERA_APP:?set TESSERA_APP to the built tessera-app binary}"
: "${TESSERA_CLI:?set TESSERA_CLI to the built tessera binary}"
[ -d node_modules ] || npm ci --no-audit --no-fund
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home" XDG_STATE_HOME="$keyring_home/state" NO_AT_BRIDGE=1
# A private stand-in for the system bus too, where the suspend signal (logind's
# PrepareForSleep) is sent: the app finds it through DBUS_SYSTEM_BUS_ADDRESS.
dbus-run-session -- sh -c '
  echo -n tessera-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # gnome-keyring 42 sometimes aborts (SIGTRAP in GLib; seen once in six runs of this
  # suite). On a desktop, systemd starts it again and the person unlocks it; here it
  # is started again unlocked at once, with the same keyring files, and each restart
  # is reported at the end.
  restarts="$XDG_DATA_HOME/keyring-restarts"
  keyring_up() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"
  }
  (
    until keyring_up; do sleep 0.1; done
    while sleep 0.1; do
      if ! keyring_up; then
        echo -n tessera-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null
        date +%T >>"$restarts"
        until keyring_up; do sleep 0.1; done
      fi
    done
  ) </dev/null >/dev/null 2>&1 &
  watcher=$!
  system_bus="unix:path=$XDG_DATA_HOME/system_bus_socket"
  dbus-daemon --session --address="$system_bus" --fork --print-pid=3 3>"$XDG_DATA_HOME/system_bus.pid"
  DBUS_SYSTEM_BUS_ADDRESS="$system_bus" xvfb-run -a -s "-screen 0 1280x800x24" \
    node --test --test-concurrency=1 ${E2E_ONLY:+"--test-name-pattern=$E2E_ONLY"} app.test.mjs
  status=$?
  kill "$watcher" "$(cat "$XDG_DATA_HOME/system_bus.pid")"
  if [ -s "$restarts" ]; then
    echo "gnome-keyring-daemon stopped and was started again, unlocked, at: $(tr "\n" " " <"$restarts")" >&2
  fi
  exit $status
' 2> >(grep -v "Failed to set fd limit" >&2)
