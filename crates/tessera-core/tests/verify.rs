use crate::util::{TestVault, request};
use tessera_core::clock::DAY;
use tessera_core::lifecycle::TokenChanges;
use tessera_core::token::{Expiry, JwtAlg, TokenKind};
use tessera_core::verify::{Reason, Verification};

fn reason(v: Verification) -> Reason {
    match v {
        Verification::Inactive(reason) => reason,
        Verification::Active(token) => panic!("expected inactive, got active {}", token.name),
    }
}

#[test]
fn each_kind_verifies_and_records_last_use() {
    let mut t = TestVault::new();
    let mut secrets = Vec::new();
    for kind in [
        TokenKind::Workspace,
        TokenKind::Personal,
        TokenKind::Service,
        TokenKind::Jwt,
    ] {
        let (id, secret) = t.make(kind, &format!("v-{kind}"));
        secrets.push((id, secret.expect("secret"), kind));
    }
    for alg in [JwtAlg::Rs256, JwtAlg::EdDsa] {
        let mut req = request(TokenKind::Jwt, &format!("jwt-{}", alg.as_str()));
        req.jwt_alg = Some(alg);
        let issued = t.vault.create_token(req).expect("jwt");
        secrets.push((
            issued.token.id,
            issued.secret.expect("secret"),
            TokenKind::Jwt,
        ));
    }
    t.clock.advance(3_600);
    for (id, secret, kind) in &secrets {
        // Verifying is what the secret is for.
        match t.vault.verify(secret.expose(), None, None).expect("verify") {
            Verification::Active(token) => {
                assert_eq!(&token.id, id);
                assert_eq!(token.kind, *kind);
            }
            Verification::Inactive(r) => panic!("{kind} inactive: {r}"),
        }
    }
    t.vault.flush_usage().expect("flush");
    for (id, _, _) in &secrets {
        let token = t.vault.token(id).expect("token");
        assert_eq!(token.use_count, 1);
        assert_eq!(token.last_used_at, Some(t.vault.now()));
        assert_eq!(token.last_used_at, Some(t.vault.now()), "last use recorded");
    }
}

#[test]
fn last_use_survives_a_reopen_without_explicit_flush() {
    let mut t = TestVault::new();
    let (_, secret) = t.make(TokenKind::Personal, "p");
    let secret = secret.expect("secret");
    for _ in 0..3 {
        assert!(
            t.vault
                .verify(secret.expose(), None, None)
                .expect("verify")
                .is_active()
        );
    }
    t.reopen();
    assert_eq!(t.vault.token("p").expect("t").use_count, 3);
}

#[test]
fn revoked_expired_and_replaced_tokens_never_verify() {
    let mut t = TestVault::new();
    let mut req = request(TokenKind::Personal, "short");
    req.expires = Expiry::parse("1d", t.vault.now()).expect("1d");
    let short = t
        .vault
        .create_token(req)
        .expect("create")
        .secret
        .expect("secret");
    let mut req = request(TokenKind::Jwt, "short jwt");
    req.expires = Expiry::parse("1d", t.vault.now()).expect("1d");
    let short_jwt = t
        .vault
        .create_token(req)
        .expect("create")
        .secret
        .expect("secret");
    let (_, revoked) = t.make(TokenKind::Service, "revoked");
    let revoked = revoked.expect("secret");
    let (_, revoked_jwt) = t.make(TokenKind::Jwt, "revoked jwt");
    let revoked_jwt = revoked_jwt.expect("secret");
    t.vault.revoke_token("revoked").expect("revoke");
    t.vault.revoke_token("revoked jwt").expect("revoke");
    assert_eq!(
        reason(t.vault.verify(revoked.expose(), None, None).expect("v")),
        Reason::Revoked
    );
    assert_eq!(
        reason(t.vault.verify(revoked_jwt.expose(), None, None).expect("v")),
        Reason::Revoked
    );
    t.vault.restore_token("revoked").expect("restore");
    assert!(
        t.vault
            .verify(revoked.expose(), None, None)
            .expect("v")
            .is_active()
    );

    assert!(
        t.vault
            .verify(short.expose(), None, None)
            .expect("v")
            .is_active()
    );
    t.clock.advance(DAY);
    assert_eq!(
        reason(t.vault.verify(short.expose(), None, None).expect("v")),
        Reason::Expired
    );
    assert_eq!(
        reason(t.vault.verify(short_jwt.expose(), None, None).expect("v")),
        Reason::Expired
    );

    let (_, old) = t.make(TokenKind::Personal, "rotated");
    let new = t
        .vault
        .rotate_token("rotated", None)
        .expect("rotate")
        .secret
        .expect("secret");
    assert_eq!(
        reason(
            t.vault
                .verify(old.expect("old").expose(), None, None)
                .expect("v")
        ),
        Reason::Unknown
    );
    assert!(
        t.vault
            .verify(new.expose(), None, None)
            .expect("v")
            .is_active()
    );

    let (_, old_jwt) = t.make(TokenKind::Jwt, "re-signed");
    t.vault
        .modify_token(
            "re-signed",
            TokenChanges {
                description: Some("x".into()),
                ..Default::default()
            },
        )
        .expect("modify");
    assert_eq!(
        reason(
            t.vault
                .verify(old_jwt.expect("old").expose(), None, None)
                .expect("v")
        ),
        Reason::Unknown
    );
}

