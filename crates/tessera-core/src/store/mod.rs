//! Every SQL statement of the vault, in one place. Functions take a connection (or a
//! transaction, which derefs to one) and return typed rows; none unwraps a row.

pub mod connection;
mod error;
pub mod header;
pub(crate) mod name_chunks;
pub(crate) mod rollback;
pub(crate) mod seal;
pub(crate) mod shared;
pub(crate) mod snapshot;

use crate::index::IndexRow;
use crate::index::names::Names;
use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::catalog::{Catalog, CatalogEntry};
use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use crate::model::token::{ALL_APIS, JwtAlg, Lifetime, Token, TokenKind};
pub(crate) use rusqlite::{Connection, Transaction};
use rusqlite::{OptionalExtension, Row, params};

/// The columns of `tokens` that [`token_from_row`] reads, in order.
const TOKEN_COLUMNS: &str = "t.id, t.name, t.description, t.kind, t.revoked, t.created_at, t.expires_at, \
     t.revoked_at, t.last_used_at, t.use_count, t.rotation_days, t.rotated_at, \
     (SELECT name FROM service_accounts WHERE id = t.service_account_id), t.service, t.key_id, t.jwt_alg, \
     (SELECT group_concat(c.name, char(31) ORDER BY c.name) FROM token_apis l JOIN apis c ON c.id = l.api_id \
        WHERE l.token_id = t.id), \
     (SELECT group_concat(c.name, char(31) ORDER BY c.name) FROM token_projects l JOIN projects c \
        ON c.id = l.project_id WHERE l.token_id = t.id), \
     (SELECT group_concat(c.name, char(31) ORDER BY c.name) FROM token_users l JOIN users c ON c.id = l.user_id \
        WHERE l.token_id = t.id), \
     t.all_apis";
/// The index of the first column after [`TOKEN_COLUMNS`].
const AFTER_TOKEN: usize = 20;

/// Writes the vault's identity and its JWT HMAC key.
pub(crate) fn init_meta(conn: &Connection, vault_id: &str) -> Result<()> {
    meta_set(conn, "vault_id", vault_id.as_bytes())?;
    Ok(())
}

/// The vault id stored inside the encrypted file.
pub(crate) fn vault_id(conn: &Connection) -> Result<String> {
    let bytes =
        meta_get(conn, "vault_id")?.ok_or_else(|| Error::Damaged("the vault has no id".into()))?;
    String::from_utf8(bytes).map_err(|_| Error::Damaged("the vault id is not text".into()))
}

pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?)
}

pub(crate) fn meta_set(conn: &Connection, key: &str, value: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub(crate) fn meta_delete(conn: &Connection, key: &str) -> Result<()> {
    conn.execute("DELETE FROM meta WHERE key = ?1", [key])?;
    Ok(())
}

/// A token row to insert.
pub(crate) struct NewTokenRow<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub kind: TokenKind,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub rotation_days: Option<i64>,
    pub service_account: Option<&'a str>,
    pub service: Option<&'a str>,
    pub key_id: Option<&'a str>,
    pub jwt_alg: Option<JwtAlg>,
}

/// The stored form of a token's secret.
pub(crate) struct SecretRow<'a> {
    /// Token string, or RSA private key PKCS#8 DER.
    pub value: &'a [u8],
    /// SHA-256 of the token string (not for RSA).
    pub hash: Option<[u8; 32]>,
    /// RSA public key, SPKI DER.
    pub public_key: Option<&'a [u8]>,
}

