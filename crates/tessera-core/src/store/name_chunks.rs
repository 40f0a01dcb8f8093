//! The search index kept in the vault, so that a process that searches once (`tessera
//! list QUERY`) reads it in a few hundred rows instead of reading every token and
//! sorting their names: table `name_chunks`, each row a run of up to [`MAX`] index
//! entries in name order, packed by `index::packed`.
//!
//! Which names a transaction touched is noted by temporary triggers of this connection
//! (in `temp.dirty_names`), as for seals, so that no write path can forget the index;
//! [`update`] rewrites the chunks holding them in the same transaction. A chunk that
//! grows past [`MAX`] entries is split, one left empty is dropped. A large change (a
//! bulk import) rebuilds every chunk from the tokens instead.
//!
//! The index is derived from `tokens` and decides nothing a verification reads: every
//! row a search lists is read from `tokens`. [`check`] (in `tessera check`) compares it
//! with the tokens.

use crate::index::IndexRow;
use crate::index::names::Names;
use crate::index::packed::{self, Entry};
use crate::model::error::{Error, Result};
use crate::model::token::Lifetime;
use crate::store;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;

/// A chunk holds at most this many entries; a full one is split in halves. (Unit tests
/// use small sizes, so that a few dozen tokens split, empty and rebuild chunks.)
pub(crate) const MAX: usize = if cfg!(test) { 16 } else { 1024 };
/// A rebuild writes chunks of this many entries, so that each has room to grow.
const FILL: usize = MAX * 3 / 4;
/// A transaction that touched more names than this rebuilds the index.
const REBUILD_OVER: usize = MAX * 4;
/// The meta key that records the stored index's format.
const FORMAT_KEY: &str = "name_chunks";

/// The temporary table and triggers that note each name a transaction changes. Run once
/// per connection, before any write.
pub(crate) fn install(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS dirty_names (name TEXT PRIMARY KEY COLLATE NOCASE);
         CREATE TEMP TRIGGER IF NOT EXISTS names_insert AFTER INSERT ON main.tokens
         BEGIN INSERT OR IGNORE INTO dirty_names VALUES (NEW.name); END;
         CREATE TEMP TRIGGER IF NOT EXISTS names_update
         AFTER UPDATE OF id, name, kind, revoked, created_at, expires_at, rotation_days, rotated_at ON main.tokens
         BEGIN INSERT OR IGNORE INTO dirty_names VALUES (OLD.name); INSERT OR IGNORE INTO dirty_names VALUES (NEW.name); END;
         CREATE TEMP TRIGGER IF NOT EXISTS names_delete AFTER DELETE ON main.tokens
         BEGIN INSERT OR IGNORE INTO dirty_names VALUES (OLD.name); END;",
    )?;
    Ok(())
}

/// Builds the stored index when it is missing or in an older format: the first open
/// after the migration.
pub(crate) fn ensure(conn: &Connection) -> Result<()> {
    let current = |conn: &Connection| -> Result<bool> {
        Ok(store::meta_get(conn, FORMAT_KEY)?.as_deref() == Some(&[packed::FORMAT][..]))
    };
    if current(conn)? {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    // Another process may have built it meanwhile.
    if !current(&tx)? {
        rebuild(&tx)?;
    }
    tx.commit()?;
    Ok(())
}

/// Writes every chunk anew from the tokens.
fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM main.name_chunks", [])?;
    let mut piece: Vec<Entry> = Vec::with_capacity(FILL);
    let mut first = String::new();
    store::each_index_row(conn, |name, row| {
        if piece.len() == FILL {
            insert_chunk(conn, &first, &piece)?;
            piece.clear();
            first = name.to_string();
        }
        piece.push(Entry {
            name: name.to_string(),
            row: *row,
        });
        Ok(())
    })?;
    // The last piece, or the first chunk of an empty vault.
    insert_chunk(conn, &first, &piece)?;
    conn.execute("DELETE FROM temp.dirty_names", [])?;
    store::meta_set(conn, FORMAT_KEY, &[packed::FORMAT])
}

