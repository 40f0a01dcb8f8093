//! Seals: the state that decides a verification, bound to the vault's generation.
//!
//! SQLCipher's page HMAC binds a page's content to its page number, not to the
//! vault's state: someone with an older copy of the file can put back one leaf page of
//! `tokens` or `secrets` (and not the page with the generation counter), and a revoked
//! token, or a secret rotated away, would verify again. So every token has a seal, a
//! SHA-256 over what decides its verification (kind, revoked, expiry, scopes by catalog
//! id, service account, key id, the secret's hash or public key), kept in
//! `token_seals` under one of 4,096 buckets; `seal_buckets` holds each bucket's XOR,
//! and `meta` the vault's seal: the generation it was written at and the XOR of a hash
//! of every bucket. Every change reseals in its transaction. `open` checks the vault's
//! seal against the buckets (4,096 rows, whatever the number of tokens), and in a vault
//! of up to 2,000 tokens every token against its seal; every read of one token
//! (`verify`, `get`, show, export) recomputes its seal from its rows and its bucket
//! from the seals, and `check_integrity` checks them all. A page put back from an older copy, alone or with others, no longer adds
//! up at one of the two. Nothing here is secret: the attacker can put back pages but
//! not write them (each page is encrypted and authenticated with the vault key), so a
//! plain hash is enough.
//!
//! Which tokens a transaction touched is noted by temporary triggers of this
//! connection (in `temp.dirty_seals`), so that no write path can forget to reseal.

use crate::model::error::{Error, Result};
use crate::store;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The meta key of the vault's seal: 8 bytes of generation, 32 of XORed bucket hashes.
const VAULT_SEAL: &str = "seal";
/// Buckets of token seals: `open` reads this many rows, `verify` about n / BUCKETS.
const BUCKETS: u16 = 4096;

type Seal = [u8; 32];

/// What `Error::Damaged` says when the parts of the vault disagree.
const MIXED: &str = "parts of the vault are older than the rest: pages were put back from an older copy; restore the whole vault from a backup";

/// The temporary table and triggers that note each token a transaction changes. Run
/// once per connection, before any write.
pub(crate) fn install(conn: &Connection) -> Result<()> {
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS dirty_seals (token_id TEXT PRIMARY KEY);
         CREATE TEMP TRIGGER IF NOT EXISTS seal_tokens_insert AFTER INSERT ON main.tokens
         BEGIN INSERT OR IGNORE INTO dirty_seals VALUES (NEW.id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS seal_tokens_update
         AFTER UPDATE OF id, kind, revoked, expires_at, all_apis, key_id, service_account_id ON main.tokens
         BEGIN INSERT OR IGNORE INTO dirty_seals VALUES (OLD.id); INSERT OR IGNORE INTO dirty_seals VALUES (NEW.id); END;
         CREATE TEMP TRIGGER IF NOT EXISTS seal_tokens_delete AFTER DELETE ON main.tokens
         BEGIN INSERT OR IGNORE INTO dirty_seals VALUES (OLD.id); END;",
    );
    for table in ["secrets", "token_apis", "token_users", "token_projects"] {
        for (event, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS seal_{table}_{event} AFTER {event} ON main.{table}
                 BEGIN INSERT OR IGNORE INTO dirty_seals VALUES ({row}.token_id); END;"
            ));
        }
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// Reseals every token the transaction touched and writes the vault's seal at
/// `generation`; call inside the transaction, after its changes.
pub(crate) fn update(conn: &Connection, generation: u64) -> Result<()> {
    let (_, mut root) = vault_seal(conn)?.unwrap_or((0, [0; 32]));
    let dirty: Vec<String> = conn
        .prepare_cached("SELECT token_id FROM temp.dirty_seals")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut buckets = BTreeSet::new();
    for token_id in dirty {
        let bucket = bucket_of(&token_id);
        buckets.insert(bucket);
        match compute(conn, &token_id)? {
            Some(seal) => conn
                .prepare_cached(
                    "INSERT INTO main.token_seals (bucket, token_id, seal) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (bucket, token_id) DO UPDATE SET seal = excluded.seal",
                )?
                .execute(params![bucket, token_id, seal.as_slice()])?,
            None => conn
                .prepare_cached("DELETE FROM main.token_seals WHERE bucket = ?1 AND token_id = ?2")?
                .execute(params![bucket, token_id])?,
        };
    }
    for bucket in buckets {
        xor(
            &mut root,
            &leaf(bucket, stored_bucket(conn, bucket)?.as_ref()),
        );
        let digest = bucket_digest(conn, bucket)?;
        xor(&mut root, &leaf(bucket, digest.as_ref()));
        match digest {
            Some(digest) => conn
                .prepare_cached(
                    "INSERT INTO main.seal_buckets (bucket, digest) VALUES (?1, ?2) \
                     ON CONFLICT (bucket) DO UPDATE SET digest = excluded.digest",
                )?
                .execute(params![bucket, digest.as_slice()])?,
            None => conn
                .prepare_cached("DELETE FROM main.seal_buckets WHERE bucket = ?1")?
                .execute([bucket])?,
        };
    }
    conn.prepare_cached("DELETE FROM temp.dirty_seals")?
        .execute([])?;
    write(conn, generation, &root)
}

