//! Tessera's core: every rule of the token manager, free of any UI.
//!
//! A [`Vault`] is one SQLCipher database file whose key lives in the OS keyring or is
//! derived from a master password ([`keys`]). Tokens of six kinds ([`token`]) are
//! created, modified, rotated, revoked, restored and deleted through the vault
//! ([`lifecycle`]), each action one transaction with an audit event ([`audit`]).
//! [`verify`] answers whether a token string is good; [`search`] finds tokens by a few
//! letters; [`export`] hands out RSA token files; [`clipboard`] copies and clears.
//!
//! Layers, each using only those below it (ARCHITECTURE.md; `tests/tidy.rs` holds it):
//! `vault` (the only `impl Vault`) over `store` (every SQL statement) and `index` (the
//! search index), over `crypto` and `platform`, over `model` (data and rules, no I/O).
//! The modules are private; this file is the facade, and the paths below are the
//! public API.
//!
//! Invariants:
//! - Secrets live in [`Secret`] types: zeroized on drop, redacted in `Debug`, never in
//!   errors, logs, list or search results, or the audit log.
//! - Every change is one transaction; on error nothing changes.
//! - Names are unique across the vault, case-insensitively.
//! - Only a revoked token can be deleted; an expired or revoked token never verifies.

mod crypto;
mod import;
mod index;
mod model;
mod platform;
mod store;
mod vault;

pub use crypto::jwk as jwks;
pub use crypto::keys;
pub use crypto::recovery::RecoveryKey;
pub use model::verification as verify;
pub use model::{
    audit, catalog, clock, error, external, introspection, masking, password, reference, secret,
    token, token_shape, token_view,
};
pub use platform::{clipboard, process};
pub use store::header;
pub use vault::{attention, auto_backup, backup, clients, export, lifecycle, scan};

/// Importing other managers' exports and plain files: the formats, what a file holds,
/// and what an import did.
pub mod imports {
    pub use crate::import::{Entry, Format, Parsed, Skipped, jwt_expiry, parse};
    pub use crate::vault::import::{ImportReport, Imported, OnConflict};
}

/// Shared vaults: member identities, records and rosters, and the replica's side of a
/// sync (the server's side is the `tessera-sync` crate's).
pub mod shared {
    pub use crate::crypto::identity::{Identity, PublicIdentity};
    pub use crate::crypto::shared_record as record;
    pub use crate::model::shared::*;
    pub use crate::vault::shared::*;
}

/// Search requests and answers, and the index itself (benchmarks measure it alone).
pub mod search {
    pub use crate::index::SearchIndex;
    pub use crate::model::query::*;
}

pub use error::{Error, Result};
pub use password::MasterPassword;
pub use platform::fsutil::write_private as write_private_file;
pub use secret::Secret;
pub use store::connection::set_memory_security;
pub use vault::{Consent, NewProtection, RecoveryState, Vault, VaultPaths};

/// Key generation and JWT signing that hand out secrets: for the core's own use, and
/// for benchmarks and fuzzing behind the `testing` feature.
#[cfg(feature = "testing")]
pub mod generate {
    pub use crate::crypto::{jwt, random, rsa};
}
