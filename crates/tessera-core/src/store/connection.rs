//! The vault's connection: opening and keying the SQLCipher file, the pragmas every
//! connection runs with, the schema migrations, transactions, and maintenance
//! (checkpoint, `VACUUM`, the integrity checks, re-keying). With the rest of `store`,
//! the only code that talks to SQLite.

use crate::crypto::keys::VaultKey;
use crate::model::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// The schema migrations, applied in order; `user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_explicit_api_scope.sql"),
    include_str!("migrations/0003_assertion_replay.sql"),
    include_str!("migrations/0004_token_seals.sql"),
    include_str!("migrations/0005_search_chunks.sql"),
    include_str!("migrations/0006_token_fingerprints.sql"),
    include_str!("migrations/0007_token_notices.sql"),
    include_str!("migrations/0008_shared_vaults.sql"),
];
/// Whether SQLite's memory is locked and wiped (see [`set_memory_security`]).
static MEMORY_SECURITY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Chooses, for the whole process, whether the memory SQLite allocates (decrypted
/// pages, row values) is locked in RAM and wiped when freed. On by default, as the app
/// and the CLI run; a benchmark may turn it off to measure what it costs. Decided at
/// the first vault opened in the process: call it before.
pub fn set_memory_security(on: bool) {
    MEMORY_SECURITY.store(on, std::sync::atomic::Ordering::SeqCst);
}

/// What keeps SQLite's memory locked and wiped in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemoryGuard {
    /// Tessera's allocator (crate `tessera-sqlite-memory`): locked slabs, blocks wiped
    /// when freed, no system call per allocation.
    Slabs,
    /// SQLCipher's `cipher_memory_security`, where SQLite was initialized before
    /// Tessera's allocator could be installed: the same, at two system calls per
    /// allocation.
    Sqlcipher,
    /// Neither: turned off with [`set_memory_security`].
    Off,
}

/// Decided once, before the process's first connection.
fn memory_guard() -> MemoryGuard {
    static GUARD: std::sync::OnceLock<MemoryGuard> = std::sync::OnceLock::new();
    *GUARD.get_or_init(|| {
        if !MEMORY_SECURITY.load(std::sync::atomic::Ordering::SeqCst) {
            MemoryGuard::Off
        } else if tessera_sqlite_memory::install() {
            MemoryGuard::Slabs
        } else {
            MemoryGuard::Sqlcipher
        }
    })
}

/// Opens the vault file (creating it when `create`) and gives SQLCipher the key; the
/// key is not known to be right until [`decrypts`] says so.
pub(crate) fn open_keyed(path: &Path, key: &VaultKey, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    memory_guard();
    let conn = Connection::open_with_flags(path, flags)?;
    apply_key(&conn, key)?;
    Ok(conn)
}

/// A database in SQLite's memory with no key (plaintext, never on disk): a backup's
/// contents while they are built or read. Its pages come from the same locked, wiped
/// memory as the vault's.
pub(crate) fn open_plain_memory() -> Result<Connection> {
    memory_guard();
    let conn = Connection::open_in_memory()?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

/// The schema version (migrations applied) of `schema` on `conn`.
pub(crate) fn schema_version(conn: &Connection, schema: &str) -> Result<i64> {
    Ok(conn.pragma_query_value(Some(schema), "user_version", |row| row.get(0))?)
}

/// How many migrations this build knows.
pub(crate) fn known_schema() -> i64 {
    MIGRATIONS.len() as i64
}

/// How the first read of a keyed file went.
pub(crate) enum Decrypts {
    /// The key opens it.
    Yes,
    /// The file does not decrypt with this key (a wrong key, or a damaged file).
    NotWithThisKey,
    /// Another error.
    Failed(Error),
}

/// Reads the schema: the first access that decrypts a page, so a wrong key fails here,
/// before any pragma could write to the files.
pub(crate) fn decrypts(conn: &Connection) -> Decrypts {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
        row.get::<_, i64>(0)
    }) {
        Ok(_) => Decrypts::Yes,
        Err(err) if err.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
            Decrypts::NotWithThisKey
        }
        Err(err) => Decrypts::Failed(err.into()),
    }
}

/// Whether `key` opens the file at `path`, read-only, changing nothing.
pub(crate) fn key_opens(path: &Path, key: &VaultKey) -> bool {
    memory_guard();
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .ok()
        .filter(|conn| apply_key(conn, key).is_ok())
        .is_some_and(|conn| matches!(decrypts(&conn), Decrypts::Yes))
}

/// Applies pending migrations, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(Error::NewerSchema {
            found: version,
            known,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Starts an `IMMEDIATE` transaction: the write lock is taken at once, so a change
/// never fails half-way for another writer.
pub(crate) fn begin(conn: &mut Connection) -> Result<Transaction<'_>> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Caps the decrypted page cache at `mib` MiB and gives back what it held beyond.
pub(crate) fn limit_page_cache(conn: &Connection, mib: u32) -> Result<()> {
    conn.pragma_update(None, "cache_size", -(i64::from(mib) * 1024))?;
    conn.execute_batch("PRAGMA shrink_memory")?;
    Ok(())
}