pub(crate) fn insert_token(
    conn: &Connection,
    row: &NewTokenRow<'_>,
    secret: &SecretRow<'_>,
) -> Result<()> {
    let service_account_id = match row.service_account {
        Some(name) => Some(catalog_id(conn, Catalog::ServiceAccount, name)?),
        None => None,
    };
    conn.prepare_cached(
        "INSERT INTO tokens (id, name, description, kind, created_at, expires_at, rotation_days, rotated_at, \
         service_account_id, service, key_id, jwt_alg) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?5, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
            row.id,
            row.name,
            row.description,
            row.kind.as_str(),
            row.created_at,
            row.expires_at,
            row.rotation_days,
            service_account_id,
            row.service,
            row.key_id,
            row.jwt_alg.map(JwtAlg::as_str),
    ])
    .map_err(|e| name_conflict(e, "token", row.name))?;
    conn.prepare_cached(
        "INSERT INTO secrets (token_id, value, hash, public_key) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        row.id,
        secret.value,
        secret.hash.as_ref().map(|h| &h[..]),
        secret.public_key
    ])?;
    Ok(())
}

/// Maps a UNIQUE violation on a name to [`Error::NameTaken`].
fn name_conflict(err: rusqlite::Error, what: &'static str, name: &str) -> Error {
    match &err {
        rusqlite::Error::SqliteFailure(e, Some(msg))
            if e.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains(".name") =>
        {
            Error::NameTaken {
                what,
                name: name.to_string(),
            }
        }
        _ => Error::from(err),
    }
}

/// Whether a name is taken, case-insensitively, by a token other than `except_id`.
pub(crate) fn token_name_taken(
    conn: &Connection,
    name: &str,
    except_id: Option<&str>,
) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM tokens WHERE name = ?1 AND id IS NOT ?2")?
        .exists(params![name, except_id])?)
}

fn token_from_row(row: &Row<'_>) -> rusqlite::Result<Token> {
    let kind: String = row.get(3)?;
    let jwt_alg: Option<String> = row.get(15)?;
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("bad {what}").into(),
        )
    };
    Ok(Token {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        kind: kind.parse().map_err(|_| bad(3, "kind"))?,
        created_at: row.get(5)?,
        revoked_at: row.get(7)?,
        last_used_at: row.get(8)?,
        use_count: row.get(9)?,
        lifetime: Lifetime {
            revoked: row.get(4)?,
            expires_at: row.get(6)?,
            rotation_days: row.get(10)?,
            rotated_at: row.get(11)?,
        },
        all_apis: row.get(19)?,
        apis: split_names(row.get(16)?),
        projects: split_names(row.get(17)?),
        users: split_names(row.get(18)?),
        service_account: row.get(12)?,
        service: row.get(13)?,
        key_id: row.get(14)?,
        jwt_alg: jwt_alg
            .map(|a| a.parse())
            .transpose()
            .map_err(|_| bad(15, "algorithm"))?,
    })
}

/// Splits a `group_concat` list joined with the unit separator.
fn split_names(joined: Option<String>) -> Vec<String> {
    joined
        .map(|s| s.split('\u{1f}').map(str::to_string).collect())
        .unwrap_or_default()
}

/// A token by id or by name (case-insensitive); an id match wins.
pub(crate) fn find_token(conn: &Connection, reference: &str) -> Result<Option<Token>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.id = ?1 OR t.name = ?1 ORDER BY t.id = ?1 DESC LIMIT 1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([reference.trim()], token_from_row)
        .optional()?)
}

/// A token by id or name, or [`Error::NotFound`].
pub(crate) fn token(conn: &Connection, reference: &str) -> Result<Token> {
    find_token(conn, reference)?.ok_or_else(|| Error::not_found("token", reference.trim()))
}

/// Tokens by id, one entry per id in the order given: `None` for an id that vanished
/// (another process deleted it since the caller read it).
pub(crate) fn tokens_by_ids(conn: &Connection, ids: &[String]) -> Result<Vec<Option<Token>>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    ids.iter()
        .map(|id| Ok(stmt.query_row([id], token_from_row).optional()?))
        .collect()
}

/// The token whose secret hashes to `hash`.
pub(crate) fn token_by_hash(
    conn: &Connection,
    hash: &[u8; 32],
) -> Result<Option<(Token, Vec<u8>)>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS}, s.value FROM secrets s JOIN tokens t ON t.id = s.token_id WHERE s.hash = ?1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([&hash[..]], |row| {
            Ok((token_from_row(row)?, row.get(AFTER_TOKEN)?))
        })
        .optional()?)
}

