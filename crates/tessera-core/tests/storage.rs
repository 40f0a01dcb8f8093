//! A full disk and a read-only folder, for real: the vault lives on a small tmpfs, or
//! on a read-only bind mount. This needs mounts, so it runs when
//! `TESSERA_TEST_MOUNTS=1`, inside a private mount namespace (`unshare -rm`, as the
//! Makefile does); without it there is nothing to mount, and the test says so.
//! Root ignores permission bits, so only a mount makes a folder truly read-only.

use std::process::Command;
use tessera_core::keys::MemoryKeyStore;
use tessera_core::lifecycle::NewToken;
use tessera_core::token::TokenKind;
use tessera_core::{Error, NewProtection, Vault, VaultPaths};

fn mounts_available() -> bool {
    crate::util::environment("TESSERA_TEST_MOUNTS", "inside `unshare -rm`")
}

fn mount(args: &[&str]) {
    let status = Command::new("mount")
        .args(args)
        .status()
        .expect("run mount");
    assert!(status.success(), "mount {args:?} failed");
}

fn token(name: String) -> NewToken {
    NewToken::new(TokenKind::Personal, name)
}

/// Every name is there, the failed ones are not, and both integrity checks pass.
fn assert_intact(paths: &VaultPaths, keys: &MemoryKeyStore, kept: &[String], failed: &[String]) {
    let mut vault = Vault::open(paths, keys, None).expect("reopen");
    vault.check_integrity().expect("integrity");
    for name in kept {
        vault.token(name).expect("an acknowledged token is there");
    }
    for name in failed {
        assert!(
            vault.token(name).is_err(),
            "{name}: a failed write left a row"
        );
    }
}

#[test]
fn a_full_disk_gives_a_clear_error_and_loses_nothing() {
    if !mounts_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let disk = dir.path().join("disk");
    std::fs::create_dir(&disk).expect("mkdir");
    mount(&[
        "-t",
        "tmpfs",
        "-o",
        "size=4m",
        "tessera-full",
        disk.to_str().expect("utf8"),
    ]);
    let paths = VaultPaths::in_dir(disk.join("vault")).with_state(dir.path().join("state"));
    let keys = MemoryKeyStore::new();
    let mut vault = Vault::create(&paths, NewProtection::Keyring, &keys).expect("create");
    let mut kept: Vec<String> = Vec::new();
    for i in 0..20 {
        let name = format!("before-full-{i}");
        vault.create_token(token(name.clone())).expect("create");
        kept.push(name);
    }
    // Fill the disk to the last byte.
    let filler = disk.join("filler");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        while file.write_all(&[0]).is_ok() {}
        let _ = file.sync_all();
    }
    // Writes fail clearly until space is freed, and each leaves nothing behind.
    let mut failed = Vec::new();
    let mut message = None;
    for i in 0..200 {
        let name = format!("while-full-{i}");
        match vault.create_token(token(name.clone())) {
            Ok(_) => kept.push(name),
            Err(err) => {
                message = Some(err.to_string());
                assert!(matches!(err, Error::DiskFull), "{err:?}");
                failed.push(name);
            }
        }
        if failed.len() >= 3 {
            break;
        }
    }
    let message = message.expect("the full disk was noticed");
    assert!(message.contains("disk is full"), "{message}");
    assert!(message.contains("nothing was changed"), "{message}");
    // What is there stays readable while the disk is full.
    vault.token(&kept[0]).expect("read while full");
    drop(vault);

    std::fs::remove_file(&filler).expect("free space");
    assert_intact(&paths, &keys, &kept, &failed);
    let mut vault = Vault::open(&paths, &keys, None).expect("open");
    vault
        .create_token(token("after-space-freed".into()))
        .expect("writes work again");
}

#[test]
fn a_read_only_folder_gives_a_clear_error_and_loses_nothing() {
    if !mounts_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("vault");
    let paths = VaultPaths::in_dir(&folder).with_state(dir.path().join("state"));
    let keys = MemoryKeyStore::new();
    let mut vault = Vault::create(&paths, NewProtection::Keyring, &keys).expect("create");
    let mut kept = Vec::new();
    for i in 0..5 {
        let name = format!("writable-{i}");
        vault.create_token(token(name.clone())).expect("create");
        kept.push(name);
    }
    drop(vault);
    let target = folder.to_str().expect("utf8");
    mount(&["--bind", target, target]);
    mount(&["-o", "remount,bind,ro", target]);
    // Refused clearly at open, or opened for reading with every write refused clearly.
    match Vault::open(&paths, &keys, None) {
        Ok(mut vault) => {
            vault.token(&kept[0]).expect("read");
            let err = vault
                .create_token(token("while-read-only".into()))
                .expect_err("a read-only folder refuses the write");
            let message = err.to_string();
            assert!(matches!(err, Error::ReadOnly(_)), "{err:?}");
            assert!(
                message.contains("cannot be written") && message.contains("nothing was changed"),
                "{message}"
            );
        }
        Err(err) => assert!(err.to_string().contains("cannot be written"), "{err}"),
    }
    mount(&["-o", "remount,bind,rw", target]);
    assert_intact(&paths, &keys, &kept, &["while-read-only".into()]);
}
