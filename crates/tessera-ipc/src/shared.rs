//! What crosses IPC about shared vaults: the list with each one's sync status, the
//! members from the signed roster, and what a removal leaves to rotate. None of it
//! holds a secret or a server's credentials.

use serde::Serialize;
use tessera_core::clock::Timestamp;
use tessera_core::shared::{PublicIdentity, Role, RosterMember};
use ts_rs::TS;

/// The shared vaults this install belongs to, and which one the window shows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SharedVaults {
    /// The shared vault shown; null: the person's own vault.
    pub active: Option<String>,
    pub vaults: Vec<SharedVaultStatus>,
}

/// One shared vault and how its sync goes.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SharedVaultStatus {
    pub name: String,
    /// The server's address without its credentials.
    pub server: String,
    /// When a round last held; null: not yet since unlock.
    #[ts(type = "number | null")]
    pub last_synced: Option<Timestamp>,
    /// Why the last round failed (the server cannot be reached, or refused what it
    /// sent); null while rounds hold.
    pub offline: Option<String>,
    /// Since when rounds fail.
    #[ts(type = "number | null")]
    pub offline_since: Option<Timestamp>,
    /// While this vault is shown: its tokens changed here and by another member in
    /// the same field (theirs kept), until the person resolves each.
    pub conflicts: Vec<ConflictRow>,
}

/// A token changed here and by another member in the same field: theirs was kept,
/// ours is kept aside to take back. Never a value.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConflictRow {
    pub token_id: String,
    pub name: String,
    /// The fields both sides changed ("description", "expires_at", "secret", ...).
    pub fields: Vec<String>,
    #[ts(type = "number")]
    pub at: Timestamp,
}

impl ConflictRow {
    pub fn of(conflict: &tessera_core::shared::Conflict) -> ConflictRow {
        ConflictRow {
            token_id: conflict.token_id.clone(),
            name: conflict.name.clone(),
            fields: conflict.fields(),
            at: conflict.at,
        }
    }
}

/// A member of a shared vault, as its verified roster says.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MemberRow {
    /// The public identity, `tessera-id1:…`.
    pub identity: String,
    /// What two people compare by voice.
    pub fingerprint: String,
    #[ts(type = "\"admin\" | \"member\"")]
    pub role: String,
    /// This install's identity.
    pub you: bool,
}

/// The members of a shared vault.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Members {
    pub members: Vec<MemberRow>,
    /// Whether this install is an admin (who may remove members).
    pub admin: bool,
}

impl Members {
    /// The roster's `members`, `me` (this install's identity) marked.
    pub fn of(members: &[RosterMember], me: &str) -> Members {
        let rows: Vec<MemberRow> = members
            .iter()
            .map(|m| MemberRow {
                identity: m.identity.clone(),
                fingerprint: m
                    .identity
                    .parse::<PublicIdentity>()
                    .map(|p| p.fingerprint())
                    .unwrap_or_default(),
                role: m.role.to_string(),
                you: m.identity == me,
            })
            .collect();
        Members {
            admin: members
                .iter()
                .any(|m| m.identity == me && m.role == Role::Admin),
            members: rows,
        }
    }
}

/// A token, by id and name.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TokenRef {
    pub id: String,
    pub name: String,
}

/// What removing a member did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RemovedMember {
    /// The new key's epoch.
    #[ts(type = "number")]
    pub epoch: i64,
    /// The tokens the removed member could read: rotate them.
    pub to_rotate: Vec<TokenRef>,
}
