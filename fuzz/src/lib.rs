//! What the fuzz targets share: a vault in a temporary folder, made once per process.

use tessera_core::keys::MemoryKeyStore;
use tessera_core::{NewProtection, Vault, VaultPaths};

/// A new keyring-protected vault (in-memory key store) in a temporary folder, with
/// SQLCipher's memory wiping off for speed; keep the folder as long as the vault.
pub fn temp_vault() -> (tempfile::TempDir, Vault) {
    tessera_core::set_memory_security(false);
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = VaultPaths::in_dir(dir.path().join("vault")).with_state(dir.path().join("state"));
    let vault =
        Vault::create(&paths, NewProtection::Keyring, &MemoryKeyStore::new()).expect("vault");
    (dir, vault)
}
