use crate::files::snapshot;
use crate::util::{TestVault, contains, private_key_windows, request};
use tessera_core::keys::{KeyStore, MemoryKeyStore, VaultKey};
use tessera_core::token::TokenKind;
use tessera_core::{Consent, Error, MasterPassword, NewProtection, Secret, Vault, VaultPaths};

#[test]
fn files_hold_no_plaintext_secret_or_name() {
    let mut t = TestVault::new();
    let mut needles: Vec<Vec<u8>> = Vec::new();
    for &kind in TokenKind::ALL {
        let name = format!("plaintext-probe-{kind}");
        let (_, secret) = t.make(kind, &name);
        needles.push(name.into_bytes());
        if let Some(secret) = secret {
            needles.push(secret.expose().as_bytes().to_vec());
        }
    }
    needles.push(b"billing".to_vec());
    needles.push(b"tessera_rsa_token".to_vec());
    // While open, the WAL holds the recent writes.
    assert!(t.paths.dir.join("vault.db-wal").exists());
    check_no_plaintext(&t.paths.dir, &needles, "open");
    drop(t.vault);
    let vault = Vault::open(&t.paths, &t.keys, None).expect("reopen");
    check_no_plaintext(&t.paths.dir, &needles, "reopened");
    drop(vault);
    check_no_plaintext(&t.paths.dir, &needles, "closed");
}

#[test]
fn create_edit_rotate_delete_and_vacuum_leave_no_plaintext_in_the_files_or_tmpdir() {
    use tessera_core::lifecycle::TokenChanges;
    let started = std::time::SystemTime::now();
    let mut t = TestVault::new();
    let mut needles: Vec<Vec<u8>> = Vec::new();
    for &kind in TokenKind::ALL {
        let name = format!("at-rest-probe-{kind}");
        let (_, secret) = t.make(kind, &name);
        needles.push(name.into_bytes());
        if let Some(secret) = secret {
            needles.push(secret.expose().as_bytes().to_vec());
        }
    }
    // The RSA private key as stored (PKCS#8 DER): windows of it.
    needles.extend(private_key_windows(&mut t.vault, "at-rest-probe-rsa"));
    // Edit: a new name and a description.
    t.vault
        .modify_token(
            "at-rest-probe-personal",
            TokenChanges {
                name: Some("at-rest-renamed-probe".into()),
                description: Some("at-rest description probe".into()),
                ..TokenChanges::default()
            },
        )
        .expect("edit");
    needles.push(b"at-rest-renamed-probe".to_vec());
    needles.push(b"at-rest description probe".to_vec());
    // Rotate: the new secret too.
    let rotated = t
        .vault
        .rotate_token("at-rest-probe-service", None)
        .expect("rotate");
    needles.push(
        rotated
            .secret
            .expect("new secret")
            .expose()
            .as_bytes()
            .to_vec(),
    );
    // Delete.
    t.vault.revoke_token("at-rest-probe-jwt").expect("revoke");
    t.vault.delete_token("at-rest-probe-jwt").expect("delete");
    check_no_plaintext(&t.paths.dir, &needles, "after edits");
    t.vault.compact().expect("vacuum");
    check_no_plaintext(&t.paths.dir, &needles, "after VACUUM");
    drop(t.vault);
    check_no_plaintext(&t.paths.dir, &needles, "closed");

    // Nothing went to TMPDIR: every file there written since the test began is free of
    // the probes (other tests' files included, so the check can only be stricter).
    let mut scanned = 0;
    let mut stack = vec![std::env::temp_dir()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file()
                && meta.modified().is_ok_and(|m| m >= started)
                && meta.len() < 64 << 20
                && let Ok(bytes) = std::fs::read(&path)
            {
                scanned += 1;
                for needle in &needles {
                    assert!(
                        !contains(&bytes, needle),
                        "{} holds {:?}",
                        path.display(),
                        String::from_utf8_lossy(needle)
                    );
                }
            }
        }
    }
    assert!(
        scanned > 0,
        "the vault's own files are under TMPDIR and were scanned"
    );
}

fn check_no_plaintext(dir: &std::path::Path, needles: &[Vec<u8>], when: &str) {
    let files = snapshot(dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"vault.db"), "{when}: {names:?}");
    for (file, bytes) in &files {
        if file.ends_with(".json") {
            continue;
        }
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "{when}: {file} has a plaintext SQLite header"
        );
        for needle in needles {
            assert!(
                !contains(bytes, needle),
                "{when}: {file} holds {:?}",
                String::from_utf8_lossy(needle)
            );
        }
    }
}

#[test]
fn the_file_cannot_be_read_without_the_key() {
    let t = TestVault::new();
    let conn = rusqlite::Connection::open(&t.paths.db).expect("open raw");
    let err = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .expect_err("no key, no data");
    assert_eq!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase)
    );
}

#[test]
fn a_wrong_key_changes_no_file() {
    let mut t = TestVault::new();
    t.make(TokenKind::Personal, "deploy");
    drop(t.vault);
    let before = snapshot(&t.paths.dir);
    let header = tessera_core::header::Header::read(&t.paths.header).expect("header");
    let wrong = MemoryKeyStore::new();
    wrong
        .store(&header.vault_id, &VaultKey::generate())
        .expect("store");
    let err = Vault::open(&t.paths, &wrong, None).expect_err("wrong key");
    assert!(matches!(err, Error::WrongKey), "{err}");
    assert_eq!(snapshot(&t.paths.dir), before);
    let missing = Vault::open(&t.paths, &MemoryKeyStore::new(), None).expect_err("no key");
    assert!(matches!(missing, Error::KeyMissing), "{missing}");
    assert_eq!(snapshot(&t.paths.dir), before);
}

