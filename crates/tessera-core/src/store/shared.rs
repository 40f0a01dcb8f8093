//! The SQL of shared vaults: the list of shared vaults kept in a person's own vault,
//! and in a replica, each token's whole state read out as a record's plaintext or
//! written back from one, and what was last synced.

use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use crate::model::secret::SecretBytes;
use crate::model::shared::{TokenState, b64, unb64};
use crate::store::{meta_get, meta_set, name_conflict};
use rusqlite::{Connection, OptionalExtension, params};
use zeroize::Zeroizing;

/// A shared vault as a person's own vault lists it.
pub(crate) struct SharedVaultRow {
    pub name: String,
    pub vault_id: String,
    pub server: String,
    pub replica_key: SecretBytes,
    pub admin: String,
    pub joined_at: Timestamp,
}

pub(crate) fn add_shared_vault(conn: &Connection, row: &SharedVaultRow) -> Result<()> {
    conn.execute(
        "INSERT INTO shared_vaults (name, vault_id, server, replica_key, admin, joined_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            row.name,
            row.vault_id,
            row.server,
            // Kept inside the encrypted vault: the replica's key.
            row.replica_key.expose(),
            row.admin,
            row.joined_at
        ],
    )
    .map_err(|e| match name_conflict(e, "shared vault", &row.name) {
        Error::NameTaken { .. } => Error::NameTaken {
            what: "shared vault",
            name: row.name.clone(),
        },
        other => other,
    })?;
    Ok(())
}

pub(crate) fn remove_shared_vault(conn: &Connection, vault_id: &str) -> Result<()> {
    conn.execute("DELETE FROM shared_vaults WHERE vault_id = ?1", [vault_id])?;
    Ok(())
}

fn shared_vault_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SharedVaultRow> {
    Ok(SharedVaultRow {
        name: row.get(0)?,
        vault_id: row.get(1)?,
        server: row.get(2)?,
        replica_key: SecretBytes::new(row.get(3)?),
        admin: row.get(4)?,
        joined_at: row.get(5)?,
    })
}

const SHARED_VAULT_COLUMNS: &str = "name, vault_id, server, replica_key, admin, joined_at";

pub(crate) fn shared_vault(conn: &Connection, name: &str) -> Result<Option<SharedVaultRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SHARED_VAULT_COLUMNS} FROM shared_vaults WHERE name = ?1 OR vault_id = ?1"
        ))?
        .query_row([name.trim()], shared_vault_from_row)
        .optional()?)
}

pub(crate) fn shared_vaults(conn: &Connection) -> Result<Vec<SharedVaultRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SHARED_VAULT_COLUMNS} FROM shared_vaults ORDER BY name"
    ))?;
    let rows = stmt.query_map([], shared_vault_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Keeps `secret` under meta `key` unless one is there already (the first one stays).
pub(crate) fn keep_identity(conn: &Connection, key: &str, secret: &SecretBytes) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
        // The identity's private keys, kept inside the encrypted vault.
        params![key, secret.expose()],
    )?;
    Ok(())
}

/// A token's whole state, every column but usage, links by name.
const STATE_ROW: &str = "SELECT t.id, t.name, t.description, t.kind, t.revoked, t.created_at, t.expires_at, \
     t.revoked_at, t.rotation_days, t.rotated_at, \
     (SELECT name FROM service_accounts WHERE id = t.service_account_id), t.service, t.key_id, t.jwt_alg, \
     t.all_apis, s.value, s.hash, s.public_key FROM tokens t JOIN secrets s ON s.token_id = t.id";

const LINKS: [(&str, &str, &str); 3] = [
    ("token_apis", "api_id", "apis"),
    ("token_projects", "project_id", "projects"),
    ("token_users", "user_id", "users"),
];

