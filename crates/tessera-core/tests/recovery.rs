//! The recovery key: a vault whose keyring entry or master password is lost opens with
//! it and gets a new one; on a copy of the folder elsewhere too; a wrong or replaced key
//! changes no file; a recipient slipped into the header is never sealed to.

use crate::files::snapshot;
use tessera_core::keys::MemoryKeyStore;
use tessera_core::lifecycle::NewToken;
use tessera_core::token::TokenKind;
use tessera_core::{
    Consent, Error, MasterPassword, NewProtection, RecoveryKey, Secret, Vault, VaultPaths,
};

fn password(text: &str) -> MasterPassword {
    MasterPassword::new(Secret::new(text.into())).expect("policy")
}

fn paths_in(dir: &std::path::Path) -> VaultPaths {
    VaultPaths::in_dir(dir.join("vault")).with_state(dir.join("state"))
}

/// A keyring vault with one token and its recovery key.
fn keyring_vault(dir: &std::path::Path, keys: &MemoryKeyStore) -> (VaultPaths, RecoveryKey) {
    let paths = paths_in(dir);
    let (mut vault, recovery) =
        Vault::create_recoverable(&paths, NewProtection::Keyring, keys).expect("create");
    vault
        .create_token(NewToken::new(TokenKind::Workspace, "workspace"))
        .expect("a token");
    vault.lock().expect("lock");
    (paths, recovery)
}

fn token_names(vault: &mut Vault) -> Vec<String> {
    vault
        .search(&tessera_core::search::Query::text(""))
        .expect("search")
        .rows
        .into_iter()
        .map(|hit| hit.token.name)
        .collect()
}

#[test]
fn a_lost_keyring_entry_is_recovered_with_the_recovery_key_and_a_new_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = MemoryKeyStore::new();
    let (paths, recovery) = keyring_vault(dir.path(), &keys);
    let mut before = Vault::open(&paths, &keys, None).expect("opens");
    let names = token_names(&mut before);
    assert!(before.has_recovery_key());
    drop(before);

    // The keyring entry is gone: the vault does not open.
    let emptied = MemoryKeyStore::new();
    assert!(matches!(
        Vault::open(&paths, &emptied, None),
        Err(Error::KeyMissing)
    ));

    // The key as a person types it back from paper.
    let typed = RecoveryKey::parse(&recovery.text().expose().to_lowercase()).expect("typed");
    let mut vault = Vault::recover(
        &paths,
        &typed,
        NewProtection::Password(password("a brand new password")),
        &emptied,
    )
    .expect("recovers");
    assert_eq!(token_names(&mut vault), names);
    drop(vault);
    let vault = Vault::open(
        &paths,
        &emptied,
        Some(&Secret::new("a brand new password".into())),
    )
    .expect("the new password opens it");
    vault.check_integrity().expect("sound");
    assert!(vault.has_recovery_key(), "the recovery key still works");
    drop(vault);

    // Forgetting that password too: the same recovery key, into the keyring this time.
    let vault = Vault::recover(&paths, &recovery, NewProtection::Keyring, &emptied).expect("again");
    drop(vault);
    Vault::open(&paths, &emptied, None).expect("the keyring opens it");
}

#[test]
fn a_copy_of_the_folder_on_another_machine_opens_with_the_recovery_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = MemoryKeyStore::new();
    let (paths, recovery) = keyring_vault(dir.path(), &keys);
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let copy = paths_in(elsewhere.path());
    std::fs::create_dir_all(&copy.dir).expect("mkdir");
    for (name, bytes) in snapshot(&paths.dir) {
        std::fs::write(copy.dir.join(name), bytes).expect("copy");
    }
    let other_keyring = MemoryKeyStore::new();
    let mut vault = Vault::recover(
        &copy,
        &recovery,
        NewProtection::Password(password("password on the new machine")),
        &other_keyring,
    )
    .expect("recovers on the copy");
    assert_eq!(token_names(&mut vault).len(), 1);
}

