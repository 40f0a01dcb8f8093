//! The vault: one SQLCipher database file plus its plaintext header. `Vault` owns the
//! open connection; dropping it (locking) closes the connection, and the key it was
//! opened with is zeroized as soon as SQLCipher has it.
//!
//! Every change runs in one `IMMEDIATE` transaction through [`Vault::transact`], so on
//! any error nothing changes. Verification's last-use writes are buffered and flushed
//! within a second (and on every other write and on drop), because a durable write per
//! verification would cap throughput at the disk's fsync rate.

pub mod attention;
mod audit;
pub mod auto_backup;
pub mod backup;
mod catalog;
pub mod clients;
pub mod export;
pub mod import;
mod introspect;
pub mod lifecycle;
mod recent;
mod recovery;
mod resolve;
pub mod scan;
mod search;
pub mod shared;
mod verify;

pub use recovery::RecoveryState;

use crate::crypto::keys::{KdfParams, KeyStore, VaultKey};
use crate::index::SearchCache;
use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::clock::{Clock, SystemClock, Timestamp};
use crate::model::error::{Error, Result};
use crate::model::password::MasterPassword;
use crate::model::secret::Secret;
use crate::store;
use crate::store::connection::{self, Decrypts};
use crate::store::header::{Header, Protection};
use crate::store::rollback::Anchor;
use crate::store::{Connection, Transaction};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Buffered last-use records are made durable at least this often.
pub const USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(1);

/// Where a vault's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultPaths {
    /// The folder holding the vault.
    pub dir: PathBuf,
    /// The SQLCipher file.
    pub db: PathBuf,
    /// The plaintext header.
    pub header: PathBuf,
    /// The folder of per-machine state outside the vault: the rollback anchors
    /// (`TESSERA_STATE_HOME` if set, else `~/.local/state/tessera` on Linux).
    pub state: PathBuf,
}

impl VaultPaths {
    /// The vault in folder `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        VaultPaths {
            db: dir.join("vault.db"),
            header: dir.join("vault.header.json"),
            // Never inside the vault's folder: a copy of the folder put back would
            // bring its older anchor with it. Without a state folder, a sibling.
            state: default_state_dir().unwrap_or_else(|| {
                let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
                dir.with_file_name(format!("{}.state", name.as_deref().unwrap_or("tessera")))
            }),
            dir,
        }
    }

    /// The same vault with its per-machine state kept in `state`.
    pub fn with_state(mut self, state: impl Into<PathBuf>) -> Self {
        self.state = state.into();
        self
    }

    /// `TESSERA_HOME` if set, else the platform data folder (`~/.local/share/tessera`
    /// on Linux).
    pub fn default_location() -> Result<Self> {
        if let Some(home) = std::env::var_os("TESSERA_HOME").filter(|v| !v.is_empty()) {
            return Ok(VaultPaths::in_dir(home));
        }
        let data = dirs::data_dir().ok_or_else(|| {
            Error::Storage("no data folder is known for this user: set TESSERA_HOME".into())
        })?;
        Ok(VaultPaths::in_dir(data.join("tessera")))
    }

    /// Whether a vault (or a part of one) exists here.
    pub fn exists(&self) -> bool {
        self.db.exists() || self.header.exists()
    }

    /// How the vault here is protected, read from its header.
    pub fn protection(&self) -> Result<Protection> {
        Ok(self.read_header()?.protection)
    }

    /// Where a header waits while the database is re-keyed.
    /// Refuses a state folder inside the vault's folder, and makes the vault's folder
    /// and files private again if something opened them up (checked at every open).
    fn check_places(&self) -> Result<()> {
        if self.state.starts_with(&self.dir) {
            return Err(Error::invalid(
                "state folder",
                format!(
                    "{} is inside the vault folder, where a copy of the folder put back would bring an older rollback anchor with it; set TESSERA_STATE_HOME to a folder outside {}",
                    self.state.display(),
                    self.dir.display()
                ),
            ));
        }
        let files = [
            self.db.clone(),
            self.header.clone(),
            self.db.with_extension("db-wal"),
            self.db.with_extension("db-shm"),
        ];
        crate::platform::fsutil::keep_private(&self.dir, &files)
    }

    fn pending_header(&self) -> PathBuf {
        self.header.with_extension("json.new")
    }

    fn read_header(&self) -> Result<Header> {
        match (self.header.exists(), self.db.exists()) {
            (false, false) => Err(Error::NoVault(self.dir.display().to_string())),
            (false, true) => Err(Error::Damaged(format!(
                "the header {} is missing; restore it from a backup",
                self.header.display()
            ))),
            (true, false) => Err(Error::Damaged(format!(
                "the vault file {} is missing; restore it from a backup",
                self.db.display()
            ))),
            (true, true) => Header::read(&self.header),
        }
    }
}

