//! `Vault::verify` on arbitrary strings, APIs and users, against a vault holding every
//! verifiable kind (random tokens, HS256 / RS256 / EdDSA JWTs, an RSA token and one of
//! its assertions) beside a revoked token, a rotated token's old secret and an external
//! token. No panic, and nothing answers active but an active token of this vault, in
//! its scope: the API asked about is one it names (or it has every API), and a user is
//! answered only for a JWT that names that user. External tokens are kept but were not
//! issued here, so they never answer active.
//!
//! The first byte picks the API and user asked about; with its high bit set, the rest
//! is spliced into one of the vault's own secrets, so that near misses are reached.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};
use tessera_core::Vault;
use tessera_core::catalog::{Catalog, CatalogEntry};
use tessera_core::lifecycle::NewToken;
use tessera_core::token::{JwtAlg, TokenKind};

/// A secret the vault holds, and what it may answer active for.
struct Known {
    secret: String,
    /// None: never active (revoked, rotated away, external).
    apis: Option<&'static [&'static str]>,
    /// The users a JWT names; empty for every other kind.
    users: &'static [&'static str],
}

struct Fixture {
    _dir: tempfile::TempDir,
    vault: Vault,
    known: Vec<Known>,
}

const APIS: [Option<&str>; 4] = [None, Some("billing"), Some("search"), Some("payments")];
const USERS: [Option<&str>; 3] = [None, Some("ada"), Some("grace")];
const EVERY: &[&str] = &["*"];

fn make(vault: &mut Vault, kind: TokenKind, name: &str, alg: Option<JwtAlg>, apis: &[&str]) -> String {
    let mut request = NewToken::new(kind, name);
    request.jwt_alg = alg;
    request.apis = apis.iter().map(|a| a.to_string()).collect();
    if kind == TokenKind::Jwt {
        request.users = vec!["ada".into()];
    }
    if kind == TokenKind::External {
        request.value = Some(tessera_core::Secret::new("glpat-fuzzfuzzfuzzfuzzfuzz".into()));
    }
    if kind == TokenKind::Service {
        request.service_account = Some("bot".into());
    }
    let issued = vault.create_token(request).expect("token");
    // The fixture keeps the secrets it presents.
    issued.secret.map(|s| s.expose().to_string()).unwrap_or_default()
}

fn fixture() -> &'static Mutex<Fixture> {
    static FIXTURE: OnceLock<Mutex<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (dir, mut vault) = tessera_fuzz::temp_vault();
        for (catalog, name) in [
            (Catalog::Api, "billing"),
            (Catalog::Api, "search"),
            (Catalog::User, "ada"),
            (Catalog::User, "grace"),
            (Catalog::ServiceAccount, "bot"),
        ] {
            vault.catalog_add(catalog, CatalogEntry::named(name)).expect("catalog");
        }
        let billing: &'static [&'static str] = &["billing"];
        let mut known = Vec::new();
        let mut keep = |secret, apis, users| known.push(Known { secret, apis, users });
        keep(make(&mut vault, TokenKind::Personal, "personal", None, billing), Some(billing), &[]);
        keep(make(&mut vault, TokenKind::Personal, "every", None, EVERY), Some(EVERY), &[]);
        keep(make(&mut vault, TokenKind::Personal, "none", None, &[]), Some(&[]), &[]);
        keep(make(&mut vault, TokenKind::Service, "service", None, billing), Some(billing), &[]);
        keep(make(&mut vault, TokenKind::Workspace, "workspace", None, &[]), Some(EVERY), &[]);
        for alg in [JwtAlg::Hs256, JwtAlg::Rs256, JwtAlg::EdDsa] {
            let name = format!("jwt {}", alg.as_str());
            keep(make(&mut vault, TokenKind::Jwt, &name, Some(alg), billing), Some(billing), &["ada"]);
        }
        keep(make(&mut vault, TokenKind::External, "external", None, &[]), None, &[]);
        keep(make(&mut vault, TokenKind::Personal, "revoked", None, billing), None, &[]);
        vault.revoke_token("revoked").expect("revoke");
        keep(make(&mut vault, TokenKind::Personal, "rotated", None, billing), None, &[]);
        vault.rotate_token("rotated", None).expect("rotate");
        // An RSA token and one assertion of its holder, good once.
        make(&mut vault, TokenKind::Rsa, "rsa", None, billing);
        let pem = vault.export_pem("rsa", None).expect("pem");
        let token = vault.token("rsa").expect("rsa");
        let key_id = token.key_id.clone().expect("key id");
        let now = vault.now();
        let assertion =
            tessera_core::generate::jwt::sign_assertion(&pem, &key_id, &token.id, "billing", now, 3_000)
                .expect("assertion");
        keep(assertion.expose().to_string(), Some(billing), &[]);
        Mutex::new(Fixture {
            _dir: dir,
            vault,
            known,
        })
    })
}

// The fixture (with RSA keys, slow under coverage instrumentation) is made before
// fuzzing starts, not in the first input, whose time limit it would eat.
fuzz_target!(init: { fixture(); }, |data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut fixture = fixture().lock().expect("fixture");
    let api = APIS[usize::from(first & 3)];
    let user = USERS[usize::from((first >> 2) & 3) % 3];
    let presented = if first & 0x80 != 0 {
        let base = &fixture.known[usize::from(first >> 4 & 7) % fixture.known.len()].secret;
        let at = text.len().min(base.len());
        let mut spliced = base.clone();
        if base.is_char_boundary(at) {
            spliced.replace_range(at..(at + text.len()).min(base.len()), text);
        }
        spliced
    } else {
        text.to_string()
    };
    let Ok(outcome) = fixture.vault.verify(&presented, api, user) else {
        return;
    };
    if !outcome.is_active() {
        return;
    }
    let known = fixture
        .known
        .iter()
        .find(|k| k.secret.trim() == presented.trim())
        .expect("a string the vault did not issue verified");
    let apis = known.apis.expect("a revoked, rotated-away or external secret verified");
    assert!(
        api.is_none_or(|api| apis.contains(&"*") || apis.contains(&api)),
        "active for an API outside its scope"
    );
    assert!(
        user.is_none_or(|user| known.users.contains(&user)),
        "active for a user outside its scope"
    );
});