#[test]
fn scopes_are_enforced() {
    let mut t = TestVault::new();
    let (_, pat) = t.make(TokenKind::Personal, "billing only");
    let pat = pat.expect("secret");
    assert!(
        t.vault
            .verify(pat.expose(), Some("billing"), None)
            .expect("v")
            .is_active()
    );
    assert!(
        t.vault
            .verify(pat.expose(), Some("BILLING"), None)
            .expect("v")
            .is_active()
    );
    assert_eq!(
        reason(
            t.vault
                .verify(pat.expose(), Some("search"), None)
                .expect("v")
        ),
        Reason::ApiNotAuthorized
    );
    let (_, jwt) = t.make(TokenKind::Jwt, "jwt for ada");
    let jwt = jwt.expect("secret");
    assert!(
        t.vault
            .verify(jwt.expose(), Some("billing"), Some("ada"))
            .expect("v")
            .is_active()
    );
    assert_eq!(
        reason(
            t.vault
                .verify(jwt.expose(), None, Some("grace"))
                .expect("v")
        ),
        Reason::UserNotAuthorized
    );
    assert_eq!(
        reason(
            t.vault
                .verify(jwt.expose(), Some("search"), None)
                .expect("v")
        ),
        Reason::ApiNotAuthorized
    );
    let (_, ws) = t.make(TokenKind::Workspace, "ws");
    assert!(
        t.vault
            .verify(ws.expect("ws").expose(), Some("anything"), None)
            .expect("v")
            .is_active(),
        "no scope list, no restriction"
    );
}

#[test]
fn malformed_and_unknown_strings_get_precise_reasons() {
    let mut t = TestVault::new();
    let (_, pat) = t.make(TokenKind::Personal, "p");
    let pat = pat.expect("secret");
    // The test alters a copy of the value.
    let mut typo = pat.expose().to_string();
    let c = if typo.as_bytes()[8] == b'x' { "y" } else { "x" };
    typo.replace_range(8..9, c);
    let cases = [
        (typo.as_str(), Reason::BadChecksum),
        ("tsp_tooshort", Reason::Malformed),
        ("", Reason::Malformed),
        ("   ", Reason::Malformed),
        ("hello", Reason::Unknown),
        ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", Reason::Malformed),
        ("a.b.c", Reason::Malformed),
    ];
    for (input, expected) in cases {
        assert_eq!(
            reason(t.vault.verify(input, None, None).expect("v")),
            expected,
            "{input:?}"
        );
    }
    let other = tessera_core::generate::random::generate(TokenKind::Personal).expect("random");
    assert_eq!(
        reason(t.vault.verify(other.expose(), None, None).expect("v")),
        Reason::Unknown
    );
    let big = "a".repeat(100_000) + "." + &"b".repeat(10) + ".c";
    assert_eq!(
        reason(t.vault.verify(&big, None, None).expect("v")),
        Reason::Malformed
    );
}

#[test]
fn a_jwt_from_another_vault_is_not_trusted() {
    let mut a = TestVault::new();
    let mut b = TestVault::new();
    let (_, jwt) = a.make(TokenKind::Jwt, "a's jwt");
    let r = reason(
        b.vault
            .verify(jwt.expect("jwt").expose(), None, None)
            .expect("v"),
    );
    assert!(matches!(r, Reason::BadSignature | Reason::Unknown), "{r}");
}

#[test]
fn an_external_token_shaped_like_a_jwt_is_found_by_value_and_issued_elsewhere() {
    let mut t = TestVault::new();
    let mut req = request(TokenKind::External, "cloud session");
    let foreign_jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImNsb3VkIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    req.value = Some(tessera_core::Secret::new(foreign_jwt.into()));
    t.vault.create_token(req).expect("create");
    assert_eq!(
        reason(t.vault.verify(foreign_jwt, None, None).expect("v")),
        Reason::IssuedElsewhere
    );
    t.vault.revoke_token("cloud session").expect("revoke");
    assert_eq!(
        reason(t.vault.verify(foreign_jwt, None, None).expect("v")),
        Reason::IssuedElsewhere
    );
}

