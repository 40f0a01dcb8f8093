-- RSA token assertions accepted, by `jti`, until they expire: each is good for one use.

CREATE TABLE used_assertions (
    jti        TEXT PRIMARY KEY,
    token_id   TEXT NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX used_assertions_expiry ON used_assertions(expires_at);
