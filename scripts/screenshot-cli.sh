#!/usr/bin/env bash
# Makes docs/screenshots/cli-demo.png: the tessera CLI in a real terminal (xterm) on a
# virtual display, captured with ImageMagick. Needs xvfb, xterm and imagemagick.
set -euo pipefail
bin=${TESSERA_BIN:?set TESSERA_BIN to the tessera binary}
out=${1:-docs/screenshots/cli-demo.png}
work=$(mktemp -d)
trap 'rm -rf "$work"; kill "${xvfb_pid:-0}" 2>/dev/null || true' EXIT

export TESSERA_HOME="$work/vault" TESSERA_STATE_HOME="$work/state" TESSERA_PASSWORD="screenshot password"
t() { "$bin" "$@" >/dev/null 2>&1; }
"$bin" --password-stdin init <<<"$TESSERA_PASSWORD" 2>/dev/null
t api add billing; t api add search; t project add apollo; t user add ada; t service-account add ci-bot
t create personal --name "prod deploy" --api billing --expires 30d
t create personal --name "staging deploy" --api billing --expires 5d
t create service --name "search indexer" --service-account ci-bot --api search --expires 90d
t create workspace --name "team workspace" --rotate-every 30
t create jwt --name "web session" --api billing --user ada --alg EdDSA --expires 7d
t create rsa --name "partner integration" --api billing --project apollo
t add "gitlab ci" --expires 60d <<<"glpat-screenshotSCREENSHOTxx"
t create personal --name "old deploy key"
t revoke "old deploy key"
secret=$("$bin" get "prod deploy")
for _ in 1 2 3; do t verify "$secret"; done

cat > "$work/session.sh" <<SCRIPT
cmd() { printf '\033[1;32m\$\033[0m tessera %s\n' "\$*"; "$bin" "\$@"; echo; }
clear
cmd list
cmd list dep
cmd verify "\$(cat "$work/secret")" --api billing
cmd verify "\$(cat "$work/secret")" --api search
sleep 600
SCRIPT
printf '%s' "$secret" > "$work/secret"

Xvfb :77 -screen 0 1500x820x24 >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1
DISPLAY=:77 xterm -geometry 170x44+0+0 -fa "DejaVu Sans Mono" -fs 11 -bg "#1e1f24" -fg "#e6e6e6" \
  -e bash "$work/session.sh" &
sleep 4
mkdir -p "$(dirname "$out")"
DISPLAY=:77 import -window root -crop 1180x440+0+0 "$out"
echo "wrote $out"
