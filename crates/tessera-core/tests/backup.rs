//! Encrypted backups: made, checked, restored into an empty home, replacing a vault's
//! tokens, and merged; a flipped byte or a wrong key changes nothing.

use crate::util::{START, TestVault};
use std::sync::Arc;
use tessera_core::audit::AuditFilter;
use tessera_core::backup::{Backup, BackupKey, BackupLock, Kept, RestoreMode};
use tessera_core::clock::FixedClock;
use tessera_core::keys::MemoryKeyStore;
use tessera_core::lifecycle::Purpose;
use tessera_core::search::Query;
use tessera_core::token::TokenKind;
use tessera_core::{Error, NewProtection, RecoveryKey, Secret, Vault, VaultPaths};

use crate::files::data_files as snapshot;

/// Every token as the vault shows it, with its secret (RSA: its token file's key id).
fn contents(vault: &mut Vault) -> Vec<(String, String)> {
    let mut query = Query::text("");
    query.limit = 10_000;
    let rows = vault.search(&query).expect("search").rows;
    rows.into_iter()
        .map(|hit| {
            let token = hit.token;
            let secret = if token.kind == TokenKind::Rsa {
                vault
                    .export_pem(&token.id, None)
                    .expect("pem")
                    .expose()
                    .to_string()
            } else {
                vault
                    .reveal_secret(&token.id, Purpose::Reveal)
                    .expect("secret")
                    .expose()
                    .to_string()
            };
            (format!("{token:?}"), secret)
        })
        .collect()
}

fn events(vault: &mut Vault) -> Vec<String> {
    let mut events = vault.audit(&AuditFilter::default()).expect("audit");
    events.reverse();
    events
        .into_iter()
        .map(|e| {
            format!(
                "{} {} {:?} {:?} {:?} {}",
                e.id, e.at, e.action, e.token_name, e.outcome, e.detail
            )
        })
        .collect()
}

/// A vault with a token of every kind, one revoked, one used.
fn filled() -> TestVault {
    let mut t = TestVault::new();
    for kind in TokenKind::ALL {
        t.make(*kind, &format!("{kind} one"));
    }
    let (_, secret) = t.make(TokenKind::Personal, "used");
    t.vault
        .verify(secret.expect("secret").expose(), None, None)
        .expect("verify");
    t.vault.revoke_token("workspace one").expect("revoke");
    t
}

fn fresh_home(dir: &std::path::Path) -> VaultPaths {
    VaultPaths::in_dir(dir.join("vault")).with_state(dir.join("state"))
}

/// Backs `t`'s vault up to a new recovery key's recipient: the key, the file and the
/// manifest.
fn backed_up_to_a_recovery_key(
    t: &mut TestVault,
) -> (
    RecoveryKey,
    std::path::PathBuf,
    tessera_core::backup::Manifest,
) {
    let recovery = RecoveryKey::generate();
    let recipients = [recovery.recipient().expect("recipient")];
    let file = t.dir.path().join("vault.age");
    let manifest = t
        .vault
        .backup(&file, BackupLock::Recipients(&recipients))
        .expect("backup");
    (recovery, file, manifest)
}

/// Backs `t`'s vault up with a passphrase: the passphrase and the file.
fn backed_up_to_a_passphrase(t: &mut TestVault) -> (Secret, std::path::PathBuf) {
    let passphrase = Secret::new("correct horse battery staple".into());
    let file = t.dir.path().join("vault.age");
    t.vault
        .backup(&file, BackupLock::Passphrase(&passphrase))
        .expect("backup");
    (passphrase, file)
}

/// `backup` restored into a new keyring vault in a temp folder, keeping `recovery`.
fn restored_elsewhere(
    backup: &Backup,
    recovery: &RecoveryKey,
) -> (tempfile::TempDir, Vault, MemoryKeyStore) {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let keys = MemoryKeyStore::new();
    let (vault, made) = backup
        .restore_new(
            &fresh_home(elsewhere.path()),
            NewProtection::Keyring,
            Some(recovery),
            &keys,
            false,
        )
        .expect("restores");
    assert!(
        made.is_none(),
        "the recovery key it was opened with is kept"
    );
    (elsewhere, vault, keys)
}

