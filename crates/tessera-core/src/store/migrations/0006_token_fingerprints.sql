-- Keyed fingerprints of token values for `tessera scan` (see src/vault/scan.rs):
-- HMAC-SHA256 of the value under the vault's scan key (in meta), with the value's
-- SHA-256 (secrets.hash) it was computed from, so that a rotated token's stale
-- fingerprint is recomputed. Written on the first scan after a change; RSA tokens,
-- whose secret is a private key, have none.

CREATE TABLE token_fingerprints (
    token_id    TEXT PRIMARY KEY REFERENCES tokens(id) ON DELETE CASCADE,
    fingerprint BLOB NOT NULL,
    value_hash  BLOB NOT NULL
) STRICT;

CREATE INDEX token_fingerprints_by_fingerprint ON token_fingerprints(fingerprint);