/// `TESSERA_STATE_HOME` if set, else the platform state folder (`~/.local/state/tessera`
/// on Linux, the local data folder elsewhere).
fn default_state_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("TESSERA_STATE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(home));
    }
    dirs::state_dir()
        .map(|d| d.join("tessera"))
        .or_else(|| dirs::data_local_dir().map(|d| d.join("tessera-state")))
}

/// How a new vault's key is kept.
#[derive(Debug)]
pub enum NewProtection {
    /// A random key kept in the keyring.
    Keyring,
    /// A key derived from this master password.
    Password(MasterPassword),
}

/// How a new vault's file comes to be.
pub(in crate::vault) enum Origin<'a> {
    /// Empty, made here.
    Empty,
    /// Written whole by `write` under the new key (a backup's image), then `after` in
    /// one transaction. An image older than what this machine last recorded of the vault
    /// is [`Error::OlderBackup`] unless `accept_older`.
    Restored {
        write: &'a dyn Fn(&Path, &VaultKey) -> Result<()>,
        after: &'a dyn Fn(&Transaction<'_>, Timestamp) -> Result<()>,
        accept_older: bool,
    },
}

/// Who asks to change how the vault is protected (`change_password`, `use_keyring`).
#[derive(Debug, Clone, Copy)]
pub enum Consent<'a> {
    /// The current master password: required for a password vault.
    CurrentPassword(&'a Secret),
    /// A keyring vault has no password: the person confirmed outside any web content
    /// (a native dialog, a command they typed).
    Confirmed,
}

/// Last uses recorded by verification, not yet written.
#[derive(Debug, Default)]
pub(crate) struct PendingUsage {
    pub(crate) since: Option<Instant>,
    pub(crate) uses: std::collections::HashMap<String, (Timestamp, i64)>,
    pub(crate) events: Vec<store::NewAuditEvent>,
}

impl PendingUsage {
    pub(crate) fn is_empty(&self) -> bool {
        self.uses.is_empty() && self.events.is_empty()
    }

    /// Buffers an audit event, written with the next flush (within a second).
    pub(crate) fn event(&mut self, event: store::NewAuditEvent) {
        self.events.push(event);
        self.since.get_or_insert_with(Instant::now);
    }

    /// Writes the buffer inside `tx`; the caller clears it once `tx` commits.
    fn write(&self, tx: &Transaction<'_>) -> Result<()> {
        for (token_id, (at, count)) in &self.uses {
            store::record_use(tx, token_id, *at, *count)?;
        }
        for event in &self.events {
            store::insert_audit(tx, event)?;
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.since = None;
        self.uses.clear();
        self.events.clear();
    }
}

/// An open, unlocked vault.
pub struct Vault {
    pub(in crate::vault) conn: Connection,
    pub(in crate::vault) paths: VaultPaths,
    pub(in crate::vault) header: Header,
    pub(in crate::vault) clock: Arc<dyn Clock>,
    pub(in crate::vault) pending: PendingUsage,
    pub(in crate::vault) search: SearchCache,
    pub(in crate::vault) signer: Option<crate::crypto::jwt::Signer>,
    /// Tokens and buckets found sealed (see [`crate::store::seal`]).
    pub(in crate::vault) seals: crate::store::seal::Checked,
    /// Tokens verification found at the vault's current state.
    pub(in crate::vault) recent: recent::Recent,
    /// Whether this vault is a shared vault's replica, once a verification asked.
    pub(in crate::vault) replica: Option<bool>,
    /// The rollback anchor, once the vault's identity is known.
    anchor: Option<Anchor>,
    /// Inside [`Vault::read_batch`].
    batching: bool,
    /// The batch's read transaction is open.
    batch_read: bool,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.paths.dir)
            .field("vault_id", &self.header.vault_id)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Creates a new vault at `paths`. With [`NewProtection::Keyring`] the key goes to
    /// `keys`; when that fails nothing is left behind and the error says so, so the
    /// caller can fall back to a master password.
    pub fn create(
        paths: &VaultPaths,
        protection: NewProtection,
        keys: &dyn KeyStore,
    ) -> Result<Vault> {
        Vault::create_sealed(paths, protection, None, keys)
    }