/// Adds a chunk of `entries` that starts at `first`.
fn insert_chunk(conn: &Connection, first: &str, entries: &[Entry]) -> Result<()> {
    let (count, bytes, data) = pack(entries);
    conn.prepare_cached(
        "INSERT INTO main.name_chunks (first, entries, name_bytes, data) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![first, count, bytes, data])?;
    Ok(())
}

/// A chunk's row values: its entry count, the bytes of its names, its packed bytes.
fn pack(entries: &[Entry]) -> (i64, i64, Vec<u8>) {
    let bytes: usize = entries.iter().map(|e| e.name.len()).sum();
    let data = packed::encode(entries.iter().map(|e| (e.name.as_str(), &e.row)));
    (entries.len() as i64, bytes as i64, data)
}

/// The stored index: every name in name order, with its facts (no last use).
pub(crate) fn load(conn: &Connection) -> Result<(Names, Vec<IndexRow>)> {
    // Through a small page cache, as the table scan it replaces (see `index_rows`).
    let cache_size: i64 = conn.pragma_query_value(None, "cache_size", |row| row.get(0))?;
    conn.pragma_update(None, "cache_size", -1_000)?;
    let loaded = read_all(conn);
    conn.pragma_update(None, "cache_size", cache_size)?;
    match loaded {
        // A chunk that does not read back leaves search working from the tokens;
        // `tessera check` reports it, and the next change writes it anew.
        Err(Error::Damaged(_)) => store::index_rows(conn),
        other => other,
    }
}

/// Reads the chunks on this thread (SQLite decrypts their pages) while another thread
/// unpacks them, which takes about as long: at 100,000 tokens each takes ~10 ms.
fn read_all(conn: &Connection) -> Result<(Names, Vec<IndexRow>)> {
    let (entries, bytes): (f64, f64) = conn
        .prepare_cached("SELECT total(entries), total(name_bytes) FROM main.name_chunks")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let (entries, bytes) = (entries as usize, bytes as usize);
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<u8>>(16);
        let unpacker = scope.spawn(move || -> Result<(Names, Vec<IndexRow>)> {
            let mut names = Names::with_capacity(entries, bytes);
            let mut rows = Vec::with_capacity(entries);
            for data in receive {
                packed::decode_into(&data, &mut names, &mut rows)?;
            }
            names.shrink_to_fit();
            rows.shrink_to_fit();
            Ok((names, rows))
        });
        let read = each_chunk(conn, |data| {
            // A send fails when the unpacker stopped at a chunk that does not read back.
            Ok(send.send(data.to_vec()).is_ok())
        });
        drop(send);
        let unpacked = unpacker
            .join()
            .map_err(|_| Error::Storage("the search index could not be unpacked".into()))?;
        read?;
        unpacked
    })
}

/// Calls `each` with every chunk's packed bytes in name order, while it answers true.
fn each_chunk(conn: &Connection, mut each: impl FnMut(&[u8]) -> Result<bool>) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT data FROM main.name_chunks ORDER BY first")?;
    let mut chunks = stmt.query([])?;
    while let Some(chunk) = chunks.next()? {
        let data = chunk.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
        if !each(data)? {
            break;
        }
    }
    Ok(())
}

/// A chunk being changed.
struct Chunk {
    first: String,
    entries: Vec<Entry>,
}