/// Seals every token from scratch: the first open of a vault from before seals.
pub(crate) fn ensure(conn: &Connection) -> Result<()> {
    if store::meta_get(conn, VAULT_SEAL)?.is_some() {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    // Another process may have sealed it meanwhile.
    if store::meta_get(&tx, VAULT_SEAL)?.is_none() {
        tx.execute("DELETE FROM main.token_seals", [])?;
        tx.execute("DELETE FROM main.seal_buckets", [])?;
        let ids: Vec<String> = tx
            .prepare("SELECT id FROM main.tokens")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in ids {
            tx.execute("INSERT OR IGNORE INTO temp.dirty_seals VALUES (?1)", [id])?;
        }
        update(&tx, crate::store::rollback::generation(&tx)?)?;
    }
    tx.commit()?;
    Ok(())
}

/// Checks, at open, that the buckets add up to the vault's seal, written at the
/// vault's generation: 4,096 rows at most, whatever the number of tokens.
pub(crate) fn check(conn: &Connection) -> Result<()> {
    // One read transaction: one snapshot, whatever other processes commit meanwhile.
    let own = own_snapshot(conn)?;
    let tx: &Connection = own.as_deref().unwrap_or(conn);
    let Some((generation, expected)) = vault_seal(tx)? else {
        return Err(Error::Damaged(MIXED.into()));
    };
    if generation != crate::store::rollback::generation(tx)? {
        return Err(Error::Damaged(MIXED.into()));
    }
    let mut root = [0u8; 32];
    let mut stmt = tx.prepare_cached("SELECT bucket, digest FROM main.seal_buckets")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let digest: Vec<u8> = row.get(1)?;
        xor(&mut root, &leaf(row.get(0)?, Some(&as_seal(&digest)?)));
    }
    if root != expected {
        return Err(Error::Damaged(MIXED.into()));
    }
    Ok(())
}

/// Up to this many tokens, `open` checks every token against its seal (about 10 ms);
/// above, the buckets alone, and each token when it is first read.
const FULL_CHECK_AT_OPEN: i64 = 2_000;

/// At open: [`check_all`] for a vault of at most [`FULL_CHECK_AT_OPEN`] tokens.
pub(crate) fn check_all_if_small(conn: &Connection) -> Result<()> {
    let tokens: i64 = conn.query_row(
        "SELECT count(*) FROM (SELECT 1 FROM main.token_seals LIMIT ?1)",
        [FULL_CHECK_AT_OPEN + 1],
        |row| row.get(0),
    )?;
    if tokens <= FULL_CHECK_AT_OPEN {
        check_all(conn)?;
    }
    Ok(())
}