    /// [`Vault::create`], with the new key sealed to `recipient` (a recovery key's).
    pub(in crate::vault) fn create_sealed(
        paths: &VaultPaths,
        protection: NewProtection,
        recipient: Option<&str>,
        keys: &dyn KeyStore,
    ) -> Result<Vault> {
        let vault_id = uuid::Uuid::now_v7().to_string();
        Vault::create_from(paths, protection, recipient, keys, &vault_id, Origin::Empty)
    }

    /// [`Vault::create_sealed`] with the id `vault_id`, the file made as `origin` says.
    /// On any error nothing is left behind: no file, no keyring entry.
    pub(in crate::vault) fn create_from(
        paths: &VaultPaths,
        protection: NewProtection,
        recipient: Option<&str>,
        keys: &dyn KeyStore,
        vault_id: &str,
        origin: Origin<'_>,
    ) -> Result<Vault> {
        if paths.exists() {
            return Err(Error::VaultExists(paths.dir.display().to_string()));
        }
        paths.check_places()?;
        crate::platform::fsutil::create_private_dir(&paths.dir)?;
        let vault_id = vault_id.to_string();
        let (header, key) = match &protection {
            NewProtection::Keyring => {
                let key = VaultKey::generate();
                keys.store(&vault_id, &key)?;
                (Header::new(vault_id.clone(), None), key)
            }
            NewProtection::Password(password) => {
                let kdf = KdfParams::fresh();
                let key = kdf.derive(password.secret())?;
                (Header::new(vault_id.clone(), Some(kdf)), key)
            }
        };
        let built = header
            .sealed_for(recipient, &key)
            .and_then(|header| Vault::build_new(paths, &header, &key, origin));
        if built.is_err() {
            for file in [
                paths.db.clone(),
                paths.header.clone(),
                paths.db.with_extension("db-wal"),
                paths.db.with_extension("db-shm"),
            ] {
                let _ = std::fs::remove_file(file);
            }
            if matches!(protection, NewProtection::Keyring) {
                let _ = keys.remove(&vault_id);
            }
        }
        built
    }