/// The RSA token whose key id is `key_id`, with its public key (SPKI DER).
pub(crate) fn token_by_key_id(conn: &Connection, key_id: &str) -> Result<Option<(Token, Vec<u8>)>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS}, s.public_key FROM tokens t JOIN secrets s ON s.token_id = t.id WHERE t.key_id = ?1"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([key_id], |row| {
            Ok((token_from_row(row)?, row.get(AFTER_TOKEN)?))
        })
        .optional()?)
}

/// The key ids and public keys (SPKI DER) of the RSA tokens active at `now`, by key id.
pub(crate) fn active_rsa_keys(conn: &Connection, now: Timestamp) -> Result<Vec<(String, Vec<u8>)>> {
    let mut stmt = conn.prepare(
        "SELECT t.key_id, s.public_key FROM tokens t JOIN secrets s ON s.token_id = t.id \
         WHERE t.kind = 'rsa' AND t.revoked = 0 AND (t.expires_at IS NULL OR t.expires_at > ?1) \
           AND t.key_id IS NOT NULL AND s.public_key IS NOT NULL ORDER BY t.key_id",
    )?;
    let rows = stmt.query_map([now], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records that a token's file was handed out at `now`: it is current.
pub(crate) fn record_file_export(conn: &Connection, token_id: &str, now: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO token_file_exports (token_id, exported_at, stale_since) VALUES (?1, ?2, NULL) \
         ON CONFLICT(token_id) DO UPDATE SET exported_at = ?2, stale_since = NULL",
    )?
    .execute(params![token_id, now])?;
    Ok(())
}

/// Marks a token's handed-out file out of date from `now`, unless it already is (or
/// none was handed out).
pub(crate) fn mark_file_stale(conn: &Connection, token_id: &str, now: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "UPDATE token_file_exports SET stale_since = ?2 WHERE token_id = ?1 AND stale_since IS NULL",
    )?
    .execute(params![token_id, now])?;
    Ok(())
}

/// Since when each of `ids`' handed-out token file is out of date, for those whose is.
/// One statement: the table holds only RSA tokens whose file was handed out.
pub(crate) fn stale_token_files(
    conn: &Connection,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, Timestamp>> {
    let mut stmt = conn.prepare_cached(
        "SELECT token_id, stale_since FROM token_file_exports WHERE stale_since IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?;
    of_ids(rows, ids)
}

/// The rows, each an id and its value, whose id is one of `ids`: for the small tables
/// of notices, read whole in one statement rather than one per id.
fn of_ids<T>(
    rows: impl Iterator<Item = rusqlite::Result<(String, T)>>,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, T>> {
    let wanted: std::collections::HashSet<&str> = ids.iter().copied().collect();
    let mut out = std::collections::HashMap::new();
    for row in rows {
        let (id, value) = row?;
        if wanted.contains(id.as_str()) {
            out.insert(id, value);
        }
    }
    Ok(out)
}

/// Records where a scan found a token's value (`path:line`), replacing an earlier
/// finding.
pub(crate) fn record_finding(
    conn: &Connection,
    token_id: &str,
    place: &str,
    now: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO token_findings (token_id, place, found_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT(token_id) DO UPDATE SET place = ?2, found_at = ?3",
    )?
    .execute(params![token_id, place, now])?;
    Ok(())
}

/// Forgets where a token's value was found: it has a new one.
pub(crate) fn clear_finding(conn: &Connection, token_id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM token_findings WHERE token_id = ?1")?
        .execute([token_id])?;
    Ok(())
}

/// Where and when a scan found each of `ids`' value, for those it found. One
/// statement: the table holds only tokens a scan found.
pub(crate) fn findings(
    conn: &Connection,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, (String, Timestamp)>> {
    let mut stmt = conn.prepare_cached("SELECT token_id, place, found_at FROM token_findings")?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, (row.get(1)?, row.get(2)?)))
    })?;
    of_ids(rows, ids)
}