#[test]
fn a_backup_restores_into_an_empty_home_with_every_row_secret_and_event() {
    let mut t = filled();
    let before_events = events(&mut t.vault);
    let (recovery, file, manifest) = backed_up_to_a_recovery_key(&mut t);
    assert_eq!(manifest.tokens, TokenKind::ALL.len() as u64 + 1);
    let before = contents(&mut t.vault);

    let backup = Backup::read(&file, BackupKey::RecoveryKey(&recovery)).expect("reads");
    assert_eq!(backup.manifest(), &manifest);
    let (elsewhere, restored, keys) = restored_elsewhere(&backup, &recovery);
    let mut restored = restored.with_clock(Arc::new(FixedClock::at(START)));
    assert_eq!(restored.id(), t.vault.id());
    assert_eq!(contents(&mut restored), before);
    let after_events = events(&mut restored);
    // Every event, with its ids, then the restore.
    assert_eq!(after_events[..before_events.len()], before_events[..]);
    assert!(after_events[before_events.len()].contains("restored a backup"));
    restored.check_integrity().expect("sound");
    drop(restored);
    // It opens again as any vault does, with the recovery key that opened the backup.
    Vault::open(&fresh_home(elsewhere.path()), &keys, None).expect("reopens");
}

#[test]
fn a_restored_vault_verifies_what_the_backup_held_and_not_what_was_revoked() {
    let mut t = TestVault::new();
    let (_, good) = t.make(TokenKind::Personal, "good");
    let (_, gone) = t.make(TokenKind::Personal, "gone");
    t.vault.revoke_token("gone").expect("revoke");
    let (passphrase, file) = backed_up_to_a_passphrase(&mut t);
    let backup = Backup::read(&file, BackupKey::Passphrase(&passphrase)).expect("reads");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let keys = MemoryKeyStore::new();
    let (mut restored, made) = backup
        .restore_new(
            &fresh_home(elsewhere.path()),
            NewProtection::Keyring,
            None,
            &keys,
            false,
        )
        .expect("restores");
    assert!(made.is_some(), "a new recovery key, to be shown once");
    assert!(restored.has_recovery_key());
    let good = restored
        .verify(good.expect("secret").expose(), None, None)
        .expect("verify");
    assert!(good.is_active());
    let gone = restored
        .verify(gone.expect("secret").expose(), None, None)
        .expect("verify");
    assert!(!gone.is_active());
}

#[test]
fn a_flipped_byte_or_a_wrong_key_fails_and_changes_nothing() {
    let mut t = filled();
    let (passphrase, file) = backed_up_to_a_passphrase(&mut t);
    let live = snapshot(&t.paths.dir);
    let wrong = Secret::new("wrong horse battery staple".into());
    assert!(matches!(
        Backup::read(&file, BackupKey::Passphrase(&wrong)),
        Err(Error::WrongBackupKey(_))
    ));
    let other = RecoveryKey::generate();
    assert!(matches!(
        Backup::read(&file, BackupKey::RecoveryKey(&other)),
        Err(Error::WrongBackupKey(_))
    ));
    let good = std::fs::read(&file).expect("read");
    for at in [10, 200, good.len() / 2, good.len() - 20] {
        let mut bad = good.clone();
        bad[at] ^= 0x01;
        std::fs::write(&file, &bad).expect("write");
        let read = Backup::read(&file, BackupKey::Passphrase(&passphrase));
        assert!(
            matches!(read, Err(Error::BadBackup(_) | Error::WrongBackupKey(_))),
            "byte {at}: {read:?}"
        );
    }
    // Cut short: the last chunk is missing.
    std::fs::write(&file, &good[..good.len() - 100]).expect("write");
    assert!(matches!(
        Backup::read(&file, BackupKey::Passphrase(&passphrase)),
        Err(Error::BadBackup(_))
    ));
    assert!(snapshot(&t.paths.dir) == live, "the live vault changed");
}

#[test]
fn replace_refuses_an_older_backup_until_accepted_then_gives_its_tokens() {
    let mut t = filled();
    let (recovery, file, _) = backed_up_to_a_recovery_key(&mut t);
    let at_backup = contents(&mut t.vault);
    // Changes after the backup: a token revoked, one added.
    t.vault.revoke_token("personal one").expect("revoke");
    t.make(TokenKind::Personal, "later");
    let backup = Backup::read(&file, BackupKey::RecoveryKey(&recovery)).expect("reads");
    let live = snapshot(&t.paths.dir);
    assert!(matches!(
        t.vault
            .restore_backup(&backup, RestoreMode::Replace, false, false),
        Err(Error::OlderBackup { .. })
    ));
    assert!(snapshot(&t.paths.dir) == live, "refused: nothing changed");
    t.vault
        .restore_backup(&backup, RestoreMode::Replace, true, false)
        .expect("accepted");
    assert_eq!(contents(&mut t.vault), at_backup);
    t.vault.check_integrity().expect("sound");
    drop(t.vault);
    // The restore moved the vault forward: it opens, with no rollback reported.
    Vault::open(&t.paths, &t.keys, None).expect("opens");
}