    fn build_new(
        paths: &VaultPaths,
        header: &Header,
        key: &VaultKey,
        origin: Origin<'_>,
    ) -> Result<Vault> {
        let conn = match &origin {
            Origin::Empty => connection::open_keyed(&paths.db, key, true)?,
            Origin::Restored { write, .. } => {
                write(&paths.db, key)?;
                connection::open_keyed(&paths.db, key, false)?
            }
        };
        connection::configure(&conn)?;
        let header = header.clone().checked_by(key);
        let mut vault = Vault::from_parts(conn, paths.clone(), header.clone());
        vault.migrate()?;
        crate::store::seal::install(&vault.conn)?;
        crate::store::seal::ensure(&vault.conn)?;
        crate::store::name_chunks::install(&vault.conn)?;
        crate::store::name_chunks::ensure(&vault.conn)?;
        match origin {
            Origin::Empty => {
                vault.transact(|tx, _| store::init_meta(tx, &header.vault_id))?;
                vault.anchor = Some(Anchor::of(&vault.conn, &paths.state, &header.vault_id)?);
            }
            Origin::Restored {
                after,
                accept_older,
                ..
            } => {
                if store::vault_id(&vault.conn)? != header.vault_id {
                    return Err(Error::Damaged("the restored vault has another id".into()));
                }
                // The image's seals add up before anything is added to it.
                crate::store::seal::check(&vault.conn)?;
                crate::store::seal::check_all_if_small(&vault.conn)?;
                let anchor = Anchor::of(&vault.conn, &paths.state, &header.vault_id)?;
                let current = crate::store::rollback::generation(&vault.conn)?;
                let recorded = match anchor.recorded() {
                    Ok(recorded) => recorded.unwrap_or(0),
                    // An anchor that does not read back is replaced once accepted.
                    Err(_) if accept_older => 0,
                    Err(err) => return Err(err),
                };
                if recorded > current && !accept_older {
                    return Err(Error::OlderBackup {
                        backup: current,
                        vault: recorded,
                    });
                }
                vault.anchor = Some(anchor);
                // Past both, so the anchor moves forward, never back.
                vault.transact(|tx, now| {
                    crate::store::rollback::set_generation(tx, current.max(recorded))?;
                    after(tx, now)
                })?;
            }
        }
        vault.anchor_check()?;
        header.write(&paths.header)?;
        // SQLite made the file with the umask's mode: private from the start.
        paths.check_places()?;
        Ok(vault)
    }

    /// Opens the vault at `paths`: the key comes from `keys` for a keyring vault, or
    /// from `password` for a password vault. A wrong key or password changes no file.
    ///
    /// A change of password or protection that was interrupted after the database was
    /// re-keyed but before its header was replaced left the new header beside the old
    /// one (`vault.header.json.new`): when the old header's key does not open the vault,
    /// the pending one is tried, and if it opens it, it becomes the header. So after a
    /// crash exactly one of the old and new passwords opens the vault.
    ///
    /// A vault file older than its last recorded change (an older copy put back) does
    /// not open: [`Error::RolledBack`]. See [`Vault::open_restored`].
    pub fn open(
        paths: &VaultPaths,
        keys: &dyn KeyStore,
        password: Option<&Secret>,
    ) -> Result<Vault> {
        let mut vault = Vault::open_unchecked(paths, keys, password)?;
        vault.anchor_check()?;
        // After the anchor: a whole older copy is reported as such, not as damage.
        crate::store::seal::check(&vault.conn)?;
        crate::store::seal::check_all_if_small(&vault.conn)?;
        Ok(vault)
    }

    /// Opens a vault that [`Vault::open`] refused as an older copy, because the person
    /// restored it on purpose: its current state becomes the one recorded, and the
    /// audit log says so. Tokens revoked after the copy was made are active again.
    pub fn open_restored(
        paths: &VaultPaths,
        keys: &dyn KeyStore,
        password: Option<&Secret>,
    ) -> Result<Vault> {
        let mut vault = Vault::open_unchecked(paths, keys, password)?;
        // A whole older copy may be accepted; a mix of older and newer pages may not.
        crate::store::seal::check(&vault.conn)?;
        crate::store::seal::check_all(&vault.conn)?;
        let current = crate::store::rollback::generation(&vault.conn)?;
        vault.anchor()?.reset(current)?;
        vault.record_event(store::NewAuditEvent::vault(
            AuditAction::Restore,
            AuditOutcome::Ok,
            "an older copy of the vault was accepted",
        ))?;
        Ok(vault)
    }