fn links(
    conn: &Connection,
    token_id: &str,
    (table, column, catalog): (&str, &str, &str),
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.name FROM {table} l JOIN {catalog} c ON c.id = l.{column} WHERE l.token_id = ?1 ORDER BY c.name"
    ))?;
    let rows = stmt.query_map([token_id], |row| row.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every token's state, by id.
pub(crate) fn token_states(conn: &Connection) -> Result<Vec<TokenState>> {
    let mut stmt = conn.prepare(&format!("{STATE_ROW} ORDER BY t.id"))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        // The secret goes into the record the members' replicas hold.
        let value = Zeroizing::new(row.get::<_, Vec<u8>>(15)?);
        let hash: Option<Vec<u8>> = row.get(16)?;
        let public_key: Option<Vec<u8>> = row.get(17)?;
        let id: String = row.get(0)?;
        let mut state = TokenState {
            name: row.get(1)?,
            description: row.get(2)?,
            kind: row.get(3)?,
            revoked: row.get(4)?,
            created_at: row.get(5)?,
            expires_at: row.get(6)?,
            revoked_at: row.get(7)?,
            rotation_days: row.get(8)?,
            rotated_at: row.get(9)?,
            service_account: row.get(10)?,
            service: row.get(11)?,
            key_id: row.get(12)?,
            jwt_alg: row.get(13)?,
            all_apis: row.get(14)?,
            value: Zeroizing::new(b64(&value)),
            hash: hash.as_deref().map(b64),
            public_key: public_key.as_deref().map(b64),
            ..TokenState::default()
        };
        state.apis = links(conn, &id, LINKS[0])?;
        state.projects = links(conn, &id, LINKS[1])?;
        state.users = links(conn, &id, LINKS[2])?;
        state.id = id;
        out.push(state);
    }
    Ok(out)
}

