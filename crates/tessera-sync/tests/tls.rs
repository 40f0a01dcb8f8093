//! TLS to a shared vault's server, the way an eavesdropper and an impostor would try
//! it: a relay between Tessera and a real PostgreSQL server records every byte. Over
//! TLS it sees none of Tessera's statements (over a plain connection, the control, it
//! does); a certificate from an authority Tessera was not given, or for another host
//! name, is refused; and a server without TLS is refused where TLS is asked for.

#[path = "../../tessera-cli/tests/common/postgres.rs"]
mod postgres;

use postgres::Postgres;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use tessera_core::keys::MemoryKeyStore;
use tessera_core::lifecycle::NewToken;
use tessera_core::token::TokenKind;
use tessera_core::{NewProtection, Vault, VaultPaths};
use tessera_sync::server::Server;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl (`make test` installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test authority and a server certificate it signed for localhost and 127.0.0.1:
/// (authority's PEM path, server certificate PEM, server key PEM).
fn certificates(dir: &Path) -> (String, String, String) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=Tessera test authority",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .expect("ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("pem");
    (
        dir.join("ca.crt").display().to_string(),
        read("server.crt"),
        read("server.key"),
    )
}

/// A relay on `bind` to the server on `port`, every byte each way recorded.
fn relay(bind: &str, port: u16) -> (u16, Arc<Mutex<Vec<u8>>>) {
    let listener = TcpListener::bind((bind, 0)).expect("relay");
    let relay_port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", port)) else {
                continue;
            };
            for (mut from, mut to) in [
                (
                    client.try_clone().expect("clone"),
                    server.try_clone().expect("clone"),
                ),
                (server, client),
            ] {
                let record = record.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 16384];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 || to.write_all(&buf[..n]).is_err() {
                            break;
                        }
                        record.lock().expect("record").extend_from_slice(&buf[..n]);
                    }
                    let _ = to.shutdown(std::net::Shutdown::Both);
                });
            }
        }
    });
    (relay_port, seen)
}

fn vault(dir: &Path, name: &str) -> Vault {
    let paths = VaultPaths::in_dir(dir.join(name)).with_state(dir.join(format!("{name}.state")));
    Vault::create(&paths, NewProtection::Keyring, &MemoryKeyStore::new()).expect("vault")
}

/// Creates a shared vault through `url`, adds a token and syncs it.
fn create_and_sync(dir: &Path, name: &str, url: &str) {
    let mut own = vault(dir, name);
    tessera_sync::create(&mut own, "team", url).expect("create");
    own.open_shared("team")
        .expect("replica")
        .create_token(NewToken::new(TokenKind::Personal, "over the wire"))
        .expect("token");
    tessera_sync::sync(&mut own, "team").expect("sync");
}

/// The error connecting to `url` gives; `what` names the case for a failure.
fn refusal(url: &str, what: &str) -> String {
    match Server::connect(url) {
        Ok(_) => panic!("connected: {what}"),
        Err(err) => err.to_string(),
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn an_eavesdropper_sees_nothing_and_an_impostor_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ca, cert, key) = certificates(dir.path());
    let pg = Postgres::start_with_tls(&cert, &key);

    // Over TLS, the certificate checked against the authority given and the host name.
    let (port, seen) = relay("127.0.0.1", pg.port);
    let url = format!(
        "postgres://postgres:tessera-pg@localhost:{port}/postgres?sslmode=verify-full&sslrootcert={ca}"
    );
    create_and_sync(dir.path(), "a", &url);
    let wire = seen.lock().expect("seen").clone();
    assert!(wire.len() > 1000, "the relay carried the rounds");
    for word in ["tessera_records", "INSERT", "SELECT", "tessera_vaults"] {
        assert!(
            !contains(&wire, word),
            "{word} crossed the wire in the clear"
        );
    }

    // The control: the same rounds in the clear show the statements.
    let (port, seen) = relay("127.0.0.1", pg.port);
    create_and_sync(
        dir.path(),
        "b",
        &format!("postgres://postgres:tessera-pg@127.0.0.1:{port}/postgres?sslmode=disable"),
    );
    assert!(contains(&seen.lock().expect("seen"), "tessera_records"));

    // No authority given: the system's roots do not know the test authority.
    let refused = refusal(
        &format!(
            "postgres://postgres:tessera-pg@localhost:{}/postgres?sslmode=require",
            pg.port
        ),
        "an unknown authority",
    );
    assert!(refused.to_string().contains("sslrootcert"), "{refused}");

    // Another host name than the certificate's: an impostor with a good certificate of
    // another server. 127.0.0.2 reaches the same machine, and is not in the certificate.
    let (port, _) = relay("127.0.0.2", pg.port);
    let refused = refusal(
        &format!(
            "postgres://postgres:tessera-pg@127.0.0.2:{port}/postgres?sslmode=verify-full&sslrootcert={ca}"
        ),
        "another host name",
    );
    assert!(refused.to_string().contains("certificate"), "{refused}");

    // The authority given, the right name: the server answers.
    Server::connect(&format!(
        "postgres://postgres:tessera-pg@127.0.0.1:{}/postgres?sslmode=verify-full&sslrootcert={ca}",
        pg.port
    ))
    .expect("connect");
}

#[test]
fn a_server_without_tls_is_refused_where_tls_is_asked_for() {
    let pg = Postgres::start();
    let refused = refusal(
        &format!(
            "postgres://postgres:tessera-pg@127.0.0.1:{}/postgres?sslmode=require",
            pg.port
        ),
        "no TLS",
    );
    assert!(refused.to_string().contains("sslmode=disable"), "{refused}");
    // On this machine, without sslmode, a server without TLS is still spoken to.
    Server::connect(&pg.url()).expect("loopback without TLS");
}