    fn open_unchecked(
        paths: &VaultPaths,
        keys: &dyn KeyStore,
        password: Option<&Secret>,
    ) -> Result<Vault> {
        paths.check_places()?;
        let header = paths.read_header()?;
        let pending = paths.pending_header();
        match Vault::open_with(paths, header, keys, password) {
            // With the old header, the old key is "right" by its check value but no
            // longer decrypts the re-keyed file, which reads as damage: the pending
            // header decides. If it does not open the vault either, its answer (wrong
            // password) is the one to give: the old password was replaced.
            Err(first @ (Error::WrongKey | Error::WrongPassword | Error::Damaged(_)))
                if pending.exists() =>
            {
                match Vault::open_with(paths, Header::read(&pending)?, keys, password) {
                    Ok(vault) => {
                        crate::platform::fsutil::rename_durably(&pending, &paths.header)?;
                        Ok(vault)
                    }
                    // The pending header's key is right but the file is not keyed with
                    // it: the re-key never committed (a crash before it), so the new
                    // password was never set, and the first answer stands. The stale
                    // header stays: a change under way in another process may need it.
                    Err(Error::Damaged(_))
                        if matches!(first, Error::WrongKey | Error::WrongPassword) =>
                    {
                        Err(first)
                    }
                    Err(err) => Err(err),
                }
            }
            result => result,
        }
    }

    fn open_with(
        paths: &VaultPaths,
        header: Header,
        keys: &dyn KeyStore,
        password: Option<&Secret>,
    ) -> Result<Vault> {
        let (key, wrong) = match header.protection {
            Protection::Keyring => (keys.load(&header.vault_id)?, Error::WrongKey),
            Protection::Password => {
                let password = password.ok_or(Error::PasswordRequired)?;
                let kdf = header
                    .kdf
                    .as_ref()
                    .ok_or_else(|| Error::Damaged("no KDF parameters".into()))?;
                (kdf.derive(password)?, Error::WrongPassword)
            }
        };
        Vault::open_keyed(paths, header, key, wrong)
    }

    /// Opens the vault file with `key`; `wrong` is the error for a key that does not
    /// decrypt it. The key is forgotten once the file is open.
    pub(in crate::vault) fn open_keyed(
        paths: &VaultPaths,
        mut header: Header,
        key: VaultKey,
        wrong: Error,
    ) -> Result<Vault> {
        let conn = connection::open_keyed(&paths.db, &key, false)?;
        let right_key = header.key_matches(&key);
        // A recovery recipient the key does not vouch for was not written by Tessera:
        // it is ignored, so no new vault key is ever sealed to it.
        if header.recovery.is_some() && header.recovery_recipient(&key).is_none() {
            header.recovery = None;
        }
        drop(key);
        // A wrong key fails at the first read, before any pragma could write.
        match connection::decrypts(&conn) {
            Decrypts::Yes => {}
            Decrypts::NotWithThisKey if right_key == Some(true) => {
                return Err(Error::Damaged(
                    "the key is right but the vault file does not decrypt: it is damaged; restore it from a backup".into(),
                ));
            }
            Decrypts::NotWithThisKey => return Err(wrong),
            Decrypts::Failed(err) => return Err(err),
        }
        let mut vault = Vault::from_parts(conn, paths.clone(), header);
        let stored_id = connection::configure(&vault.conn)
            .and_then(|()| vault.migrate())
            .and_then(|()| crate::store::seal::install(&vault.conn))
            .and_then(|()| crate::store::seal::ensure(&vault.conn))
            .and_then(|()| crate::store::name_chunks::install(&vault.conn))
            .and_then(|()| crate::store::name_chunks::ensure(&vault.conn))
            .and_then(|()| store::vault_id(&vault.conn))
            .map_err(|err| vault.damage_or(err))?;
        if stored_id != vault.header.vault_id {
            return Err(Error::Damaged("the header belongs to another vault".into()));
        }
        vault.anchor = Some(Anchor::of(&vault.conn, &paths.state, &stored_id)?);
        Ok(vault)
    }

    /// `err`, or "damaged" when SQLCipher finds pages whose HMAC does not verify: a
    /// damaged page surfaces from SQLite as a plain error.
    fn damage_or(&self, err: Error) -> Error {
        match connection::damaged_pages(&self.conn) {
            Some(report) => Error::Damaged(report),
            None => err,
        }
    }

