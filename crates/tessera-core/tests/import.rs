//! Import from every format, each from a file these tests write with tricky entries:
//! values kept byte for byte, imported + skipped = the entries, a second import with
//! `skip` adds nothing, a dry run writes nothing.

use crate::util::{START, TestVault};
use std::io::Write;
use tessera_core::imports::{Format, ImportReport, OnConflict};
use tessera_core::lifecycle::Purpose;
use tessera_core::{Error, Secret};

fn import(t: &mut TestVault, format: Format, bytes: &[u8], password: Option<&str>) -> ImportReport {
    let password = password.map(|p| Secret::new(p.into()));
    t.vault
        .import_bytes(format, bytes, password.as_ref(), OnConflict::Skip, false)
        .expect("import")
}

fn secret(t: &mut TestVault, name: &str) -> String {
    t.vault
        .reveal_secret(name, Purpose::Reveal)
        .expect("secret")
        .expose()
        .to_string()
}

/// Imports, checks the count adds up to `entries`, then that a second import adds
/// nothing and a dry run writes nothing.
fn imports_exactly(
    t: &mut TestVault,
    format: Format,
    bytes: &[u8],
    password: Option<&str>,
    entries: usize,
) -> ImportReport {
    let dry = {
        let password = password.map(|p| Secret::new(p.into()));
        t.vault
            .import_bytes(format, bytes, password.as_ref(), OnConflict::Skip, true)
            .expect("dry run")
    };
    let report = import(t, format, bytes, password);
    assert_eq!(
        dry.tokens, report.tokens,
        "the dry run said what the import did"
    );
    assert_eq!(
        report.imported as usize + report.skipped.len(),
        entries,
        "imported and skipped add up: {report:#?}"
    );
    let again = import(t, format, bytes, password);
    assert_eq!(
        again.imported, 0,
        "a second import adds nothing: {again:#?}"
    );
    assert_eq!(again.skipped.len(), entries);
    report
}