/// Tokens whose scan fingerprint is missing or was made from another value (a
/// rotation since): their ids. RSA tokens have none.
pub(crate) fn stale_fingerprints(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT t.id FROM tokens t JOIN secrets s ON s.token_id = t.id \
         LEFT JOIN token_fingerprints f ON f.token_id = t.id \
         WHERE t.kind != 'rsa' AND s.hash IS NOT NULL \
           AND (f.value_hash IS NULL OR f.value_hash != s.hash)",
    )?;
    let rows = stmt.query_map([], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps a token's scan fingerprint, made from the value whose SHA-256 is `value_hash`.
pub(crate) fn set_fingerprint(
    conn: &Connection,
    token_id: &str,
    fingerprint: &[u8],
    value_hash: &[u8],
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO token_fingerprints (token_id, fingerprint, value_hash) VALUES (?1, ?2, ?3) \
         ON CONFLICT(token_id) DO UPDATE SET fingerprint = ?2, value_hash = ?3",
    )?
    .execute(params![token_id, fingerprint, value_hash])?;
    Ok(())
}

/// Every scan fingerprint with its token's id and name.
pub(crate) fn fingerprints(conn: &Connection) -> Result<Vec<(Vec<u8>, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT f.fingerprint, t.id, t.name FROM token_fingerprints f JOIN tokens t ON t.id = f.token_id",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A token's stored secret value (token string or private key DER) and public key.
pub(crate) fn secret_of(conn: &Connection, token_id: &str) -> Result<(Vec<u8>, Option<Vec<u8>>)> {
    conn.prepare_cached("SELECT value, public_key FROM secrets WHERE token_id = ?1")?
        .query_row([token_id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?
        .ok_or_else(|| Error::Damaged(format!("token {token_id} has no secret")))
}

/// Replaces a token's secret; the old one stops matching at once.
pub(crate) fn replace_secret(
    conn: &Connection,
    token_id: &str,
    secret: &SecretRow<'_>,
    key_id: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE secrets SET value = ?2, hash = ?3, public_key = ?4 WHERE token_id = ?1",
        params![
            token_id,
            secret.value,
            secret.hash.as_ref().map(|h| &h[..]),
            secret.public_key
        ],
    )?;
    conn.execute(
        "UPDATE tokens SET key_id = COALESCE(?2, key_id) WHERE id = ?1",
        params![token_id, key_id],
    )?;
    Ok(())
}

/// Starts a token's security period again.
pub(crate) fn mark_rotated(conn: &Connection, token_id: &str, now: Timestamp) -> Result<()> {
    conn.execute(
        "UPDATE tokens SET rotated_at = ?2 WHERE id = ?1",
        params![token_id, now],
    )?;
    Ok(())
}

/// Writes a token's editable metadata.
pub(crate) fn update_token(conn: &Connection, token: &Token) -> Result<()> {
    conn.execute(
        "UPDATE tokens SET name = ?2, description = ?3, expires_at = ?4, rotation_days = ?5, \
         service_account_id = (SELECT id FROM service_accounts WHERE name = ?6), service = ?7, jwt_alg = ?8 \
         WHERE id = ?1",
        params![
            token.id,
            token.name,
            token.description,
            token.lifetime.expires_at,
            token.lifetime.rotation_days,
            token.service_account,
            token.service,
            token.jwt_alg.map(JwtAlg::as_str),
        ],
    )
    .map_err(|e| name_conflict(e, "token", &token.name))?;
    Ok(())
}

pub(crate) fn set_revoked(
    conn: &Connection,
    token_id: &str,
    revoked_at: Option<Timestamp>,
) -> Result<()> {
    conn.execute(
        "UPDATE tokens SET revoked = ?2, revoked_at = ?3 WHERE id = ?1",
        params![token_id, revoked_at.is_some(), revoked_at],
    )?;
    Ok(())
}

pub(crate) fn delete_token(conn: &Connection, token_id: &str) -> Result<()> {
    conn.execute("DELETE FROM tokens WHERE id = ?1", [token_id])?;
    Ok(())
}

/// Adds `count` uses at time `at` to a token; a deleted token is skipped.
pub(crate) fn record_use(
    conn: &Connection,
    token_id: &str,
    at: Timestamp,
    count: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE tokens SET last_used_at = max(coalesce(last_used_at, 0), ?2), use_count = use_count + ?3 WHERE id = ?1",
    )?
    .execute(params![token_id, at, count])?;
    Ok(())
}

/// Every token's name and status facts, in name order.
pub(crate) fn index_rows(conn: &Connection) -> Result<(Names, Vec<IndexRow>)> {
    let mut names = Names::default();
    let mut rows = Vec::new();
    each_index_row(conn, |name, row| {
        rows.push(*row);
        names.push(name)
    })?;
    names.shrink_to_fit();
    Ok((names, rows))
}

/// Calls `each` with every token's exact name and status facts, in name order.
pub(crate) fn each_index_row(
    conn: &Connection,
    each: impl FnMut(&str, &IndexRow) -> Result<()>,
) -> Result<()> {
    // One pass over every page of the table: through a small page cache, so the scan
    // recycles a few pages instead of keeping the whole table decrypted in memory
    // (about 15 MB at 100,000 tokens) for searches that touch a few pages each.
    let cache_size: i64 = conn.pragma_query_value(None, "cache_size", |row| row.get(0))?;
    conn.pragma_update(None, "cache_size", -1_000)?;
    let done = read_index_rows(conn, each);
    conn.pragma_update(None, "cache_size", cache_size)?;
    done
}

/// Every used token's id and last use, for the "last used" sort.
pub(crate) fn last_uses(conn: &Connection) -> Result<Vec<(uuid::Uuid, Timestamp)>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, last_used_at FROM tokens WHERE last_used_at IS NOT NULL")?;
    let mut rows = stmt.query([])?;
    let mut uses = Vec::new();
    while let Some(row) = rows.next()? {
        let id = text_at(row, 0)?;
        let id = uuid::Uuid::parse_str(id)
            .map_err(|_| Error::Damaged(format!("token id '{id}' is not a UUID")))?;
        uses.push((id, row.get(1)?));
    }
    Ok(uses)
}