/// Writes the write-ahead log into the vault file and empties it.
pub(crate) fn checkpoint(conn: &Connection) -> Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Rebuilds the file without free pages; temporary data stays in memory.
pub(crate) fn vacuum(conn: &Connection) -> Result<()> {
    conn.execute_batch("VACUUM")?;
    Ok(())
}

/// SQLite's `integrity_check`: `["ok"]` when the b-trees and indexes agree.
pub(crate) fn integrity_report(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// SQLite's `data_version`: changes when another connection commits.
pub(crate) fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "data_version", |row| row.get(0))?)
}

/// Re-encrypts every page under `key`.
pub(crate) fn rekey(conn: &Connection, key: &VaultKey) -> Result<()> {
    let literal = key.sqlcipher_literal();
    conn.pragma_update(None, "rekey", &*literal)?;
    Ok(())
}

/// What `cipher_integrity_check` reports about pages whose HMAC does not verify, or
/// `None` when every page verifies (or the check cannot run).
pub(crate) fn damaged_pages(conn: &Connection) -> Option<String> {
    let mut stmt = conn.prepare("PRAGMA cipher_integrity_check").ok()?;
    let pages: Vec<String> = stmt
        .query_map([], |row| row.get(0))
        .ok()?
        .collect::<rusqlite::Result<_>>()
        .ok()?;
    (!pages.is_empty()).then(|| {
        // Shown after "vault damaged: ".
        format!("{}; restore it from a backup", pages.join("; "))
    })
}

/// Gives SQLCipher the raw key. It must be the first statement on the connection.
fn apply_key(conn: &Connection, key: &VaultKey) -> Result<()> {
    // SQLCipher wipes and locks the memory it allocates (decrypted pages included)
    // with this on, where Tessera's allocator does not already.
    let on = memory_guard() == MemoryGuard::Sqlcipher;
    conn.pragma_update(
        None,
        "cipher_memory_security",
        if on { "ON" } else { "OFF" },
    )?;
    let literal = key.sqlcipher_literal();
    conn.pragma_update(None, "key", &*literal)?;
    // SQLCipher logs decryption failures to stderr once keyed; Tessera reports them as
    // errors instead. (Set after `key`, which resets the level on first use.)
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    Ok(())
}

/// The pragmas every connection runs with, once the key is known to be right.
pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -32_000)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Storage(format!(
            "the vault could not switch to WAL mode (got {mode})"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    // The settings the vault's promises rest on, read back: a build or a future
    // SQLCipher that ignored one must fail here rather than run without it.
    let guard = memory_guard();
    if guard == MemoryGuard::Slabs && !tessera_sqlite_memory::serving() {
        return Err(Error::Storage(
            "SQLite does not allocate from Tessera's locked memory: this build cannot keep the vault safe".into(),
        ));
    }
    let memory_security = i64::from(guard == MemoryGuard::Sqlcipher);
    for (pragma, expected) in [
        ("cipher_memory_security", memory_security),
        ("secure_delete", 1),
        ("temp_store", 2),
        ("foreign_keys", 1),
        ("synchronous", 2),
    ] {
        let value: i64 = conn.pragma_query_value(None, pragma, |row| {
            // cipher_memory_security answers as text in some SQLCipher versions.
            row.get::<_, i64>(0).or_else(|_| {
                row.get::<_, String>(0)
                    .map(|s| i64::from(s == "1" || s.eq_ignore_ascii_case("on")))
            })
        })?;
        if value != expected {
            return Err(Error::Storage(format!(
                "PRAGMA {pragma} is {value}, not {expected}: this SQLCipher build cannot keep the vault safe"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;
    use rusqlite::Connection;

    /// An empty API list meant "every API" before the scope became explicit: the
    /// migration writes that meaning out, for every kind this vault issued.
    #[test]
    fn the_explicit_scope_migration_keeps_what_old_tokens_meant() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(MIGRATIONS[0]).expect("v1");
        conn.execute_batch(
            "INSERT INTO apis (id, name, created_at) VALUES (1, 'billing', 0);
             INSERT INTO tokens (id, name, kind, created_at, rotated_at) VALUES
               ('p-empty', 'a', 'personal', 0, 0), ('p-scoped', 'b', 'personal', 0, 0),
               ('w', 'c', 'workspace', 0, 0), ('j-empty', 'd', 'jwt', 0, 0),
               ('x', 'e', 'external', 0, 0);
             INSERT INTO token_apis (token_id, api_id) VALUES ('p-scoped', 1);",
        )
        .expect("v1 rows");
        for sql in &MIGRATIONS[1..] {
            conn.execute_batch(sql).expect("migrate");
        }
        let every: Vec<String> = conn
            .prepare("SELECT id FROM tokens WHERE all_apis = 1 ORDER BY id")
            .expect("stmt")
            .query_map([], |row| row.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        assert_eq!(every, ["j-empty", "p-empty", "w"]);
    }
}
