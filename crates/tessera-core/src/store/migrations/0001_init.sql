-- Tessera vault schema, version 1. Times are Unix seconds (UTC).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

CREATE TABLE apis (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    method     TEXT,
    path       TEXT,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE projects (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    email      TEXT,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE service_accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;

-- Token metadata. Secrets live in `secrets`, so listing and searching never read them.
CREATE TABLE tokens (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description        TEXT NOT NULL DEFAULT '',
    kind               TEXT NOT NULL CHECK (kind IN ('workspace','personal','service','rsa','jwt','external')),
    revoked            INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER,
    revoked_at         INTEGER,
    last_used_at       INTEGER,
    use_count          INTEGER NOT NULL DEFAULT 0,
    rotation_days      INTEGER,
    rotated_at         INTEGER NOT NULL,
    service_account_id INTEGER REFERENCES service_accounts(id) ON DELETE RESTRICT,
    service            TEXT,
    key_id             TEXT UNIQUE,
    jwt_alg            TEXT
) STRICT;

CREATE INDEX tokens_kind_name ON tokens(kind, name);

-- One row per token. `value` is the token string, or for RSA the PKCS#8 DER private
-- key; `hash` is SHA-256 of the token string for O(1) verification.
CREATE TABLE secrets (
    token_id   TEXT PRIMARY KEY REFERENCES tokens(id) ON DELETE CASCADE,
    value      BLOB NOT NULL,
    hash       BLOB UNIQUE,
    public_key BLOB
) STRICT;

CREATE TABLE token_apis (
    token_id TEXT NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    api_id   INTEGER NOT NULL REFERENCES apis(id) ON DELETE RESTRICT,
    PRIMARY KEY (token_id, api_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX token_apis_api ON token_apis(api_id);

CREATE TABLE token_projects (
    token_id   TEXT NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE RESTRICT,
    PRIMARY KEY (token_id, project_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX token_projects_project ON token_projects(project_id);

CREATE TABLE token_users (
    token_id TEXT NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    PRIMARY KEY (token_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX token_users_user ON token_users(user_id);

-- Append-only: no secret ever enters it, and no row is changed or removed.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    action     TEXT NOT NULL,
    token_id   TEXT,
    token_name TEXT,
    outcome    TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_token ON audit(token_id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
