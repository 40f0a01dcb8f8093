//! Snapshots: the whole vault as a plaintext SQLite database image in SQLite's memory
//! (what a backup carries, encrypted, as `vault.sqlite`), and the way back in: a
//! snapshot replacing the vault's tokens, or merged into them.
//!
//! The image is made by SQLCipher's `sqlcipher_export` into an attached in-memory
//! database with no key, in one read transaction, and read back by deserializing it
//! into a keyless in-memory connection. Neither touches the disk; both live in the
//! same locked, wiped memory as the vault's own pages. Rows go from a snapshot into the
//! vault through bound values borrowed from SQLite, never copied into Rust's heap.

use crate::crypto::keys::VaultKey;
use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use crate::store::{self, connection};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A value bound as it was read: SQLite copies it into its own memory, and it is
/// never copied into Rust's heap.
#[derive(Clone, Copy)]
struct Borrowed<'a>(ValueRef<'a>);

impl rusqlite::ToSql for Borrowed<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(self.0))
    }
}

/// Column `i` of `row`, to bind elsewhere.
fn at<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Borrowed<'r>> {
    row.get_ref(i).map(Borrowed)
}

/// The schema name of the export being made.
const EXPORT: &str = "tessera_export";

/// The vault's facts at the moment of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    pub vault_id: String,
    pub tokens: u64,
    pub generation: u64,
    pub schema: i64,
}

/// Calls `with` with the facts and the plaintext image of the vault on `conn`, both
/// of one read transaction.
pub(crate) fn export<T>(
    conn: &Connection,
    with: impl FnOnce(&Facts, &[u8]) -> Result<T>,
) -> Result<T> {
    conn.execute_batch(&format!("ATTACH DATABASE ':memory:' AS {EXPORT} KEY ''"))?;
    let result = (|| {
        let tx = conn.unchecked_transaction()?;
        tx.query_row(&format!("SELECT sqlcipher_export('{EXPORT}')"), [], |_| {
            Ok(())
        })?;
        let facts = facts(&tx, "main")?;
        tx.commit()?;
        conn.pragma_update(Some(EXPORT), "user_version", facts.schema)?;
        let image = conn.serialize(EXPORT)?;
        with(&facts, &image)
    })();
    let detached = conn.execute_batch(&format!("DETACH DATABASE {EXPORT}"));
    let out = result?;
    detached?;
    Ok(out)
}

fn facts(conn: &Connection, schema: &str) -> Result<Facts> {
    let tokens: i64 = conn.query_row(
        &format!("SELECT count(*) FROM {schema}.tokens"),
        [],
        |row| row.get(0),
    )?;
    Ok(Facts {
        vault_id: store::vault_id(conn)?,
        tokens: tokens as u64,
        generation: crate::store::rollback::generation(conn)?,
        schema: connection::schema_version(conn, schema)?,
    })
}

/// A snapshot read back: a keyless in-memory database, checked and brought to this
/// build's schema.
pub(crate) struct Snapshot {
    conn: Connection,
    facts: Facts,
}

impl Snapshot {
    /// Reads an image of `size` bytes from `input` into SQLite's memory and checks it:
    /// SQLite's integrity and foreign-key checks, a schema this build knows, and a
    /// vault id.
    pub(crate) fn read(input: impl std::io::Read, size: usize) -> Result<Snapshot> {
        let bad = |what: &str| Error::BadBackup(format!("its vault.sqlite {what}"));
        let mut conn = connection::open_plain_memory()?;
        conn.deserialize_read_exact("main", input, size, false)
            .map_err(|_| bad("could not be read in full"))?;
        let report: Vec<String> = conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(|_| bad("is not a SQLite database"))?;
        if report != ["ok"] {
            return Err(bad(&format!("fails SQLite's check: {}", report.join("; "))));
        }
        let found = connection::schema_version(&conn, "main")?;
        if found > connection::known_schema() {
            return Err(Error::NewerSchema {
                found,
                known: connection::known_schema(),
            });
        }
        connection::migrate(&mut conn).map_err(|e| bad(&format!("cannot be upgraded: {e}")))?;
        let orphans = conn
            .prepare("PRAGMA foreign_key_check")?
            .query([])?
            .next()?
            .is_some();
        if orphans {
            return Err(bad("has rows that refer to rows it lacks"));
        }
        let facts = facts(&conn, "main").map_err(|_| bad("holds no vault"))?;
        Ok(Snapshot { conn, facts })
    }

