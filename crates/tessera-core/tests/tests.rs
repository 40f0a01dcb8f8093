//! Integration tests of the core against real SQLCipher files in temporary folders.

// Shared set-up: temporary vaults, a fixed clock, token requests.
mod util;

// The gate of the tests that need a display, mounts or a keyring: fails under CI.
mod environment;

// A folder's files as bytes (shared with the CLI's tests).
mod files;

// Encryption at rest, wrong keys and passwords, re-keying, the keyring fallback.
mod vault;

// Create, modify, rotate, revoke, restore, delete: every transition and refusal.
mod lifecycle;

// Verification of each kind, every inactive reason, last use.
mod verify;

// RSA token files: export, import, assertions, malformed files.
mod export;

// The audit log: an event per action, never a secret.
mod audit;

// Fuzzy search, filters and paging through the vault.
mod search;

// Deleted and replaced secrets, looked for with the key in every decrypted page.
mod erasure;

// An older copy of the vault put back: refused until accepted.
mod rollback;

// SIGKILL at random moments: no acknowledged write lost, one password works.
mod crash;

// What a killed password change must leave (shared with the CLI's crash test).
mod password_change;

// The recovery key: lost keyring entries and passwords, copies elsewhere, attacks.
mod recovery;

// Import from .env, 1Password, Bitwarden, KeePassXC CSV and KeePass files.
mod import;

// Encrypted backups: restore into an empty home, replace, merge, damage.
mod backup;

// A flipped byte anywhere: an error, never wrong data.
mod damage;

// A full disk and a read-only folder (real mounts, under `unshare -rm`).
mod storage;

// The second security review: each attack written out, and watched failing.
mod attacks;

// The real X clipboard (under Xvfb, read back with xclip): the app's clearing duty.
mod clipboard;

// The real OS keyring (Secret Service), when the environment provides one.
mod keyring;

// The structure ARCHITECTURE.md states: layers, one place per crate, the code map.
mod tidy;