    fn from_parts(conn: Connection, paths: VaultPaths, header: Header) -> Vault {
        Vault {
            conn,
            paths,
            header,
            clock: Arc::new(SystemClock),
            pending: PendingUsage::default(),
            search: SearchCache::default(),
            signer: None,
            seals: crate::store::seal::Checked::default(),
            recent: recent::Recent::default(),
            replica: None,
            anchor: None,
            batching: false,
            batch_read: false,
        }
    }

    fn anchor(&self) -> Result<&Anchor> {
        self.anchor
            .as_ref()
            .ok_or_else(|| Error::Storage("the vault's rollback anchor is not loaded".into()))
    }

    /// Refuses a vault that is behind its rollback anchor (see [`crate::store::rollback`]).
    fn anchor_check(&mut self) -> Result<()> {
        self.anchor()?.check(&self.conn)
    }

    /// Replaces the clock (tests move time with a [`crate::model::clock::FixedClock`]).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Caps the decrypted page cache at `mib` MiB (32 by default, sized for bulk
    /// verification). The desktop app, which searches and shows pages but does not
    /// verify thousands of tokens a second, keeps less in memory.
    pub fn limit_page_cache(&self, mib: u32) -> Result<()> {
        connection::limit_page_cache(&self.conn, mib)
    }

    /// Writes the write-ahead log into the vault file and empties it, so the one file
    /// holds everything (before a backup copy, for instance).
    pub fn checkpoint(&mut self) -> Result<()> {
        self.flush_usage()?;
        connection::checkpoint(&self.conn)
    }

    /// After a change that drops secret material (delete, rotate, a re-signed JWT):
    /// `secure_delete` has zeroed the old bytes in the pages themselves, but the WAL
    /// still holds the pages as they were before; this writes the WAL into the file and
    /// truncates it, once `done` (the change) succeeded. Best effort: while another
    /// process reads the vault, the WAL stays until a later checkpoint, and SQLite's own
    /// checkpoints overwrite it in time.
    pub(crate) fn erase_history_after<T>(&mut self, done: Result<T>) -> Result<T> {
        if done.is_ok() {
            let _ = self.checkpoint();
        }
        done
    }

    /// Rebuilds the vault file without free pages (`VACUUM`), then empties the WAL.
    /// Temporary data stays in memory (`temp_store = MEMORY`), never in TMPDIR.
    pub fn compact(&mut self) -> Result<()> {
        self.flush_usage()?;
        connection::vacuum(&self.conn)?;
        self.checkpoint()
    }

    /// Runs SQLCipher's `cipher_integrity_check` (every page's HMAC verifies), SQLite's
    /// `integrity_check` (the b-trees and indexes agree), and checks every token's rows
    /// against its seal (no page was put back from an older copy; see [`crate::store::seal`]);
    /// an error names what failed. O(size of the vault).
    pub fn check_integrity(&self) -> Result<()> {
        // Pages first: a page that does not decrypt can make SQLite's check fail with a
        // bare error instead of a report.
        if let Some(report) = connection::damaged_pages(&self.conn) {
            return Err(Error::Damaged(report));
        }
        let report = connection::integrity_report(&self.conn)?;
        if report != ["ok"] {
            return Err(Error::Damaged(format!(
                "integrity check: {}",
                report.join("; ")
            )));
        }
        // Sound pages can still be older than the rest: every token against its seal.
        crate::store::seal::check(&self.conn)?;
        crate::store::seal::check_all(&self.conn)?;
        crate::store::name_chunks::check(&self.conn)
    }

    /// The current time by this vault's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The vault's id.
    pub fn id(&self) -> &str {
        &self.header.vault_id
    }

    /// Where the vault's files are.
    pub fn paths(&self) -> &VaultPaths {
        &self.paths
    }

    /// How the key is kept.
    pub fn protection(&self) -> Protection {
        self.header.protection
    }

    /// A number that changes whenever another connection (another process, such as
    /// the CLI) commits to the vault; this handle's own changes leave it as it is. A
    /// window that keeps the vault open compares it to know when to reload what it
    /// shows. SQLite's `data_version`: one query, no table read.
    pub fn outside_changes(&self) -> Result<i64> {
        connection::data_version(&self.conn)
    }

