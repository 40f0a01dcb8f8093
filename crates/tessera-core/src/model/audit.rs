//! The audit log: an append-only record of every action, copy, export and verification,
//! with its outcome. It never holds a secret: events carry the token's id and name, and
//! failures carry the error's message, which never holds one either. SQL triggers refuse
//! any update or delete of an event.

use crate::model::clock::Timestamp;

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEvent {
    /// Sequence number; higher is newer.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// When it happened.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: Timestamp,
    /// The action: create, modify, rotate, revoke, restore, delete, copy, reveal,
    /// export, import, verify, passwd, catalog_add, ...
    pub action: String,
    /// The token concerned, if any (kept after the token is deleted).
    pub token_id: Option<String>,
    /// The token's name at the time.
    pub token_name: Option<String>,
    /// "ok", "failed", "active" or "inactive".
    pub outcome: String,
    /// More about it: the reason a verification failed, the error of a failed action.
    pub detail: String,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this action.
    pub action: Option<String>,
    /// Only events about this token (id or name).
    pub token: Option<String>,
    /// Only events at or after this time.
    pub since: Option<Timestamp>,
    /// Only successes (`true`) or only failures (`false`).
    pub succeeded: Option<bool>,
    /// At most this many events.
    pub limit: Option<i64>,
}