    pub(crate) fn facts(&self) -> &Facts {
        &self.facts
    }
}

// ---- the way in ------------------------------------------------------------------------

/// The catalogs, in the order their rows are copied: (table, the columns besides `id`).
const CATALOGS: &[(&str, &str)] = &[
    ("apis", "name, method, path, created_at"),
    ("projects", "name, created_at"),
    ("users", "name, email, created_at"),
    ("service_accounts", "name, description, created_at"),
];
/// Token links: (table, catalog column, catalog table).
const LINKS: &[(&str, &str, &str)] = &[
    ("token_apis", "api_id", "apis"),
    ("token_projects", "project_id", "projects"),
    ("token_users", "user_id", "users"),
];
/// A token's row and secret as copied, the service account by name (column 12).
const TOKEN_ROW: &str = "SELECT t.id, t.name, t.description, t.kind, t.revoked, t.created_at, t.expires_at, \
     t.revoked_at, t.last_used_at, t.use_count, t.rotation_days, t.rotated_at, \
     (SELECT name FROM service_accounts WHERE id = t.service_account_id), t.service, t.key_id, t.jwt_alg, \
     t.all_apis, s.value, s.hash, s.public_key FROM tokens t JOIN secrets s ON s.token_id = t.id";
/// Columns of [`TOKEN_ROW`].
const TOKEN_ROW_COLUMNS: usize = 20;
/// Columns 8 and 9 (last use, use count) are usage, not content.
const USAGE: [usize; 2] = [8, 9];
/// Audited actions that change a token: the latest one is its last change.
const CHANGES: &str = "'create', 'modify', 'rotate', 'revoke', 'restore', 'import'";
/// `meta` entries a snapshot brings: the JWT signing keys.
const CARRIED_META: &str = "key LIKE 'jwt\\_%' ESCAPE '\\'";

/// Writes the snapshot, whole, as a new SQLCipher file at `path` encrypted under `key`:
/// SQLCipher's own export into the file attached with that key, tables, indexes, seals
/// and search index as they are. The file must not exist.
pub(crate) fn write_encrypted(snapshot: &Snapshot, path: &Path, key: &VaultKey) -> Result<()> {
    let conn = &snapshot.conn;
    let literal = key.sqlcipher_literal();
    let path_text = path
        .to_str()
        .ok_or_else(|| Error::invalid("vault folder", "its path is not UTF-8"))?;
    conn.execute(
        "ATTACH DATABASE ?1 AS tessera_restored KEY ?2",
        params![path_text, literal.as_str()],
    )?;
    drop(literal);
    let done = conn
        .query_row(
            "SELECT sqlcipher_export('tessera_restored')",
            [],
            |_| Ok(()),
        )
        .map_err(Error::from)
        .and_then(|()| {
            conn.pragma_update(
                Some("tessera_restored"),
                "user_version",
                snapshot.facts.schema,
            )
            .map_err(Error::from)
        });
    let detached = conn.execute_batch("DETACH DATABASE tessera_restored");
    done?;
    Ok(detached?)
}

/// Replaces every token, secret, scope and catalog entry of the vault with the
/// snapshot's, brings its JWT signing keys, and adds the audit events the vault lacks:
/// the audit log is append-only, so nothing of it goes. Call inside the change's
/// transaction; the connection's triggers reseal and reindex every token.
pub(crate) fn replace(conn: &Connection, snapshot: &Snapshot) -> Result<u64> {
    conn.execute("DELETE FROM main.tokens", [])?;
    for (table, _) in CATALOGS {
        conn.execute(&format!("DELETE FROM main.{table}"), [])?;
    }
    copy_catalogs(conn, &snapshot.conn)?;
    let mut insert = TokenInsert::new(conn)?;
    let mut stmt = snapshot.conn.prepare(TOKEN_ROW)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        insert.token(row)?;
    }
    drop(rows);
    for (table, column, catalog) in LINKS {
        insert.links(&snapshot.conn, table, column, catalog, None)?;
    }
    copy_assertions(conn, &snapshot.conn, None)?;
    conn.execute(&format!("DELETE FROM main.meta WHERE {CARRIED_META}"), [])?;
    copy_meta(conn, &snapshot.conn)?;
    add_audit_events(conn, &snapshot.conn)
}

