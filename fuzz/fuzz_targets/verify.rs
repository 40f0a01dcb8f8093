//! `Vault::verify` on arbitrary strings, against a vault holding one token of each
//! verifiable kind (random tokens, HS256 / RS256 / EdDSA JWTs, an RSA token whose
//! assertions are JWTs): no panic, and nothing that is not one of the vault's own tokens
//! verifies as active.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};
use tessera_core::Vault;
use tessera_core::lifecycle::NewToken;
use tessera_core::token::JwtAlg;
use tessera_core::token::TokenKind;

struct Fixture {
    _dir: tempfile::TempDir,
    vault: Vault,
    secrets: Vec<String>,
}

fn fixture() -> &'static Mutex<Fixture> {
    static FIXTURE: OnceLock<Mutex<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (dir, mut vault) = tessera_fuzz::temp_vault();
        let mut secrets = Vec::new();
        for (kind, alg) in [
            (TokenKind::Personal, None),
            (TokenKind::Workspace, None),
            (TokenKind::Jwt, Some(JwtAlg::Hs256)),
            (TokenKind::Jwt, Some(JwtAlg::Rs256)),
            (TokenKind::Jwt, Some(JwtAlg::EdDsa)),
        ] {
            let mut request = NewToken::new(kind, format!("fuzz {kind} {alg:?}"));
            request.jwt_alg = alg;
            let issued = vault.create_token(request).expect("token");
            if let Some(secret) = issued.secret {
                secrets.push(secret.expose().to_string());
            }
        }
        Mutex::new(Fixture {
            _dir: dir,
            vault,
            secrets,
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut fixture = fixture().lock().expect("fixture");
    let known = fixture.secrets.iter().any(|s| s.trim() == text.trim());
    if let Ok(outcome) = fixture.vault.verify(text, None, None) {
        assert!(
            !outcome.is_active() || known,
            "a string the vault did not issue verified"
        );
    }
});