/// Column `index` as text borrowed from the row (no copy).
fn text_at<'r>(row: &'r Row<'_>, index: usize) -> Result<&'r str> {
    Ok(row
        .get_ref(index)?
        .as_str()
        .map_err(rusqlite::Error::from)?)
}

fn read_index_rows(
    conn: &Connection,
    mut each: impl FnMut(&str, &IndexRow) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, name, kind, revoked, expires_at, rotation_days, rotated_at, created_at, last_used_at \
         FROM tokens",
    )?;
    // Names go into one buffer as read (no allocation per row): name i is
    // `text[bounds[i]..bounds[i + 1]]`.
    let mut text = String::new();
    let mut bounds: Vec<usize> = vec![0];
    let mut rows = Vec::new();
    let mut query = stmt.query([])?;
    while let Some(row) = query.next()? {
        let id = text_at(row, 0)?;
        let id = uuid::Uuid::parse_str(id)
            .map_err(|_| Error::Damaged(format!("token id '{id}' is not a UUID")))?;
        let kind = text_at(row, 2)?;
        let kind = kind
            .parse()
            .map_err(|_| Error::Damaged(format!("unknown token kind '{kind}'")))?;
        let lifetime = Lifetime {
            revoked: row.get(3)?,
            expires_at: row.get(4)?,
            rotation_days: row.get(5)?,
            rotated_at: row.get(6)?,
        };
        text.push_str(text_at(row, 1)?);
        bounds.push(text.len());
        rows.push(IndexRow::new(id, kind, lifetime, row.get(7)?, row.get(8)?));
    }
    // Read in table order and sorted here: `ORDER BY name` walks the name index and
    // fetches every row by a random lookup, which is several times slower. The order is
    // SQLite's NOCASE collation (ASCII case folded, then bytes), as in `tokens_page`;
    // equal keys keep table order (a stable sort). The folded names are one copy of
    // the buffer.
    let folded = text.to_ascii_lowercase();
    let span = |i: u32| bounds[i as usize]..bounds[i as usize + 1];
    let count = u32::try_from(rows.len())
        .map_err(|_| Error::Storage("too many tokens to search".into()))?;
    let mut order: Vec<u32> = (0..count).collect();
    order.sort_by(|&a, &b| folded[span(a)].cmp(&folded[span(b)]));
    drop(folded);
    for &i in &order {
        each(&text[span(i)], &rows[i as usize])?;
    }
    Ok(())
}