/// Verification remembers the tokens it found until the vault changes: a second
/// connection (another process) that revokes a token, narrows its APIs or shortens its
/// expiry is seen by the very next verification of the first, and the clock alone
/// ends a remembered token's life.
#[test]
fn a_remembered_token_follows_every_change_made_elsewhere_and_the_clock() {
    let mut t = TestVault::new();
    let mut secrets = Vec::new();
    for (kind, name) in [(TokenKind::Personal, "p"), (TokenKind::Jwt, "j")] {
        let (_, secret) = t.make(kind, name);
        secrets.push((name, secret.expect("secret")));
    }
    let active = |t: &mut TestVault, secret: &tessera_core::Secret, api: Option<&str>| {
        t.vault.verify(secret.expose(), api, None).expect("verify")
    };
    for (_, secret) in &secrets {
        for _ in 0..3 {
            assert!(active(&mut t, secret, Some("billing")).is_active());
        }
    }
    let mut other = tessera_core::Vault::open(&t.paths, &t.keys, None).expect("second");
    // Narrowed elsewhere: the API it was good for is gone.
    other
        .modify_token(
            "p",
            TokenChanges {
                apis: Some(vec!["search".into()]),
                ..Default::default()
            },
        )
        .expect("narrow");
    assert_eq!(
        reason(active(&mut t, &secrets[0].1, Some("billing"))),
        Reason::ApiNotAuthorized
    );
    assert!(active(&mut t, &secrets[0].1, Some("search")).is_active());
    // Revoked elsewhere, after being found again.
    other.revoke_token("j").expect("revoke");
    assert_eq!(reason(active(&mut t, &secrets[1].1, None)), Reason::Revoked);
    other.revoke_token("p").expect("revoke");
    assert_eq!(reason(active(&mut t, &secrets[0].1, None)), Reason::Revoked);
    drop(other);

    // A token found and remembered expires with the clock, nothing committed between.
    let mut req = request(TokenKind::Personal, "short");
    req.expires = Expiry::parse("1d", t.vault.now()).expect("1d");
    let short = t.vault.create_token(req).expect("short").secret.expect("s");
    let mut req = request(TokenKind::Jwt, "short jwt");
    req.expires = Expiry::parse("1d", t.vault.now()).expect("1d");
    let short_jwt = t.vault.create_token(req).expect("short").secret.expect("s");
    for secret in [&short, &short_jwt] {
        assert!(active(&mut t, secret, None).is_active());
        assert!(active(&mut t, secret, None).is_active());
    }
    t.clock.advance(DAY + 60);
    for secret in [&short, &short_jwt] {
        assert_eq!(reason(active(&mut t, secret, None)), Reason::Expired);
    }
}

/// The flush of buffered uses keeps what verification remembers (it changes no token),
/// but not past a change made elsewhere before it: a revocation by another process
/// between a verification and the flush is seen by the next verification.
#[test]
fn a_flush_keeps_the_memory_but_not_past_a_revocation_elsewhere() {
    let mut t = TestVault::new();
    let (_, secret) = t.make(TokenKind::Personal, "p");
    let secret = secret.expect("secret");
    let verify = |t: &mut TestVault| t.vault.verify(secret.expose(), None, None).expect("v");
    assert!(verify(&mut t).is_active());
    t.vault.flush_usage().expect("flush");
    assert!(verify(&mut t).is_active());
    let mut other = tessera_core::Vault::open(&t.paths, &t.keys, None).expect("second");
    other.revoke_token("p").expect("revoke");
    t.vault.flush_usage().expect("flush");
    assert_eq!(reason(verify(&mut t)), Reason::Revoked);
    // Restored elsewhere, then the same again with the flush first.
    other.restore_token("p").expect("restore");
    assert!(verify(&mut t).is_active());
    t.vault.flush_usage().expect("flush");
    other.revoke_token("p").expect("revoke");
    assert_eq!(reason(verify(&mut t)), Reason::Revoked);
}

/// Answers from memory are audited and counted as uses one by one, as the first is.
#[test]
fn every_remembered_verification_is_audited_and_counted() {
    let mut t = TestVault::new();
    let (_, secret) = t.make(TokenKind::Personal, "counted");
    let secret = secret.expect("secret");
    for _ in 0..25 {
        assert!(
            t.vault
                .verify(secret.expose(), None, None)
                .expect("verify")
                .is_active()
        );
    }
    let events = t
        .vault
        .audit(&tessera_core::audit::AuditFilter {
            action: Some(tessera_core::audit::AuditAction::Verify),
            token: Some("counted".into()),
            ..Default::default()
        })
        .expect("audit");
    assert_eq!(events.len(), 25);
    assert_eq!(t.vault.token("counted").expect("token").use_count, 25);
}
