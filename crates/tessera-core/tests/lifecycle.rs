use crate::util::{START, TestVault, request};
use tessera_core::Error;
use tessera_core::catalog::{Catalog, CatalogEntry};
use tessera_core::clock::DAY;
use tessera_core::lifecycle::{NewToken, Purpose, TokenChanges};
use tessera_core::token::{Expiry, Status, TokenKind};

fn invalid_state(result: Result<impl std::fmt::Debug, Error>, action: &str) {
    match result {
        Err(Error::InvalidState { action: a, .. }) => assert_eq!(a, action),
        other => panic!("expected a refused {action}, got {other:?}"),
    }
}

#[test]
fn every_kind_is_created_active_and_not_used() {
    let mut t = TestVault::new();
    for &kind in TokenKind::ALL {
        let name = format!("my {kind} token");
        let issued = t.vault.create_token(request(kind, &name)).expect("create");
        assert_eq!(issued.token.kind, kind);
        assert_eq!(issued.token.name, name);
        assert_eq!(issued.token.status(t.vault.now()), Status::Active);
        assert_eq!(issued.token.last_used_at, None, "not used yet");
        assert_eq!(issued.secret.is_some(), kind != TokenKind::Rsa, "{kind}");
        if let Some(prefix) = kind.random_prefix() {
            // The test inspects the value it was just given.
            assert!(
                issued
                    .secret
                    .as_ref()
                    .is_some_and(|s| s.expose().starts_with(prefix))
            );
        }
    }
    let rsa = t.vault.token("my rsa token").expect("rsa");
    assert_eq!(rsa.apis, ["billing"]);
    assert_eq!(rsa.projects, ["apollo"]);
    assert!(rsa.key_id.is_some());
    let service = t
        .vault
        .token("MY SERVICE TOKEN")
        .expect("lookup ignores case");
    assert_eq!(service.service_account.as_deref(), Some("ci-bot"));
}

#[test]
fn names_are_unique_case_insensitively_and_validated() {
    let mut t = TestVault::new();
    t.make(TokenKind::Personal, "Deploy");
    for name in ["deploy", "DEPLOY", "  Deploy  "] {
        let err = t
            .vault
            .create_token(request(TokenKind::Jwt, name))
            .expect_err("taken");
        assert!(matches!(err, Error::NameTaken { .. }), "{name}: {err}");
    }
    for name in ["", "   ", &"x".repeat(101), "tab\there"] {
        let err = t
            .vault
            .create_token(request(TokenKind::Personal, name))
            .expect_err("invalid");
        assert!(
            matches!(err, Error::Invalid { field: "name", .. }),
            "{name:?}: {err}"
        );
    }
    t.make(TokenKind::Personal, "other");
    let err = t
        .vault
        .modify_token(
            "other",
            TokenChanges {
                name: Some("DEPLOY".into()),
                ..Default::default()
            },
        )
        .expect_err("rename onto a taken name");
    assert!(matches!(err, Error::NameTaken { .. }));
    t.vault
        .modify_token(
            "deploy",
            TokenChanges {
                name: Some("deploy".into()),
                ..Default::default()
            },
        )
        .expect("a token may keep its own name in another case");
    assert!(!t.vault.name_available("OTHER", None).expect("check"));
    assert!(
        t.vault
            .name_available("OTHER", Some("other"))
            .expect("check")
    );
}

#[test]
fn fields_that_do_not_fit_the_kind_are_refused() {
    let mut t = TestVault::new();
    let mut req = request(TokenKind::Personal, "p");
    req.projects = vec!["apollo".into()];
    assert!(matches!(
        t.vault.create_token(req),
        Err(Error::Invalid {
            field: "projects",
            ..
        })
    ));
    let mut req = request(TokenKind::Service, "s");
    req.service_account = None;
    assert!(matches!(
        t.vault.create_token(req),
        Err(Error::Invalid {
            field: "service account",
            ..
        })
    ));
    let mut req = request(TokenKind::Personal, "p");
    req.apis = vec!["no such api".into()];
    assert!(matches!(
        t.vault.create_token(req),
        Err(Error::NotFound { what: "API", .. })
    ));
    assert!(
        t.vault.token("p").is_err(),
        "a failed create leaves nothing"
    );
    let mut req = request(TokenKind::External, "e");
    req.value = Some(tessera_core::Secret::new("has space".into()));
    assert!(matches!(
        t.vault.create_token(req),
        Err(Error::Invalid { .. })
    ));
    let mut req = request(TokenKind::Rsa, "r");
    req.rsa_bits = Some(1024);
    assert!(t.vault.create_token(req).is_err());
    t.make(TokenKind::Workspace, "ws");
    assert!(
        t.vault
            .create_token(request(TokenKind::Workspace, "ws2"))
            .is_err(),
        "one workspace token"
    );
}