/// Checks every token's rows against its seal, and every bucket against its seals: one
/// pass over every table that decides a verification, so that a page of them put back
/// from an older copy is found wherever it is. O(tokens): about half a second at
/// 100,000 tokens, so `open` runs it only for a small vault ([`check_all_if_small`]);
/// it runs on request (`check_integrity`) and when an older copy is accepted.
pub(crate) fn check_all(conn: &Connection) -> Result<()> {
    let own = own_snapshot(conn)?;
    let tx: &Connection = own.as_deref().unwrap_or(conn);
    let mut stored = std::collections::HashMap::new();
    let mut buckets = std::collections::HashMap::<u16, Seal>::new();
    {
        let mut stmt = tx.prepare("SELECT bucket, token_id, seal FROM main.token_seals")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let bucket: u16 = row.get(0)?;
            let token_id: String = row.get(1)?;
            let seal = as_seal(&row.get::<_, Vec<u8>>(2)?)?;
            if bucket != bucket_of(&token_id) {
                return Err(Error::Damaged(MIXED.into()));
            }
            xor(buckets.entry(bucket).or_insert([0; 32]), &seal);
            stored.insert(token_id, seal);
        }
    }
    {
        let mut stmt = tx.prepare("SELECT bucket, digest FROM main.seal_buckets")?;
        let mut rows = stmt.query([])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            let bucket: u16 = row.get(0)?;
            let digest = as_seal(&row.get::<_, Vec<u8>>(1)?)?;
            if buckets.get(&bucket) != Some(&digest) {
                return Err(Error::Damaged(MIXED.into()));
            }
            count += 1;
        }
        if count != buckets.len() {
            return Err(Error::Damaged(MIXED.into()));
        }
    }
    let mut stmt = tx.prepare(STATE)?;
    let mut rows = stmt.query([])?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let (token_id, seal) = seal_of(row)?;
        if stored.get(&token_id) != Some(&seal) {
            return Err(Error::Damaged(MIXED.into()));
        }
        count += 1;
    }
    if count != stored.len() {
        return Err(Error::Damaged(MIXED.into()));
    }
    Ok(())
}

/// Tokens and buckets this connection found sealed, at one `data_version`: until
/// another connection commits (or this one changes something), a bulk verifier need
/// not check them again.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    data_version: i64,
    tokens: std::collections::HashSet<String>,
    buckets: std::collections::HashSet<u16>,
}

/// More entries than this and the memo starts over.
const MAX_CHECKED: usize = 200_000;

impl Checked {
    /// Forgets every check: after a change of this connection's own.
    pub(crate) fn clear(&mut self) {
        self.tokens.clear();
        self.buckets.clear();
    }

    /// Checks one token's rows against its seal, and its bucket's seals against the
    /// bucket: before `verify` answers for it.
    pub(crate) fn check_token(&mut self, conn: &Connection, token_id: &str) -> Result<()> {
        let version: i64 = conn.pragma_query_value(None, "data_version", |row| row.get(0))?;
        if version != self.data_version || self.tokens.len() > MAX_CHECKED {
            self.clear();
            self.data_version = version;
        }
        if self.tokens.contains(token_id) {
            return Ok(());
        }
        let own = own_snapshot(conn)?;
        let tx: &Connection = own.as_deref().unwrap_or(conn);
        let bucket = bucket_of(token_id);
        let stored: Option<Vec<u8>> = tx
            .prepare_cached(
                "SELECT seal FROM main.token_seals WHERE bucket = ?1 AND token_id = ?2",
            )?
            .query_row(params![bucket, token_id], |row| row.get(0))
            .optional()?;
        let token_ok = match (stored, compute(tx, token_id)?) {
            (Some(stored), Some(seal)) => stored == seal,
            _ => false,
        };
        if !token_ok {
            return Err(Error::Damaged(MIXED.into()));
        }
        if !self.buckets.contains(&bucket) {
            if bucket_digest(tx, bucket)? != stored_bucket(tx, bucket)? {
                return Err(Error::Damaged(MIXED.into()));
            }
            self.buckets.insert(bucket);
        }
        self.tokens.insert(token_id.to_string());
        Ok(())
    }
}

/// A read transaction for one snapshot of the checks, unless the caller's read
/// transaction already gives one ([`crate::vault::Vault::read_batch`]).
fn own_snapshot(conn: &Connection) -> Result<Option<rusqlite::Transaction<'_>>> {
    Ok(if conn.is_autocommit() {
        Some(conn.unchecked_transaction()?)
    } else {
        None
    })
}

/// The bucket of a token: 12 bits of a hash of its id.
fn bucket_of(token_id: &str) -> u16 {
    let hash = Sha256::digest(token_id.as_bytes());
    u16::from_be_bytes([hash[0], hash[1]]) % BUCKETS
}

