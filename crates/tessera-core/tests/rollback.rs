use crate::util::TestVault;
use tessera_core::token::TokenKind;
use tessera_core::{Error, Vault, VaultPaths};

/// Copies the vault's files (after a checkpoint, the database file alone holds it).
fn back_up(vault: &mut Vault, to: &std::path::Path) {
    vault.checkpoint().expect("checkpoint");
    std::fs::create_dir_all(to).expect("mkdir");
    for name in ["vault.db", "vault.header.json"] {
        std::fs::copy(vault.paths().dir.join(name), to.join(name)).expect("copy");
    }
}

/// Puts a copy back in place of the vault (which must be closed).
fn put_back(paths: &VaultPaths, from: &std::path::Path) {
    for name in ["vault.db-wal", "vault.db-shm"] {
        let _ = std::fs::remove_file(paths.dir.join(name));
    }
    for name in ["vault.db", "vault.header.json"] {
        std::fs::copy(from.join(name), paths.dir.join(name)).expect("copy back");
    }
}

fn anchor_file(paths: &VaultPaths) -> std::path::PathBuf {
    let mut files = std::fs::read_dir(paths.state.join("anchors"))
        .expect("anchors folder")
        .map(|e| e.expect("entry").path())
        // Beside the anchor, the lock that makes its read and write one step.
        .filter(|p| p.extension().is_none_or(|e| e != "lock"));
    let file = files.next().expect("one anchor");
    assert!(files.next().is_none());
    file
}

#[test]
fn an_older_copy_put_back_is_refused_before_a_revoked_token_could_verify() {
    let mut t = TestVault::new();
    let (_, secret) = t.make(TokenKind::Personal, "deploy");
    let secret = secret.expect("secret");
    let backup = t.dir.path().join("backup");
    back_up(&mut t.vault, &backup);
    t.vault.revoke_token("deploy").expect("revoke");
    let TestVault {
        dir: _dir,
        paths,
        keys,
        vault,
        ..
    } = t;
    vault.lock().expect("lock");
    put_back(&paths, &backup);

    let err = Vault::open(&paths, &keys, None).expect_err("an older copy must not open");
    assert!(matches!(err, Error::RolledBack(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("older copy"), "{message}");
    assert!(
        message.contains("restored a backup on purpose"),
        "{message}"
    );
    assert_eq!(err.code().as_str(), "rolled_back");
    // Refused on every open, not only the first.
    assert!(matches!(
        Vault::open(&paths, &keys, None),
        Err(Error::RolledBack(_))
    ));

    // Accepted on purpose: the copy's state is the vault's, and the log says so.
    let mut restored = Vault::open_restored(&paths, &keys, None).expect("accept restore");
    assert!(
        restored
            .verify(secret.expose(), None, None)
            .expect("verify")
            .is_active(),
        "the restored copy predates the revocation"
    );
    let events = restored.audit(&Default::default()).expect("audit");
    assert!(
        events.iter().any(|e| e.action.as_str() == "restore"),
        "{events:?}"
    );
    restored.lock().expect("lock");
    Vault::open(&paths, &keys, None).expect("opens normally after the restore was accepted");
}

#[test]
fn an_altered_anchor_is_refused_and_a_missing_or_lagging_one_is_rebuilt() {
    let mut t = TestVault::new();
    t.make(TokenKind::Personal, "one");
    let anchor = anchor_file(&t.paths);
    let good = std::fs::read_to_string(&anchor).expect("read anchor");
    assert!(!good.contains("one"), "the anchor holds no vault content");

    // Lowered or raised by hand: the MAC no longer matches.
    let value: serde_json::Value = serde_json::from_str(&good).expect("json");
    let generation = value["generation"].as_u64().expect("generation");
    for forged in [generation - 1, generation + 5] {
        let mut edited = value.clone();
        edited["generation"] = forged.into();
        std::fs::write(&anchor, edited.to_string()).expect("write");
        let err = Vault::open(&t.paths, &t.keys, None).expect_err("altered anchor");
        assert!(err.to_string().contains("was altered"), "{err}");
    }
    std::fs::write(&anchor, "not json").expect("write");
    assert!(matches!(
        Vault::open(&t.paths, &t.keys, None),
        Err(Error::RolledBack(_))
    ));

    // Missing (a vault moved to this machine): made again from the vault.
    std::fs::remove_file(&anchor).expect("remove");
    Vault::open(&t.paths, &t.keys, None).expect("open without an anchor");
    assert_eq!(std::fs::read_to_string(&anchor).expect("rebuilt"), good);

    // Behind the vault (a crash after a commit, before the anchor write): caught up.
    t.make(TokenKind::Personal, "two");
    std::fs::write(&anchor, &good).expect("write the older anchor");
    Vault::open(&t.paths, &t.keys, None).expect("a lagging anchor is fine");
    let caught_up: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&anchor).expect("read")).expect("json");
    assert!(caught_up["generation"].as_u64().expect("generation") > generation);
}

/// Openers that run while others commit must never take the vault for an older copy.
/// Reading the vault's counter before its anchor did, when another process committed
/// and recorded a change between the two reads: three CLI loops creating tokens at once
/// hit it within 50 opens. Threads in one process reach that window far less often, so
/// this guards the order only statistically; it fails on any false alarm.
#[test]
fn opening_while_others_commit_never_looks_like_a_rollback() {
    let t = TestVault::new();
    let (paths, keys) = (t.paths.clone(), t.keys.clone());
    drop(t.vault);
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (paths, keys) = (paths.clone(), keys.clone());
            std::thread::spawn(move || {
                for i in 0..60 {
                    let mut vault = Vault::open(&paths, &keys, None)
                        .unwrap_or_else(|e| panic!("worker {w}, open {i}: {e}"));
                    vault
                        .create_token(tessera_core::lifecycle::NewToken::new(
                            TokenKind::Personal,
                            format!("w{w}-{i}"),
                        ))
                        .unwrap_or_else(|e| panic!("worker {w}, write {i}: {e}"));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker saw an error");
    }
    drop(t.dir);
}