#[test]
fn expiry_must_be_in_the_future_and_drives_status() {
    let mut t = TestVault::new();
    let mut req = request(TokenKind::Personal, "old");
    req.expires = Expiry::At(START - 1);
    assert!(matches!(
        t.vault.create_token(req),
        Err(Error::Invalid {
            field: "expiry",
            ..
        })
    ));
    let mut req = request(TokenKind::Personal, "soon");
    req.expires = Expiry::parse("10d", START).expect("10d");
    t.vault.create_token(req).expect("create");
    let now = || START;
    assert_eq!(
        t.vault.token("soon").expect("t").status(now()),
        Status::Active
    );
    t.clock.advance(4 * DAY);
    assert_eq!(
        t.vault.token("soon").expect("t").status(t.vault.now()),
        Status::ExpiringSoon
    );
    t.clock.advance(6 * DAY);
    assert_eq!(
        t.vault.token("soon").expect("t").status(t.vault.now()),
        Status::Expired
    );
}

#[test]
fn revoke_restore_delete_follow_the_rules() {
    let mut t = TestVault::new();
    let (id, _) = t.make(TokenKind::Personal, "cycle");
    invalid_state(t.vault.delete_token("cycle"), "delete");
    invalid_state(t.vault.restore_token("cycle"), "restore");
    let revoked = t.vault.revoke_token("cycle").expect("revoke");
    assert_eq!(revoked.status(START), Status::Revoked);
    assert_eq!(revoked.revoked_at, Some(START));
    invalid_state(t.vault.revoke_token("cycle"), "revoke");
    invalid_state(t.vault.rotate_token("cycle", None), "rotate");
    let restored = t.vault.restore_token(&id).expect("restore by id");
    assert_eq!(restored.status(START), Status::Active);
    assert_eq!(restored.revoked_at, None);
    t.vault.revoke_token("cycle").expect("revoke again");
    t.vault.delete_token("CYCLE").expect("delete");
    assert!(matches!(t.vault.token(&id), Err(Error::NotFound { .. })));
    assert!(matches!(
        t.vault.restore_token(&id),
        Err(Error::NotFound { .. })
    ));
    t.make(TokenKind::Personal, "cycle");
}

#[test]
fn rotation_replaces_the_secret_and_restarts_the_security_period() {
    let mut t = TestVault::new();
    let mut req = request(TokenKind::Workspace, "ws");
    req.rotation_days = Some(30);
    let first = t
        .vault
        .create_token(req)
        .expect("create")
        .secret
        .expect("secret");
    t.clock.advance(31 * DAY);
    assert_eq!(
        t.vault.token("ws").expect("t").status(t.vault.now()),
        Status::RotationDue
    );
    let second = t
        .vault
        .rotate_token("ws", None)
        .expect("rotate")
        .secret
        .expect("secret");
    assert_ne!(first, second);
    assert_eq!(
        t.vault.token("ws").expect("t").status(t.vault.now()),
        Status::Active
    );
    assert_eq!(
        t.vault
            .reveal_secret("ws", Purpose::Reveal)
            .expect("reveal"),
        second
    );

    let (_, jwt) = t.make(TokenKind::Jwt, "jwt");
    let again = t
        .vault
        .rotate_token("jwt", None)
        .expect("rotate jwt")
        .secret;
    assert!(
        again.is_some() && again != jwt,
        "a JWT rotated in the same second still changes"
    );

    t.make(TokenKind::Rsa, "rsa");
    let key_before = t.vault.token("rsa").expect("t").key_id;
    t.vault.rotate_token("rsa", None).expect("rotate rsa");
    assert_ne!(t.vault.token("rsa").expect("t").key_id, key_before);

    t.make(TokenKind::External, "ext");
    assert!(
        t.vault.rotate_token("ext", None).is_err(),
        "external needs a new value"
    );
    let new_value = tessera_core::Secret::new("brand-new-external-value".into());
    t.vault
        .rotate_token("ext", Some(new_value))
        .expect("replace external");
    // The test checks the value it stored.
    assert_eq!(
        t.vault
            .reveal_secret("ext", Purpose::Copy)
            .expect("reveal")
            .expose(),
        "brand-new-external-value"
    );
}

