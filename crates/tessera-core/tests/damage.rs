//! Damage: a flipped byte anywhere in the vault file gives an error and never wrong data.

use crate::util::TestVault;
use tessera_core::search::Query;
use tessera_core::token::TokenKind;
use tessera_core::{Error, Vault};

/// Every token's name and status, or the error reading them.
fn snapshot(vault: &mut Vault) -> tessera_core::Result<Vec<(String, String)>> {
    vault.check_integrity()?;
    let page = vault.search(&Query {
        limit: 1_000,
        ..Query::text("")
    })?;
    Ok(page
        .rows
        .iter()
        .map(|h| (h.token.name.clone(), format!("{:?}", h.token.status(0))))
        .collect())
}

#[test]
fn a_flipped_byte_anywhere_gives_an_error_never_wrong_data() {
    let mut t = TestVault::new();
    for i in 0..40 {
        t.make(TokenKind::Personal, &format!("token {i:02}"));
    }
    t.vault.revoke_token("token 07").expect("revoke");
    // Everything in the main file, nothing left in the WAL.
    t.vault.checkpoint().expect("checkpoint");
    let good = snapshot(&mut t.vault).expect("good vault");
    let pristine = std::fs::read(&t.paths.db).expect("read vault");
    let step = (pristine.len() / 97).max(1);
    let mut damaged = 0;
    for offset in (0..pristine.len())
        .step_by(step)
        .chain([pristine.len() - 1])
    {
        let mut bytes = pristine.clone();
        bytes[offset] ^= 0x20;
        std::fs::write(&t.paths.db, &bytes).expect("write damaged copy");
        let result = Vault::open(&t.paths, &t.keys, None).and_then(|mut v| snapshot(&mut v));
        match result {
            Ok(data) => assert_eq!(data, good, "byte {offset}: different data, no error"),
            Err(Error::Damaged(message)) => {
                damaged += 1;
                assert!(!message.is_empty());
            }
            Err(other) => panic!("byte {offset}: expected a 'damaged' error, got {other:?}"),
        }
    }
    assert!(damaged > 90, "only {damaged} flips were detected");
    std::fs::write(&t.paths.db, &pristine).expect("restore");
    assert_eq!(snapshot(&mut t.vault).expect("restored"), good);
}