// ---- catalogs -------------------------------------------------------------------------

pub(crate) fn catalog_id(conn: &Connection, catalog: Catalog, name: &str) -> Result<i64> {
    let sql = format!("SELECT id FROM {} WHERE name = ?1", catalog.table());
    conn.prepare_cached(&sql)?
        .query_row([name.trim()], |row| row.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(catalog.label(), name.trim()))
}

pub(crate) fn catalog_add(
    conn: &Connection,
    catalog: Catalog,
    entry: &CatalogEntry,
    now: Timestamp,
) -> Result<()> {
    let result = match catalog {
        Catalog::Api => conn.execute(
            "INSERT INTO apis (name, method, path, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![entry.name, entry.detail, entry.extra, now],
        ),
        Catalog::Project => conn.execute(
            "INSERT INTO projects (name, created_at) VALUES (?1, ?2)",
            params![entry.name, now],
        ),
        Catalog::User => conn.execute(
            "INSERT INTO users (name, email, created_at) VALUES (?1, ?2, ?3)",
            params![entry.name, entry.detail, now],
        ),
        Catalog::ServiceAccount => conn.execute(
            "INSERT INTO service_accounts (name, description, created_at) VALUES (?1, ?2, ?3)",
            params![entry.name, entry.detail.as_deref().unwrap_or(""), now],
        ),
    };
    result.map_err(|e| name_conflict(e, catalog.label(), &entry.name))?;
    Ok(())
}

