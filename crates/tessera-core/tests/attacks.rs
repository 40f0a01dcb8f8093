//! The second security review's findings, each tested the way the attack goes: the
//! exploit is written out, and the test watches it fail.

use crate::util::{TestVault, at_once, request};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::time::Instant;
use tessera_core::Error;
use tessera_core::catalog::{Catalog, CatalogEntry};
use tessera_core::export::{Provenance, read_token_file};
use tessera_core::lifecycle::{NewToken, TokenChanges};
use tessera_core::token::TokenKind;
use tessera_core::verify::{Reason, Verification};

fn answer(
    t: &mut TestVault,
    presented: &str,
    api: Option<&str>,
    user: Option<&str>,
) -> Result<(), Reason> {
    // Verifying is what the presented string is for.
    match t.vault.verify(presented, api, user).expect("verify") {
        Verification::Active(_) => Ok(()),
        Verification::Inactive(reason) => Err(reason),
    }
}

fn secret_of(t: &mut TestVault, req: NewToken) -> String {
    let issued = t.vault.create_token(req).expect("create");
    // The test presents the secret it was handed.
    issued.secret.expect("secret").expose().to_string()
}

/// A presented token, the API and user asked about, and the answer.
type Case<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Result<(), Reason>,
);

/// Scopes fail closed: a token is good for an API or a user only when its scope says so.
#[test]
fn scopes_fail_closed_for_every_kind() {
    let mut t = TestVault::new();
    let workspace = secret_of(&mut t, request(TokenKind::Workspace, "ws"));
    let scoped = secret_of(&mut t, request(TokenKind::Personal, "scoped"));
    let unscoped = secret_of(&mut t, NewToken::new(TokenKind::Personal, "unscoped"));
    let mut every = NewToken::new(TokenKind::Personal, "every");
    every.apis = vec!["*".into()];
    let every = secret_of(&mut t, every);
    let service = secret_of(&mut t, request(TokenKind::Service, "svc"));
    let jwt = secret_of(&mut t, request(TokenKind::Jwt, "jwt"));
    let pasted = secret_of(&mut t, request(TokenKind::External, "pasted"));

    let cases: &[Case] = &[
        (&workspace, Some("payments"), None, Ok(())),
        (
            &workspace,
            None,
            Some("alice"),
            Err(Reason::UserNotAuthorized),
        ),
        (&scoped, Some("billing"), None, Ok(())),
        (&scoped, Some("search"), None, Err(Reason::ApiNotAuthorized)),
        (&scoped, None, Some("ada"), Err(Reason::UserNotAuthorized)),
        (&unscoped, None, None, Ok(())),
        (
            &unscoped,
            Some("billing"),
            None,
            Err(Reason::ApiNotAuthorized),
        ),
        (&every, Some("payments"), None, Ok(())),
        (
            &every,
            Some("billing"),
            Some("ada"),
            Err(Reason::UserNotAuthorized),
        ),
        (&service, Some("search"), None, Ok(())),
        (
            &service,
            Some("billing"),
            None,
            Err(Reason::ApiNotAuthorized),
        ),
        (&service, None, Some("ada"), Err(Reason::UserNotAuthorized)),
        (&jwt, Some("billing"), Some("ada"), Ok(())),
        (
            &jwt,
            Some("billing"),
            Some("grace"),
            Err(Reason::UserNotAuthorized),
        ),
        (
            &jwt,
            Some("search"),
            Some("ada"),
            Err(Reason::ApiNotAuthorized),
        ),
        (
            &pasted,
            Some("payments"),
            Some("alice"),
            Err(Reason::IssuedElsewhere),
        ),
        (&pasted, None, None, Err(Reason::IssuedElsewhere)),
    ];
    for (presented, api, user, expected) in cases {
        assert_eq!(
            answer(&mut t, presented, *api, *user),
            *expected,
            "{} for api {api:?}, user {user:?}",
            &presented[..6]
        );
    }
    let shown = t.vault.token("every").expect("token");
    assert!(shown.all_apis && shown.apis.is_empty());
    assert!(
        t.vault.token("ws").expect("ws").all_apis,
        "the workspace token by definition"
    );
    assert!(!t.vault.token("unscoped").expect("t").all_apis);

    // "Every API" is chosen, alone, and only where it is offered.
    for (kind, apis) in [
        (TokenKind::Rsa, vec!["*"]),
        (TokenKind::Jwt, vec!["*"]),
        (TokenKind::Workspace, vec!["*"]),
        (TokenKind::Personal, vec!["*", "billing"]),
    ] {
        let mut req = request(kind, &format!("star-{kind}"));
        req.apis = apis.iter().map(|a| a.to_string()).collect();
        assert!(
            matches!(t.vault.create_token(req), Err(Error::Invalid { .. })),
            "{kind} with {apis:?}"
        );
    }
    assert!(matches!(
        t.vault.catalog_add(Catalog::Api, CatalogEntry::named("*")),
        Err(Error::Invalid { .. })
    ));
    // An edit moves between the two, and back.
    let narrowed = TokenChanges {
        apis: Some(vec!["billing".into()]),
        ..TokenChanges::default()
    };
    t.vault.modify_token("every", narrowed).expect("narrow");
    assert_eq!(
        answer(&mut t, &every, Some("payments"), None),
        Err(Reason::ApiNotAuthorized)
    );
    assert_eq!(answer(&mut t, &every, Some("billing"), None), Ok(()));
}

