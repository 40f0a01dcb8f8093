-- Shared vaults.
--
-- shared_vaults (in a person's own vault): each shared vault this install belongs to,
-- where its server is (the address may carry credentials: it stays inside the
-- encrypted vault), the key of its local replica (a vault of its own beside this one),
-- and the admin identity pinned when it was created or joined.
--
-- sync_records (in a replica): for each record, the server version last seen and the
-- SHA-256 of its plaintext as last synced; a token whose state no longer has that
-- digest changed here and is pushed at the next sync; `base` is that plaintext, what
-- two changes made meanwhile are merged against, field by field.

CREATE TABLE shared_vaults (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    vault_id    TEXT NOT NULL UNIQUE,
    server      TEXT NOT NULL,
    replica_key BLOB NOT NULL,
    admin       TEXT NOT NULL,
    joined_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE sync_records (
    record_id TEXT PRIMARY KEY,
    version   INTEGER NOT NULL,
    digest    BLOB NOT NULL,
    base      BLOB
) STRICT;
