//! Encrypted backups: one file in the age format (so the `age` tool opens it too)
//! holding a tar of `manifest.json` and `vault.sqlite`, a plaintext SQLite image of the
//! whole vault (ARCHITECTURE.md documents its schema). The image is made in SQLite's
//! memory and streamed through the encryption into the file; reading it back streams
//! the decryption into SQLite's memory. No plaintext byte reaches the disk.
//!
//! A backup restores into an empty home (a new vault with the backup's id, a new key),
//! replaces a vault's tokens (one transaction, after the whole file checked out), or
//! merges into them by token id.

use crate::crypto::age_file::{self, Lock, Unlock};
use crate::crypto::recovery::RecoveryKey;
use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::clock::{Timestamp, parse_rfc3339, rfc3339};
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use crate::store::snapshot::{self, Facts, Merged, Snapshot};
use crate::store::{self, NewAuditEvent};
use crate::vault::{NewProtection, Vault, VaultPaths};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::Path;

pub use crate::store::snapshot::{Conflict, Kept};
pub use age_file::parse_recipients;

/// The `format` of a manifest.
pub const BACKUP_FORMAT: &str = "tessera-backup";
/// The backup format version this build writes and reads.
pub const BACKUP_VERSION: u32 = 1;
/// The tar entry of the manifest, first in the archive.
pub const MANIFEST_ENTRY: &str = "manifest.json";
/// The tar entry of the SQLite image, second.
pub const PAYLOAD_ENTRY: &str = "vault.sqlite";
/// A larger manifest is refused unread.
const MAX_MANIFEST_BYTES: u64 = 64 * 1024;
/// A larger image is refused unread (a vault of millions of tokens is far below).
const MAX_PAYLOAD_BYTES: u64 = 16 * 1024 * 1024 * 1024;
/// Identity files larger than this are not age identity files.
const MAX_IDENTITY_BYTES: u64 = 64 * 1024;

/// What a backup says about itself, in `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`BACKUP_FORMAT`].
    pub format: String,
    /// [`BACKUP_VERSION`].
    pub version: u32,
    /// The vault's id.
    pub vault_id: String,
    /// When the backup was made, RFC 3339.
    pub created_at: String,
    /// How many tokens it holds.
    pub tokens: u64,
    /// The vault's generation (changes committed) at the backup.
    pub generation: u64,
    /// The schema version of `vault.sqlite` (migrations applied).
    pub schema_version: i64,
    /// The size of `vault.sqlite` in bytes.
    pub payload_bytes: u64,
    /// SHA-256 of `vault.sqlite`, hex.
    pub payload_sha256: String,
}

impl Manifest {
    /// When the backup was made.
    pub fn created(&self) -> Option<Timestamp> {
        parse_rfc3339(&self.created_at)
    }
}

/// How a backup goes into a vault that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreMode {
    /// The vault's tokens become the backup's, in one transaction.
    Replace,
    /// The backup's tokens join the vault's, by id; the newer change wins.
    Merge,
}

/// A backup read and checked in full, held in memory.
pub struct Backup {
    manifest: Manifest,
    snapshot: Snapshot,
}

impl std::fmt::Debug for Backup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backup")
            .field("manifest", &self.manifest)
            .finish_non_exhaustive()
    }
}

