use std::sync::Arc;
use tessera_core::catalog::{Catalog, CatalogEntry};
use tessera_core::clock::FixedClock;
use tessera_core::keys::MemoryKeyStore;
use tessera_core::lifecycle::NewToken;
use tessera_core::token::TokenKind;
use tessera_core::{NewProtection, Secret, Vault, VaultPaths};

pub const START: i64 = 1_800_000_000;

pub struct TestVault {
    pub dir: tempfile::TempDir,
    pub paths: VaultPaths,
    pub keys: MemoryKeyStore,
    pub clock: FixedClock,
    pub vault: Vault,
}

impl TestVault {
    /// A keyring-protected vault in a temp folder, with APIs, projects, users and a
    /// service account in its catalogs.
    pub fn new() -> TestVault {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths =
            VaultPaths::in_dir(dir.path().join("vault")).with_state(dir.path().join("state"));
        let keys = MemoryKeyStore::new();
        let clock = FixedClock::at(START);
        let vault = Vault::create(&paths, NewProtection::Keyring, &keys)
            .expect("create vault")
            .with_clock(Arc::new(clock.clone()));
        let mut t = TestVault {
            dir,
            paths,
            keys,
            clock,
            vault,
        };
        for (catalog, names) in [
            (Catalog::Api, &["billing", "search"][..]),
            (Catalog::Project, &["apollo"][..]),
            (Catalog::User, &["ada", "grace"][..]),
            (Catalog::ServiceAccount, &["ci-bot"][..]),
        ] {
            for name in names {
                t.vault
                    .catalog_add(catalog, CatalogEntry::named(*name))
                    .expect("catalog");
            }
        }
        t
    }

    /// Reopens the vault (as a new process would).
    pub fn reopen(&mut self) {
        let fresh = Vault::open(&self.paths, &self.keys, None).expect("reopen");
        self.vault = fresh.with_clock(Arc::new(self.clock.clone()));
    }

    /// Creates a token of `kind` with sensible scopes and returns (id, secret if any).
    pub fn make(&mut self, kind: TokenKind, name: &str) -> (String, Option<Secret>) {
        let issued = self
            .vault
            .create_token(request(kind, name))
            .expect("create");
        (issued.token.id, issued.secret)
    }
}

/// A valid creation request for each kind.
pub fn request(kind: TokenKind, name: &str) -> NewToken {
    let mut req = NewToken::new(kind, name);
    match kind {
        TokenKind::Personal => req.apis = vec!["billing".into()],
        TokenKind::Service => {
            req.service_account = Some("ci-bot".into());
            req.apis = vec!["search".into()];
        }
        TokenKind::Rsa => {
            req.apis = vec!["billing".into()];
            req.projects = vec!["apollo".into()];
        }
        TokenKind::Jwt => {
            req.apis = vec!["billing".into()];
            req.users = vec!["ada".into()];
        }
        TokenKind::External => {
            req.value = Some(Secret::new(format!(
                "ext-{}-value-0123456789",
                name.replace(' ', "-")
            )))
        }
        TokenKind::Workspace => {}
    }
    req
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Three 32-byte windows of RSA token `name`'s private key as the vault stores it
/// (PKCS#8 DER): what a search of the files or pages for the key looks for.
pub fn private_key_windows(vault: &mut Vault, name: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let pem = vault.export_pem(name, None).expect("pem");
    let body: String = pem
        .expose()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("der");
    [40, der.len() / 2, der.len() - 48]
        .iter()
        .map(|&start| der[start..start + 32].to_vec())
        .collect()
}

pub use crate::environment::environment;

/// Asserts that a refusal came at once, before any slow work could start.
pub fn at_once(started: std::time::Instant, what: &str) {
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "{what}: not at once"
    );
}