/// Signs an assertion with the claims given, with the RSA token's own private key.
fn assertion(t: &mut TestVault, name: &str, claims: serde_json::Value) -> String {
    let pem = t.vault.export_pem(name, None).expect("pem");
    let key_id = t.vault.token(name).expect("token").key_id.expect("key id");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key_id);
    // Signing as the holder of the token file does.
    let key = EncodingKey::from_rsa_pem(pem.expose().as_bytes()).expect("key");
    jsonwebtoken::encode(&header, &claims, &key).expect("sign")
}

#[test]
fn rsa_assertions_expire_are_used_once_and_say_nothing_unsigned() {
    let mut t = TestVault::new();
    let (id, _) = t.make(TokenKind::Rsa, "partner");
    let now = t.vault.now();
    let good = |jti: &str| serde_json::json!({ "sub": id, "aud": "billing", "iat": now, "exp": now + 300, "jti": jti });
    // A lifetime that wraps: exp - iat overflows past the one-hour cap.
    let mut forever = good("forever");
    forever["exp"] = i64::MAX.into();
    forever["iat"] = (-1).into();
    let forever = assertion(&mut t, "partner", forever);
    assert_eq!(
        answer(&mut t, &forever, Some("billing"), None),
        Err(Reason::Malformed)
    );
    for missing in ["iat", "jti"] {
        let mut claims = good("missing");
        claims.as_object_mut().expect("object").remove(missing);
        let presented = assertion(&mut t, "partner", claims);
        assert_eq!(
            answer(&mut t, &presented, Some("billing"), None),
            Err(Reason::Malformed),
            "no {missing}"
        );
    }
    // The audience must be one of the token's APIs even when no API is asked about.
    for aud in [
        serde_json::Value::Null,
        "search".into(),
        serde_json::json!([]),
    ] {
        let mut claims = good(&format!("aud-{aud}"));
        claims["aud"] = aud.clone();
        let presented = assertion(&mut t, "partner", claims);
        assert_eq!(
            answer(&mut t, &presented, None, None),
            Err(Reason::ApiNotAuthorized),
            "aud {aud}"
        );
    }
    // One use per jti: a captured assertion does not work twice.
    let once = assertion(&mut t, "partner", good("once"));
    assert_eq!(answer(&mut t, &once, None, None), Ok(()));
    assert_eq!(
        answer(&mut t, &once, Some("billing"), None),
        Err(Reason::Replayed)
    );
    t.reopen();
    assert_eq!(
        answer(&mut t, &once, None, None),
        Err(Reason::Replayed),
        "after a reopen too"
    );
    assert_eq!(
        answer(&mut t, &once, None, Some("ada")),
        Err(Reason::UserNotAuthorized)
    );

    // No status oracle: a forged assertion for a revoked token learns "bad signature".
    let genuine = assertion(&mut t, "partner", good("genuine"));
    t.vault.revoke_token("partner").expect("revoke");
    let (head, rest) = genuine.split_once('.').expect("jwt");
    let (payload, _) = rest.split_once('.').expect("jwt");
    let forged = format!("{head}.{payload}.AAAA");
    assert_eq!(
        answer(&mut t, &forged, None, None),
        Err(Reason::BadSignature)
    );
    assert_eq!(answer(&mut t, &genuine, None, None), Err(Reason::Revoked));
    let events = t
        .vault
        .audit(&tessera_core::audit::AuditFilter {
            token: Some("partner".into()),
            ..Default::default()
        })
        .expect("audit");
    assert!(
        !events.iter().any(|e| e.detail == "bad_signature"),
        "an unsigned guess leaves no trace on the token"
    );
}

