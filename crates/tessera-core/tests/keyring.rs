//! Runs against the real OS keyring when `TESSERA_TEST_KEYRING=1` (the Makefile sets it
//! inside a D-Bus session with gnome-keyring unlocked). Without it there is nothing to
//! test against, and the test says so.

use std::time::Duration;
use tessera_core::keys::{KeyStore, OsKeyring, VaultKey};
use tessera_core::lifecycle::NewToken;
use tessera_core::token::TokenKind;
use tessera_core::{NewProtection, Vault, VaultPaths};

#[test]
fn the_real_keyring_keeps_the_vault_key() {
    if !crate::util::environment("TESSERA_TEST_KEYRING", "inside a Secret Service session") {
        return;
    }
    let keyring = OsKeyring::new(Duration::from_secs(10));
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = VaultPaths::in_dir(dir.path().join("v"));
    let mut vault = Vault::create(&paths, NewProtection::Keyring, &keyring)
        .expect("create with the real keyring");
    vault
        .create_token(NewToken::new(TokenKind::Personal, "kept"))
        .expect("token");
    let id = vault.id().to_string();
    drop(vault);
    let stored = keyring.load(&id).expect("the key is in the keyring");
    assert_eq!(stored.expose().len(), 32);
    let mut vault = Vault::open(&paths, &keyring, None).expect("open with the real keyring");
    assert!(vault.token("kept").is_ok());
    drop(vault);
    keyring
        .store(&id, &VaultKey::generate())
        .expect("overwrite");
    assert!(matches!(
        Vault::open(&paths, &keyring, None),
        Err(tessera_core::Error::WrongKey)
    ));
    keyring.remove(&id).expect("remove");
    assert!(matches!(
        keyring.load(&id),
        Err(tessera_core::Error::KeyMissing)
    ));
    assert!(matches!(
        Vault::open(&paths, &keyring, None),
        Err(tessera_core::Error::KeyMissing)
    ));
}

/// The keyring entry deleted, as a reset keyring loses it: the recovery key opens the
/// vault and puts a new key in the real keyring.
#[test]
fn a_deleted_keyring_entry_is_recovered_into_the_real_keyring() {
    if !crate::util::environment("TESSERA_TEST_KEYRING", "inside a Secret Service session") {
        return;
    }
    let keyring = OsKeyring::new(Duration::from_secs(10));
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = VaultPaths::in_dir(dir.path().join("v")).with_state(dir.path().join("state"));
    let (mut vault, recovery) =
        Vault::create_recoverable(&paths, NewProtection::Keyring, &keyring).expect("create");
    vault
        .create_token(NewToken::new(TokenKind::Workspace, "kept"))
        .expect("token");
    let id = vault.id().to_string();
    drop(vault);
    keyring.remove(&id).expect("the entry is deleted");
    assert!(matches!(
        Vault::open(&paths, &keyring, None),
        Err(tessera_core::Error::KeyMissing)
    ));
    let vault = Vault::recover(&paths, &recovery, NewProtection::Keyring, &keyring)
        .expect("recovered into the keyring");
    drop(vault);
    let mut vault = Vault::open(&paths, &keyring, None).expect("the keyring opens it again");
    assert!(vault.token("kept").is_ok());
    drop(vault);
    keyring.remove(&id).expect("clean up");
}

#[test]
fn a_missing_keyring_is_reported_not_hung() {
    if !crate::util::environment("TESSERA_TEST_NO_KEYRING", "where no D-Bus session exists") {
        return;
    }
    let keyring = OsKeyring::new(Duration::from_secs(3));
    let started = std::time::Instant::now();
    let err = keyring
        .store(
            "00000000-0000-7000-8000-000000000000",
            &VaultKey::generate(),
        )
        .expect_err("no keyring");
    assert!(
        matches!(err, tessera_core::Error::KeyringUnavailable(_)),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}