#[test]
fn a_merge_takes_the_newer_change_lists_conflicts_and_a_second_merge_changes_nothing() {
    let mut t = filled();
    let (recovery, file, _) = backed_up_to_a_recovery_key(&mut t);
    let backup = Backup::read(&file, BackupKey::RecoveryKey(&recovery)).expect("reads");

    // The backup restored elsewhere, where it lives on: a token added, one edited later.
    let clock = FixedClock::at(START);
    let (elsewhere, other, _) = restored_elsewhere(&backup, &recovery);
    let mut other = other.with_clock(Arc::new(clock.clone()));
    clock.advance(3600);
    other
        .create_token(crate::util::request(TokenKind::Personal, "made elsewhere"))
        .expect("create");
    let edit = tessera_core::lifecycle::TokenChanges {
        description: Some("edited elsewhere".into()),
        ..Default::default()
    };
    other.modify_token("personal one", edit).expect("edit");
    let other_file = elsewhere.path().join("other.age");
    other
        .backup(
            &other_file,
            BackupLock::Recipients(&[recovery.recipient().expect("recipient")]),
        )
        .expect("backup");
    let theirs = Backup::read(&other_file, BackupKey::RecoveryKey(&recovery)).expect("reads");

    // Here, meanwhile: "service one" edited later than anything elsewhere.
    t.clock.advance(7200);
    let edit = tessera_core::lifecycle::TokenChanges {
        description: Some("edited here".into()),
        ..Default::default()
    };
    t.vault.modify_token("service one", edit).expect("edit");

    let plan = t
        .vault
        .restore_backup(&theirs, RestoreMode::Merge, false, true)
        .expect("plan")
        .merged
        .expect("merge");
    let done = t
        .vault
        .restore_backup(&theirs, RestoreMode::Merge, false, false)
        .expect("merge")
        .merged
        .expect("merge");
    assert_eq!(plan, done, "the dry run said what the merge did");
    assert_eq!(done.added, 1);
    assert_eq!(done.updated, 1);
    assert!(
        done.conflicts
            .iter()
            .any(|c| c.name == "personal one" && c.kept == Kept::Backup),
        "{done:?}"
    );
    let names: Vec<String> = contents(&mut t.vault).into_iter().map(|(t, _)| t).collect();
    assert!(names.iter().any(|t| t.contains("made elsewhere")));
    assert!(names.iter().any(|t| t.contains("edited elsewhere")));
    assert!(names.iter().any(|t| t.contains("edited here")));

    t.vault.flush_usage().expect("flush");
    let files = snapshot(&t.paths.dir);
    let again = t
        .vault
        .restore_backup(&theirs, RestoreMode::Merge, false, false)
        .expect("merge again")
        .merged
        .expect("merge");
    assert!(again.is_empty(), "{again:?}");
    assert!(
        snapshot(&t.paths.dir) == files,
        "a second merge wrote nothing"
    );
}