/// A token file whose key derivation asks for `params`, with a key that cannot decrypt.
fn hostile_file(
    t: &mut TestVault,
    params: pkcs8::pkcs5::pbes2::Parameters<'_>,
) -> std::path::PathBuf {
    use pkcs8::der::Encode;
    let info = pkcs8::EncryptedPrivateKeyInfo {
        encryption_algorithm: pkcs8::pkcs5::EncryptionScheme::Pbes2(params),
        encrypted_data: &[7u8; 1232],
    };
    let der = info.to_der().expect("der");
    let pem = pkcs8::der::pem::encode_string("ENCRYPTED PRIVATE KEY", pkcs8::LineEnding::LF, &der)
        .expect("pem");
    t.make(TokenKind::Rsa, "victim");
    let file = t.vault.export_token_file("victim", None).expect("export");
    // The test rewrites the file it was handed.
    let mut json: serde_json::Value = serde_json::from_str(file.expose()).expect("json");
    json["private_key"] = pem.into();
    let path = t.dir.path().join("hostile.json");
    std::fs::write(&path, json.to_string()).expect("write");
    t.vault.revoke_token("victim").expect("revoke");
    t.vault.delete_token("victim").expect("delete");
    path
}

#[test]
fn hostile_token_files_are_refused_at_once() {
    let salt = [1u8; 16];
    let iv = [2u8; 16];
    let huge_pbkdf2 =
        pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(100_000_000, &salt, &iv)
            .expect("p");
    let scrypt = pkcs8::pkcs5::scrypt::Params::new(30, 8, 1, 32).expect("scrypt");
    let huge_scrypt =
        pkcs8::pkcs5::pbes2::Parameters::scrypt_aes256cbc(scrypt, &salt, &iv).expect("p");
    for params in [huge_pbkdf2, huge_scrypt] {
        let mut t = TestVault::new();
        let path = hostile_file(&mut t, params);
        let json = read_token_file(&path).expect("read");
        let pass = tessera_core::Secret::new("guess".into());
        let started = Instant::now();
        let result = t
            .vault
            .import_token_file(json.expose(), Some(&pass), Provenance::ThisVault);
        assert!(
            matches!(result, Err(Error::BadTokenFile(ref m)) if m.contains("at most")),
            "{result:?}"
        );
        at_once(started, "refused before any derivation");
    }

    // Files that never end or never come: an error within a second.
    let t = TestVault::new();
    let fifo = t.dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    for path in [
        fifo.as_path(),
        std::path::Path::new("/dev/zero"),
        t.dir.path(),
    ] {
        let started = Instant::now();
        let result = read_token_file(path);
        assert!(
            matches!(result, Err(Error::BadTokenFile(_)) | Err(Error::Io { .. })),
            "{path:?}"
        );
        at_once(started, &format!("{path:?}"));
    }
    let big = t.dir.path().join("big.json");
    std::fs::write(&big, vec![b' '; 2 << 20]).expect("write");
    assert!(matches!(read_token_file(&big), Err(Error::BadTokenFile(m)) if m.contains("1 MiB")));
}

#[test]
fn a_token_file_from_another_vault_needs_consent() {
    let mut a = TestVault::new();
    a.make(TokenKind::Rsa, "theirs");
    let file = a.vault.export_token_file("theirs", None).expect("export");
    let mut b = TestVault::new();
    let refused = b
        .vault
        .import_token_file(file.expose(), None, Provenance::ThisVault);
    assert!(
        matches!(refused, Err(Error::BadTokenFile(ref m)) if m.contains("another vault")),
        "{refused:?}"
    );
    assert!(b.vault.token("theirs").is_err(), "nothing imported");
    b.vault
        .import_token_file(file.expose(), None, Provenance::AnyVault)
        .expect("with consent");
    let events = b.vault.audit(&Default::default()).expect("audit");
    assert!(
        events
            .iter()
            .any(|e| e.action.as_str() == "import" && e.detail.contains("another vault"))
    );

    // A file this vault issued comes back without the question.
    let mine = a.vault.export_token_file("theirs", None).expect("export");
    a.vault.revoke_token("theirs").expect("revoke");
    a.vault.delete_token("theirs").expect("delete");
    a.vault
        .import_token_file(mine.expose(), None, Provenance::ThisVault)
        .expect("own file");
}