#[test]
fn modify_changes_metadata_and_resigns_jwts() {
    let mut t = TestVault::new();
    let (_, old_jwt) = t.make(TokenKind::Jwt, "api jwt");
    let issued = t
        .vault
        .modify_token(
            "api jwt",
            TokenChanges {
                description: Some("for grace".into()),
                users: Some(vec!["grace".into()]),
                expires: Some(Expiry::parse("30d", START).expect("30d")),
                ..Default::default()
            },
        )
        .expect("modify");
    assert_eq!(issued.token.users, ["grace"]);
    assert_eq!(issued.token.description, "for grace");
    assert_eq!(issued.token.expires_at(), Some(START + 30 * DAY));
    assert!(issued.secret.is_some() && issued.secret != old_jwt);
    let err = t
        .vault
        .modify_token(
            "api jwt",
            TokenChanges {
                projects: Some(vec!["apollo".into()]),
                ..Default::default()
            },
        )
        .expect_err("JWTs have no projects");
    assert!(matches!(err, Error::Invalid { .. }));
    let err = t
        .vault
        .modify_token(
            "api jwt",
            TokenChanges {
                expires: Some(Expiry::At(START - 5)),
                ..Default::default()
            },
        )
        .expect_err("past");
    assert!(matches!(
        err,
        Error::Invalid {
            field: "expiry",
            ..
        }
    ));
}

#[test]
fn catalog_entries_in_use_cannot_be_removed() {
    let mut t = TestVault::new();
    t.make(TokenKind::Personal, "uses billing");
    let err = t
        .vault
        .catalog_remove(Catalog::Api, "billing")
        .expect_err("in use");
    assert!(matches!(err, Error::InUse { count: 1, .. }), "{err}");
    t.make(TokenKind::Service, "svc");
    assert!(matches!(
        t.vault.catalog_remove(Catalog::ServiceAccount, "ci-bot"),
        Err(Error::InUse { .. })
    ));
    t.vault
        .catalog_rename(Catalog::Api, "billing", "payments")
        .expect("rename");
    assert_eq!(t.vault.token("uses billing").expect("t").apis, ["payments"]);
    assert!(matches!(
        t.vault
            .catalog_add(Catalog::Api, CatalogEntry::named("PAYMENTS")),
        Err(Error::NameTaken { .. })
    ));
    t.vault
        .catalog_remove(Catalog::Api, "search")
        .expect_err("svc uses search");
    t.vault
        .catalog_remove(Catalog::User, "grace")
        .expect("unused");
    let users: Vec<String> = t
        .vault
        .catalog_list(Catalog::User)
        .expect("list")
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(users, ["ada"]);
    assert!(matches!(
        t.vault.catalog_remove(Catalog::User, "grace"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn rsa_tokens_are_not_revealed_as_text() {
    let mut t = TestVault::new();
    t.make(TokenKind::Rsa, "rsa");
    invalid_state(t.vault.reveal_secret("rsa", Purpose::Copy), "copy");
    let req = NewToken {
        rsa_bits: Some(3072),
        ..request(TokenKind::Rsa, "rsa3072")
    };
    let issued = t.vault.create_token(req).expect("3072");
    assert!(issued.secret.is_none(), "an RSA token has no text secret");
    let pem = t.vault.public_key_pem("rsa3072").expect("public key");
    let key = <rsa::RsaPublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_pem(&pem)
        .expect("SPKI PEM");
    assert_eq!(rsa::traits::PublicKeyParts::size(&key) * 8, 3072);
    invalid_state(t.vault.reveal_secret("rsa3072", Purpose::Copy), "copy");
}

#[test]
fn a_batch_is_created_whole_or_not_at_all() {
    let mut t = TestVault::new();
    let batch = vec![
        request(TokenKind::Personal, "one"),
        request(TokenKind::Jwt, "two"),
        request(TokenKind::Personal, "ONE"),
    ];
    assert!(matches!(
        t.vault.create_tokens(batch),
        Err(Error::NameTaken { .. })
    ));
    assert!(t.vault.token("one").is_err() && t.vault.token("two").is_err());
    let batch = vec![
        request(TokenKind::Personal, "one"),
        request(TokenKind::Jwt, "two"),
    ];
    assert_eq!(t.vault.create_tokens(batch).expect("batch").len(), 2);
}