#[test]
fn a_wrong_or_replaced_recovery_key_fails_and_changes_no_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = MemoryKeyStore::new();
    let (paths, old) = keyring_vault(dir.path(), &keys);
    let files = snapshot(&paths.dir);
    let state = snapshot(&paths.state);
    let attempt = |key: &RecoveryKey| {
        Vault::recover(
            &paths,
            key,
            NewProtection::Password(password("attacker's password")),
            &MemoryKeyStore::new(),
        )
        .map(|_| ())
    };
    assert!(matches!(
        attempt(&RecoveryKey::generate()),
        Err(Error::WrongRecoveryKey)
    ));
    assert_eq!(snapshot(&paths.dir), files, "no vault file changed");
    assert_eq!(snapshot(&paths.state), state, "no state file changed");

    // A new recovery key replaces the old one at once.
    let mut vault = Vault::open(&paths, &keys, None).expect("opens");
    let new = vault
        .new_recovery_key(Consent::Confirmed, &keys)
        .expect("new key");
    drop(vault);
    let files = snapshot(&paths.dir);
    assert!(matches!(attempt(&old), Err(Error::WrongRecoveryKey)));
    assert_eq!(snapshot(&paths.dir), files, "no vault file changed");
    Vault::open(&paths, &keys, None).expect("the keyring still opens it");
    attempt(&new).expect("the new key works");
}

#[test]
fn a_password_change_keeps_the_recovery_key_working() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = paths_in(dir.path());
    let keys = MemoryKeyStore::new();
    let (mut vault, recovery) = Vault::create_recoverable(
        &paths,
        NewProtection::Password(password("first password")),
        &keys,
    )
    .expect("create");
    vault
        .change_password(
            Consent::CurrentPassword(&Secret::new("first password".into())),
            &password("second password"),
            &keys,
        )
        .expect("change");
    drop(vault);
    Vault::recover(
        &paths,
        &recovery,
        NewProtection::Password(password("third password")),
        &keys,
    )
    .expect("the recovery key follows the new vault key");
    // Making a new recovery key asks for the password, not merely the open vault.
    let mut vault =
        Vault::open(&paths, &keys, Some(&Secret::new("third password".into()))).expect("opens");
    assert!(matches!(
        vault.new_recovery_key(Consent::Confirmed, &keys),
        Err(Error::Invalid { .. })
    ));
}

/// The attack: someone who can write the vault folder (a synced folder, say) but does
/// not hold the vault key puts their own recovery recipient into the header, hoping
/// the next change of password seals the new vault key to them.
#[test]
fn a_recipient_slipped_into_the_header_is_never_sealed_to() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = paths_in(dir.path());
    let keys = MemoryKeyStore::new();
    let (vault, _recovery) = Vault::create_recoverable(
        &paths,
        NewProtection::Password(password("first password")),
        &keys,
    )
    .expect("create");
    drop(vault);
    let attacker = RecoveryKey::generate();
    let mut header: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&paths.header).expect("header")).expect("json");
    header["recovery"]["recipient"] = attacker.recipient().expect("recipient").into();
    std::fs::write(&paths.header, serde_json::to_vec(&header).expect("json")).expect("write");

    let current = Secret::new("first password".into());
    let mut vault = Vault::open(&paths, &keys, Some(&current)).expect("still opens");
    assert!(
        !vault.has_recovery_key(),
        "a recipient the vault key does not vouch for is not taken"
    );
    vault
        .change_password(
            Consent::CurrentPassword(&current),
            &password("second password"),
            &keys,
        )
        .expect("change");
    drop(vault);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&paths.header).expect("header")).expect("json");
    assert!(
        written.get("recovery").is_none(),
        "the new key was sealed to no one: {written}"
    );
    assert!(matches!(
        Vault::recover(
            &paths,
            &attacker,
            NewProtection::Password(password("attacker's password")),
            &keys
        ),
        Err(Error::NoRecoveryKey)
    ));
}

#[test]
fn the_reminder_ends_when_the_current_kit_is_kept_and_comes_back_with_a_new_key() {
    use tessera_core::RecoveryState;
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = MemoryKeyStore::new();
    let (paths, _recovery) = keyring_vault(dir.path(), &keys);
    let mut vault = Vault::open(&paths, &keys, None).expect("opens");
    assert_eq!(
        vault.recovery_state().expect("state"),
        RecoveryState::Unconfirmed
    );
    vault.confirm_recovery_kit().expect("kept");
    assert_eq!(
        vault.recovery_state().expect("state"),
        RecoveryState::Confirmed
    );
    vault
        .new_recovery_key(Consent::Confirmed, &keys)
        .expect("new key");
    assert_eq!(
        vault.recovery_state().expect("state"),
        RecoveryState::Unconfirmed
    );

    let old = tempfile::tempdir().expect("tempdir");
    let mut plain =
        Vault::create(&paths_in(old.path()), NewProtection::Keyring, &keys).expect("create");
    assert_eq!(plain.recovery_state().expect("state"), RecoveryState::None);
    assert!(matches!(
        plain.confirm_recovery_kit(),
        Err(Error::NoRecoveryKey)
    ));
}