/// SQLCipher's page HMAC binds a page to its number, not to the vault's generation:
/// an older page put back in place decrypts and authenticates. The attack: keep a copy,
/// revoke one token and rotate another, then put changed pages back, alone and in
/// combinations. The vault's seals must refuse every mix; nothing revoked or rotated
/// away may verify.
#[test]
fn pages_put_back_from_an_older_copy_never_revive_a_token() {
    // A small vault is checked whole at open; a large one, token by token.
    put_back_pages(60);
    put_back_pages(2_000);
}

fn put_back_pages(fillers: usize) {
    const PAGE: usize = 4096;
    let mut t = TestVault::new();
    let batch = (0..fillers)
        .map(|i| NewToken::new(TokenKind::Personal, format!("filler {i:04}")))
        .collect();
    t.vault.create_tokens(batch).expect("fillers");
    let revoked = secret_of(&mut t, request(TokenKind::Personal, "to revoke"));
    let rotated = secret_of(&mut t, request(TokenKind::Personal, "to rotate"));
    t.vault.checkpoint().expect("checkpoint");
    let old = std::fs::read(&t.paths.db).expect("old copy");
    t.vault.revoke_token("to revoke").expect("revoke");
    t.vault.rotate_token("to rotate", None).expect("rotate");
    t.vault.checkpoint().expect("checkpoint");
    let new = std::fs::read(&t.paths.db).expect("new file");
    // The anchors as they were then: each mix is opened on this machine as it was.
    let anchors = t.dir.path().join("state/anchors");
    let anchor_files: Vec<(std::ffi::OsString, Vec<u8>)> = std::fs::read_dir(&anchors)
        .expect("anchors")
        .map(|e| {
            let e = e.expect("entry");
            (e.file_name(), std::fs::read(e.path()).expect("anchor"))
        })
        .collect();
    let changed: Vec<usize> = (0..new.len() / PAGE)
        .filter(|&p| {
            (p + 1) * PAGE <= old.len()
                && old[p * PAGE..(p + 1) * PAGE] != new[p * PAGE..(p + 1) * PAGE]
        })
        .collect();
    assert!(changed.len() >= 3, "the change touched {changed:?}");

    let mut mixes: Vec<Vec<usize>> = changed.iter().map(|&p| vec![p]).collect();
    for (i, &a) in changed.iter().enumerate() {
        for &b in &changed[i + 1..] {
            mixes.push(vec![a, b]);
        }
    }
    for &p in &changed {
        mixes.push(changed.iter().copied().filter(|&q| q != p).collect());
    }
    mixes.push(changed.clone());

    let (mut refused, mut refused_at_verify, mut sound) = (0, 0, 0);
    for (n, mix) in mixes.iter().enumerate() {
        let dir = t.dir.path().join(format!("mix-{n}"));
        std::fs::create_dir(&dir).expect("dir");
        let mut bytes = new.clone();
        for &p in mix {
            bytes[p * PAGE..(p + 1) * PAGE].copy_from_slice(&old[p * PAGE..(p + 1) * PAGE]);
        }
        std::fs::write(dir.join("vault.db"), &bytes).expect("write");
        std::fs::copy(&t.paths.header, dir.join("vault.header.json")).expect("header");
        // The same machine: the anchor of the original vault applies.
        let state = t.dir.path().join(format!("state-{n}"));
        std::fs::create_dir_all(state.join("anchors")).expect("state");
        for (name, bytes) in &anchor_files {
            std::fs::write(state.join("anchors").join(name), bytes).expect("anchor");
        }
        let paths = tessera_core::VaultPaths::in_dir(&dir).with_state(&state);
        let mut vault = match tessera_core::Vault::open(&paths, &t.keys, None) {
            Err(err @ (Error::Damaged(_) | Error::RolledBack(_))) => {
                if std::env::var_os("SHOW_MIXES").is_some() {
                    eprintln!("{mix:?}: {err}");
                }
                refused += 1;
                continue;
            }
            Err(other) => panic!("pages {mix:?}: unexpected {other}"),
            Ok(vault) => vault,
        };
        // It opened (the pages put back leave the buckets adding up): then verify,
        // which checks the token it answers for, must not be fooled.
        for (presented, what) in [(&revoked, "revoked"), (&rotated, "rotated away")] {
            // Presenting the old secrets is the attack.
            match vault.verify(presented, None, None) {
                Ok(Verification::Active(_)) => panic!("pages {mix:?}: a {what} secret verifies"),
                Err(Error::Damaged(_)) => refused_at_verify += 1,
                Err(other) => panic!("pages {mix:?}: unexpected {other}"),
                Ok(Verification::Inactive(_)) => {}
            }
        }
        // Nor does `get` (or copy) hand out the secret rotated away.
        match vault.reveal_secret("to rotate", tessera_core::lifecycle::Purpose::Reveal) {
            Ok(shown) => assert_ne!(
                shown.expose(),
                rotated,
                "pages {mix:?}: get gave the old secret"
            ),
            Err(Error::Damaged(_)) => {}
            Err(other) => panic!("pages {mix:?}: unexpected {other}"),
        }
        // And the full check (`tessera check`) finds every mix that open let through
        // and that changed what a verification is answered from.
        match vault.check_integrity() {
            Err(Error::Damaged(_)) => {}
            // Pages can differ and mean the same (an index page laid out anew): then
            // what decides a verification must be today's.
            Ok(()) => {
                let token = vault.token("to revoke").expect("sound vault");
                assert!(
                    token.lifetime.revoked,
                    "pages {mix:?}: the full check let a revival through"
                );
                sound += 1;
            }
            Err(other) => panic!("pages {mix:?}: unexpected {other}"),
        }
    }
    // Which mixes open depends on where SQLite put the rows; some are always refused.
    assert!(refused > 0, "no mix was refused at open");
    if fillers < 2_000 {
        // Checked whole at open: only mixes that change nothing a verification reads
        // (an index or audit page laid out anew) open.
        assert_eq!(refused_at_verify, 0);
    }
    eprintln!(
        "{fillers} fillers, {} changed pages, {} mixes: {refused} refused at open, {refused_at_verify} answers refused at verify, {sound} sound by the full check",
        changed.len(),
        mixes.len()
    );
}

