-- Each token's seal: a hash of what decides its verification (see src/seal.rs). The
-- vault's seal, in `meta`, is written by the first open after this migration.

ALTER TABLE tokens ADD COLUMN seal BLOB;
