-- Seals (see src/seal.rs): each token's hash of what decides its verification, in
-- 4,096 buckets, each bucket's XOR; the vault's seal over the buckets is in `meta`,
-- written by the first open after this migration.

CREATE TABLE token_seals (
    bucket   INTEGER NOT NULL,
    token_id TEXT NOT NULL,
    seal     BLOB NOT NULL,
    PRIMARY KEY (bucket, token_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE seal_buckets (
    bucket INTEGER PRIMARY KEY,
    digest BLOB NOT NULL
) STRICT;