fn jwt(exp: i64) -> String {
    use base64::Engine;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        e.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        e.encode(format!(r#"{{"sub":"ci","exp":{exp}}}"#))
    )
}

#[test]
fn dotenv_values_are_kept_byte_for_byte() {
    let mut t = TestVault::new();
    let future = jwt(START + 86_400 * 30);
    let text = format!(
        "# deploy secrets\n\
         export STRIPE_KEY=sk_live_51Habc$notavar\n\
         QUOTED='single $HOME \"dq\" # not a comment'\n\
         DOUBLE=\"tab\\there \\\"quoted\\\" $PATH\"\n\
         HASH=abc#def   # a comment\n\
         PEM=\"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\"\n\
         SESSION_JWT={future}\n\
         OLD_JWT={}\n\
         EMPTY=\n\
         not an assignment\n\
         1BAD=x\n",
        jwt(START - 60)
    );
    let report = imports_exactly(&mut t, Format::Dotenv, text.as_bytes(), None, 10);
    assert_eq!(report.imported, 6, "{report:#?}");
    assert_eq!(secret(&mut t, "STRIPE_KEY"), "sk_live_51Habc$notavar");
    assert_eq!(
        secret(&mut t, "QUOTED"),
        "single $HOME \"dq\" # not a comment"
    );
    assert_eq!(secret(&mut t, "DOUBLE"), "tab\there \"quoted\" $PATH");
    assert_eq!(secret(&mut t, "HASH"), "abc#def");
    assert_eq!(
        secret(&mut t, "PEM"),
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----"
    );
    let session = t.vault.token("SESSION_JWT").expect("token");
    assert_eq!(
        session.expires_at(),
        Some(START + 86_400 * 30),
        "a JWT keeps its exp"
    );
    assert_eq!(
        t.vault
            .token("STRIPE_KEY")
            .expect("token")
            .service
            .as_deref(),
        Some("Stripe")
    );
    let reasons: Vec<&str> = report.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert!(
        reasons.iter().any(|r| r.starts_with("it expired on")),
        "{reasons:?}"
    );
    // Rename brings the same names in again only where the secret differs.
    let renamed = t
        .vault
        .import_bytes(
            Format::Dotenv,
            b"HASH=another value\nSTRIPE_KEY=sk_live_51Habc$notavar\n",
            None,
            OnConflict::Rename,
            false,
        )
        .expect("rename");
    assert_eq!(
        renamed
            .tokens
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["HASH (2)"]
    );
    assert!(
        renamed.skipped[0]
            .reason
            .contains("already in the vault as 'STRIPE_KEY'")
    );
}

fn onepux(data: &serde_json::Value) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("export.attributes", options).expect("start");
    zip.write_all(br#"{"version":3,"description":"1Password Unencrypted Export"}"#)
        .expect("write");
    zip.start_file("export.data", options).expect("start");
    zip.write_all(data.to_string().as_bytes()).expect("write");
    zip.finish().expect("finish").into_inner()
}

#[test]
fn a_1password_export_gives_passwords_and_api_credentials() {
    let mut t = TestVault::new();
    let data = serde_json::json!({"accounts": [{"attrs": {"name": "Ada"}, "vaults": [
        {"attrs": {"name": "Private"}, "items": [
            {"state": "active", "overview": {"title": "GitLab deploy", "url": "https://gitlab.com"},
             "details": {"loginFields": [
                {"designation": "username", "value": "ada"},
                {"designation": "password", "value": "glpat-xxxxxxxxxxxxxxxxxxxx"}]}},
            {"state": "active", "overview": {"title": "Stripe"},
             "details": {"sections": [{"fields": [
                {"id": "credential", "title": "credential", "value": {"concealed": "rk_live_abc \"quoted\" $x"}},
                {"id": "expires", "title": "expires", "value": {"date": START + 86_400}}]}]}},
            {"state": "active", "overview": {"title": "Wi-Fi notes"}, "details": {"notesPlain": "no secret here"}},
            {"state": "deleted", "overview": {"title": "Old"}, "details": {"password": "gone-value"}}
        ]},
        {"attrs": {"name": "Work"}, "items": [
            {"overview": {"title": "Password item"}, "details": {"password": "pw-with-ü-unicode"}}
        ]}
    ]}]});
    let report = imports_exactly(&mut t, Format::OnePux, &onepux(&data), None, 5);
    assert_eq!(report.imported, 3, "{report:#?}");
    assert_eq!(
        secret(&mut t, "GitLab deploy"),
        "glpat-xxxxxxxxxxxxxxxxxxxx"
    );
    assert_eq!(secret(&mut t, "Stripe"), "rk_live_abc \"quoted\" $x");
    assert_eq!(secret(&mut t, "Password item"), "pw-with-ü-unicode");
    assert_eq!(
        t.vault.token("Stripe").expect("token").expires_at(),
        Some(START + 86_400)
    );
    assert_eq!(
        t.vault.token("GitLab deploy").expect("token").description,
        "user ada, https://gitlab.com"
    );
    assert!(matches!(
        t.vault
            .import_bytes(Format::OnePux, b"not a zip", None, OnConflict::Skip, false),
        Err(Error::Invalid { field: "file", .. })
    ));
}

fn bitwarden_plain() -> serde_json::Value {
    serde_json::json!({"encrypted": false,
    "folders": [{"id": "f1", "name": "CI"}],
    "items": [
        {"type": 1, "name": "npm publish", "folderId": "f1",
         "login": {"username": "bot", "password": "s3cr3t-npm-publish-key"}},
        {"type": 1, "name": "hidden field", "login": {"username": "x", "password": ""},
         "fields": [{"name": "note", "value": "plain", "type": 0}, {"name": "key", "value": "k3y-v@lue with space", "type": 1}]},
        {"type": 2, "name": "note token", "notes": "  xoxb-1234-abcd  "},
        {"type": 2, "name": "note prose", "notes": "this is not a token"},
        {"type": 3, "name": "Visa"},
        {"type": 1, "name": "no password", "login": {"username": "only"}}
    ]})
}

#[test]
fn a_bitwarden_export_plain_or_password_protected_imports_the_same() {
    let plain = bitwarden_plain().to_string();
    let mut t = TestVault::new();
    let report = imports_exactly(&mut t, Format::Bitwarden, plain.as_bytes(), None, 6);
    assert_eq!(report.imported, 3, "{report:#?}");
    assert_eq!(secret(&mut t, "npm publish"), "s3cr3t-npm-publish-key");
    assert_eq!(secret(&mut t, "hidden field"), "k3y-v@lue with space");
    assert_eq!(secret(&mut t, "note token"), "xoxb-1234-abcd");
    assert_eq!(report.tokens[0].entry, "CI / npm publish");

    // The same export, protected with a password by an implementation apart from
    // Tessera's (Python's cryptography).
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bitwarden_protect.py");
    let mut child = std::process::Command::new("python3")
        .arg(&script)
        .args(["a bitwarden export password", "10000"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 (with python3-cryptography: scripts/install-deps.sh installs it)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(plain.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let protected = out.stdout;
    let mut t = TestVault::new();
    assert!(matches!(
        t.vault
            .import_bytes(Format::Bitwarden, &protected, None, OnConflict::Skip, false),
        Err(Error::Invalid {
            field: "password",
            ..
        })
    ));
    let wrong = Secret::new("not the password".into());
    let refused = t.vault.import_bytes(
        Format::Bitwarden,
        &protected,
        Some(&wrong),
        OnConflict::Skip,
        false,
    );
    assert!(
        matches!(&refused, Err(Error::Invalid { field: "password", reason }) if reason.contains("does not open")),
        "{refused:?}"
    );
    let report = imports_exactly(
        &mut t,
        Format::Bitwarden,
        &protected,
        Some("a bitwarden export password"),
        6,
    );
    assert_eq!(report.imported, 3);
    assert_eq!(secret(&mut t, "hidden field"), "k3y-v@lue with space");
}

#[test]
fn a_keepassxc_csv_export_reads_quotes_commas_and_line_breaks() {
    let mut t = TestVault::new();
    let csv = "\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\",\"Icon\",\"Last Modified\",\"Created\"\n\
        \"Root/APIs\",\"Sentry, prod\",\"ops\",\"sntrys_\"\"quoted\"\",comma\",\"https://sentry.io\",\"line one\nline two\",\"\",\"0\",\"2026-01-01T00:00:00Z\",\"2026-01-01T00:00:00Z\"\n\
        \"Root\",\"Empty\",\"x\",\"\",\"\",\"\",\"\",\"0\",\"\",\"\"\n\
        \"Root/Recycle Bin\",\"Old key\",\"\",\"old-secret\",\"\",\"\",\"\",\"0\",\"\",\"\"\n\
        \"Root\",\"Unicode ключ\",\"\",\"пароль-1\",\"\",\"\",\"\",\"0\",\"\",\"\"\n";
    let report = imports_exactly(&mut t, Format::KeepassxcCsv, csv.as_bytes(), None, 4);
    assert_eq!(report.imported, 2, "{report:#?}");
    assert_eq!(secret(&mut t, "Sentry, prod"), "sntrys_\"quoted\",comma");
    assert_eq!(secret(&mut t, "Unicode ключ"), "пароль-1");
    assert_eq!(
        t.vault.token("Sentry, prod").expect("token").description,
        "ops, https://sentry.io"
    );
}

#[test]
fn a_keepass_database_opens_with_its_password() {
    use keepass::db::{Entry, Group, Value};
    let mut db = keepass::Database::new(Default::default());
    let entry = |title: &str, password: &str| {
        let mut e = Entry::new();
        e.fields
            .insert("Title".into(), Value::Unprotected(title.into()));
        e.fields
            .insert("UserName".into(), Value::Unprotected("svc".into()));
        e.fields
            .insert("Password".into(), Value::Unprotected(password.into()));
        e
    };
    let mut apis = Group::new("APIs");
    apis.entries
        .push(entry("Datadog", "dd-api-key with spaces & $ymbols"));
    let mut expiring = entry("Expiring", "exp-value-123");
    expiring.times.expires = true;
    let at = chrono::DateTime::from_timestamp(START + 7 * 86_400, 0)
        .expect("time")
        .naive_utc();
    expiring.times.set_expiry(at);
    apis.entries.push(expiring);
    apis.entries.push(entry("No password", ""));
    let mut nested = Group::new("Nested");
    nested.entries.push(entry("Deep", "deep-value"));
    apis.groups.push(nested);
    let mut bin = Group::new("Recycle Bin");
    bin.entries.push(entry("Deleted", "deleted-value"));
    db.meta.recyclebin_uuid = Some(bin.uuid);
    db.root.groups.push(apis);
    db.root.groups.push(bin);
    let mut bytes = Vec::new();
    db.save(
        &mut bytes,
        keepass::DatabaseKey::new().with_password("kdbx password"),
    )
    .expect("save");

    let mut t = TestVault::new();
    assert!(matches!(
        t.vault.import_bytes(
            Format::Kdbx,
            &bytes,
            Some(&Secret::new("wrong".into())),
            OnConflict::Skip,
            false
        ),
        Err(Error::Invalid {
            field: "password",
            ..
        })
    ));
    let report = imports_exactly(&mut t, Format::Kdbx, &bytes, Some("kdbx password"), 5);
    assert_eq!(report.imported, 3, "{report:#?}");
    assert_eq!(
        secret(&mut t, "Datadog"),
        "dd-api-key with spaces & $ymbols"
    );
    assert_eq!(secret(&mut t, "Deep"), "deep-value");
    assert_eq!(
        t.vault.token("Expiring").expect("token").expires_at(),
        Some(START + 7 * 86_400)
    );
    assert_eq!(report.tokens[0].entry, "Root / APIs / Datadog");
}