    /// Sets a new master password: the database is re-keyed with a key derived from it
    /// under a fresh salt, the header rewritten, and any keyring copy of the old key
    /// removed. A keyring vault becomes a password vault. `consent` must be the current
    /// master password of a password vault; whoever merely holds the open vault (a
    /// script in the app's web view) cannot take it over.
    pub fn change_password(
        &mut self,
        consent: Consent<'_>,
        new_password: &MasterPassword,
        keys: &dyn KeyStore,
    ) -> Result<()> {
        self.check_consent(consent)?;
        self.set_password(new_password, keys)
    }

    /// [`Vault::change_password`] once consent is established.
    pub(in crate::vault) fn set_password(
        &mut self,
        new_password: &MasterPassword,
        keys: &dyn KeyStore,
    ) -> Result<()> {
        self.flush_usage()?;
        let kdf = KdfParams::fresh();
        let key = kdf.derive(new_password.secret())?;
        self.rekey(
            &key,
            Header::new(self.header.vault_id.clone(), Some(kdf)),
            keys,
        )
    }

    /// Moves the key into the keyring: the database is re-keyed with a new random key
    /// kept in `keys`, and the master password no longer opens it. `consent` as for
    /// [`Vault::change_password`].
    pub fn use_keyring(&mut self, consent: Consent<'_>, keys: &dyn KeyStore) -> Result<()> {
        self.check_consent(consent)?;
        self.move_to_keyring(keys)
    }

    /// [`Vault::use_keyring`] once consent is established.
    pub(in crate::vault) fn move_to_keyring(&mut self, keys: &dyn KeyStore) -> Result<()> {
        self.flush_usage()?;
        let key = VaultKey::generate();
        keys.store(&self.header.vault_id, &key)?;
        self.rekey(&key, Header::new(self.header.vault_id.clone(), None), keys)
    }

    /// Checks that the person, not just the holder of the open vault, asks for a change of
    /// protection: a password vault's current password (derived and compared with the
    /// header's check value), or a keyring vault's confirmation outside web content.
    pub(in crate::vault) fn check_consent(&self, consent: Consent<'_>) -> Result<()> {
        let (Some(kdf), Protection::Password) = (&self.header.kdf, self.header.protection) else {
            return Ok(());
        };
        let Consent::CurrentPassword(current) = consent else {
            return Err(Error::invalid(
                "current password",
                "type the current master password to change how the vault is protected",
            ));
        };
        let key = kdf.derive(current)?;
        let matches = match self.header.key_matches(&key) {
            Some(matches) => matches,
            // A header from before check values: the file itself tells.
            None => connection::key_opens(&self.paths.db, &key),
        };
        if matches {
            Ok(())
        } else {
            Err(Error::WrongPassword)
        }
    }

    /// Re-keys the database with `key` and replaces the header with `header`, which
    /// gets the new key's check value and, while the vault has a recovery key, the new
    /// key sealed to it.
    pub(in crate::vault) fn rekey(
        &mut self,
        key: &VaultKey,
        header: Header,
        keys: &dyn KeyStore,
    ) -> Result<()> {
        let recipient = self.header.recovery.as_ref().map(|r| r.recipient.clone());
        self.rekey_sealed(key, header, recipient.as_deref(), keys)
    }

    /// [`Vault::rekey`], sealing the new key to `recipient` (none: no recovery copy).
    pub(in crate::vault) fn rekey_sealed(
        &mut self,
        key: &VaultKey,
        header: Header,
        recipient: Option<&str>,
        keys: &dyn KeyStore,
    ) -> Result<()> {
        let header = header.sealed_for(recipient, key)?.checked_by(key);
        let was_keyring = self.header.protection == Protection::Keyring;
        // The new header is written (durably) before the re-key and takes the old one's
        // place after it; `open` finishes the swap if a crash comes between the two.
        let pending = self.paths.pending_header();
        header.write(&pending)?;
        connection::rekey(&self.conn, key).inspect_err(|_| {
            let _ = std::fs::remove_file(&pending);
        })?;
        crate::platform::fsutil::rename_durably(&pending, &self.paths.header)?;
        let now_keyring = header.protection == Protection::Keyring;
        self.header = header;
        if was_keyring && !now_keyring {
            keys.remove(&self.header.vault_id)?;
        }
        self.record_event(store::NewAuditEvent::vault(
            AuditAction::Passwd,
            AuditOutcome::Ok,
            "",
        ))?;
        Ok(())
    }