#[test]
fn a_keyring_restore_never_replaces_the_key_of_the_vault_it_came_from() {
    let mut t = filled();
    let (passphrase, file) = backed_up_to_a_passphrase(&mut t);
    let backup = Backup::read(&file, BackupKey::Passphrase(&passphrase)).expect("reads");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    // The same machine's keyring: it holds the original vault's key.
    let refused = backup.restore_new(
        &fresh_home(elsewhere.path()),
        NewProtection::Keyring,
        None,
        &t.keys,
        false,
    );
    assert!(
        matches!(
            &refused,
            Err(Error::Invalid {
                field: "keyring",
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(!fresh_home(elsewhere.path()).exists(), "nothing was made");
    drop(t.vault);
    Vault::open(&t.paths, &t.keys, None).expect("the original still opens");
}

#[test]
fn replace_refuses_a_backup_of_another_vault() {
    let mut t = filled();
    let mut other = TestVault::new();
    let (passphrase, file) = backed_up_to_a_passphrase(&mut other);
    let backup = Backup::read(&file, BackupKey::Passphrase(&passphrase)).expect("reads");
    assert!(matches!(
        t.vault
            .restore_backup(&backup, RestoreMode::Replace, true, false),
        Err(Error::Invalid {
            field: "backup",
            ..
        })
    ));
}

mod automatic {
    use super::*;
    use tessera_core::auto_backup::AutoBackup;

    /// A keyring vault with a recovery key, on a fixed clock.
    fn recoverable(dir: &std::path::Path) -> (Vault, RecoveryKey, FixedClock, MemoryKeyStore) {
        let keys = MemoryKeyStore::new();
        let clock = FixedClock::at(START);
        let (vault, recovery) =
            Vault::create_recoverable(&fresh_home(dir), NewProtection::Keyring, &keys)
                .expect("create");
        (
            vault.with_clock(Arc::new(clock.clone())),
            recovery,
            clock,
            keys,
        )
    }

    fn backups(folder: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .expect("folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn they_follow_changes_at_most_once_per_interval_and_keep_the_last_k() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut vault, _, clock, _) = recoverable(dir.path());
        let folder = dir.path().join("synced").join("tessera");
        vault
            .set_auto_backup(Some(AutoBackup {
                keep: 2,
                ..AutoBackup::to_folder(&folder)
            }))
            .expect("on");
        std::fs::write(folder.join("notes.txt"), "not a backup").expect("write");
        let first = vault
            .auto_backup_if_due()
            .expect("due")
            .expect("a first backup");
        assert!(first.starts_with(&folder));
        assert_eq!(
            vault.auto_backup_if_due().expect("check"),
            None,
            "no change since"
        );
        vault
            .create_token(tessera_core::lifecycle::NewToken::new(
                TokenKind::Personal,
                "one",
            ))
            .expect("create");
        clock.advance(59 * 60);
        assert_eq!(vault.auto_backup_if_due().expect("check"), None, "too soon");
        clock.advance(60);
        assert!(
            vault.auto_backup_if_due().expect("check").is_some(),
            "an hour after"
        );
        for n in 0..3 {
            vault
                .create_token(tessera_core::lifecycle::NewToken::new(
                    TokenKind::Personal,
                    format!("more {n}"),
                ))
                .expect("create");
            clock.advance(3600);
            vault.auto_backup_if_due().expect("check").expect("due");
        }
        let names = backups(&folder);
        assert_eq!(names.len(), 3, "two backups and the other file: {names:?}");
        assert!(names.contains(&"notes.txt".to_string()), "other files stay");
        let status = vault.auto_backup_status().expect("status");
        assert_eq!(status.last_at, Some(START + 59 * 60 + 60 + 3 * 3600));
        assert!(status.last_error.is_none());
    }

    #[test]
    fn one_restores_on_a_new_machine_with_the_recovery_key_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut vault, recovery, _, _) = recoverable(dir.path());
        let (_, secret) = {
            let issued = vault
                .create_token(tessera_core::lifecycle::NewToken::new(
                    TokenKind::Personal,
                    "kept",
                ))
                .expect("create");
            (issued.token.id, issued.secret)
        };
        let folder = dir.path().join("backups");
        vault
            .set_auto_backup(Some(AutoBackup::to_folder(&folder)))
            .expect("on");
        let file = vault.back_up_now().expect("backup");
        drop(vault);

        // A new machine: nothing but the file and the recovery key, typed back.
        let typed = RecoveryKey::parse(&recovery.text().expose().to_lowercase()).expect("key");
        let backup = Backup::read(&file, BackupKey::RecoveryKey(&typed)).expect("reads");
        let elsewhere = tempfile::tempdir().expect("tempdir");
        let password = tessera_core::MasterPassword::new(Secret::new(
            "a new password for the new machine".into(),
        ))
        .expect("policy");
        let (mut restored, made) = backup
            .restore_new(
                &fresh_home(elsewhere.path()),
                NewProtection::Password(password),
                Some(&typed),
                &MemoryKeyStore::new(),
                false,
            )
            .expect("restores");
        assert!(made.is_none());
        let verdict = restored
            .verify(secret.expect("secret").expose(), None, None)
            .expect("verify");
        assert!(verdict.is_active());
    }

    #[test]
    fn a_vault_without_a_recovery_key_is_told_to_make_one() {
        let mut t = TestVault::new();
        let folder = t.dir.path().join("backups");
        let refused = t
            .vault
            .set_auto_backup(Some(AutoBackup::to_folder(&folder)));
        assert!(
            matches!(&refused, Err(Error::Invalid { reason, .. }) if reason.contains("recovery key")),
            "{refused:?}"
        );
        let relative = t
            .vault
            .set_auto_backup(Some(AutoBackup::to_folder("backups")));
        assert!(matches!(relative, Err(Error::Invalid { .. })));
    }
}