pub(crate) fn catalog_list(conn: &Connection, catalog: Catalog) -> Result<Vec<CatalogEntry>> {
    let sql = match catalog {
        Catalog::Api => "SELECT name, method, path, created_at FROM apis ORDER BY name",
        Catalog::Project => "SELECT name, NULL, NULL, created_at FROM projects ORDER BY name",
        Catalog::User => "SELECT name, email, NULL, created_at FROM users ORDER BY name",
        Catalog::ServiceAccount => {
            "SELECT name, nullif(description, ''), NULL, created_at FROM service_accounts ORDER BY name"
        }
    };
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |row| {
        Ok(CatalogEntry {
            name: row.get(0)?,
            detail: row.get(1)?,
            extra: row.get(2)?,
            created_at: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(crate) fn catalog_rename(
    conn: &Connection,
    catalog: Catalog,
    old: &str,
    new: &str,
) -> Result<()> {
    let id = catalog_id(conn, catalog, old)?;
    let sql = format!("UPDATE {} SET name = ?2 WHERE id = ?1", catalog.table());
    conn.execute(&sql, params![id, new])
        .map_err(|e| name_conflict(e, catalog.label(), new))?;
    Ok(())
}

/// How many tokens refer to a catalog entry.
pub(crate) fn catalog_refs(conn: &Connection, catalog: Catalog, id: i64) -> Result<i64> {
    let sql = match catalog.link() {
        Some((table, column)) => format!("SELECT count(*) FROM {table} WHERE {column} = ?1"),
        None => "SELECT count(*) FROM tokens WHERE service_account_id = ?1".to_string(),
    };
    Ok(conn.query_row(&sql, [id], |row| row.get(0))?)
}

pub(crate) fn catalog_remove(conn: &Connection, catalog: Catalog, id: i64) -> Result<()> {
    let sql = format!("DELETE FROM {} WHERE id = ?1", catalog.table());
    conn.execute(&sql, [id])?;
    Ok(())
}

/// Replaces a token's links to one catalog with `names` (each must exist).
pub(crate) fn set_scopes(
    conn: &Connection,
    catalog: Catalog,
    token_id: &str,
    names: &[String],
) -> Result<()> {
    let Some((table, column)) = catalog.link() else {
        return Err(Error::invalid(
            "scope",
            "service accounts are not a scope list",
        ));
    };
    conn.prepare_cached(&format!("DELETE FROM {table} WHERE token_id = ?1"))?
        .execute([token_id])?;
    let every_api = catalog == Catalog::Api && names == [ALL_APIS];
    if catalog == Catalog::Api {
        conn.prepare_cached("UPDATE tokens SET all_apis = ?2 WHERE id = ?1")?
            .execute(params![token_id, every_api])?;
    }
    if every_api {
        return Ok(());
    }
    let sql = format!("INSERT OR IGNORE INTO {table} (token_id, {column}) VALUES (?1, ?2)");
    for name in names {
        let id = catalog_id(conn, catalog, name)?;
        conn.prepare_cached(&sql)?.execute(params![token_id, id])?;
    }
    Ok(())
}

/// Records the first use of an assertion's `jti`; false when it was used before. Ids
/// of assertions that have expired (beyond the clock-skew leeway) are forgotten first.
pub(crate) fn consume_assertion(
    conn: &Connection,
    jti: &str,
    token_id: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<bool> {
    conn.prepare_cached("DELETE FROM used_assertions WHERE expires_at < ?1")?
        .execute([now.saturating_sub(crate::crypto::jwt::ASSERTION_LEEWAY_SECS)])?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO used_assertions (jti, token_id, expires_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (jti) DO NOTHING",
        )?
        .execute(params![jti, token_id, expires_at])?;
    Ok(inserted == 1)
}

// ---- audit ----------------------------------------------------------------------------

/// An audit event to append.
#[derive(Debug, Clone)]
pub(crate) struct NewAuditEvent {
    pub at: Timestamp,
    pub action: AuditAction,
    pub token_id: Option<String>,
    pub token_name: Option<String>,
    pub outcome: AuditOutcome,
    pub detail: String,
}

impl NewAuditEvent {
    /// An event about a token.
    pub(crate) fn token(
        action: AuditAction,
        token: Option<&Token>,
        outcome: AuditOutcome,
        detail: impl Into<String>,
    ) -> Self {
        NewAuditEvent {
            at: 0,
            action,
            token_id: token.map(|t| t.id.clone()),
            token_name: token.map(|t| t.name.clone()),
            outcome,
            detail: detail.into(),
        }
    }

    /// An event about the vault itself.
    pub(crate) fn vault(action: AuditAction, outcome: AuditOutcome, detail: &str) -> Self {
        NewAuditEvent::token(action, None, outcome, detail)
    }

    /// The same event, stamped.
    pub(crate) fn at(mut self, at: Timestamp) -> Self {
        self.at = at;
        self
    }
}

pub(crate) fn insert_audit(conn: &Connection, event: &NewAuditEvent) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit (at, action, token_id, token_name, outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        event.at,
        event.action.as_str(),
        event.token_id,
        event.token_name,
        event.outcome.as_str(),
        event.detail
    ])?;
    Ok(())
}

/// Audit events newest first, filtered.
pub(crate) fn audit_events(
    conn: &Connection,
    filter: &crate::model::audit::AuditFilter,
) -> Result<Vec<crate::model::audit::AuditEvent>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, action, token_id, token_name, outcome, detail FROM audit \
         WHERE (?1 IS NULL OR action = ?1) \
           AND (?2 IS NULL OR token_id = ?2 OR token_name = ?2 COLLATE NOCASE) \
           AND (?3 IS NULL OR at >= ?3) \
           AND (?4 IS NULL OR (outcome IN ('ok', 'active')) = ?4) \
         ORDER BY id DESC LIMIT ?5",
    )?;
    let rows = stmt.query_map(
        params![
            filter.action.map(AuditAction::as_str),
            filter.token.as_deref(),
            filter.since,
            filter.succeeded,
            filter.limit.unwrap_or(i64::MAX),
        ],
        |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, Timestamp>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
            ))
        },
    )?;
    let damaged = |what: &str, name: &str| {
        Error::Damaged(format!("the audit log holds an unknown {what} '{name}'"))
    };
    let mut events = Vec::new();
    for row in rows {
        let (id, at, action, token_id, token_name, outcome, detail) = row?;
        events.push(crate::model::audit::AuditEvent {
            id,
            at,
            action: action.parse().map_err(|_| damaged("action", &action))?,
            token_id,
            token_name,
            outcome: outcome.parse().map_err(|_| damaged("outcome", &outcome))?,
            detail,
        });
    }
    Ok(events)
}

