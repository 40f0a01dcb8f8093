-- What a token's row tells its holder to act on.
--
-- token_file_exports: when each RSA token's file was last handed out (downloaded or
-- exported), and since when that file is out of date: set by the first change after it
-- to what the file says (name, APIs, projects, expiry, a new key), cleared by the next
-- export. A token never exported has no row.
--
-- token_findings: where `tessera scan` last found a token's value on this machine
-- (path:line) and when; cleared when the token gets a new secret.

CREATE TABLE token_file_exports (
    token_id    TEXT PRIMARY KEY REFERENCES tokens(id) ON DELETE CASCADE,
    exported_at INTEGER NOT NULL,
    stale_since INTEGER
) STRICT;

CREATE TABLE token_findings (
    token_id  TEXT PRIMARY KEY REFERENCES tokens(id) ON DELETE CASCADE,
    place     TEXT NOT NULL,
    found_at  INTEGER NOT NULL
) STRICT;
