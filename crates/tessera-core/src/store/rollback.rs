//! Rollback detection. Every change bumps a generation counter inside the encrypted
//! vault, and once the change has committed the same number is written to an anchor
//! file kept outside the vault's folder (in the user's state folder, see
//! [`crate::VaultPaths::state`]), authenticated with a key that only the vault holds.
//! (Not in the keyring: writing a keyring item at every change, from the app and the
//! CLI at once, made gnome-keyring raise an unlock prompt and refuse every later call
//! in two runs of four.)
//!
//! Opening a vault whose counter is behind its anchor means an older copy of the file
//! was put back: tokens revoked since then would verify again, so the vault does not
//! open until the person says the restore was on purpose ([`crate::Vault::open_restored`]).
//!
//! The anchor is written after the commit, never before, so a crash can leave it behind
//! the vault (caught up at the next open) but never ahead of it. A missing anchor is
//! made from the vault at its next open (a vault moved to a new machine, or from before
//! anchors existed); SECURITY.md says what that leaves open.

use crate::model::error::{Error, Result};
use crate::store;
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The meta key of the generation counter.
const GENERATION: &str = "generation";
/// The meta key of the anchor's authentication key.
const ANCHOR_KEY: &str = "anchor_key";

/// The vault's generation: how many changes it has committed (0 before the first).
pub(crate) fn generation(conn: &Connection) -> Result<u64> {
    match store::meta_get(conn, GENERATION)? {
        None => Ok(0),
        Some(bytes) => bytes
            .as_slice()
            .try_into()
            .map(u64::from_be_bytes)
            .map_err(|_| Error::Damaged("the vault's generation counter is unreadable".into())),
    }
}

/// Sets the generation (a restored backup's, which the change's bump then passes);
/// call inside the change's transaction.
pub(crate) fn set_generation(conn: &Connection, generation: u64) -> Result<()> {
    store::meta_set(conn, GENERATION, &generation.to_be_bytes())
}

/// Counts one more change; call inside the change's transaction.
pub(crate) fn bump(conn: &Connection) -> Result<u64> {
    let next = generation(conn)? + 1;
    store::meta_set(conn, GENERATION, &next.to_be_bytes())?;
    Ok(next)
}

/// The anchor file of one vault.
pub(crate) struct Anchor {
    path: PathBuf,
    key: hmac::Key,
    vault_id: String,
}

/// The anchor file's contents.
#[derive(serde::Serialize, serde::Deserialize)]
struct AnchorFile {
    vault_id: String,
    generation: u64,
    /// HMAC-SHA256 over the vault id and generation, base64.
    mac: String,
}

