#!/usr/bin/env bash
# Runs the keyring tests against a real Secret Service: a private D-Bus session with a
# fresh gnome-keyring (in a throwaway data folder) unlocked, then once more where no
# keyring exists at all.
set -euo pipefail
# --workspace, as in `make test-rust`: the same features, so the binaries built there serve.
cargo_test="cargo test --locked --workspace --test tests --test cli keyring"
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export TESSERA_STATE_HOME="$keyring_home/state"

XDG_DATA_HOME="$keyring_home" dbus-run-session -- sh -c '
  echo -n tessera-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  TESSERA_TEST_KEYRING=1 '"$cargo_test"' -- --skip a_missing_keyring_is_reported_not_hung
' 2> >(grep -v "Failed to set fd limit" >&2)

# No session bus: the keyring must be reported unavailable quickly, not hang.
env -u DBUS_SESSION_BUS_ADDRESS TESSERA_TEST_NO_KEYRING=1 \
  cargo test --locked --workspace --test tests keyring::a_missing_keyring_is_reported_not_hung