#[test]
fn password_vaults_work_without_any_keyring_and_refuse_wrong_passwords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = VaultPaths::in_dir(dir.path().join("v"));
    let no_keyring = MemoryKeyStore::unavailable();
    let pw = Secret::new("correct horse battery staple".into());
    let mut vault = Vault::create(
        &paths,
        NewProtection::Password(
            MasterPassword::new(Secret::new(pw.expose().into())).expect("policy"),
        ),
        &no_keyring,
    )
    .expect("create with password");
    vault
        .create_token(request(TokenKind::Workspace, "ws"))
        .expect("token");
    drop(vault);
    let before = snapshot(&paths.dir);
    let header = std::fs::read_to_string(&paths.header).expect("header");
    assert!(
        header.contains("argon2id")
            && header.contains("\"m_kib\": 65536")
            && header.contains("\"t\": 3")
    );

    let wrong = Secret::new("Correct horse battery staple".into());
    assert!(matches!(
        Vault::open(&paths, &no_keyring, Some(&wrong)),
        Err(Error::WrongPassword)
    ));
    assert!(matches!(
        Vault::open(&paths, &no_keyring, None),
        Err(Error::PasswordRequired)
    ));
    assert_eq!(snapshot(&paths.dir), before, "failed opens changed a file");
    let mut vault = Vault::open(&paths, &no_keyring, Some(&pw)).expect("right password");
    assert!(vault.token("ws").is_ok());
}

#[test]
fn a_keyring_vault_needs_a_working_keyring_and_leaves_nothing_when_it_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = VaultPaths::in_dir(dir.path().join("v"));
    let err = Vault::create(
        &paths,
        NewProtection::Keyring,
        &MemoryKeyStore::unavailable(),
    )
    .expect_err("no keyring");
    assert!(matches!(err, Error::KeyringUnavailable(_)), "{err}");
    assert!(!paths.exists());
    let keys = MemoryKeyStore::new();
    Vault::create(&paths, NewProtection::Keyring, &keys).expect("create");
    assert!(matches!(
        Vault::create(&paths, NewProtection::Keyring, &keys),
        Err(Error::VaultExists(_))
    ));
}

#[test]
fn changing_the_password_rekeys_and_only_the_new_one_opens() {
    let mut t = TestVault::new();
    t.make(TokenKind::Personal, "keep me");
    let header = tessera_core::header::Header::read(&t.paths.header).expect("header");
    let first = Secret::new("first password".into());
    t.vault
        .change_password(Consent::Confirmed, &master("first password"), &t.keys)
        .expect("to password");
    assert!(
        t.keys.load(&header.vault_id).is_err(),
        "the keyring copy is removed"
    );
    let second = Secret::new("second password".into());
    // Holding the open vault is not enough: the current password is.
    for consent in [Consent::Confirmed, Consent::CurrentPassword(&second)] {
        assert!(
            t.vault
                .change_password(consent, &master("second password"), &t.keys)
                .is_err()
        );
        assert!(t.vault.use_keyring(consent, &t.keys).is_err());
    }
    assert!(
        t.keys.load(&header.vault_id).is_err(),
        "no key went to the keyring"
    );
    t.vault
        .change_password(
            Consent::CurrentPassword(&first),
            &master("second password"),
            &t.keys,
        )
        .expect("change");
    drop(t.vault);
    assert!(matches!(
        Vault::open(&t.paths, &t.keys, Some(&first)),
        Err(Error::WrongPassword)
    ));
    let mut vault = Vault::open(&t.paths, &t.keys, Some(&second)).expect("new password");
    assert!(vault.token("keep me").is_ok());
    vault
        .use_keyring(Consent::CurrentPassword(&second), &t.keys)
        .expect("back to keyring");
    drop(vault);
    assert!(
        Vault::open(&t.paths, &t.keys, Some(&second)).is_ok(),
        "a keyring vault ignores the password"
    );
    assert!(!t.paths.dir.join("vault.header.json.new").exists());
}

#[test]
fn missing_or_damaged_parts_are_named() {
    let t = TestVault::new();
    drop(t.vault);
    let header = std::fs::read(&t.paths.header).expect("header");
    std::fs::write(&t.paths.header, b"{not json").expect("damage");
    assert!(matches!(
        Vault::open(&t.paths, &t.keys, None),
        Err(Error::Damaged(_))
    ));
    std::fs::remove_file(&t.paths.header).expect("rm");
    assert!(matches!(
        Vault::open(&t.paths, &t.keys, None),
        Err(Error::Damaged(_))
    ));
    std::fs::write(&t.paths.header, header).expect("restore");
    assert!(Vault::open(&t.paths, &t.keys, None).is_ok());
    let empty = VaultPaths::in_dir(t.dir.path().join("nothing"));
    assert!(matches!(
        Vault::open(&empty, &t.keys, None),
        Err(Error::NoVault(_))
    ));
}

fn master(text: &str) -> MasterPassword {
    MasterPassword::new(Secret::new(text.into())).expect("policy")
}