/// A key that opens backups, as a person gives it.
#[derive(Debug, Clone, Copy)]
pub enum BackupKey<'a> {
    /// The passphrase it was made with.
    Passphrase(&'a Secret),
    /// An age identity file.
    IdentityFile(&'a Path),
    /// The vault's recovery key (automatic backups are encrypted to it).
    RecoveryKey(&'a RecoveryKey),
}

/// Who can open a backup being made.
#[derive(Debug, Clone, Copy)]
pub enum BackupLock<'a> {
    /// Whoever knows this passphrase.
    Passphrase(&'a Secret),
    /// The holders of these age recipients' identities (`age1…`).
    Recipients(&'a [String]),
}

impl Backup {
    /// Reads the backup at `path` with `key` and checks all of it: every age chunk
    /// authenticates, the manifest is one this build reads, the image's size and
    /// SHA-256 match it, SQLite's checks pass, and the image is the vault the manifest
    /// names. Nothing is written anywhere.
    pub fn read(path: &Path, key: BackupKey<'_>) -> Result<Backup> {
        let file = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
        let identities;
        let unlock = match key {
            BackupKey::Passphrase(passphrase) => Unlock::Passphrase(passphrase),
            BackupKey::RecoveryKey(key) => Unlock::RecoveryKey(key),
            BackupKey::IdentityFile(identity) => {
                identities = read_identity_file(identity)?;
                Unlock::Identities(&identities)
            }
        };
        let plain = age_file::open(unlock, std::io::BufReader::new(file))?;
        Backup::from_tar(plain)
    }

    fn from_tar(plain: impl Read) -> Result<Backup> {
        let bad = |what: String| Error::BadBackup(what);
        let damaged = |e: std::io::Error| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                bad("it is damaged or was altered: a part of it does not authenticate".into())
            } else {
                bad(format!("cannot read it: {e}"))
            }
        };
        let mut archive = tar::Archive::new(plain);
        let (manifest, snapshot) = {
            let mut entries = archive.entries().map_err(damaged)?;
            let mut next = |expected: &str, limit: u64| -> Result<_> {
                let entry = entries
                    .next()
                    .ok_or_else(|| bad(format!("it has no {expected}")))?
                    .map_err(damaged)?;
                let name = entry.path().map_err(damaged)?.display().to_string();
                if name != expected {
                    return Err(bad(format!("it holds '{name}' where {expected} belongs")));
                }
                if entry.size() > limit {
                    return Err(bad(format!("its {expected} is too large")));
                }
                Ok(entry)
            };
            let mut text = Vec::new();
            next(MANIFEST_ENTRY, MAX_MANIFEST_BYTES)?
                .read_to_end(&mut text)
                .map_err(damaged)?;
            let manifest: Manifest = serde_json::from_slice(&text)
                .map_err(|e| bad(format!("its manifest is not readable: {e}")))?;
            if manifest.format != BACKUP_FORMAT || manifest.version != BACKUP_VERSION {
                return Err(bad(format!(
                    "it is a '{}' file of version {}, not a Tessera backup of version {BACKUP_VERSION}",
                    manifest.format, manifest.version
                )));
            }
            let payload = next(PAYLOAD_ENTRY, MAX_PAYLOAD_BYTES)?;
            if payload.size() != manifest.payload_bytes {
                return Err(bad(format!(
                    "its {PAYLOAD_ENTRY} is {} bytes where the manifest says {}",
                    payload.size(),
                    manifest.payload_bytes
                )));
            }
            let size = usize::try_from(manifest.payload_bytes)
                .map_err(|_| bad("it is too large for this machine".into()))?;
            let mut hashing = Hashing::new(payload);
            let snapshot =
                Snapshot::read(&mut hashing, size).map_err(|e| match hashing.error.take() {
                    Some(io) => damaged(io),
                    None => e,
                })?;
            if hex(&hashing.hash.finalize()) != manifest.payload_sha256 {
                return Err(bad(format!(
                    "its {PAYLOAD_ENTRY} does not match the manifest's SHA-256"
                )));
            }
            if entries.next().is_some() {
                return Err(bad("it holds more than a manifest and a vault".into()));
            }
            (manifest, snapshot)
        };
        // To the end: age authenticates the last chunk only once it is read.
        std::io::copy(&mut archive.into_inner(), &mut std::io::sink()).map_err(damaged)?;
        let facts = snapshot.facts();
        let expected = Facts {
            vault_id: manifest.vault_id.clone(),
            tokens: manifest.tokens,
            generation: manifest.generation,
            schema: facts.schema,
        };
        if *facts != expected {
            return Err(bad(
                "its manifest does not describe its vault (id, token count or generation)".into(),
            ));
        }
        Ok(Backup { manifest, snapshot })
    }

    /// What the backup says about itself.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Creates a new vault at `paths` from the backup: the backup's id, tokens, secrets,
    /// catalogs, signing keys and audit log, under a new vault key kept as `protection`
    /// says. `recovery` keeps that recovery key (the one the backup was opened with);
    /// without it a new recovery key is made and returned, to be shown once. A backup
    /// older than what this machine last recorded of the vault is refused unless
    /// `accept_older`.
    pub fn restore_new(
        &self,
        paths: &VaultPaths,
        protection: NewProtection,
        recovery: Option<&RecoveryKey>,
        keys: &dyn crate::crypto::keys::KeyStore,
        accept_older: bool,
    ) -> Result<(Vault, Option<RecoveryKey>)> {
        // The keyring entry is named by the vault id, which the restored vault keeps (its
        // JWTs name it): storing a new key under it would lock out the vault it came
        // from, if that is still on this machine.
        if matches!(protection, NewProtection::Keyring)
            && keys.load(&self.manifest.vault_id).is_ok()
        {
            return Err(Error::invalid(
                "keyring",
                format!(
                    "this machine's keyring already holds the key of vault {}, which may still be here in another folder; restoring into the keyring would lock it out: restore with a master password instead",
                    self.manifest.vault_id
                ),
            ));
        }
        let made = match recovery {
            Some(_) => None,
            None => Some(RecoveryKey::generate()),
        };
        let recipient = recovery
            .or(made.as_ref())
            .map(RecoveryKey::recipient)
            .transpose()?;
        let write = |path: &Path, key: &crate::crypto::keys::VaultKey| {
            snapshot::write_encrypted(&self.snapshot, path, key)
        };
        let after = |tx: &crate::store::Transaction<'_>, now: Timestamp| {
            store::insert_audit(
                tx,
                &restored_event(&self.manifest, "into a new vault").at(now),
            )
        };
        let vault = Vault::create_from(
            paths,
            protection,
            recipient.as_deref(),
            keys,
            &self.manifest.vault_id,
            crate::vault::Origin::Restored {
                write: &write,
                after: &after,
                accept_older,
            },
        )?;
        Ok((vault, made))
    }
}

