//! The connection to a shared vault's server: TLS (rustls on aws-lc-rs) whenever the
//! server is not on this machine, the server's certificate always checked against the
//! system's roots (or `sslrootcert`) and the host name.
//!
//! The address takes libpq's words: `sslmode=disable|prefer|require|verify-ca|verify-full`
//! (with Tessera, `require` and both `verify-…` check the certificate and host name
//! alike) and `sslrootcert=PATH` (a PEM file of the certificate authorities to trust
//! instead of the system's). Without `sslmode`, a server on loopback or a Unix socket
//! is asked for TLS and spoken to without it if it has none; any other server must
//! speak TLS.

use postgres::config::{Host, SslMode};
use rustls::pki_types::pem::PemObject;
use std::sync::Arc;
use tessera_core::{Error, Result};

/// What the address asked of TLS.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Tls {
    /// `sslmode` as given (libpq's word), if any.
    pub mode: Option<String>,
    /// `sslrootcert`, if any.
    pub root_cert: Option<String>,
}

/// `url` without Tessera's own TLS parameters (which rust-postgres does not read), and
/// those parameters. Both the URL form (`postgres://…?sslmode=…`) and the key=value
/// form (`host=… sslmode=…`).
pub(crate) fn split(url: &str) -> (String, Tls) {
    let mut tls = Tls::default();
    let mut take = |key: &str, value: &str| -> bool {
        match key {
            "sslmode" => {
                tls.mode = Some(value.to_string());
                true
            }
            "sslrootcert" => {
                tls.root_cert = Some(value.to_string());
                true
            }
            _ => false,
        }
    };
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else {
            return (url.to_string(), tls);
        };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                !take(key, &percent_decoded(value))
            })
            .collect();
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        (rest, tls)
    } else {
        let kept: Vec<&str> = url
            .split_whitespace()
            .filter(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                !take(key.trim(), value.trim())
            })
            .collect();
        (kept.join(" "), tls)
    }
}

fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = value
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether every host of `config` is on this machine (loopback or a Unix socket).
fn local_only(config: &postgres::Config) -> bool {
    config.get_hosts().iter().all(|host| match host {
        Host::Unix(_) => true,
        Host::Tcp(name) => {
            name == "localhost"
                || name
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    })
}

/// Sets `config`'s TLS mode from `tls`; refuses a word libpq does not know.
pub(crate) fn apply(config: &mut postgres::Config, tls: &Tls) -> Result<()> {
    let mode = match tls.mode.as_deref() {
        None if local_only(config) => SslMode::Prefer,
        None => SslMode::Require,
        Some("disable") => SslMode::Disable,
        Some("prefer" | "allow") => SslMode::Prefer,
        Some("require" | "verify-ca" | "verify-full") => SslMode::Require,
        Some(other) => {
            return Err(Error::Server(format!(
                "sslmode={other} is not a TLS mode: give disable, prefer, require or verify-full"
            )));
        }
    };
    config.ssl_mode(mode);
    Ok(())
}

/// The TLS connector: the system's roots (or `sslrootcert`'s), host names checked.
pub(crate) fn connector(tls: &Tls) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    match &tls.root_cert {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| Error::Server(format!("cannot read sslrootcert {path}: {e}")))?;
            let mut found = 0;
            for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|_| {
                    Error::Server(format!("sslrootcert {path} is not a PEM certificate file"))
                })?;
                roots.add(cert).map_err(|e| {
                    Error::Server(format!(
                        "sslrootcert {path} holds a certificate rustls refuses: {e}"
                    ))
                })?;
                found += 1;
            }
            if found == 0 {
                return Err(Error::Server(format!(
                    "sslrootcert {path} holds no certificate"
                )));
            }
        }
        None => {
            // SSL_CERT_FILE and SSL_CERT_DIR are honoured here, as OpenSSL does.
            let native = rustls_native_certs::load_native_certs();
            for cert in native.certs {
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Server(format!("no TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tessera_reads_the_tls_words_and_rust_postgres_the_rest() {
        let (rest, tls) = split(
            "postgres://u:p@db.example:5433/t?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x",
        );
        assert_eq!(rest, "postgres://u:p@db.example:5433/t?application_name=x");
        assert_eq!(tls.mode.as_deref(), Some("verify-full"));
        assert_eq!(tls.root_cert.as_deref(), Some("/etc/ca.pem"));
        let (rest, tls) = split("host=db.example user=u sslmode=require dbname=t");
        assert_eq!(rest, "host=db.example user=u dbname=t");
        assert_eq!(tls.mode.as_deref(), Some("require"));
        let (rest, tls) = split("postgres://u@127.0.0.1/t");
        assert_eq!(
            (rest.as_str(), tls),
            ("postgres://u@127.0.0.1/t", Tls::default())
        );
    }

    #[test]
    fn a_server_elsewhere_must_speak_tls_unless_told_otherwise() {
        let mode = |url: &str| {
            let (rest, tls) = split(url);
            let mut config: postgres::Config = rest.parse().expect("config");
            apply(&mut config, &tls).map(|()| config.get_ssl_mode())
        };
        assert_eq!(
            mode("postgres://u@db.example/t").ok(),
            Some(SslMode::Require)
        );
        assert_eq!(mode("postgres://u@127.0.0.1/t").ok(), Some(SslMode::Prefer));
        assert_eq!(mode("postgres://u@localhost/t").ok(), Some(SslMode::Prefer));
        assert_eq!(
            mode("postgres://u@db.example/t?sslmode=disable").ok(),
            Some(SslMode::Disable)
        );
        assert!(mode("postgres://u@db.example/t?sslmode=sometimes").is_err());
    }
}
