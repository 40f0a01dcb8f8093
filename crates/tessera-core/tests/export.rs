use crate::util::{TestVault, request};
use tessera_core::Error;
use tessera_core::export::{Provenance, parse_token_file};
use tessera_core::generate::jwt::sign_assertion;
use tessera_core::token::TokenKind;
use tessera_core::verify::{Reason, Verification};
use tessera_core::{Secret, Vault};

fn field(json: &Secret, name: &str) -> String {
    // The test reads the token file it was handed.
    let value: serde_json::Value = serde_json::from_str(json.expose()).expect("json");
    value[name].as_str().expect("string field").to_string()
}

#[test]
fn token_file_round_trip_signs_an_assertion_that_verifies() {
    let mut t = TestVault::new();
    let (id, _) = t.make(TokenKind::Rsa, "partner");
    let file = t.vault.export_token_file("partner", None).expect("export");
    let path = t.dir.path().join("partner.json");
    tessera_core::export::write_secret_file(&path, &file).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
            0o600
        );
    }
    let json = Secret::new(std::fs::read_to_string(&path).expect("read"));
    assert_eq!(field(&json, "type"), "tessera_rsa_token");
    assert_eq!(field(&json, "token_id"), id);
    let key_id = field(&json, "key_id");
    assert_eq!(
        Some(&key_id),
        t.vault.token("partner").expect("t").key_id.as_ref()
    );
    assert_eq!(
        field(&json, "public_key"),
        t.vault.public_key_pem("partner").expect("pem")
    );

    let private = Secret::new(field(&json, "private_key"));
    let now = t.vault.now();
    let assertion = sign_assertion(&private, &key_id, &id, "billing", now, 300).expect("sign");
    match t
        .vault
        .verify(assertion.expose(), Some("billing"), None)
        .expect("verify")
    {
        Verification::Active(token) => assert_eq!(token.id, id),
        Verification::Inactive(r) => panic!("inactive: {r}"),
    }
    let wrong_aud = sign_assertion(&private, &key_id, &id, "search", now, 300).expect("sign");
    assert_eq!(
        t.vault
            .verify(wrong_aud.expose(), Some("billing"), None)
            .expect("v"),
        Verification::Inactive(Reason::ApiNotAuthorized)
    );
    let expired = sign_assertion(&private, &key_id, &id, "billing", now - 600, 300).expect("sign");
    assert_eq!(
        t.vault.verify(expired.expose(), None, None).expect("v"),
        Verification::Inactive(Reason::Expired)
    );
    // The leeway for clock skew is exactly ASSERTION_LEEWAY_SECS: an assertion that
    // expired that long ago is refused, one second less is accepted.
    let leeway = tessera_core::generate::jwt::ASSERTION_LEEWAY_SECS;
    let at_edge =
        sign_assertion(&private, &key_id, &id, "billing", now - leeway - 300, 300).expect("sign");
    assert_eq!(
        t.vault.verify(at_edge.expose(), None, None).expect("v"),
        Verification::Inactive(Reason::Expired)
    );
    let inside =
        sign_assertion(&private, &key_id, &id, "billing", now - leeway - 299, 300).expect("sign");
    assert!(
        t.vault
            .verify(inside.expose(), None, None)
            .expect("v")
            .is_active()
    );
    let too_long = sign_assertion(&private, &key_id, &id, "billing", now, 86_400).expect("sign");
    assert_eq!(
        t.vault.verify(too_long.expose(), None, None).expect("v"),
        Verification::Inactive(Reason::Malformed)
    );

    // Another key presenting this token's key id.
    t.make(TokenKind::Rsa, "other");
    let other = t.vault.export_pem("other", None).expect("pem");
    let forged = sign_assertion(&other, &key_id, &id, "billing", now, 300).expect("sign");
    assert_eq!(
        t.vault.verify(forged.expose(), None, None).expect("v"),
        Verification::Inactive(Reason::BadSignature)
    );

    t.vault.revoke_token("partner").expect("revoke");
    assert_eq!(
        t.vault.verify(assertion.expose(), None, None).expect("v"),
        Verification::Inactive(Reason::Revoked)
    );
    t.vault.restore_token("partner").expect("restore");
    t.vault.rotate_token("partner", None).expect("rotate");
    assert_eq!(
        t.vault.verify(assertion.expose(), None, None).expect("v"),
        Verification::Inactive(Reason::Unknown)
    );
}

