//! JWT decoding: tokens built from fuzzed header and claims JSON (base64url-encoded, as a
//! JWT is), with a fuzzed signature, verified against a vault holding HS256, RS256 and
//! EdDSA JWTs. `verify` on arbitrary strings rarely gets past the base64 of a JWT; this
//! reaches the header (`alg`, `kid`, `jku`, `jwk`) and the claims (`exp`, `nbf`, `jti`).
//! No panic, and no forged token verifies.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use std::sync::{Mutex, OnceLock};
use tessera_core::Vault;
use tessera_core::lifecycle::NewToken;
use tessera_core::token::{JwtAlg, TokenKind};

struct Fixture {
    _dir: tempfile::TempDir,
    vault: Vault,
}

fn fixture() -> &'static Mutex<Fixture> {
    static FIXTURE: OnceLock<Mutex<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let (dir, mut vault) = tessera_fuzz::temp_vault();
        for alg in [JwtAlg::Hs256, JwtAlg::Rs256, JwtAlg::EdDsa] {
            let mut request = NewToken::new(TokenKind::Jwt, format!("fuzz {alg:?}"));
            request.jwt_alg = Some(alg);
            vault.create_token(request).expect("token");
        }
        Mutex::new(Fixture { _dir: dir, vault })
    })
}

// The fixture (with RSA keys, slow under coverage instrumentation) is made before
// fuzzing starts, not in the first input, whose time limit it would eat.
fuzz_target!(init: { fixture(); }, |data: &[u8]| {
    // Two length bytes split the input into header, claims and signature.
    let [h, c, rest @ ..] = data else {
        return;
    };
    let header_len = usize::from(*h).min(rest.len());
    let (header, rest) = rest.split_at(header_len);
    let claims_len = usize::from(*c).min(rest.len());
    let (claims, signature) = rest.split_at(claims_len);
    let token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims),
        URL_SAFE_NO_PAD.encode(signature)
    );
    let mut fixture = fixture().lock().expect("fixture");
    if let Ok(outcome) = fixture.vault.verify(&token, None, None) {
        assert!(!outcome.is_active(), "a forged JWT verified");
    }
});
