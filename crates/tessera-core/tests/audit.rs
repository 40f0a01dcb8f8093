use crate::util::{TestVault, contains};
use tessera_core::Secret;
use tessera_core::audit::AuditFilter;
use tessera_core::lifecycle::{Purpose, TokenChanges};
use tessera_core::token::TokenKind;

#[test]
fn every_action_is_audited_and_no_secret_enters_the_log() {
    let mut t = TestVault::new();
    let mut secrets: Vec<Secret> = Vec::new();
    for &kind in TokenKind::ALL {
        let (_, secret) = t.make(kind, &format!("a-{kind}"));
        secrets.extend(secret);
    }
    let (_, pat) = t.make(TokenKind::Personal, "audited");
    let pat = pat.expect("secret");
    t.vault.verify(pat.expose(), None, None).expect("verify");
    t.vault.verify("tsp_garbage", None, None).expect("verify");
    secrets.push(
        t.vault
            .reveal_secret("audited", Purpose::Copy)
            .expect("copy"),
    );
    secrets.push(
        t.vault
            .reveal_secret("audited", Purpose::Reveal)
            .expect("reveal"),
    );
    t.vault
        .modify_token(
            "audited",
            TokenChanges {
                description: Some("d".into()),
                ..Default::default()
            },
        )
        .expect("modify");
    secrets.extend(
        t.vault
            .rotate_token("audited", None)
            .expect("rotate")
            .secret,
    );
    secrets.push(t.vault.export_token_file("a-rsa", None).expect("export"));
    t.vault.revoke_token("audited").expect("revoke");
    let _ = t.vault.revoke_token("audited");
    t.vault.restore_token("audited").expect("restore");
    let _ = t.vault.delete_token("audited");
    // A secret typed where a name belongs must not reach the log either.
    let _ = t.vault.revoke_token(pat.expose());
    t.vault.revoke_token("audited").expect("revoke");
    t.vault.delete_token("audited").expect("delete");
    secrets.push(pat);

    let events = t.vault.audit(&AuditFilter::default()).expect("audit");
    let actions: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    for expected in [
        ("create", "ok"),
        ("verify", "active"),
        ("verify", "inactive"),
        ("copy", "ok"),
        ("reveal", "ok"),
        ("modify", "ok"),
        ("rotate", "ok"),
        ("export", "ok"),
        ("revoke", "ok"),
        ("revoke", "failed"),
        ("restore", "ok"),
        ("delete", "failed"),
        ("delete", "ok"),
    ] {
        assert!(
            actions.contains(&expected),
            "missing {expected:?} in {actions:?}"
        );
    }
    assert!(events.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let deleted = t
        .vault
        .audit(&AuditFilter {
            token: Some("audited".into()),
            ..Default::default()
        })
        .expect("filter");
    assert!(
        deleted.len() >= 8
            && deleted
                .iter()
                .all(|e| e.token_name.as_deref() == Some("audited"))
    );
    let failures = t
        .vault
        .audit(&AuditFilter {
            succeeded: Some(false),
            ..Default::default()
        })
        .expect("filter");
    assert!(
        failures
            .iter()
            .all(|e| e.outcome.as_str() == "failed" || e.outcome.as_str() == "inactive")
    );

    for event in &events {
        let text = format!(
            "{} {} {:?} {:?} {} {}",
            event.at, event.action, event.token_id, event.token_name, event.outcome, event.detail
        );
        for secret in &secrets {
            // The test looks for each secret in the log.
            for line in secret.expose().lines().filter(|l| l.len() > 16) {
                assert!(
                    !contains(text.as_bytes(), line.as_bytes()),
                    "secret in audit event {}",
                    event.id
                );
            }
        }
    }
}

#[test]
fn the_log_is_append_only() {
    let t = TestVault::new();
    drop(t.vault);
    let header = tessera_core::header::Header::read(&t.paths.header).expect("header");
    let key = tessera_core::keys::KeyStore::load(&t.keys, &header.vault_id).expect("key");
    let conn = rusqlite::Connection::open(&t.paths.db).expect("open");
    let hex: String = key.expose().iter().map(|b| format!("{b:02x}")).collect();
    conn.pragma_update(None, "key", format!("x'{hex}'"))
        .expect("key");
    assert!(conn.execute("UPDATE audit SET outcome = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM audit", []).is_err());
    let n: i64 = conn
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .expect("count");
    assert!(n >= 6);
}