#[test]
fn import_reads_a_token_file_into_another_vault() {
    let mut a = TestVault::new();
    let (id, _) = a.make(TokenKind::Rsa, "moving");
    let pass = Secret::new("file passphrase".into());
    let file = a
        .vault
        .export_token_file("moving", Some(&pass))
        .expect("export");
    assert!(field(&file, "private_key").starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

    let mut b = TestVault::new();
    b.vault
        .catalog_remove(tessera_core::catalog::Catalog::Api, "billing")
        .expect("remove");
    assert!(matches!(
        b.vault
            .import_token_file(file.expose(), None, Provenance::AnyVault),
        Err(Error::BadTokenFile(_))
    ));
    let wrong = Secret::new("nope".into());
    assert!(matches!(
        b.vault
            .import_token_file(file.expose(), Some(&wrong), Provenance::AnyVault),
        Err(Error::WrongPassphrase)
    ));
    let token = b
        .vault
        .import_token_file(file.expose(), Some(&pass), Provenance::AnyVault)
        .expect("import")
        .token;
    assert_eq!(token.id, id);
    assert_eq!(token.apis, ["billing"], "missing catalog entries are added");
    assert_eq!(token.key_id, a.vault.token("moving").expect("t").key_id);
    assert!(matches!(
        b.vault
            .import_token_file(file.expose(), Some(&pass), Provenance::AnyVault),
        Err(Error::BadTokenFile(_))
    ));
    let pem = b.vault.export_pem("moving", None).expect("pem");
    let key_id = token.key_id.expect("key id");
    let assertion = sign_assertion(&pem, &key_id, &id, "billing", b.vault.now(), 60).expect("sign");
    assert!(
        b.vault
            .verify(assertion.expose(), Some("billing"), None)
            .expect("v")
            .is_active()
    );
    drop(b.vault);
    let mut reopened = Vault::open(&b.paths, &b.keys, None).expect("reopen");
    assert!(reopened.token("moving").is_ok());
}

#[test]
fn malformed_token_files_get_a_clear_error_each() {
    let mut t = TestVault::new();
    t.make(TokenKind::Rsa, "src");
    let good = t.vault.export_token_file("src", None).expect("export");
    // The test edits a copy of the file.
    let base: serde_json::Value = serde_json::from_str(good.expose()).expect("json");
    let with = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = base.clone();
        edit(&mut v);
        v.to_string()
    };
    let other_public = {
        t.make(TokenKind::Rsa, "other");
        t.vault.public_key_pem("other").expect("pem")
    };
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "empty"),
        ("not json".into(), "not JSON"),
        ("[1,2]".into(), "no \"type\""),
        (
            with(&|v| v["type"] = "service_account".into()),
            "its type is 'service_account'",
        ),
        (
            with(&|v| v["version"] = 9.into()),
            "version 9 is not supported",
        ),
        (
            with(&|v| {
                v.as_object_mut().map(|o| o.remove("key_id"));
            }),
            "missing field `key_id`",
        ),
        (with(&|v| v["token_id"] = "123".into()), "not a UUID"),
        (with(&|v| v["name"] = "".into()), "name"),
        (
            with(&|v| v["created_at"] = "yesterday".into()),
            "created_at",
        ),
        (with(&|v| v["expires_at"] = "soon".into()), "expires_at"),
        (with(&|v| v["private_key"] = "garbage".into()), "PKCS#8"),
        (
            with(&|v| v["public_key"] = other_public.clone().into()),
            "does not belong",
        ),
        (
            with(&|v| v["key_id"] = "AAAA".into()),
            "key_id does not match",
        ),
        (with(&|v| v["extra"] = 1.into()), "unknown field"),
        ("x".repeat(2 * 1024 * 1024), "larger than 1 MiB"),
    ];
    for (input, expected) in cases {
        match parse_token_file(&input, None) {
            Err(Error::BadTokenFile(message)) => {
                assert!(message.contains(expected), "{expected}: got {message}")
            }
            Err(other) => panic!("{expected}: got {other}"),
            Ok(_) => panic!("{expected}: accepted"),
        }
    }
    assert!(parse_token_file(good.expose(), None).is_ok());
    assert!(matches!(
        t.vault.export_token_file("nonexistent", None),
        Err(Error::NotFound { .. })
    ));
    t.vault
        .create_token(request(TokenKind::Personal, "pat"))
        .expect("pat");
    assert!(matches!(
        t.vault.export_token_file("pat", None),
        Err(Error::InvalidState { .. })
    ));
}

/// A token file handed out goes out of date when what it says changes (name, APIs,
/// projects, expiry, key), not for a description; the next export makes it current.
#[test]
fn a_handed_out_token_file_is_out_of_date_after_a_change_to_what_it_says() {
    use tessera_core::lifecycle::TokenChanges;
    let mut t = TestVault::new();
    let (id, _) = t.make(TokenKind::Rsa, "partner");
    let stale = |t: &TestVault| {
        t.vault
            .stale_token_files(&[&id])
            .expect("stale")
            .get(&id)
            .copied()
    };
    // Never handed out: nothing to be out of date.
    t.vault
        .modify_token(
            "partner",
            TokenChanges {
                name: Some("partner 2".into()),
                ..TokenChanges::default()
            },
        )
        .expect("rename");
    assert_eq!(stale(&t), None);
    t.vault
        .export_token_file("partner 2", None)
        .expect("export");
    assert_eq!(stale(&t), None);
    t.vault
        .modify_token(
            "partner 2",
            TokenChanges {
                description: Some("notes".into()),
                ..TokenChanges::default()
            },
        )
        .expect("describe");
    assert_eq!(stale(&t), None, "the file says nothing of the description");
    let edit = TokenChanges {
        apis: Some(vec!["billing".into(), "search".into()]),
        ..TokenChanges::default()
    };
    t.vault.modify_token("partner 2", edit).expect("edit APIs");
    let since = stale(&t).expect("out of date after an APIs change");
    t.vault
        .modify_token(
            "partner 2",
            TokenChanges {
                description: Some("more".into()),
                ..TokenChanges::default()
            },
        )
        .expect("describe");
    assert_eq!(stale(&t), Some(since), "since the first change");
    t.vault
        .export_token_file("partner 2", None)
        .expect("export");
    assert_eq!(stale(&t), None);
    t.vault.rotate_token("partner 2", None).expect("new key");
    assert!(
        stale(&t).is_some(),
        "a new key pair makes the file out of date"
    );
}
