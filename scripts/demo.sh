#!/usr/bin/env bash
# A guided tour of Tessera on the command line, in a throwaway vault. Every step runs
# the real `tessera` binary; nothing touches your own vault.
set -euo pipefail
bin=${TESSERA_BIN:?set TESSERA_BIN to the tessera binary}
demo_home=$(mktemp -d)
trap 'rm -rf "$demo_home"' EXIT
export TESSERA_HOME="$demo_home/vault" TESSERA_STATE_HOME="$demo_home/state" TESSERA_PASSWORD="demo password 123" NO_COLOR=${NO_COLOR:-}
pause=${TESSERA_DEMO_PAUSE:-0.6}

step() {
  printf '\n\033[1m$ tessera'; printf ' %q' "$@"; printf '\033[0m\n'
  sleep "$pause"
  "$bin" "$@" || true
}

echo "Tessera demo: a vault in $TESSERA_HOME, protected by a demo master password."
step --password-stdin init <<<"$TESSERA_PASSWORD"
step api add billing --method GET --path '/v1/invoices/*'
step api add search
step project add apollo
step user add ada --email ada@example.com
step service-account add ci-bot --description "deploys from CI"
step create personal --name "prod deploy" --api billing --expires 30d
secret=$("$bin" get "prod deploy")
step create service --name "search indexer" --service-account ci-bot --api search --expires 90d
step create workspace --name "team workspace" --rotate-every 30
step create jwt --name "web session" --api billing --user ada --alg EdDSA --expires 7d
step create rsa --name "partner integration" --api billing --project apollo --bits 2048
step add "gitlab ci" --expires 60d <<<"glpat-demoDEMOdemoDEMOdemo"
step list
step list dep
step verify "$secret" --api billing
step verify "$secret" --api search
step show "prod deploy"
step export "partner integration" -o "$demo_home/partner.json"
step revoke "prod deploy"
step verify "$secret"
step restore "prod deploy"
step revoke "prod deploy"
step delete "prod deploy" --yes
step list --status active
step audit --limit 12
echo
echo "That was Tessera. Run 'tessera --help' for every command."