impl Anchor {
    /// The anchor of vault `vault_id` in `state_dir`, its key read from the vault (and
    /// made there first if the vault predates anchors).
    pub(crate) fn of(conn: &Connection, state_dir: &Path, vault_id: &str) -> Result<Anchor> {
        let key = match store::meta_get(conn, ANCHOR_KEY)? {
            Some(bytes) => Zeroizing::new(bytes),
            None => {
                let mut bytes = Zeroizing::new(vec![0u8; 32]);
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, bytes.as_mut_slice());
                let tx = rusqlite::Transaction::new_unchecked(
                    conn,
                    rusqlite::TransactionBehavior::Immediate,
                )?;
                // Another process may have made it meanwhile: its key wins.
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
                    rusqlite::params![ANCHOR_KEY, bytes.as_slice()],
                )?;
                tx.commit()?;
                Zeroizing::new(
                    store::meta_get(conn, ANCHOR_KEY)?
                        .ok_or_else(|| Error::Damaged("the vault lost its anchor key".into()))?,
                )
            }
        };
        Ok(Anchor {
            path: state_dir.join("anchors").join(format!("{vault_id}.json")),
            key: hmac::Key::new(hmac::HMAC_SHA256, &key),
            vault_id: vault_id.to_string(),
        })
    }

    /// The generation last recorded, or `None` when there is no anchor yet; an
    /// altered anchor is [`Error::RolledBack`].
    pub(crate) fn recorded(&self) -> Result<Option<u64>> {
        self.read()
    }

    /// The generation last recorded, or `None` when there is no anchor yet.
    fn read(&self) -> Result<Option<u64>> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("cannot read", &self.path, e)),
        };
        let altered = || {
            Error::RolledBack(format!(
                "the record of this vault's last change ({}) was altered, so Tessera cannot tell whether the vault file is an older copy",
                self.path.display()
            ))
        };
        let file: AnchorFile = serde_json::from_slice(&bytes).map_err(|_| altered())?;
        let mac = BASE64.decode(&file.mac).map_err(|_| altered())?;
        if file.vault_id != self.vault_id {
            return Err(altered());
        }
        // Constant-time comparison.
        hmac::verify(
            &self.key,
            &signed_bytes(&self.vault_id, file.generation),
            &mac,
        )
        .map_err(|_| altered())?;
        Ok(Some(file.generation))
    }

    /// Records `generation` as the vault's latest, only if it is ahead of the anchor:
    /// the anchor moves forward, never back (a process that committed earlier but
    /// records later must not undo a newer record). Under an exclusive lock on a file
    /// beside it, so that reading and writing are one step for every process.
    pub(crate) fn record(&self, generation: u64) -> Result<()> {
        let _lock = self.lock()?;
        // An unreadable anchor is replaced: `check` refuses it before any change.
        if self
            .read()
            .ok()
            .flatten()
            .is_some_and(|recorded| recorded >= generation)
        {
            return Ok(());
        }
        self.write(generation)
    }

    /// Records `generation` even when it is behind: an older copy the person accepted
    /// ([`crate::Vault::open_restored`]).
    pub(crate) fn reset(&self, generation: u64) -> Result<()> {
        let _lock = self.lock()?;
        self.write(generation)
    }

    /// An exclusive lock on `<anchor>.lock`, held until the file is dropped.
    fn lock(&self) -> Result<std::fs::File> {
        let path = self.path.with_extension("lock");
        let open = || {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
        };
        let file = match open() {
            Err(_) if self.path.parent().is_some_and(|dir| !dir.exists()) => {
                crate::platform::fsutil::create_private_dir(
                    self.path.parent().unwrap_or(&self.path),
                )?;
                open()
            }
            other => other,
        }
        .map_err(|e| Error::io("cannot lock", &path, e))?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| Error::io("cannot lock", &path, e.into()))?;
        Ok(file)
    }

    /// Writes the anchor file. The anchors folder is made only when it is missing, not
    /// on every change.
    fn write(&self, generation: u64) -> Result<()> {
        let file = AnchorFile {
            vault_id: self.vault_id.clone(),
            generation,
            mac: BASE64.encode(hmac::sign(
                &self.key,
                &signed_bytes(&self.vault_id, generation),
            )),
        };
        let json = serde_json::to_vec(&file).map_err(|e| Error::Storage(e.to_string()))?;
        match (
            crate::platform::fsutil::write_private(&self.path, &json),
            self.path.parent(),
        ) {
            (Err(_), Some(dir)) if !dir.exists() => {
                crate::platform::fsutil::create_private_dir(dir)?;
                crate::platform::fsutil::write_private(&self.path, &json)
            }
            (result, _) => result,
        }
    }

    /// Checks the open vault against its anchor: an error if the vault is behind it;
    /// otherwise the anchor is brought up to the vault (made, if missing).
    pub(crate) fn check(&self, conn: &Connection) -> Result<()> {
        // The anchor first, the vault second: another process may commit a change and
        // record it between the two reads, and in this order that can only make the
        // vault look newer than its anchor, never older.
        let recorded = self.read()?;
        let current = generation(conn)?;
        match recorded {
            Some(recorded) if recorded > current => Err(Error::RolledBack(format!(
                "the vault file is older than its last recorded change (change {current}, but change {recorded} was made): an older copy was put back, and tokens revoked since then would verify again"
            ))),
            Some(recorded) if recorded == current => Ok(()),
            _ => self.record(current),
        }
    }
}

/// The bytes the anchor's MAC covers.
fn signed_bytes(vault_id: &str, generation: u64) -> Vec<u8> {
    let mut out = b"tessera-anchor-v1\0".to_vec();
    out.extend_from_slice(vault_id.as_bytes());
    out.push(0);
    out.extend_from_slice(&generation.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process that committed earlier but records later (the app's commit, then the
    /// CLI's newer one recorded first) must not move the anchor back.
    #[test]
    fn the_anchor_only_moves_forward_unless_reset() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
            .expect("meta");
        let state = tempfile::tempdir().expect("state");
        let anchor = Anchor::of(&conn, state.path(), "01890000-0000-7000-8000-000000000000")
            .expect("anchor");
        anchor.record(7).expect("record");
        anchor.record(5).expect("a lagging record");
        assert_eq!(anchor.read().expect("read"), Some(7));
        anchor.reset(5).expect("an accepted restore");
        assert_eq!(anchor.read().expect("read"), Some(5));
    }
}