#[test]
fn the_vault_folder_is_kept_private_and_its_anchor_outside_it() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    let mut t = TestVault::new();
    assert_eq!(mode(&t.paths.db), 0o600, "private from creation");
    std::fs::set_permissions(&t.paths.dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(&t.paths.db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::fs::set_permissions(&t.paths.header, std::fs::Permissions::from_mode(0o666))
        .expect("chmod");
    t.reopen();
    assert_eq!(mode(&t.paths.dir), 0o700);
    assert_eq!(mode(&t.paths.db), 0o600);
    assert_eq!(mode(&t.paths.header), 0o600);

    // A state folder inside the vault folder is refused: a copy of the folder put back
    // would bring its older anchor along.
    let inside =
        tessera_core::VaultPaths::in_dir(&t.paths.dir).with_state(t.paths.dir.join("state"));
    assert!(matches!(
        tessera_core::Vault::open(&inside, &t.keys, None),
        Err(Error::Invalid { .. })
    ));
    let fresh = t.dir.path().join("fresh");
    let inside = tessera_core::VaultPaths::in_dir(&fresh).with_state(fresh.join(".state"));
    let made = tessera_core::Vault::create(&inside, tessera_core::NewProtection::Keyring, &t.keys);
    assert!(matches!(made, Err(Error::Invalid { .. })) && !fresh.exists());
}

/// A tampered header asks for key derivation that would stall every unlock.
#[test]
fn a_header_cannot_ask_for_an_endless_key_derivation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = tessera_core::VaultPaths::in_dir(dir.path().join("vault"))
        .with_state(dir.path().join("state"));
    let keys = tessera_core::keys::MemoryKeyStore::new();
    let pw = tessera_core::Secret::new("a long master password".into());
    drop(
        tessera_core::Vault::create(
            &paths,
            tessera_core::NewProtection::Password(
                tessera_core::MasterPassword::new(tessera_core::Secret::new(
                    "a long master password".into(),
                ))
                .expect("policy"),
            ),
            &keys,
        )
        .expect("create"),
    );
    let original = std::fs::read_to_string(&paths.header).expect("header");
    for (field, value) in [
        ("m_kib", "4194304"),
        ("t", "64"),
        ("p", "16"),
        ("m_kib", "262144"),
    ] {
        let mut header: serde_json::Value = serde_json::from_str(&original).expect("json");
        header["kdf"][field] = serde_json::from_str(value).expect("value");
        if field == "m_kib" && value == "262144" {
            header["kdf"]["t"] = 12.into(); // within each bound, but four times the work
        }
        std::fs::write(&paths.header, header.to_string()).expect("write");
        let started = Instant::now();
        let result = tessera_core::Vault::open(&paths, &keys, Some(&pw));
        assert!(
            matches!(result, Err(Error::Damaged(ref m)) if m.contains("out of range")),
            "{field}={value}: {result:?}"
        );
        at_once(started, "refused before deriving");
    }
    std::fs::write(&paths.header, original).expect("restore");
    tessera_core::Vault::open(&paths, &keys, Some(&pw)).expect("the real header opens");
}

