//! Automatic backups: after changes, at most once per N minutes, into a folder of the
//! person's choice (a synced folder, a USB disk), keeping the last K. Each is a backup
//! like `backup create`'s, encrypted to the vault's recovery key: the vault holds only
//! the recipient (its public half), so an automatic backup restores on a new machine
//! with the recovery key alone.
//!
//! The settings live inside the vault (`meta`); what this machine last wrote lives in
//! its state folder, beside the rollback anchors, so that recording it is not itself a
//! change that calls for another backup.

use crate::model::clock::{Timestamp, rfc3339};
use crate::model::error::{Error, Result};
use crate::store;
use crate::vault::Vault;
use crate::vault::backup::BackupLock;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The `meta` entry of the settings (JSON).
const SETTINGS_META: &str = "auto_backup";
/// Default minutes between two automatic backups.
pub const DEFAULT_EVERY_MINUTES: u32 = 60;
/// Default number of automatic backups kept.
pub const DEFAULT_KEEP: u32 = 10;

/// Where and how often automatic backups are made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AutoBackup {
    /// The folder the backups go to (absolute).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub folder: PathBuf,
    /// At most one backup per this many minutes, and only after a change.
    pub every_minutes: u32,
    /// How many of this vault's automatic backups the folder keeps; older ones go.
    pub keep: u32,
}

impl AutoBackup {
    /// Settings for `folder` with the defaults.
    pub fn to_folder(folder: impl Into<PathBuf>) -> Self {
        AutoBackup {
            folder: folder.into(),
            every_minutes: DEFAULT_EVERY_MINUTES,
            keep: DEFAULT_KEEP,
        }
    }

    fn check(&self) -> Result<()> {
        if !self.folder.is_absolute() {
            return Err(Error::invalid(
                "backup folder",
                format!(
                    "give the whole path of the folder, not '{}'",
                    self.folder.display()
                ),
            ));
        }
        if self.every_minutes == 0 || self.every_minutes > 7 * 24 * 60 {
            return Err(Error::invalid(
                "backup interval",
                "give a number of minutes from 1 to 10080 (a week)",
            ));
        }
        if self.keep == 0 || self.keep > 1000 {
            return Err(Error::invalid(
                "backups kept",
                "keep from 1 to 1000 backups",
            ));
        }
        Ok(())
    }
}

/// What this machine last wrote, in the state folder.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct LastRun {
    /// When the last automatic backup was written.
    at: Option<Timestamp>,
    /// The file it wrote.
    file: Option<PathBuf>,
    /// The vault's generation once it was written (its audit event included).
    generation: u64,
    /// Why the last attempt failed, if it did.
    error: Option<String>,
}

/// Automatic backups as the Settings page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AutoBackupStatus {
    /// The settings, or none: off.
    pub settings: Option<AutoBackup>,
    /// When this machine last wrote one (Unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_at: Option<Timestamp>,
    /// The file it wrote.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub last_file: Option<PathBuf>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Whether the vault has a recovery key, which automatic backups are encrypted to.
    pub has_recovery_key: bool,
}

impl Vault {
    /// The automatic backup settings, or none (off).
    pub fn auto_backup(&self) -> Result<Option<AutoBackup>> {
        let Some(json) = store::meta_get(&self.conn, SETTINGS_META)? else {
            return Ok(None);
        };
        serde_json::from_slice(&json)
            .map(Some)
            .map_err(|_| Error::Damaged("the automatic backup settings are unreadable".into()))
    }

