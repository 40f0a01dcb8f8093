//! Seals: the state that decides a verification, bound to the vault's generation.
//!
//! SQLCipher's page HMAC binds a page's content to its page number, not to the
//! vault's state: someone with an older copy of the file can put back one leaf page of
//! `tokens` or `secrets` (and not the page with the generation counter), and a revoked
//! token, or a secret rotated away, would verify again. So every token row carries a
//! seal, a SHA-256 over what decides its verification (kind, revoked, expiry, scopes by
//! catalog id, service account, key id, the secret's hash or public key), and `meta`
//! holds the vault's seal: the generation it was written at and the XOR of every
//! token's seal. Every change rewrites it in its transaction; `open` recomputes every
//! token's seal from the rows as they are and compares (a page put back alone, or with
//! others, no longer adds up); `verify` recomputes the seal of the token it answers
//! for. Nothing here is secret: the attacker can put back pages but not write them
//! (each page is encrypted and authenticated with the vault key), so a plain hash is
//! enough.
//!
//! Which tokens a transaction touched is recorded by temporary triggers of this
//! connection (in `temp.dirty_seals`, with the seal each had before), so that no write
//! path can forget to reseal.

use crate::error::{Error, Result};
use crate::store;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// The meta key of the vault's seal: 8 bytes of generation, 32 of XORed token seals.
const VAULT_SEAL: &str = "seal";

type Seal = [u8; 32];

/// What `Error::Damaged` says when the parts of the vault disagree.
const MIXED: &str = "parts of the vault are older than the rest: pages were put back from an older copy; restore the whole vault from a backup";

/// The temporary table and triggers that note each token a transaction changes. Run
/// once per connection, before any write.
pub(crate) fn install(conn: &Connection) -> Result<()> {
    let mut sql = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS dirty_seals (token_id TEXT PRIMARY KEY, old_seal BLOB);
         CREATE TEMP TRIGGER IF NOT EXISTS seal_tokens_insert AFTER INSERT ON main.tokens
         BEGIN INSERT OR IGNORE INTO dirty_seals VALUES (NEW.id, NULL); END;
         CREATE TEMP TRIGGER IF NOT EXISTS seal_tokens_update
         AFTER UPDATE OF id, kind, revoked, expires_at, all_apis, key_id, service_account_id ON main.tokens
         BEGIN INSERT OR IGNORE INTO dirty_seals VALUES (OLD.id, OLD.seal); END;
         CREATE TEMP TRIGGER IF NOT EXISTS seal_tokens_delete AFTER DELETE ON main.tokens
         BEGIN INSERT INTO dirty_seals VALUES (OLD.id, OLD.seal)
           ON CONFLICT (token_id) DO UPDATE SET old_seal = coalesce(old_seal, excluded.old_seal); END;",
    );
    // Child rows: the parent's seal as it is (a cascade may already have removed the
    // parent, whose own trigger then supplies it).
    for table in ["secrets", "token_apis", "token_users", "token_projects"] {
        for (event, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS seal_{table}_{event} AFTER {event} ON main.{table}
                 BEGIN INSERT INTO dirty_seals
                   VALUES ({row}.token_id, (SELECT seal FROM main.tokens WHERE id = {row}.token_id))
                   ON CONFLICT (token_id) DO UPDATE SET old_seal = coalesce(old_seal, excluded.old_seal); END;"
            ));
        }
    }
    conn.execute_batch(&sql)?;
    Ok(())
}

/// Reseals every token the transaction touched and writes the vault's seal at
/// `generation`; call inside the transaction, after its changes.
pub(crate) fn update(conn: &Connection, generation: u64) -> Result<()> {
    let (_, mut total) = vault_seal(conn)?.unwrap_or((0, [0; 32]));
    let dirty: Vec<(String, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT token_id, old_seal FROM temp.dirty_seals")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (token_id, old) in dirty {
        if let Some(old) = old {
            xor(&mut total, &as_seal(&old)?);
        }
        if let Some(new) = compute(conn, &token_id)? {
            xor(&mut total, &new);
            conn.prepare_cached("UPDATE main.tokens SET seal = ?2 WHERE id = ?1")?
                .execute(params![token_id, new.as_slice()])?;
        }
    }
    conn.execute("DELETE FROM temp.dirty_seals", [])?;
    write(conn, generation, &total)
}

/// Seals every token from scratch: the first open of a vault from before seals.
pub(crate) fn ensure(conn: &Connection) -> Result<()> {
    if store::meta_get(conn, VAULT_SEAL)?.is_some() {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    // Another process may have sealed it meanwhile.
    if store::meta_get(&tx, VAULT_SEAL)?.is_none() {
        let mut total = [0u8; 32];
        for (token_id, seal) in compute_all(&tx)? {
            xor(&mut total, &seal);
            tx.execute(
                "UPDATE main.tokens SET seal = ?2 WHERE id = ?1",
                params![token_id, seal.as_slice()],
            )?;
        }
        tx.execute("DELETE FROM temp.dirty_seals", [])?;
        write(&tx, crate::rollback::generation(&tx)?, &total)?;
    }
    tx.commit()?;
    Ok(())
}

/// Checks, at open, that every token's rows add up to its seal and the seals to the
/// vault's, written at the vault's generation.
pub(crate) fn check(conn: &Connection) -> Result<()> {
    // One read transaction: one snapshot, whatever other processes commit meanwhile.
    let tx = conn.unchecked_transaction()?;
    check_snapshot(&tx)
}

fn check_snapshot(conn: &Connection) -> Result<()> {
    let Some((generation, expected)) = vault_seal(conn)? else {
        return Err(Error::Damaged(MIXED.into()));
    };
    if generation != crate::rollback::generation(conn)? {
        return Err(Error::Damaged(MIXED.into()));
    }
    let stored: std::collections::HashMap<String, Option<Vec<u8>>> = conn
        .prepare("SELECT id, seal FROM main.tokens")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut total = [0u8; 32];
    for (token_id, seal) in compute_all(conn)? {
        if stored.get(&token_id).cloned().flatten().as_deref() != Some(seal.as_slice()) {
            return Err(Error::Damaged(MIXED.into()));
        }
        xor(&mut total, &seal);
    }
    if total != expected {
        return Err(Error::Damaged(MIXED.into()));
    }
    Ok(())
}

/// Checks one token's rows against its seal: before `verify` answers for it.
pub(crate) fn check_token(conn: &Connection, token_id: &str) -> Result<()> {
    let tx = conn.unchecked_transaction()?;
    let conn: &Connection = &tx;
    let stored: Option<Vec<u8>> = conn
        .prepare_cached("SELECT seal FROM main.tokens WHERE id = ?1")?
        .query_row([token_id], |row| row.get(0))
        .optional()?
        .flatten();
    match (stored, compute(conn, token_id)?) {
        (Some(stored), Some(seal)) if stored == seal => Ok(()),
        _ => Err(Error::Damaged(MIXED.into())),
    }
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

fn compute_all(conn: &Connection) -> Result<Vec<(String, Seal)>> {
    Ok(conn
        .prepare(STATE)?
        .query_map([], seal_of)?
        .collect::<rusqlite::Result<_>>()?)
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