/// The XOR of a bucket's seals as they are; `None` for an empty bucket.
fn bucket_digest(conn: &Connection, bucket: u16) -> Result<Option<Seal>> {
    let mut stmt = conn.prepare_cached("SELECT seal FROM main.token_seals WHERE bucket = ?1")?;
    let mut rows = stmt.query([bucket])?;
    let mut digest = None;
    while let Some(row) = rows.next()? {
        let seal: Vec<u8> = row.get(0)?;
        xor(digest.get_or_insert([0u8; 32]), &as_seal(&seal)?);
    }
    Ok(digest)
}

/// A bucket's digest as stored.
fn stored_bucket(conn: &Connection, bucket: u16) -> Result<Option<Seal>> {
    let stored: Option<Vec<u8>> = conn
        .prepare_cached("SELECT digest FROM main.seal_buckets WHERE bucket = ?1")?
        .query_row([bucket], |row| row.get(0))
        .optional()?;
    stored.map(|d| as_seal(&d)).transpose()
}

/// What a bucket adds to the vault's seal: nothing when empty.
fn leaf(bucket: u16, digest: Option<&Seal>) -> Seal {
    let Some(digest) = digest else {
        return [0; 32];
    };
    let mut hash = Sha256::new();
    hash.update(b"tessera seal bucket v1");
    hash.update(bucket.to_be_bytes());
    hash.update(digest);
    hash.finalize().into()
}

/// The state that decides a token's verification, in one row per token.
const STATE: &str = "SELECT t.id, t.kind, t.revoked, t.expires_at, t.all_apis, t.key_id, t.service_account_id, \
     (SELECT group_concat(api_id) FROM (SELECT api_id FROM main.token_apis WHERE token_id = t.id ORDER BY api_id)), \
     (SELECT group_concat(user_id) FROM (SELECT user_id FROM main.token_users WHERE token_id = t.id ORDER BY user_id)), \
     (SELECT group_concat(project_id) FROM (SELECT project_id FROM main.token_projects WHERE token_id = t.id ORDER BY project_id)), \
     s.hash, s.public_key \
     FROM main.tokens t LEFT JOIN main.secrets s ON s.token_id = t.id";

fn seal_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, Seal)> {
    let mut hash = Sha256::new();
    hash.update(b"tessera token seal v1");
    let id: String = row.get(0)?;
    let mut field = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    };
    field(id.as_bytes());
    for i in 1..12 {
        let value = row.get_ref(i)?;
        let bytes: Vec<u8> = match value {
            rusqlite::types::ValueRef::Null => b"\0null".to_vec(),
            rusqlite::types::ValueRef::Integer(n) => n.to_be_bytes().to_vec(),
            rusqlite::types::ValueRef::Real(r) => r.to_be_bytes().to_vec(),
            rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => t.to_vec(),
        };
        field(&bytes);
    }
    Ok((id, hash.finalize().into()))
}

fn compute(conn: &Connection, token_id: &str) -> Result<Option<Seal>> {
    Ok(conn
        .prepare_cached(&format!("{STATE} WHERE t.id = ?1"))?
        .query_row([token_id], seal_of)
        .optional()?
        .map(|(_, seal)| seal))
}

fn vault_seal(conn: &Connection) -> Result<Option<(u64, Seal)>> {
    let Some(bytes) = store::meta_get(conn, VAULT_SEAL)? else {
        return Ok(None);
    };
    let unreadable = || Error::Damaged("the vault's seal is unreadable".into());
    let (generation, seal) = bytes.split_at_checked(8).ok_or_else(unreadable)?;
    let generation = u64::from_be_bytes(generation.try_into().map_err(|_| unreadable())?);
    Ok(Some((generation, as_seal(seal)?)))
}

fn write(conn: &Connection, generation: u64, total: &Seal) -> Result<()> {
    let mut bytes = generation.to_be_bytes().to_vec();
    bytes.extend_from_slice(total);
    store::meta_set(conn, VAULT_SEAL, &bytes)
}

fn as_seal(bytes: &[u8]) -> Result<Seal> {
    bytes
        .try_into()
        .map_err(|_| Error::Damaged("a token's seal is unreadable".into()))
}

fn xor(total: &mut Seal, seal: &Seal) {
    total.iter_mut().zip(seal).for_each(|(t, s)| *t ^= s);
}
