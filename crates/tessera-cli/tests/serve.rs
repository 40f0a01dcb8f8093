//! `tessera serve` with the real binary and a client of another language: Python's
//! `urllib` introspects and revokes, PyJWT's `PyJWKClient` verifies Tessera's RS256 and
//! EdDSA JWTs from the published keys; wrong credentials get 401; a non-loopback
//! address is refused; a removed client is refused at once; every call is audited.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

#[path = "common/home.rs"]
mod home;
use home::Home;

/// Python with PyJWT: Debian's (`python3-jwt`, which scripts/install-deps.sh installs).
const PYTHON: &str = "/usr/bin/python3";

struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(home: &Home, extra: &[&str]) -> Served {
    let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut child = home
        .command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tessera serve");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("the address");
    let url = url.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "address: {url:?}");
    Served { child, url }
}

fn secret(home: &Home, args: &[&str]) -> String {
    home.ok(args, None).trim().to_string()
}

fn python(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(PYTHON);
    cmd.args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output()
        .expect("/usr/bin/python3 with python3-jwt (scripts/install-deps.sh installs it)")
}

fn passed(out: &std::process::Output) {
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "ok",
        "the Python client: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_standard_library_client_introspects_revokes_and_verifies_jwts_from_the_jwks() {
    let home = Home::new();
    let personal = secret(
        &home,
        &["create", "personal", "--name", "web", "--api", "billing"],
    );
    let rs256 = home.json(&[
        "create", "jwt", "--name", "jwt-rs", "--alg", "rs256", "--api", "billing", "--json",
    ]);
    let eddsa = home.json(&[
        "create", "jwt", "--name", "jwt-ed", "--alg", "eddsa", "--user", "ada", "--json",
    ]);
    let client = secret(&home, &["client", "add", "billing-api", "--can-revoke"]);
    let reader = secret(&home, &["client", "add", "reader"]);
    assert!(client.starts_with("tsc_") && reader.starts_with("tsc_"));
    // The list names clients and never holds a secret.
    let listed = home.ok(&["client", "list", "--json"], None);
    assert!(listed.contains("billing-api") && !listed.contains(&client[4..]));
    let jwks = home.ok(&["jwks"], None);

    let served = serve(&home, &[]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/serve_client.py");
    let out = python(
        &[script],
        &[
            ("URL", &served.url),
            ("CLIENT", "billing-api"),
            ("SECRET", &client),
            ("READER_SECRET", &reader),
            ("PERSONAL", &personal),
            ("RS256", rs256["secret"].as_str().expect("a string")),
            ("RS256_ID", rs256["id"].as_str().expect("a string")),
            ("EDDSA", eddsa["secret"].as_str().expect("a string")),
            ("EDDSA_ID", eddsa["id"].as_str().expect("a string")),
            ("JWKS", &jwks),
        ],
    );
    passed(&out);

    // A client removed while the service runs is refused at once.
    home.ok(&["client", "remove", "reader"], None);
    passed(&python(
        &[script, "refused", "reader", &reader],
        &[("URL", &served.url)],
    ));
    // Guessing a client's secret: the address is refused before any check, a few
    // tries a second at most.
    passed(&python(
        &[script, "guessing", "billing-api", &client],
        &[("URL", &served.url)],
    ));
    drop(served);

    // Every call is in the audit log, and no secret is.
    let audit = home.ok(&["audit", "--limit", "100"], None);
    for expected in [
        "introspected by client 'billing-api'",
        "revoked by client 'billing-api'",
        "wrong credentials for client 'billing-api'",
        "client 'reader' may not revoke tokens",
        "public keys fetched from 127.0.0.1",
    ] {
        assert!(audit.contains(expected), "{expected} not in: {audit}");
    }
    for secret in [&personal, &client, &reader] {
        assert!(!audit.contains(secret.as_str()));
    }
}

#[test]
fn a_client_over_its_rate_limit_gets_429() {
    let home = Home::new();
    let client = secret(&home, &["client", "add", "busy"]);
    let served = serve(&home, &["--rate-limit", "3"]);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/serve_client.py");
    passed(&python(
        &[script, "flooding", "busy", &client, "3"],
        &[("URL", &served.url)],
    ));
}

#[test]
fn a_non_loopback_address_is_refused_and_nothing_listens() {
    let home = Home::new();
    for address in ["0.0.0.0:0", "[::]:0"] {
        home.fails(
            &["serve", "--listen", address],
            None,
            "is not a loopback address",
        );
    }
    home.fails(&["serve", "--listen", "7662"], None, "is not ADDR:PORT");
}

#[test]
fn sigterm_stops_the_service_cleanly() {
    let home = Home::new();
    let mut served = serve(&home, &[]);
    let pid = served.child.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let code = served.child.wait().expect("wait").code();
    assert_eq!(code, Some(0), "a stop on SIGTERM is not an error");
    let audit = home.ok(&["audit", "--action", "serve"], None);
    assert!(
        audit.contains("listening on 127.0.0.1:") && audit.contains("stopped listening"),
        "{audit}"
    );
}