/// The name of some token of `kind`, if one exists.
pub(crate) fn any_token_of_kind(conn: &Connection, kind: TokenKind) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM tokens WHERE kind = ?1 LIMIT 1")?
        .query_row([kind.as_str()], |row| row.get(0))
        .optional()?)
}

/// One page of tokens by name, with the total, for unfiltered listing.
pub(crate) fn tokens_page(
    conn: &Connection,
    kind: Option<TokenKind>,
    offset: usize,
    limit: usize,
) -> Result<(usize, Vec<Token>)> {
    // Two statements per case rather than `?1 IS NULL OR kind = ?1`, which SQLite cannot
    // answer from the (kind, name) index: with it, every count scanned the whole table.
    let (total, rows) = match kind {
        None => {
            let total: i64 = conn
                .prepare_cached("SELECT count(*) FROM tokens")?
                .query_row([], |row| row.get(0))?;
            let sql =
                format!("SELECT {TOKEN_COLUMNS} FROM tokens t ORDER BY t.name LIMIT ?1 OFFSET ?2");
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(params![limit as i64, offset as i64], token_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            (total, rows)
        }
        Some(kind) => {
            let total: i64 = conn
                .prepare_cached("SELECT count(*) FROM tokens WHERE kind = ?1")?
                .query_row([kind.as_str()], |row| row.get(0))?;
            let sql = format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens t WHERE t.kind = ?1 ORDER BY t.name LIMIT ?2 OFFSET ?3"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(
                    params![kind.as_str(), limit as i64, offset as i64],
                    token_from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            (total, rows)
        }
    };
    Ok((total as usize, rows))
}

/// Tokens per kind, kinds with none left out.
pub(crate) fn kind_counts(conn: &Connection) -> Result<Vec<(TokenKind, usize)>> {
    let mut stmt = conn.prepare_cached("SELECT kind, count(*) FROM tokens GROUP BY kind")?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    let mut counts = Vec::new();
    for row in rows {
        let (kind, count) = row?;
        counts.push((kind.parse()?, count as usize));
    }
    Ok(counts)
}

/// The meta key of the vault's JWT signing key for `alg`.
fn signing_key_name(alg: JwtAlg) -> &'static str {
    match alg {
        JwtAlg::Hs256 => "jwt_hs256",
        JwtAlg::Rs256 => "jwt_rs256",
        JwtAlg::EdDsa => "jwt_eddsa",
    }
}

/// JWT signing keys live in `meta`, inside the encrypted vault.
impl crate::crypto::jwt::SigningKeys for Connection {
    fn signing_key(&self, alg: JwtAlg) -> Result<Option<Vec<u8>>> {
        meta_get(self, signing_key_name(alg))
    }

    fn keep_signing_key(&self, alg: JwtAlg, key: &[u8]) -> Result<()> {
        meta_set(self, signing_key_name(alg), key)
    }
}