/// The audit event of a restore.
fn restored_event(manifest: &Manifest, how: &str) -> NewAuditEvent {
    NewAuditEvent::vault(
        AuditAction::Restore,
        AuditOutcome::Ok,
        &format!("restored a backup made {} ({how})", manifest.created_at),
    )
}

/// An identity file's text, kept as a secret.
fn read_identity_file(path: &Path) -> Result<Secret> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot read", path, e))?;
    if meta.len() > MAX_IDENTITY_BYTES {
        return Err(Error::invalid(
            "identity file",
            format!("{} is too large to be an age identity file", path.display()),
        ));
    }
    let bytes = zeroize::Zeroizing::new(
        std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?,
    );
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::invalid("identity file", format!("{} is not text", path.display())))?;
    Ok(Secret::new(text.to_string()))
}

/// A reader that hashes what it passes on and keeps its I/O error (SQLite reports
/// only that the read failed).
struct Hashing<R> {
    inner: R,
    hash: Sha256,
    error: Option<std::io::Error>,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hash: Sha256::new(),
            error: None,
        }
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.hash.update(&buf[..n]);
                Ok(n)
            }
            Err(e) => {
                let kept = std::io::Error::new(e.kind(), e.to_string());
                self.error = Some(e);
                Err(kept)
            }
        }
    }
}

/// Lower-case hex.
pub(in crate::vault) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a restore into an existing vault did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    /// The backup's manifest.
    pub manifest: Manifest,
    /// For a merge, what it did (or, planned, would do); for a replace, none.
    pub merged: Option<Merged>,
    /// Tokens in the vault afterwards.
    pub tokens: u64,
}

impl Vault {
    /// Writes a backup of the whole vault to `path` (atomically, mode 0600), for
    /// `lock` to open, and returns its manifest.
    pub fn backup(&mut self, path: &Path, lock: BackupLock<'_>) -> Result<Manifest> {
        self.flush_usage()?;
        let now = self.now();
        let lock = match lock {
            BackupLock::Passphrase(passphrase) => Lock::Passphrase(passphrase),
            BackupLock::Recipients(recipients) => Lock::Recipients(recipients),
        };
        // Checked before anything is written.
        if let Lock::Recipients(recipients) = lock {
            age_file::parse_recipients(recipients)?;
        }
        let mut manifest = None;
        crate::platform::fsutil::write_private_with(path, |file| {
            let sealed = age_file::seal(lock, std::io::BufWriter::new(file))?;
            let written = snapshot::export(&self.conn, |facts, image| {
                let made = Manifest {
                    format: BACKUP_FORMAT.into(),
                    version: BACKUP_VERSION,
                    vault_id: facts.vault_id.clone(),
                    created_at: rfc3339(now),
                    tokens: facts.tokens,
                    generation: facts.generation,
                    schema_version: facts.schema,
                    payload_bytes: image.len() as u64,
                    payload_sha256: hex(&Sha256::digest(image)),
                };
                let sealed = write_tar(sealed, &made, image, now)?;
                Ok((sealed, made))
            })?;
            let (sealed, made) = written;
            let mut out = sealed.finish()?;
            out.flush()
                .map_err(|e| Error::io("cannot write", path, e))?;
            manifest = Some(made);
            Ok(())
        })?;
        let manifest =
            manifest.ok_or_else(|| Error::Storage("the backup was not written".into()))?;
        self.record_event(NewAuditEvent::vault(
            AuditAction::Backup,
            AuditOutcome::Ok,
            &format!(
                "{} token{} to {}",
                manifest.tokens,
                if manifest.tokens == 1 { "" } else { "s" },
                path.display()
            ),
        ))?;
        Ok(manifest)
    }

