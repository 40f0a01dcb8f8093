#!/usr/bin/env bash
# The introspection service at scale: `tessera serve` (release build) on a keyring vault
# of 100,000 personal tokens, loaded over loopback by wrk (scripts/bench-serve.lua) with
# a personal token and an HS256 JWT, beside `tessera verify` as one process per check.
# SQLite's memory protection is on, as always. Prints a Markdown table with the target
# and whether it held. Needs the release CLI and seed example (`make bench` builds them).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$HOME/.cache/tessera/target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WORK="$work" TESSERA_STATE_HOME="$work/state" XDG_DATA_HOME="$work/xdg" TESSERA_HOME="$work/vault"
export TESSERA="$target/release/tessera" SEED="$target/release/examples/seed" LUA="$PWD/scripts/bench-serve.lua"
export SECONDS_EACH=${BENCH_SERVE_SECONDS:-10} CONNECTIONS=${BENCH_SERVE_CONNECTIONS:-32}
dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n tessera-bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$SEED" "$TESSERA_HOME" 100000
  personal=$("$TESSERA" create personal --name "bench personal" 2>/dev/null)
  jwt=$("$TESSERA" create jwt --name "bench jwt" 2>/dev/null)
  secret=$("$TESSERA" client add bench 2>/dev/null)
  export AUTH=$(printf "bench:%s" "$secret" | base64 -w0)
  "$TESSERA" serve --listen 127.0.0.1:0 --rate-limit 1000000 > "$WORK/url" 2>"$WORK/serve.log" &
  server=$!
  trap "kill $server 2>/dev/null || true" EXIT
  for ((i = 0; i < 100; i++)); do [ -s "$WORK/url" ] && break; sleep 0.1; done
  url=$(head -1 "$WORK/url")
  row() {
    local what=$1 token=$2 out rate bad
    out=$(TOKEN="$token" wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s "$LUA" "$url/introspect")
    rate=$(sed -n "s/^Requests\/sec: *\([0-9.]*\).*/\1/p" <<< "$out")
    bad=$(sed -n "s/^not-active \([0-9]*\)/\1/p" <<< "$out")
    p99=$(sed -n "s/^ *99% *\([0-9.a-z]*\).*/\1/p" <<< "$out")
    [ "$bad" = 0 ] || { echo "$bad answers were not active 200s" >&2; echo "$out" >&2; exit 1; }
    verdict=$(awk -v r="$rate" "BEGIN { print (r >= 20000 ? \"met\" : \"missed\") }")
    printf "| %s | %.0f/s | %s | ≥ 20,000/s | %s |\n" "$what" "$rate" "$p99" "$verdict"
  }
  echo "| POST /introspect, $CONNECTIONS connections, ${SECONDS_EACH} s, 100,000 tokens | throughput | p99 latency | target | |"
  echo "|---|---:|---:|---|---|"
  row "personal token" "$personal"
  row "HS256 JWT" "$jwt"
  start=$EPOCHREALTIME
  for ((i = 0; i < 20; i++)); do "$TESSERA" verify - <<< "$personal" >/dev/null 2>&1; done
  awk -v a="$start" -v b="$EPOCHREALTIME" "BEGIN { printf \"| tessera verify, one process per check | %.0f/s | %.1f ms each | | |\n\", 20 / (b - a), (b - a) * 50 }"
' 2> >(grep -v "Failed to set fd limit" >&2)