/// Rewrites the chunks that hold the names this transaction touched; call inside the
/// transaction, after its changes.
pub(crate) fn update(conn: &Connection) -> Result<()> {
    let dirty: Vec<String> = conn
        .prepare_cached("SELECT name FROM temp.dirty_names")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if dirty.is_empty() {
        return Ok(());
    }
    if dirty.len() > REBUILD_OVER {
        return rebuild(conn);
    }
    let mut chunks: BTreeMap<i64, Chunk> = BTreeMap::new();
    for name in &dirty {
        let (id, first, data): (i64, String, Vec<u8>) = conn
            .prepare_cached(
                "SELECT id, first, data FROM main.name_chunks WHERE first <= ?1 ORDER BY first DESC LIMIT 1",
            )?
            .query_row([name], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?
            .ok_or_else(|| Error::Damaged("the search index has no first chunk".into()))?;
        let chunk = match chunks.entry(id) {
            std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::btree_map::Entry::Vacant(entry) => match packed::decode(&data) {
                Ok(entries) => entry.insert(Chunk { first, entries }),
                // Derived data: a chunk that does not read back is written anew.
                Err(_) => return rebuild(conn),
            },
        };
        let at = chunk
            .entries
            .binary_search_by(|entry| packed::name_order(&entry.name, name));
        if let Ok(at) = at {
            chunk.entries.remove(at);
        }
        if let Some(entry) = current(conn, name)? {
            let at = chunk
                .entries
                .binary_search_by(|e| packed::name_order(&e.name, &entry.name))
                .unwrap_or_else(|at| at);
            chunk.entries.insert(at, entry);
        }
    }
    for (id, chunk) in chunks {
        write_chunk(conn, id, chunk)?;
    }
    conn.prepare_cached("DELETE FROM temp.dirty_names")?
        .execute([])?;
    Ok(())
}

/// Writes a changed chunk back: split when it outgrew [`MAX`], dropped when it is empty
/// and not the first.
fn write_chunk(conn: &Connection, id: i64, chunk: Chunk) -> Result<()> {
    if chunk.entries.is_empty() && !chunk.first.is_empty() {
        conn.prepare_cached("DELETE FROM main.name_chunks WHERE id = ?1")?
            .execute([id])?;
        return Ok(());
    }
    let pieces: Vec<&[Entry]> = if chunk.entries.len() > MAX {
        chunk.entries.chunks(MAX / 2).collect()
    } else {
        vec![&chunk.entries]
    };
    for (i, piece) in pieces.into_iter().enumerate() {
        if i == 0 {
            let (count, bytes, data) = pack(piece);
            conn.prepare_cached(
                "UPDATE main.name_chunks SET entries = ?2, name_bytes = ?3, data = ?4 WHERE id = ?1",
            )?
            .execute(params![id, count, bytes, data])?;
        } else {
            insert_chunk(conn, &piece[0].name, piece)?;
        }
    }
    Ok(())
}

/// The index entry of the token named `name` now, if there is one.
fn current(conn: &Connection, name: &str) -> Result<Option<Entry>> {
    let row = conn
        .prepare_cached(
            "SELECT id, name, kind, revoked, expires_at, rotation_days, rotated_at, created_at \
             FROM main.tokens WHERE name = ?1",
        )?
        .query_row([name], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                Lifetime {
                    revoked: row.get(3)?,
                    expires_at: row.get(4)?,
                    rotation_days: row.get(5)?,
                    rotated_at: row.get(6)?,
                },
                row.get::<_, i64>(7)?,
            ))
        })
        .optional()?;
    let Some((id, name, kind, lifetime, created_at)) = row else {
        return Ok(None);
    };
    let id = uuid::Uuid::parse_str(&id)
        .map_err(|_| Error::Damaged(format!("token id '{id}' is not a UUID")))?;
    let kind = kind
        .parse()
        .map_err(|_| Error::Damaged(format!("unknown token kind '{kind}'")))?;
    Ok(Some(Entry {
        name,
        row: IndexRow::new(id, kind, lifetime, created_at, None),
    }))
}

/// Checks that the stored index lists exactly the tokens, with their exact names and
/// facts, in order.
pub(crate) fn check(conn: &Connection) -> Result<()> {
    let mut stored: Vec<Entry> = Vec::new();
    each_chunk(conn, |data| {
        stored.extend(packed::decode(data)?);
        Ok(true)
    })?;
    let differs = |detail: String| {
        Error::Damaged(format!(
            "the search index does not match the tokens ({detail}): parts of the vault are older than the rest; restore the whole vault from a backup"
        ))
    };
    let mut at = 0;
    store::each_index_row(conn, |name, row| {
        let same = stored.get(at).is_some_and(|e| {
            e.name == name
                && e.row.id == row.id
                && e.row.kind == row.kind
                && e.row.created_at == row.created_at
                && e.row.lifetime() == row.lifetime()
        });
        at += 1;
        if same {
            Ok(())
        } else {
            Err(differs(format!("entry {at}")))
        }
    })?;
    if stored.len() != at {
        return Err(differs(format!("{} entries for {at} tokens", stored.len())));
    }
    Ok(())
}