    /// Turns automatic backups on (or changes them), or off with `None`. They are
    /// encrypted to the vault's recovery key, so the vault needs one; the folder is made
    /// if missing.
    pub fn set_auto_backup(&mut self, settings: Option<AutoBackup>) -> Result<()> {
        if let Some(settings) = &settings {
            settings.check()?;
            self.backup_recipient()?;
            make_folder(&settings.folder)?;
        }
        let json = settings
            .as_ref()
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| Error::Storage(e.to_string()))?;
        self.transact(|tx, _| match &json {
            Some(json) => store::meta_set(tx, SETTINGS_META, json),
            None => store::meta_delete(tx, SETTINGS_META),
        })
    }

    /// The settings and what this machine last did.
    pub fn auto_backup_status(&self) -> Result<AutoBackupStatus> {
        let last = self.last_run();
        Ok(AutoBackupStatus {
            settings: self.auto_backup()?,
            last_at: last.at,
            last_file: last.file,
            last_error: last.error,
            has_recovery_key: self.header.recovery.is_some(),
        })
    }

    /// Writes an automatic backup now, into the folder of the settings, and keeps the
    /// last K there. Returns the file.
    pub fn back_up_now(&mut self) -> Result<PathBuf> {
        let settings = self.auto_backup()?.ok_or_else(|| {
            Error::invalid(
                "automatic backups",
                "choose a backup folder first (Settings, or `tessera backup auto --folder DIR`)",
            )
        })?;
        let done = self.write_auto_backup(&settings);
        let mut last = self.last_run();
        match &done {
            Ok(file) => {
                last = LastRun {
                    at: Some(self.now()),
                    file: Some(file.clone()),
                    generation: crate::store::rollback::generation(&self.conn)?,
                    error: None,
                };
            }
            Err(err) => last.error = Some(err.to_string()),
        }
        self.keep_last_run(&last)?;
        done
    }

    /// [`Vault::back_up_now`] when automatic backups are on, the vault changed since
    /// the last one, and the interval has passed; else nothing.
    pub fn auto_backup_if_due(&mut self) -> Result<Option<PathBuf>> {
        let Some(settings) = self.auto_backup()? else {
            return Ok(None);
        };
        let last = self.last_run();
        let changed = crate::store::rollback::generation(&self.conn)? > last.generation;
        let waited = last.at.is_none_or(|at| {
            self.now().saturating_sub(at) >= i64::from(settings.every_minutes) * 60
        });
        if changed && waited {
            self.back_up_now().map(Some)
        } else {
            Ok(None)
        }
    }

    fn backup_recipient(&self) -> Result<String> {
        self.header
            .recovery
            .as_ref()
            .map(|seal| seal.recipient.clone())
            .ok_or_else(|| {
                Error::invalid(
                    "automatic backups",
                    "they are encrypted to the vault's recovery key, and this vault has none: make one first (`tessera recovery-key --new`)",
                )
            })
    }

    fn write_auto_backup(&mut self, settings: &AutoBackup) -> Result<PathBuf> {
        let recipient = [self.backup_recipient()?];
        make_folder(&settings.folder)?;
        let prefix = file_prefix(self.id());
        let stamp = rfc3339(self.now()).replace([':', '-'], "");
        let mut file = settings.folder.join(format!("{prefix}{stamp}.age"));
        let mut n = 1;
        while file.exists() {
            n += 1;
            file = settings.folder.join(format!("{prefix}{stamp}-{n}.age"));
        }
        self.backup(&file, BackupLock::Recipients(&recipient))?;
        prune(&settings.folder, &prefix, settings.keep as usize)?;
        Ok(file)
    }

    fn last_run_path(&self) -> PathBuf {
        self.paths
            .state
            .join("backups")
            .join(format!("{}.json", self.id()))
    }

    fn last_run(&self) -> LastRun {
        std::fs::read(self.last_run_path())
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn keep_last_run(&self, last: &LastRun) -> Result<()> {
        let path = self.last_run_path();
        if let Some(dir) = path.parent() {
            crate::platform::fsutil::create_private_dir(dir)?;
        }
        let json = serde_json::to_vec(last).map_err(|e| Error::Storage(e.to_string()))?;
        crate::platform::fsutil::write_private(&path, &json)
    }
}

/// Makes the backup folder (private) when it is missing; one that exists keeps its
/// permissions, the person's choice (each backup is 0600 and encrypted).
fn make_folder(folder: &Path) -> Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    crate::platform::fsutil::create_private_dir(folder)
}

/// Automatic backups of vault `vault_id` are named `tessera-<first 8 of the id>-<time>.age`.
fn file_prefix(vault_id: &str) -> String {
    format!("tessera-{}-", &vault_id[..vault_id.len().min(8)])
}

/// Removes all but the newest `keep` of the files named `<prefix>….age` in `folder`
/// (their names sort by time); no other file is touched.
fn prune(folder: &Path, prefix: &str, keep: usize) -> Result<()> {
    let mut ours: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| Error::io("cannot read", folder, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".age"))
                && path.is_file()
        })
        .collect();
    ours.sort();
    let extra = ours.len().saturating_sub(keep);
    for old in &ours[..extra] {
        std::fs::remove_file(old).map_err(|e| Error::io("cannot remove", old, e))?;
    }
    Ok(())
}
