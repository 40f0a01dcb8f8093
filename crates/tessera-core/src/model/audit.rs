//! The audit log: an append-only record of every action, copy, export and verification,
//! with its outcome. It never holds a secret: events carry the token's id and name, and
//! failures carry the error's message, which never holds one either. SQL triggers refuse
//! any update or delete of an event.

use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use std::str::FromStr;

/// What an event records. Its name is what the log stores and `tessera audit --action`
/// takes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum AuditAction {
    /// A token was created.
    Create,
    /// A token's name, description, expiry, scopes or period changed.
    Modify,
    /// A token got a new secret.
    Rotate,
    /// A token was revoked.
    Revoke,
    /// A revoked token was restored, or an older copy of the vault accepted.
    Restore,
    /// A revoked token was deleted.
    Delete,
    /// A secret was shown or printed.
    Reveal,
    /// A secret was put on the clipboard.
    Copy,
    /// A token file or key was exported.
    Export,
    /// A token file was imported.
    Import,
    /// A token was verified.
    Verify,
    /// The master password or the protection changed.
    Passwd,
    /// A backup of the vault was written.
    Backup,
    /// Secrets were handed to a program's environment (`tessera run`).
    Run,
    /// Secrets were written into a file from a template (`tessera inject`).
    Inject,
    /// A scan (`tessera scan`) found one of the vault's tokens in a file.
    Scan,
    /// The introspection service (`tessera serve`) started, stopped, published its
    /// keys or refused a caller.
    Serve,
    /// A client of the introspection service was added.
    ClientAdd,
    /// A client of the introspection service was removed.
    ClientRemove,
    /// A new recovery key replaced the vault's recovery key (or gave it its first).
    RecoveryKey,
    /// The vault was opened with its recovery key and given a new password or keyring
    /// entry.
    Recover,
    /// A catalog entry was added.
    CatalogAdd,
    /// A catalog entry was renamed.
    CatalogRename,
    /// A catalog entry was removed.
    CatalogRemove,
}

impl AuditAction {
    /// Every action.
    pub const ALL: &'static [AuditAction] = <AuditAction as strum::VariantArray>::VARIANTS;

    /// The action's stored name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for AuditAction {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        crate::model::names::parse(s, "action", "an audited action", &[])
    }
}

/// How an event ended.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum AuditOutcome {
    /// The action was done.
    Ok,
    /// The action was refused or failed; the detail says why.
    Failed,
    /// A verification answered active.
    Active,
    /// A verification answered inactive; the detail gives the reason.
    Inactive,
}

impl AuditOutcome {
    /// The outcome's stored name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether it counts as a success (`tessera audit --failed` lists the others).
    pub fn succeeded(self) -> bool {
        matches!(self, AuditOutcome::Ok | AuditOutcome::Active)
    }
}

impl FromStr for AuditOutcome {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        crate::model::names::parse(s, "outcome", "an outcome", &[])
    }
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditEvent {
    /// Sequence number; higher is newer.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// When it happened.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: Timestamp,
    /// The action.
    pub action: AuditAction,
    /// The token concerned, if any (kept after the token is deleted).
    pub token_id: Option<String>,
    /// The token's name at the time.
    pub token_name: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// More about it: the reason a verification failed, the error of a failed action.
    pub detail: String,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only events about this token (id or name).
    pub token: Option<String>,
    /// Only events at or after this time.
    pub since: Option<Timestamp>,
    /// Only successes (`true`) or only failures (`false`).
    pub succeeded: Option<bool>,
    /// At most this many events.
    pub limit: Option<i64>,
}