/// What a `tokens` or `secrets` page put back alone leaves, made deterministic: rows
/// that say something else than their seals, written by a connection of its own with
/// the vault key (as the old page would read). `verify`, `get` and export refuse.
#[test]
fn rows_that_disagree_with_their_seals_answer_for_nothing() {
    // A small vault is checked whole at open; a large one, token by token.
    rows_that_disagree(0);
    rows_that_disagree(2_000);
}

fn rows_that_disagree(fillers: usize) {
    use tessera_core::keys::KeyStore;
    let mut t = TestVault::new();
    let batch = (0..fillers)
        .map(|i| NewToken::new(TokenKind::Personal, format!("filler {i}")))
        .collect();
    t.vault.create_tokens(batch).expect("fillers");
    let revoked = secret_of(&mut t, request(TokenKind::Personal, "revoked"));
    t.vault.revoke_token("revoked").expect("revoke");
    let rotated = secret_of(&mut t, request(TokenKind::Personal, "rotated"));
    let old_hash = {
        use sha2::Digest;
        sha2::Sha256::digest(rotated.as_bytes()).to_vec()
    };
    t.vault.rotate_token("rotated", None).expect("rotate");
    t.make(TokenKind::Rsa, "rsa");
    let id = |t: &mut TestVault, name: &str| t.vault.token(name).expect("token").id;
    let (revoked_id, rotated_id, rsa_id) = (
        id(&mut t, "revoked"),
        id(&mut t, "rotated"),
        id(&mut t, "rsa"),
    );
    let vault_id = tessera_core::header::Header::read(&t.paths.header)
        .expect("header")
        .vault_id;
    let key = t.keys.load(&vault_id).expect("key");
    let raw = rusqlite::Connection::open(&t.paths.db).expect("raw");
    let hex: String = key.expose().iter().map(|b| format!("{b:02x}")).collect();
    raw.pragma_update(None, "key", format!("x'{hex}'"))
        .expect("key");
    raw.execute(
        "UPDATE tokens SET revoked = 0, revoked_at = NULL WHERE id = ?1",
        [&revoked_id],
    )
    .expect("unrevoke");
    raw.execute(
        "UPDATE secrets SET value = ?2, hash = ?3 WHERE token_id = ?1",
        rusqlite::params![rotated_id, rotated.as_bytes(), old_hash],
    )
    .expect("old secret back");
    raw.execute("DELETE FROM token_apis WHERE token_id = ?1", [&rsa_id])
        .expect("scope");
    raw.execute("UPDATE tokens SET all_apis = 1 WHERE id = ?1", [&rsa_id])
        .expect("every API");
    drop(raw);

    if fillers == 0 {
        let reopened = tessera_core::Vault::open(&t.paths, &t.keys, None);
        assert!(
            matches!(reopened, Err(Error::Damaged(ref m)) if m.contains("older than the rest")),
            "{reopened:?}"
        );
        // The vault opened before the change answers token by token.
    } else {
        t.reopen();
    }
    for presented in [&revoked, &rotated] {
        // Presenting the secrets the rows would let through is the attack.
        let answer = t.vault.verify(presented, None, None);
        assert!(matches!(answer, Err(Error::Damaged(_))), "{answer:?}");
    }
    let shown = t
        .vault
        .reveal_secret("rotated", tessera_core::lifecycle::Purpose::Reveal);
    assert!(
        matches!(shown, Err(Error::Damaged(_))),
        "get handed out the old secret"
    );
    assert!(matches!(
        t.vault.export_token_file("rsa", None),
        Err(Error::Damaged(_))
    ));
}
