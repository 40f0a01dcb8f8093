//! Removal as cryptography sees it: after A removes B, every row the server holds is
//! sealed under a key B never received, so B's old key opens none of them (the rows A
//! writes afterwards included), while A's key opens each; and the server takes no write
//! under the old epoch. A real PostgreSQL server.

#[path = "../../tessera-cli/tests/common/postgres.rs"]
mod postgres;

use postgres::Postgres;
use tessera_core::keys::{MemoryKeyStore, VaultKey};
use tessera_core::lifecycle::NewToken;
use tessera_core::shared::Role;
use tessera_core::shared::record::{Slot, open};
use tessera_core::token::TokenKind;
use tessera_core::{NewProtection, Vault, VaultPaths};
use tessera_sync::server::Server;

fn vault(dir: &std::path::Path, name: &str) -> Vault {
    let paths = VaultPaths::in_dir(dir.join(name)).with_state(dir.join(format!("{name}.state")));
    Vault::create(&paths, NewProtection::Keyring, &MemoryKeyStore::new()).expect("vault")
}

fn key_of(replica: &Vault, epoch: i64) -> VaultKey {
    let bytes = replica
        .sync_state(&format!("key.{epoch}"))
        .expect("state")
        .expect("key");
    VaultKey::from_bytes(bytes.expose()).expect("key")
}

/// How many of the server's rows `key` opens.
fn opened(server: &mut Server, vault_id: &str, key: &VaultKey) -> (usize, usize) {
    let rows = server.records_after(vault_id, 0).expect("rows");
    let opens = rows
        .iter()
        .filter(|row| {
            let slot = Slot {
                vault_id,
                record_id: &row.record_id,
                version: row.version,
                epoch: row.epoch,
            };
            open(key, &slot, &row.nonce, &row.ciphertext).is_ok()
        })
        .count();
    (opens, rows.len())
}

#[test]
fn the_removed_members_old_key_opens_no_row_written_after() {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = vault(dir.path(), "a");
    let mut b = vault(dir.path(), "b");
    let shared = tessera_sync::create(&mut a, "team", &pg.url()).expect("create");
    let b_id = b.identity().expect("identity").public().to_string();
    let invite = tessera_sync::add_member(&mut a, "team", &b_id, Role::Member).expect("add");
    tessera_sync::join(&mut b, &invite.to_text(), None).expect("join");
    {
        let mut replica = a.open_shared("team").expect("replica");
        replica
            .create_token(NewToken::new(TokenKind::Personal, "before removal"))
            .expect("token");
    }
    tessera_sync::sync(&mut a, "team").expect("sync");
    tessera_sync::sync(&mut b, "team").expect("sync");
    let old = key_of(&b.open_shared("team").expect("replica"), 1);
    let mut server = Server::connect(&pg.url()).expect("server");
    let (opens, rows) = opened(&mut server, &shared.vault_id, &old);
    // The signing keys, the token and A's manifest.
    assert_eq!((opens, rows), (rows, 3), "before: B's key opens every row");

    let removed = tessera_sync::remove_member(&mut a, "team", &b_id).expect("remove");
    let names: Vec<&str> = removed.readable.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["before removal"]);
    {
        let mut replica = a.open_shared("team").expect("replica");
        for i in 0..5 {
            replica
                .create_token(NewToken::new(TokenKind::Personal, format!("after {i}")))
                .expect("token");
        }
    }
    tessera_sync::sync(&mut a, "team").expect("sync");
    let new = key_of(&a.open_shared("team").expect("replica"), 2);
    assert_eq!(
        opened(&mut server, &shared.vault_id, &old),
        (0, 8),
        "B's old key"
    );
    assert_eq!(
        opened(&mut server, &shared.vault_id, &new),
        (8, 8),
        "A's new key"
    );
    let refused = tessera_sync::sync(&mut b, "team").expect_err("B is removed");
    assert!(refused.to_string().contains("removed"), "{refused}");
    // The server, too, takes no more writes under the old epoch (as B's old client,
    // unaware of the removal, would make them).
    let stale = tessera_sync::server::Push {
        record: tessera_sync::server::ServerRecord {
            record_id: "written-by-b".into(),
            version: 1,
            epoch: 1,
            seq: 0,
            nonce: vec![0; 24],
            ciphertext: vec![0; 32],
            author: b_id.clone(),
            signature: vec![0; 64],
        },
        base_version: 0,
    };
    let refused = server
        .push(&shared.vault_id, &[stale], |_| Ok(None))
        .expect_err("an old epoch's write");
    assert!(refused.to_string().contains("key changed"), "{refused}");
    assert_eq!(opened(&mut server, &shared.vault_id, &new), (8, 8));
}