/// Writes `state` over the token with its id (or adds it), its catalog entries made
/// by name where missing. Usage recorded here is kept.
pub(crate) fn apply_token_state(
    conn: &Connection,
    state: &TokenState,
    now: Timestamp,
) -> Result<()> {
    let usage: Option<(Option<i64>, i64)> = conn
        .query_row(
            "SELECT last_used_at, use_count FROM tokens WHERE id = ?1",
            [&state.id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    conn.execute("DELETE FROM tokens WHERE id = ?1", [&state.id])?;
    let service_account_id: Option<i64> = match &state.service_account {
        Some(name) => {
            conn.execute(
                "INSERT OR IGNORE INTO service_accounts (name, created_at) VALUES (?1, ?2)",
                params![name, now],
            )?;
            Some(conn.query_row(
                "SELECT id FROM service_accounts WHERE name = ?1",
                [name],
                |r| r.get(0),
            )?)
        }
        None => None,
    };
    let (last_used_at, use_count) = usage.unwrap_or((None, 0));
    conn.execute(
        "INSERT INTO tokens (id, name, description, kind, revoked, created_at, expires_at, revoked_at, \
         last_used_at, use_count, rotation_days, rotated_at, service_account_id, service, key_id, jwt_alg, all_apis) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            state.id,
            state.name,
            state.description,
            state.kind,
            state.revoked,
            state.created_at,
            state.expires_at,
            state.revoked_at,
            last_used_at,
            use_count,
            state.rotation_days,
            state.rotated_at,
            service_account_id,
            state.service,
            state.key_id,
            state.jwt_alg,
            state.all_apis,
        ],
    )
    .map_err(|e| name_conflict(e, "token", &state.name))?;
    // The record's secret, written into the replica.
    let value = Zeroizing::new(unb64(&state.value)?);
    let hash = state.hash.as_deref().map(unb64).transpose()?;
    let public_key = state.public_key.as_deref().map(unb64).transpose()?;
    conn.execute(
        "INSERT INTO secrets (token_id, value, hash, public_key) VALUES (?1, ?2, ?3, ?4)",
        params![state.id, value.as_slice(), hash, public_key],
    )?;
    for ((table, column, catalog), names) in
        LINKS
            .iter()
            .zip([&state.apis, &state.projects, &state.users])
    {
        for name in names {
            conn.prepare_cached(&format!(
                "INSERT OR IGNORE INTO {catalog} (name, created_at) VALUES (?1, ?2)"
            ))?
            .execute(params![name, now])?;
            conn.prepare_cached(&format!(
                "INSERT OR IGNORE INTO {table} (token_id, {column}) SELECT ?1, id FROM {catalog} WHERE name = ?2"
            ))?
            .execute(params![state.id, name])?;
        }
    }
    Ok(())
}

/// Deletes the token with `id`, if it is here.
pub(crate) fn delete_token_state(conn: &Connection, id: &str) -> Result<()> {
    conn.execute("DELETE FROM tokens WHERE id = ?1", [id])?;
    Ok(())
}

/// The vault's JWT signing keys, by meta key.
pub(crate) fn signing_keys(conn: &Connection) -> Result<Vec<(String, Vec<u8>)>> {
    let mut stmt = conn
        .prepare("SELECT key, value FROM meta WHERE key LIKE 'jwt\\_%' ESCAPE '\\' ORDER BY key")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces the vault's JWT signing keys.
pub(crate) fn set_signing_keys(conn: &Connection, keys: &[(String, Vec<u8>)]) -> Result<()> {
    for (key, value) in keys {
        if !key.starts_with("jwt_") {
            return Err(Error::invalid(
                "record",
                format!("'{key}' is not a signing key"),
            ));
        }
        meta_set(conn, key, value)?;
    }
    Ok(())
}

/// What was last synced of each record: version and digest.
pub(crate) fn synced(
    conn: &Connection,
) -> Result<std::collections::HashMap<String, (i64, Vec<u8>)>> {
    let mut stmt = conn.prepare("SELECT record_id, version, digest FROM sync_records")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records that `record_id` is at `version` with `plaintext` (its SHA-256 `digest`).
pub(crate) fn set_synced(
    conn: &Connection,
    record_id: &str,
    version: i64,
    digest: &[u8],
    plaintext: &[u8],
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_records (record_id, version, digest, base) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(record_id) DO UPDATE SET version = excluded.version, digest = excluded.digest, \
         base = excluded.base",
    )?
    // The record's plaintext as last synced, kept inside the replica to merge against.
    .execute(params![record_id, version, digest, plaintext])?;
    Ok(())
}

/// The plaintext of each token record as last synced.
pub(crate) fn bases(
    conn: &Connection,
) -> Result<std::collections::HashMap<String, Zeroizing<Vec<u8>>>> {
    let mut stmt =
        conn.prepare("SELECT record_id, base FROM sync_records WHERE base IS NOT NULL")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, Zeroizing::new(row.get(1)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A replica's sync state kept in its meta, as bytes.
pub(crate) fn sync_meta(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>> {
    meta_get(conn, &format!("sync.{key}"))
}

pub(crate) fn set_sync_meta(conn: &Connection, key: &str, value: &[u8]) -> Result<()> {
    meta_set(conn, &format!("sync.{key}"), value)
}

/// The conflicts a replica keeps (`sync.conflict.<token id>` in its meta), each as
/// written: `(token id, JSON)`.
pub(crate) fn conflicts(conn: &Connection) -> Result<Vec<(String, Zeroizing<Vec<u8>>)>> {
    let mut stmt = conn.prepare(
        "SELECT substr(key, 15), value FROM meta WHERE key LIKE 'sync.conflict.%' ORDER BY key",
    )?;
    // A conflict may hold our secret: read into wiped memory.
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, Zeroizing::new(row.get(1)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn set_conflict(conn: &Connection, token_id: &str, json: &[u8]) -> Result<()> {
    set_sync_meta(conn, &format!("conflict.{token_id}"), json)
}

pub(crate) fn delete_conflict(conn: &Connection, token_id: &str) -> Result<()> {
    super::meta_delete(conn, &format!("sync.conflict.{token_id}"))
}