fn copy_catalogs(conn: &Connection, from: &Connection) -> Result<u64> {
    let mut added = 0;
    for (table, columns) in CATALOGS {
        let count = columns.split(',').count();
        let marks = (1..=count).map(|i| format!("?{i}")).collect::<Vec<_>>();
        let mut insert = conn.prepare(&format!(
            "INSERT INTO main.{table} ({columns}) VALUES ({}) ON CONFLICT (name) DO NOTHING",
            marks.join(", ")
        ))?;
        let mut stmt = from.prepare(&format!("SELECT {columns} FROM {table} ORDER BY id"))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let values = (0..count)
                .map(|i| at(row, i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            added += insert.execute(params_from_iter(values))? as u64;
        }
    }
    Ok(added)
}

/// Inserts tokens and their links, read from a snapshot, into the vault.
struct TokenInsert<'c> {
    conn: &'c Connection,
    token: rusqlite::Statement<'c>,
    secret: rusqlite::Statement<'c>,
}

impl<'c> TokenInsert<'c> {
    fn new(conn: &'c Connection) -> Result<Self> {
        Ok(TokenInsert {
            conn,
            token: conn.prepare(
                "INSERT INTO main.tokens (id, name, description, kind, revoked, created_at, expires_at, \
                 revoked_at, last_used_at, use_count, rotation_days, rotated_at, service_account_id, \
                 service, key_id, jwt_alg, all_apis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
                 ?11, ?12, (SELECT id FROM main.service_accounts WHERE name = ?13), ?14, ?15, ?16, ?17)",
            )?,
            secret: conn.prepare(
                "INSERT INTO main.secrets (token_id, value, hash, public_key) VALUES (?1, ?2, ?3, ?4)",
            )?,
        })
    }

    /// One row of [`TOKEN_ROW`].
    fn token(&mut self, row: &rusqlite::Row<'_>) -> Result<()> {
        let values = (0..TOKEN_ROW_COLUMNS)
            .map(|i| at(row, i))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let name = values[1].0.as_str().unwrap_or_default().to_string();
        self.token
            .execute(params_from_iter(&values[..17]))
            .map_err(|e| store::name_conflict(e, "token", &name))?;
        self.secret
            .execute(params![values[0], values[17], values[18], values[19]])?;
        Ok(())
    }

    /// Copies the links of `table` (of one token, or all), the catalog entries by name.
    fn links(
        &self,
        from: &Connection,
        table: &str,
        column: &str,
        catalog: &str,
        token_id: Option<&str>,
    ) -> Result<()> {
        let mut insert = self.conn.prepare_cached(&format!(
            "INSERT OR IGNORE INTO main.{table} (token_id, {column}) \
             SELECT ?1, id FROM main.{catalog} WHERE name = ?2"
        ))?;
        let mut stmt = from.prepare_cached(&format!(
            "SELECT l.token_id, c.name FROM {table} l JOIN {catalog} c ON c.id = l.{column} \
             WHERE ?1 IS NULL OR l.token_id = ?1"
        ))?;
        let mut rows = stmt.query([token_id])?;
        while let Some(row) = rows.next()? {
            insert.execute(params![at(row, 0)?, at(row, 1)?])?;
        }
        Ok(())
    }

    /// A token and its links from `from`.
    fn whole(&mut self, from: &Connection, token_id: &str) -> Result<()> {
        let mut stmt = from.prepare_cached(&format!("{TOKEN_ROW} WHERE t.id = ?1"))?;
        let mut rows = stmt.query([token_id])?;
        if let Some(row) = rows.next()? {
            self.token(row)?;
        }
        for (table, column, catalog) in LINKS {
            self.links(from, table, column, catalog, Some(token_id))?;
        }
        Ok(())
    }
}

