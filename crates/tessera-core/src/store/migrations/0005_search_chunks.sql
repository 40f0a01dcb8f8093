-- The search index as stored (see src/store/name_chunks.rs): every token's name and
-- status facts in name order, packed in chunks of up to 1,024 tokens. Chunk `first`
-- holds the names from its `first` (NOCASE) up to the next chunk's; the chunk whose
-- `first` is '' starts the index. Written by the first open after this migration and
-- then in the transaction of every change.

CREATE TABLE name_chunks (
    id         INTEGER PRIMARY KEY,
    first      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    -- The chunk's entries and the bytes of their names, so that a load sizes its
    -- buffers once.
    entries    INTEGER NOT NULL,
    name_bytes INTEGER NOT NULL,
    data       BLOB NOT NULL
) STRICT;
