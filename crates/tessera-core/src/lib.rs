//! Tessera's core: every rule of the token manager, free of any UI.
//!
//! A [`Vault`] is one SQLCipher database file whose key lives in the OS keyring or is
//! derived from a master password ([`keys`]). Tokens of six kinds ([`token`]) are
//! created, modified, rotated, revoked, restored and deleted through the vault
//! ([`lifecycle`]), each action one transaction with an audit event ([`audit`]).
//! [`verify`] answers whether a token string is good; [`search`] finds tokens by a few
//! letters; [`export`] hands out RSA token files; [`clipboard`] copies and clears.
//!
//! Invariants:
//! - Secrets live in [`Secret`] types: zeroized on drop, redacted in `Debug`, never in
//!   errors, logs, list or search results, or the audit log.
//! - Every change is one transaction; on error nothing changes.
//! - Names are unique across the vault, case-insensitively.
//! - Only a revoked token can be deleted; an expired or revoked token never verifies.

pub mod attention;
pub mod audit;
pub mod catalog;
pub mod clipboard;
pub mod clock;
pub mod error;
pub mod export;
pub mod external;
mod fsutil;
pub mod generate;
pub mod header;
pub mod keys;
pub mod lifecycle;
mod names;
pub mod password;
pub mod process;
mod rollback;
mod seal;
pub mod search;
pub mod secret;
mod store;
pub mod token;
pub mod vault;
pub mod verify;

pub use error::{Error, Result};
pub use fsutil::write_private as write_private_file;
pub use password::MasterPassword;
pub use secret::Secret;
pub use vault::{Consent, NewProtection, Vault, VaultPaths, set_memory_security};
