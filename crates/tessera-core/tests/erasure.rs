//! Deleted and replaced secrets, looked for with the key: every page of the vault file
//! and of its write-ahead log is decrypted here, as SQLCipher 4 lays them out, and
//! searched. Encryption alone would hide them from someone without the key; these
//! tests show they are gone for someone with it.

use crate::util::{TestVault, contains, private_key_windows};
use aws_lc_rs::cipher::{AES_256, DecryptingKey, DecryptionContext, UnboundCipherKey};
use tessera_core::keys::KeyStore;
use tessera_core::token::TokenKind;

/// SQLCipher 4's defaults: 4 KiB pages, each ending in a 16-byte IV and a 64-byte
/// HMAC-SHA512; page 1 starts with the file's 16-byte salt.
const PAGE: usize = 4096;
const RESERVED: usize = 80;
const SALT: usize = 16;
const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

/// Decrypts one page (`number` counts from 1).
fn decrypt_page(key: &[u8; 32], number: u32, page: &[u8]) -> Vec<u8> {
    assert_eq!(page.len(), PAGE);
    let start = if number == 1 { SALT } else { 0 };
    let iv: [u8; 16] = page[PAGE - RESERVED..PAGE - RESERVED + 16]
        .try_into()
        .expect("iv");
    let mut data = page[start..PAGE - RESERVED].to_vec();
    let cipher =
        DecryptingKey::cbc(UnboundCipherKey::new(&AES_256, key).expect("key")).expect("cbc");
    cipher
        .decrypt(&mut data, DecryptionContext::Iv128(iv.into()))
        .expect("decrypt");
    data
}

/// Every page of the vault file and every frame of its WAL, decrypted.
fn plaintext_pages(dir: &std::path::Path, key: &[u8; 32]) -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    let db = std::fs::read(dir.join("vault.db")).expect("vault.db");
    assert_eq!(db.len() % PAGE, 0);
    for (i, page) in db.chunks(PAGE).enumerate() {
        let number = u32::try_from(i + 1).expect("page number");
        pages.push((
            format!("vault.db page {number}"),
            decrypt_page(key, number, page),
        ));
    }
    if let Ok(wal) = std::fs::read(dir.join("vault.db-wal"))
        && wal.len() > WAL_HEADER
    {
        for (i, frame) in wal[WAL_HEADER..].chunks(FRAME_HEADER + PAGE).enumerate() {
            if frame.len() < FRAME_HEADER + PAGE {
                break;
            }
            let number = u32::from_be_bytes(frame[..4].try_into().expect("page number"));
            pages.push((
                format!("WAL frame {i} (page {number})"),
                decrypt_page(key, number, &frame[FRAME_HEADER..]),
            ));
        }
    }
    pages
}

/// Where `needle` is found in the decrypted vault, if anywhere.
fn find(pages: &[(String, Vec<u8>)], needle: &[u8]) -> Option<String> {
    pages
        .iter()
        .find(|(_, bytes)| contains(bytes, needle))
        .map(|(place, _)| place.clone())
}

#[test]
fn deleted_and_replaced_secrets_are_gone_even_for_someone_with_the_key() {
    let mut t = TestVault::new();
    let key = *t.keys.load(t.vault.id()).expect("key").expose();
    let (_, kept) = t.make(TokenKind::Personal, "kept-probe");
    let kept = kept.expect("secret").expose().as_bytes().to_vec();
    let (_, erased) = t.make(TokenKind::Personal, "erased-probe");
    let erased = erased.expect("secret").expose().as_bytes().to_vec();
    let (_, replaced) = t.make(TokenKind::Service, "rotated-probe");
    let replaced = replaced.expect("secret").expose().as_bytes().to_vec();
    t.make(TokenKind::Rsa, "erased-rsa-probe");
    let windows = private_key_windows(&mut t.vault, "erased-rsa-probe");

    // The scan sees what is there: the schema, a live secret, a live private key.
    let before = plaintext_pages(&t.paths.dir, &key);
    assert!(find(&before, b"CREATE TABLE").is_some(), "pages decrypt");
    assert!(find(&before, &kept).is_some(), "a live secret is found");
    assert!(find(&before, &erased).is_some());
    for window in &windows {
        assert!(
            find(&before, window).is_some(),
            "a live private key is found"
        );
    }

    let rotated = t.vault.rotate_token("rotated-probe", None).expect("rotate");
    let rotated = rotated.secret.expect("new").expose().as_bytes().to_vec();
    for name in ["erased-probe", "erased-rsa-probe"] {
        t.vault.revoke_token(name).expect("revoke");
        t.vault.delete_token(name).expect("delete");
    }

    for (when, pages) in [
        ("open", plaintext_pages(&t.paths.dir, &key)),
        ("closed", {
            let paths = t.paths.clone();
            drop(t.vault);
            plaintext_pages(&paths.dir, &key)
        }),
    ] {
        assert!(find(&pages, &kept).is_some(), "{when}: the live secret");
        assert!(find(&pages, &rotated).is_some(), "{when}: the new secret");
        for (what, needle) in [
            ("the deleted secret", &erased[..]),
            ("the replaced secret", &replaced[..]),
        ]
        .into_iter()
        .chain(windows.iter().map(|w| ("the deleted private key", &w[..])))
        {
            assert_eq!(find(&pages, needle), None, "{when}: {what} is still there");
        }
    }
}