/// Copies the RSA assertions already used (of one token, or all).
fn copy_assertions(conn: &Connection, from: &Connection, token_id: Option<&str>) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO main.used_assertions (jti, token_id, expires_at) \
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM main.tokens WHERE id = ?2)",
    )?;
    let mut stmt = from.prepare_cached(
        "SELECT jti, token_id, expires_at FROM used_assertions WHERE ?1 IS NULL OR token_id = ?1",
    )?;
    let mut rows = stmt.query([token_id])?;
    while let Some(row) = rows.next()? {
        insert.execute(params![at(row, 0)?, at(row, 1)?, at(row, 2)?])?;
    }
    Ok(())
}

/// Brings the snapshot's carried `meta` entries the vault lacks; returns the keys both
/// have with different values.
fn copy_meta(conn: &Connection, from: &Connection) -> Result<Vec<String>> {
    let mut differ = Vec::new();
    let mut stmt = from.prepare(&format!("SELECT key, value FROM meta WHERE {CARRIED_META}"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let key = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let value = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
        let same: Option<bool> = conn
            .prepare_cached("SELECT value = ?2 FROM main.meta WHERE key = ?1")?
            .query_row(params![key, value], |row| row.get(0))
            .optional()?;
        match same {
            None => store::meta_set(conn, key, value)?,
            Some(true) => {}
            Some(false) => differ.push(key.to_string()),
        }
    }
    Ok(differ)
}

/// Adds the snapshot's audit events that the vault does not hold (the same time,
/// action, token, outcome and detail), oldest first; into an empty log with their ids.
fn add_audit_events(conn: &Connection, from: &Connection) -> Result<u64> {
    type Event = (
        Timestamp,
        String,
        Option<String>,
        Option<String>,
        String,
        String,
    );
    let read = |conn: &Connection, schema: &str| -> Result<Vec<(i64, Event)>> {
        let mut stmt = conn.prepare(&format!(
            "SELECT id, at, action, token_id, token_name, outcome, detail FROM {schema}.audit ORDER BY id"
        ))?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get(0)?,
                (
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let ours = read(conn, "main")?;
    let keep_ids = ours.is_empty();
    let ours: HashSet<Event> = ours.into_iter().map(|(_, event)| event).collect();
    let mut insert = conn.prepare(
        "INSERT INTO main.audit (id, at, action, token_id, token_name, outcome, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut added = 0;
    for (id, event) in read(from, "main")? {
        if ours.contains(&event) {
            continue;
        }
        let (at, action, token_id, token_name, outcome, detail) = event;
        insert.execute(params![
            keep_ids.then_some(id),
            at,
            action,
            token_id,
            token_name,
            outcome,
            detail
        ])?;
        added += 1;
    }
    Ok(added)
}

// ---- merging ---------------------------------------------------------------------------

/// What one side knows of a token: a digest of its content (everything but its usage),
/// its name, its usage, and its last change.
struct Side {
    digest: [u8; 32],
    name: String,
    last_used_at: Option<Timestamp>,
    use_count: i64,
    changed_at: Timestamp,
}

/// Every token of `conn` (schema `main`), by id.
fn sides(conn: &Connection) -> Result<HashMap<String, Side>> {
    let mut changes: HashMap<String, Timestamp> = HashMap::new();
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT token_id, max(at) FROM main.audit WHERE token_id IS NOT NULL \
             AND action IN ({CHANGES}) AND outcome = 'ok' GROUP BY token_id"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            changes.insert(row.get(0)?, row.get(1)?);
        }
    }
    let mut scopes: HashMap<String, Sha256> = HashMap::new();
    for (table, column, catalog) in LINKS {
        let mut stmt = conn.prepare(&format!(
            "SELECT l.token_id, c.name FROM main.{table} l JOIN main.{catalog} c ON c.id = l.{column} \
             ORDER BY l.token_id, c.name"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let hash = scopes.entry(id).or_default();
            hash.update(table.as_bytes());
            hash.update(
                row.get_ref(1)?
                    .as_str()
                    .map_err(rusqlite::Error::from)?
                    .as_bytes(),
            );
            hash.update([0]);
        }
    }
    let mut out = HashMap::new();
    let mut stmt = conn.prepare(&TOKEN_ROW.replace(
        " FROM tokens t JOIN secrets s",
        " FROM main.tokens t JOIN main.secrets s",
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let mut hash = scopes.remove(&id).unwrap_or_default();
        for i in (0..TOKEN_ROW_COLUMNS).filter(|i| !USAGE.contains(i)) {
            digest_value(&mut hash, row.get_ref(i)?);
        }
        let changed_at = changes.get(&id).copied().unwrap_or_else(|| {
            let created: Timestamp = row.get(5).unwrap_or_default();
            let rotated: Timestamp = row.get(11).unwrap_or_default();
            let revoked: Option<Timestamp> = row.get(7).unwrap_or_default();
            created.max(rotated).max(revoked.unwrap_or_default())
        });
        out.insert(
            id,
            Side {
                digest: hash.finalize().into(),
                name: row.get(1)?,
                last_used_at: row.get(8)?,
                use_count: row.get(9)?,
                changed_at,
            },
        );
    }
    Ok(out)
}

/// Feeds one value, typed and delimited, into a digest.
fn digest_value(hash: &mut Sha256, value: ValueRef<'_>) {
    match value {
        ValueRef::Null => hash.update([0]),
        ValueRef::Integer(i) => {
            hash.update([1]);
            hash.update(i.to_be_bytes());
        }
        ValueRef::Real(f) => {
            hash.update([2]);
            hash.update(f.to_be_bytes());
        }
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
            hash.update([3]);
            hash.update((bytes.len() as u64).to_be_bytes());
            hash.update(bytes);
        }
    }
}

/// When each token the vault deleted was deleted.
fn deletions(conn: &Connection) -> Result<HashMap<String, Timestamp>> {
    let mut stmt = conn.prepare(
        "SELECT token_id, max(at) FROM main.audit WHERE token_id IS NOT NULL AND action = 'delete' \
         AND outcome = 'ok' GROUP BY token_id",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Which side a merge kept for a token both have changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    /// The vault's own token: its change is the newer.
    Vault,
    /// The backup's token: its change is the newer.
    Backup,
    /// Neither: the backup's token could not be added (its name is taken).
    Neither,
}

/// A token the two sides disagree on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    /// The token's id.
    pub token_id: String,
    /// Its name (the kept side's).
    pub name: String,
    /// Which side was kept.
    pub kept: Kept,
    /// Why, for a person.
    pub reason: String,
}

/// What a merge did (or, planned, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Merged {
    /// Tokens added from the backup.
    pub added: u64,
    /// Tokens whose content the backup's newer change replaced.
    pub updated: u64,
    /// Tokens whose last use or use count the backup moved forward.
    pub usage: u64,
    /// Tokens the backup has that this vault deleted since.
    pub deleted_here: u64,
    /// Catalog entries added.
    pub catalog_added: u64,
    /// Audit events added.
    pub events_added: u64,
    /// Tokens both sides changed, and names both sides use for different tokens.
    pub conflicts: Vec<Conflict>,
    /// Other things kept as they were (a JWT signing key that differs).
    pub notes: Vec<String>,
}

impl Merged {
    /// Whether the merge changes nothing.
    pub fn is_empty(&self) -> bool {
        self.added == 0
            && self.updated == 0
            && self.usage == 0
            && self.catalog_added == 0
            && self.events_added == 0
    }
}

/// Merges the snapshot into the vault, by token id: a token only the backup has is
/// added (unless this vault deleted it after the backup's last change to it, or its name
/// is taken); a token both have keeps the side with the newer change (by the audit log,
/// else its times), and is listed as a conflict when they differ; last uses and use
/// counts take the larger; catalog entries and audit events the vault lacks are added.
/// With `apply` false nothing is written: the answer is what it would do. Merging the
/// same snapshot again changes nothing.
pub(crate) fn merge(conn: &Connection, snapshot: &Snapshot, apply: bool) -> Result<Merged> {
    let from = &snapshot.conn;
    let ours = sides(conn)?;
    let theirs = sides(from)?;
    let deleted = deletions(conn)?;
    let mut merged = Merged::default();
    let names: HashMap<String, String> = ours
        .iter()
        .map(|(id, side)| (side.name.to_lowercase(), id.clone()))
        .collect();
    let mut add = Vec::new();
    let mut replace = Vec::new();
    let mut usage = Vec::new();
    let mut ids: Vec<&String> = theirs.keys().collect();
    ids.sort();
    for id in ids {
        let their = &theirs[id];
        let name_holder = names
            .get(&their.name.to_lowercase())
            .filter(|holder| *holder != id);
        match ours.get(id) {
            None if deleted.get(id).is_some_and(|&at| at >= their.changed_at) => {
                merged.deleted_here += 1;
            }
            None if name_holder.is_some() => merged.conflicts.push(Conflict {
                token_id: id.clone(),
                name: their.name.clone(),
                kept: Kept::Neither,
                reason: format!(
                    "another token here is named '{}': rename one, then merge again",
                    their.name
                ),
            }),
            None => add.push(id.clone()),
            Some(our) => {
                if our.digest != their.digest {
                    let backup_newer = their.changed_at > our.changed_at;
                    let kept = if backup_newer && name_holder.is_none() {
                        replace.push(id.clone());
                        Kept::Backup
                    } else {
                        Kept::Vault
                    };
                    merged.conflicts.push(Conflict {
                        token_id: id.clone(),
                        name: if kept == Kept::Backup { &their.name } else { &our.name }.clone(),
                        kept,
                        reason: match (backup_newer, name_holder.is_some()) {
                            (true, true) => format!(
                                "the backup's change is newer, but its name '{}' is used here by another token",
                                their.name
                            ),
                            (true, false) => "the backup's change is newer".into(),
                            (false, _) => "this vault's change is newer".into(),
                        },
                    });
                }
                if their.last_used_at > our.last_used_at || their.use_count > our.use_count {
                    usage.push((id.clone(), their.last_used_at, their.use_count));
                }
            }
        }
    }
    merged.added = add.len() as u64;
    merged.updated = replace.len() as u64;
    merged.usage = usage.len() as u64;
    // Catalogs and events are counted by doing them: planned inside a savepoint that is
    // rolled back.
    conn.execute_batch("SAVEPOINT merge")?;
    let done = merge_writes(conn, from, apply, &add, &replace, &usage, &mut merged);
    let end = match (&done, apply) {
        (Ok(()), true) => "RELEASE merge",
        _ => "ROLLBACK TO merge; RELEASE merge",
    };
    conn.execute_batch(end)?;
    done?;
    Ok(merged)
}

/// The writes of [`merge`], inside its savepoint.
fn merge_writes(
    sp: &Connection,
    from: &Connection,
    apply: bool,
    add: &[String],
    replace: &[String],
    usage: &[(String, Option<Timestamp>, i64)],
    merged: &mut Merged,
) -> Result<()> {
    merged.catalog_added = copy_catalogs(sp, from)?;
    let differ = copy_meta(sp, from)?;
    merged.notes.extend(differ.into_iter().map(|key| {
        format!("the backup's {key} signing key differs from this vault's: this vault's is kept")
    }));
    if apply {
        let mut insert = TokenInsert::new(sp)?;
        for id in replace {
            sp.execute("DELETE FROM main.tokens WHERE id = ?1", [id])?;
        }
        for id in add.iter().chain(replace) {
            insert.whole(from, id)?;
            copy_assertions(sp, from, Some(id))?;
        }
        drop(insert);
        for (id, last_used_at, use_count) in usage {
            sp.execute(
                "UPDATE main.tokens SET last_used_at = CASE WHEN ?2 IS NULL THEN last_used_at \
                 ELSE max(coalesce(last_used_at, ?2), ?2) END, use_count = max(use_count, ?3) WHERE id = ?1",
                params![id, last_used_at, use_count],
            )?;
        }
    }
    merged.events_added = add_audit_events(sp, from)?;
    Ok(())
}