    /// Applies pending migrations, each in its own transaction.
    fn migrate(&mut self) -> Result<()> {
        connection::migrate(&mut self.conn)
    }

    /// Runs `f` in one immediate transaction together with any buffered last-use
    /// records. On error nothing is written.
    pub(crate) fn transact<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock.now();
        self.end_read_batch()?;
        let tx = connection::begin(&mut self.conn)?;
        self.pending.write(&tx)?;
        let out = f(&tx, now)?;
        let generation = crate::store::rollback::bump(&tx)?;
        crate::store::name_chunks::update(&tx)?;
        crate::store::seal::update(&tx, generation)?;
        tx.commit()?;
        self.seals.clear();
        self.recent.clear();
        self.pending.clear();
        self.search.invalidate();
        // After the commit, never before: the anchor may lag the vault, never lead it. A
        // failed anchor write does not undo a committed change; the next change or open
        // writes it again.
        if let Some(anchor) = &self.anchor {
            let _ = anchor.record(generation);
        }
        Ok(out)
    }

    /// Runs `f` with every read in one read transaction: a service answering many
    /// verifications at once takes the file's lock and checks it for changes once per
    /// batch instead of once per statement. A change made meanwhile by another process
    /// is seen from the next batch on; a write inside `f` ends the shared read first.
    /// Buffered verification records are flushed after, when due.
    pub fn read_batch<T>(&mut self, f: impl FnOnce(&mut Vault) -> T) -> Result<T> {
        self.conn.execute_batch("BEGIN DEFERRED")?;
        self.batch_read = true;
        self.batching = true;
        let out = f(self);
        self.batching = false;
        self.end_read_batch()?;
        self.flush_usage_if_due()?;
        Ok(out)
    }

    /// Ends the read transaction of a batch, if one is open.
    fn end_read_batch(&mut self) -> Result<()> {
        if self.batch_read {
            self.batch_read = false;
            self.conn.execute_batch("COMMIT")?;
        }
        Ok(())
    }

    /// Appends one audit event in its own transaction.
    pub(crate) fn record_event(&mut self, event: store::NewAuditEvent) -> Result<()> {
        self.transact(|tx, now| store::insert_audit(tx, &event.at(now)))
    }

    /// Writes buffered last-use records now. Callers that keep a vault open (the app)
    /// call this on a timer; it is also done on every write and on drop.
    pub fn flush_usage(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.end_read_batch()?;
        let tx = connection::begin(&mut self.conn)?;
        let before = recent::current(&tx)?;
        self.pending.write(&tx)?;
        tx.commit()?;
        self.recent.carry_over(before, &self.conn);
        if !self.pending.uses.is_empty() {
            // Last-use times order the "last used" sort.
            self.search.forget_last_uses();
        }
        self.pending.clear();
        Ok(())
    }

    /// Flushes buffered last-use records when the oldest is due.
    pub(crate) fn flush_usage_if_due(&mut self) -> Result<()> {
        if self.batching {
            // After the batch.
            return Ok(());
        }
        match self.pending.since {
            Some(since) if since.elapsed() >= USAGE_FLUSH_INTERVAL => self.flush_usage(),
            _ => Ok(()),
        }
    }

    /// Locks the vault: buffered records are written, the connection closed and the key
    /// forgotten. Dropping a vault does the same but cannot report a failed write.
    pub fn lock(mut self) -> Result<()> {
        self.flush_usage()
    }

    /// The database file path.
    pub fn db_path(&self) -> &Path {
        &self.paths.db
    }
}

impl Drop for Vault {
    fn drop(&mut self) {
        let _ = self.flush_usage();
    }
}
