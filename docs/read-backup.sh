#!/usr/bin/env bash
# Reads a Tessera backup (`tessera backup create`, `tessera export --all`) with the
# standard tools alone: age decrypts it, tar unpacks manifest.json and vault.sqlite,
# sqlite3 lists the tokens. ARCHITECTURE.md documents the tables.
#
#   docs/read-backup.sh BACKUP IDENTITY_FILE OUT_DIR
#
# IDENTITY_FILE is the age identity of a recipient the backup was made for; give - for
# a passphrase backup, and age asks for the passphrase on the terminal.
#
# OUT_DIR receives the plaintext: every secret, unencrypted. Choose a folder only you
# can read, on a RAM disk if you can (/dev/shm), and delete it when you are done.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 BACKUP IDENTITY_FILE|- OUT_DIR" >&2
  exit 2
fi
backup=$1 identity=$2 out=$3
umask 077
mkdir -p "$out"
if [ "$identity" = - ]; then
  age --decrypt "$backup"
else
  age --decrypt -i "$identity" "$backup"
fi | tar -x -C "$out"
sqlite3 -readonly -header -column "$out/vault.sqlite" \
  "SELECT name, kind,
          CASE revoked WHEN 1 THEN 'revoked' ELSE 'active' END AS status,
          coalesce(datetime(expires_at, 'unixepoch'), 'never') AS expires
     FROM tokens ORDER BY name"
echo "Secrets: sqlite3 '$out/vault.sqlite' \"SELECT t.name, s.value FROM tokens t JOIN secrets s ON s.token_id = t.id\" (an RSA token's value is its PKCS#8 DER private key)." >&2