    /// Puts a checked backup into this vault: `Replace` makes the vault's tokens the
    /// backup's in one transaction (the backup must be of this vault, and not older
    /// than it unless `accept_older`); `Merge` joins them by token id. With `dry_run`,
    /// nothing is written and the answer says what would be done.
    pub fn restore_backup(
        &mut self,
        backup: &Backup,
        mode: RestoreMode,
        accept_older: bool,
        dry_run: bool,
    ) -> Result<Restored> {
        self.flush_usage()?;
        let manifest = &backup.manifest;
        let merged = match mode {
            RestoreMode::Replace => {
                if manifest.vault_id != self.header.vault_id {
                    return Err(Error::invalid(
                        "backup",
                        format!(
                            "it is a backup of another vault ({}); merge it instead (--merge), or restore it into an empty home",
                            manifest.vault_id
                        ),
                    ));
                }
                let current = crate::store::rollback::generation(&self.conn)?
                    .max(self.anchor()?.recorded().ok().flatten().unwrap_or(0));
                if manifest.generation < current && !accept_older {
                    return Err(Error::OlderBackup {
                        backup: manifest.generation,
                        vault: current,
                    });
                }
                if !dry_run {
                    let generation = current.max(manifest.generation);
                    self.transact(|tx, now| {
                        snapshot::replace(tx, &backup.snapshot)?;
                        crate::store::rollback::set_generation(tx, generation)?;
                        store::insert_audit(
                            tx,
                            &restored_event(manifest, "replacing the vault's tokens").at(now),
                        )
                    })?;
                    self.signer = None;
                }
                None
            }
            RestoreMode::Merge => {
                let plan = snapshot::merge(&self.conn, &backup.snapshot, false)?;
                if !dry_run && !plan.is_empty() {
                    let done = self.transact(|tx, now| {
                        let done = snapshot::merge(tx, &backup.snapshot, true)?;
                        store::insert_audit(tx, &restored_event(manifest, "merged").at(now))?;
                        Ok(done)
                    })?;
                    self.signer = None;
                    Some(done)
                } else {
                    Some(plan)
                }
            }
        };
        Ok(Restored {
            manifest: manifest.clone(),
            merged,
            tokens: store::kind_counts(&self.conn)?
                .iter()
                .map(|(_, n)| *n as u64)
                .sum(),
        })
    }
}

/// Writes the tar of a backup onto `out` and returns `out`.
fn write_tar<W: Write>(out: W, manifest: &Manifest, image: &[u8], now: Timestamp) -> Result<W> {
    let json = serde_json::to_vec_pretty(manifest).map_err(|e| Error::Storage(e.to_string()))?;
    let mut tar = tar::Builder::new(out);
    for (name, bytes) in [(MANIFEST_ENTRY, &json[..]), (PAYLOAD_ENTRY, image)] {
        let mut header = tar::Header::new_gnu();
        header
            .set_path(name)
            .map_err(|e| Error::Storage(e.to_string()))?;
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(u64::try_from(now).unwrap_or_default());
        header.set_cksum();
        tar.append(&header, bytes).map_err(write_error)?;
    }
    tar.into_inner().map_err(write_error)
}

fn write_error(e: std::io::Error) -> Error {
    match e.raw_os_error() {
        Some(28) => Error::DiskFull,
        _ => Error::Storage(format!("writing the backup: {e}")),
    }
}
