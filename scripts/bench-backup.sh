#!/usr/bin/env bash
# Backups and import at scale, whole process: `tessera backup create` and `backup
# restore` of a 100,000-token vault (to an age recipient, as automatic backups are), and
# `tessera import --from dotenv` of a 10,000-line .env into an empty vault. Seeds a
# keyring vault (examples/seed.rs) in a private D-Bus session and prints a Markdown
# table with each target and whether it held. Needs the release CLI and seed example
# (`make bench` builds them) and age-keygen.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$HOME/.cache/tessera/target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WORK="$work" TESSERA_STATE_HOME="$work/state" XDG_DATA_HOME="$work/xdg"
export TESSERA="$target/release/tessera" SEED="$target/release/examples/seed" RUNS=${BENCH_RUNS:-3}
dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n tessera-bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$SEED" "$WORK/vault" 100000
  age-keygen -o "$WORK/identity.txt" 2>/dev/null
  recipient=$(sed -n "s/^# public key: //p" "$WORK/identity.txt")
  for ((i = 0; i < 10000; i++)); do printf "TOKEN_%05d=tok_%05d_%s\n" "$i" "$i" "$RANDOM$RANDOM$RANDOM"; done > "$WORK/big.env"
  # Seconds of one run of the command given.
  seconds() {
    local start=$EPOCHREALTIME
    "$@" >/dev/null 2>&1
    awk -v a="$start" -v b="$EPOCHREALTIME" "BEGIN { printf \"%.2f\", b - a }"
  }
  row() {
    local what=$1 limit=$2 times=$3
    local worst
    worst=$(tr " " "\n" <<< "$times" | sort -n | tail -1)
    verdict=$(awk -v w="$worst" -v l="$limit" "BEGIN { print (w <= l ? \"met\" : \"missed\") }")
    echo "| $what | $times | $worst | ≤ $limit s | $verdict |"
  }
  create="" restore="" import=""
  for ((r = 0; r < RUNS; r++)); do
    rm -f "$WORK/backup.age"
    create+="$(TESSERA_HOME="$WORK/vault" seconds "$TESSERA" backup create -o "$WORK/backup.age" --recipient "$recipient") "
    rm -rf "$WORK/restored" "$WORK/state-restored"
    # A master password (its Argon2id included in the time): the keyring holds the
    # key of the seeded vault under its vault id, which a keyring restore refuses.
    restore+="$(TESSERA_HOME="$WORK/restored" TESSERA_STATE_HOME="$WORK/state-restored" TESSERA_PASSWORD="bench password 1" \
      seconds "$TESSERA" backup restore "$WORK/backup.age" --identity "$WORK/identity.txt") "
    rm -rf "$WORK/imported"
    TESSERA_HOME="$WORK/imported" "$TESSERA" init >/dev/null 2>&1
    import+="$(TESSERA_HOME="$WORK/imported" seconds "$TESSERA" import --from dotenv "$WORK/big.env") "
  done
  count=$(TESSERA_HOME="$WORK/restored" TESSERA_STATE_HOME="$WORK/state-restored" TESSERA_PASSWORD="bench password 1" "$TESSERA" list --json | sed -n "s/^  \"total\": \([0-9]*\).*/\1/p")
  imported=$(TESSERA_HOME="$WORK/imported" "$TESSERA" list --json | sed -n "s/^  \"total\": \([0-9]*\).*/\1/p")
  [ "$count" = 100000 ] || { echo "the restored vault holds $count tokens, not 100000" >&2; exit 1; }
  [ "$imported" = 10000 ] || { echo "the import made $imported tokens, not 10000" >&2; exit 1; }
  echo "| $RUNS runs each | seconds per run | worst | target | |"
  echo "|---|---|---:|---|---|"
  row "backup create, 100,000 tokens" 3 "${create% }"
  row "backup restore into an empty home, 100,000 tokens" 3 "${restore% }"
  row "import --from dotenv, 10,000 lines" 2 "${import% }"
' 2> >(grep -v "Failed to set fd limit" >&2)
