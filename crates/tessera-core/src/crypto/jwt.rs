//! JWTs Tessera issues, and the checks it applies to any JWT it is shown.
//!
//! Issued tokens are signed with one of the vault's own keys (HS256 by default with a
//! per-vault 256-bit key; RS256 and EdDSA selectable), named by `kid`. Verification
//! trusts nothing in the header but `kid` and `alg`: the key comes from the vault by
//! `kid`, the algorithm is pinned to that key's, and `jwk`, `jku`, `x5u` and `x5c`
//! headers are refused. `exp` is required and `nbf` checked against the vault's clock
//! with an explicit leeway.

use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use crate::model::introspection::JwtTimes;
use crate::model::secret::{Secret, SecretBytes};
use crate::model::token::JwtAlg;
use crate::model::verification::Reason;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Leeway for tokens Tessera signed itself: they are checked by the clock that made them.
pub const ISSUED_LEEWAY_SECS: i64 = 0;
/// Leeway for assertions signed by RSA token holders, whose clocks may drift.
pub const ASSERTION_LEEWAY_SECS: i64 = 60;
/// An assertion may live at most this long.
pub const ASSERTION_MAX_LIFETIME_SECS: i64 = 3_600;
/// Longer strings are refused before any parsing.
pub const MAX_JWT_BYTES: usize = 8 * 1024;
/// JWTs of tokens that never expire still carry `exp`, this far ahead.
pub const NEVER_EXPIRES_SECS: i64 = 100 * 365 * 86_400;

/// The claims of a Tessera JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtClaims {
    /// `tessera:<vault id>`.
    pub iss: String,
    /// The token id.
    pub sub: String,
    /// The token id again, as the JWT id.
    pub jti: String,
    /// The token's name.
    pub name: String,
    /// Authorized APIs.
    #[serde(default)]
    pub apis: Vec<String>,
    /// Authorized users.
    #[serde(default)]
    pub users: Vec<String>,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expires.
    pub exp: i64,
    /// Random: every signature of the same token differs, so a replaced JWT never
    /// equals its successor even within one second.
    #[serde(default)]
    pub nonce: String,
}

/// The issuer of a vault's JWTs and token files: `tessera:<vault id>`.
pub(crate) fn issuer_of(vault_id: &str) -> String {
    format!("tessera:{vault_id}")
}

impl JwtClaims {
    /// The times it carries, as introspection answers them.
    pub(crate) fn times(&self) -> JwtTimes {
        JwtTimes {
            iat: self.iat,
            nbf: self.nbf,
            exp: self.exp,
        }
    }
}

struct KeyPair {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The public key as a JWK takes it (SPKI DER for RS256, the raw 32 bytes for
    /// EdDSA); empty for HS256, whose key is never published.
    public: Vec<u8>,
}

/// The validation applied to Tessera's own JWTs of one algorithm: signature and issuer
/// here; `exp` and `nbf` against the vault's clock in [`check_times`].
fn issued_validation(alg: Algorithm, issuer: &str) -> Validation {
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    validation.set_issuer(&[issuer]);
    validation
}

/// The vault's JWT keys, decoded once per open vault.
pub struct Signer {
    issuer: String,
    /// Built once: verification is a hot path.
    validations: [Validation; 3],
    hs256: KeyPair,
    rs256: Option<KeyPair>,
    eddsa: Option<KeyPair>,
}

fn kid(alg: JwtAlg) -> &'static str {
    match alg {
        JwtAlg::Hs256 => "tessera-hs256",
        JwtAlg::Rs256 => "tessera-rs256",
        JwtAlg::EdDsa => "tessera-eddsa",
    }
}

fn jose(alg: JwtAlg) -> Algorithm {
    match alg {
        JwtAlg::Hs256 => Algorithm::HS256,
        JwtAlg::Rs256 => Algorithm::RS256,
        JwtAlg::EdDsa => Algorithm::EdDSA,
    }
}

/// Where the vault keeps its JWT signing keys (the store, inside the encrypted vault):
/// this layer signs and checks, and never runs SQL itself.
pub(crate) trait SigningKeys {
    /// The key for `alg` (PKCS#8 DER, or the HMAC key), if the vault has one.
    fn signing_key(&self, alg: JwtAlg) -> Result<Option<Vec<u8>>>;
    /// Keeps a new key for `alg`.
    fn keep_signing_key(&self, alg: JwtAlg, key: &[u8]) -> Result<()>;
}

impl Signer {
    /// Loads the vault's keys, creating the HS256 key on first use.
    pub(crate) fn load(keys: &dyn SigningKeys, vault_id: &str) -> Result<Signer> {
        let hs = match keys.signing_key(JwtAlg::Hs256)? {
            Some(key) => SecretBytes::new(key),
            None => {
                let mut key = vec![0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
                keys.keep_signing_key(JwtAlg::Hs256, &key)?;
                SecretBytes::new(key)
            }
        };
        let load_pair = |alg| -> Result<Option<KeyPair>> {
            keys.signing_key(alg)?
                .map(|der| key_pair(alg, &SecretBytes::new(der)))
                .transpose()
        };
        let issuer = issuer_of(vault_id);
        Ok(Signer {
            // In `JwtAlg` order: indexed by `alg as usize`.
            validations: [Algorithm::HS256, Algorithm::RS256, Algorithm::EdDSA]
                .map(|alg| issued_validation(alg, &issuer)),
            issuer,
            // The signer needs the vault's HMAC key.
            hs256: KeyPair {
                encoding: EncodingKey::from_secret(hs.expose()),
                decoding: DecodingKey::from_secret(hs.expose()),
                public: Vec::new(),
            },
            rs256: load_pair(JwtAlg::Rs256)?,
            eddsa: load_pair(JwtAlg::EdDsa)?,
        })
    }

    /// Makes sure the vault has a key for `alg`, generating and storing one if needed.
    pub(crate) fn ensure(&mut self, keys: &dyn SigningKeys, alg: JwtAlg) -> Result<()> {
        if self.pair(alg).is_some() {
            return Ok(());
        }
        let der = match alg {
            JwtAlg::Hs256 => return Ok(()),
            JwtAlg::Rs256 => crate::crypto::rsa::generate(2048)?.private_der,
            JwtAlg::EdDsa => {
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let doc = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&rng)
                    .map_err(|_| Error::Crypto("Ed25519 key generation failed".into()))?;
                SecretBytes::new(doc.as_ref().to_vec())
            }
        };
        let pair = key_pair(alg, &der)?;
        // Storing the new signing key inside the encrypted vault.
        keys.keep_signing_key(alg, der.expose())?;
        match alg {
            JwtAlg::Rs256 => self.rs256 = Some(pair),
            JwtAlg::EdDsa => self.eddsa = Some(pair),
            JwtAlg::Hs256 => {}
        }
        Ok(())
    }

    fn pair(&self, alg: JwtAlg) -> Option<&KeyPair> {
        match alg {
            JwtAlg::Hs256 => Some(&self.hs256),
            JwtAlg::Rs256 => self.rs256.as_ref(),
            JwtAlg::EdDsa => self.eddsa.as_ref(),
        }
    }

    /// Whether the vault had a key for `kid` when this signer was loaded: a `kid` of
    /// the vault's that it lacks means another process made the key since.
    pub(crate) fn lacks(&self, token: &str) -> bool {
        let Ok(header) = checked_header(token) else {
            return false;
        };
        [JwtAlg::Rs256, JwtAlg::EdDsa]
            .into_iter()
            .any(|alg| header.kid.as_deref() == Some(kid(alg)) && self.pair(alg).is_none())
    }

    /// The public keys of the vault's RS256 and EdDSA signing keys, as JWKs.
    pub(crate) fn public_jwks(&self) -> Result<Vec<crate::crypto::jwk::Jwk>> {
        let mut keys = Vec::new();
        if let Some(pair) = &self.rs256 {
            keys.push(crate::crypto::jwk::rsa(kid(JwtAlg::Rs256), &pair.public)?);
        }
        if let Some(pair) = &self.eddsa {
            keys.push(crate::crypto::jwk::ed25519(
                kid(JwtAlg::EdDsa),
                &pair.public,
            )?);
        }
        Ok(keys)
    }

    /// The issuer claim of this vault's JWTs.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Signs claims with the vault's key for `alg`.
    pub(crate) fn sign(&self, alg: JwtAlg, claims: &JwtClaims) -> Result<Secret> {
        let pair = self
            .pair(alg)
            .ok_or_else(|| Error::Crypto(format!("the vault has no {} key", alg.as_str())))?;
        let mut header = Header::new(jose(alg));
        header.kid = Some(kid(alg).into());
        jsonwebtoken::encode(&header, claims, &pair.encoding)
            .map(Secret::new)
            .map_err(|e| Error::Crypto(format!("JWT signing: {e}")))
    }

    /// Checks a JWT against the vault's keys and the time `now`.
    #[cfg(test)]
    pub(crate) fn verify(
        &self,
        token: &str,
        now: Timestamp,
    ) -> std::result::Result<JwtClaims, Reason> {
        let claims = self.verify_signature(token)?;
        check_issued_times(&claims.times(), now)?;
        Ok(claims)
    }

    /// [`Signer::verify`] without the time claims: the signature, the key and the
    /// issuer, which do not change with the clock.
    pub(crate) fn verify_signature(&self, token: &str) -> std::result::Result<JwtClaims, Reason> {
        let header = checked_header(token)?;
        let alg = [JwtAlg::Hs256, JwtAlg::Rs256, JwtAlg::EdDsa]
            .into_iter()
            .find(|a| header.kid.as_deref() == Some(kid(*a)))
            .ok_or(Reason::Unknown)?;
        let pair = self.pair(alg).ok_or(Reason::Unknown)?;
        // The algorithm is the key's, whatever the header claims.
        if header.alg != jose(alg) {
            return Err(Reason::BadSignature);
        }
        let validation = &self.validations[alg as usize];
        let data =
            jsonwebtoken::decode::<JwtClaims>(token, &pair.decoding, validation).map_err(reason)?;
        Ok(data.claims)
    }
}

/// Whether a vault JWT with these times is good at `now` (`exp` and `nbf`, with the
/// leeway of the vault's own tokens).
pub(crate) fn check_issued_times(
    times: &JwtTimes,
    now: Timestamp,
) -> std::result::Result<(), Reason> {
    check_times(times.exp, Some(times.nbf), now, ISSUED_LEEWAY_SECS)
}

fn key_pair(alg: JwtAlg, der: &SecretBytes) -> Result<KeyPair> {
    match alg {
        JwtAlg::Hs256 => Ok(KeyPair {
            encoding: EncodingKey::from_secret(der.expose()),
            decoding: DecodingKey::from_secret(der.expose()),
            public: Vec::new(),
        }),
        JwtAlg::Rs256 => {
            let public = crate::crypto::rsa::public_der_of(der)
                .map_err(|e| Error::Damaged(format!("the vault's RS256 key is unreadable: {e}")))?;
            let pkcs1 = crate::crypto::rsa::private_pkcs1_der(der)?;
            Ok(KeyPair {
                encoding: EncodingKey::from_rsa_der(pkcs1.expose()),
                decoding: DecodingKey::from_rsa_der(&crate::crypto::rsa::public_pkcs1_der(
                    &public,
                )?),
                public,
            })
        }
        JwtAlg::EdDsa => {
            use aws_lc_rs::signature::KeyPair as _;
            let pair = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(der.expose())
                .map_err(|_| Error::Damaged("the vault's EdDSA key is unreadable".into()))?;
            Ok(KeyPair {
                encoding: EncodingKey::from_ed_der(der.expose()),
                decoding: DecodingKey::from_ed_der(pair.public_key().as_ref()),
                public: pair.public_key().as_ref().to_vec(),
            })
        }
    }
}

/// Parses the header and refuses anything that would point at keys outside the vault.
fn checked_header(token: &str) -> std::result::Result<Header, Reason> {
    if token.len() > MAX_JWT_BYTES || token.split('.').count() != 3 {
        return Err(Reason::Malformed);
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| Reason::Malformed)?;
    if header.jku.is_some() || header.jwk.is_some() || header.x5u.is_some() || header.x5c.is_some()
    {
        return Err(Reason::Malformed);
    }
    Ok(header)
}

/// Maps a decoding failure to the reason a person is told.
fn reason(err: jsonwebtoken::errors::Error) -> Reason {
    use jsonwebtoken::errors::ErrorKind;
    match err.kind() {
        ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm | ErrorKind::InvalidKeyFormat => {
            Reason::BadSignature
        }
        ErrorKind::ExpiredSignature => Reason::Expired,
        ErrorKind::ImmatureSignature => Reason::NotYetValid,
        ErrorKind::InvalidIssuer => Reason::Unknown,
        ErrorKind::InvalidAudience => Reason::ApiNotAuthorized,
        _ => Reason::Malformed,
    }
}

fn check_times(
    exp: i64,
    nbf: Option<i64>,
    now: Timestamp,
    leeway: i64,
) -> std::result::Result<(), Reason> {
    if exp <= now - leeway {
        return Err(Reason::Expired);
    }
    if nbf.is_some_and(|nbf| nbf > now + leeway) {
        return Err(Reason::NotYetValid);
    }
    Ok(())
}

/// The claims of an RSA token holder's assertion: `iat` and `jti` are required, so that
/// its lifetime is known and each can be accepted once.
#[derive(Debug, Deserialize)]
struct AssertionClaims {
    sub: String,
    exp: i64,
    iat: i64,
    jti: String,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    aud: Option<serde_json::Value>,
}

/// A well-signed, current assertion: what the vault still has to check against the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assertion {
    /// Its id, accepted once within its lifetime.
    pub jti: String,
    /// Its `exp`: after this the `jti` need not be remembered.
    pub expires_at: Timestamp,
    /// The APIs it is for (`aud`); none means it is for no API.
    pub audiences: Vec<String>,
}

/// Longest `jti` accepted.
const MAX_JTI_BYTES: usize = 200;

/// The `kid` of an RS256 assertion, if the string looks like one.
pub(crate) fn assertion_kid(token: &str) -> std::result::Result<Option<String>, Reason> {
    let header = checked_header(token)?;
    Ok(header.kid)
}

/// Verifies an RS256 assertion signed with an RSA token's private key (`kid` is the key
/// id, `sub` the token id) and its times: the signature first, then `iat`, `nbf` and
/// `exp`, with a lifetime of at most [`ASSERTION_MAX_LIFETIME_SECS`] computed without
/// overflow. The token's status, scopes and the `jti`'s first use are the caller's.
pub(crate) fn verify_assertion(
    token: &str,
    public_der: &[u8],
    token_id: &str,
    now: Timestamp,
) -> std::result::Result<Assertion, Reason> {
    let header = checked_header(token)?;
    if header.alg != Algorithm::RS256 {
        return Err(Reason::BadSignature);
    }
    let pkcs1 = crate::crypto::rsa::public_pkcs1_der(public_der).map_err(|_| Reason::Malformed)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<AssertionClaims>(
        token,
        &DecodingKey::from_rsa_der(&pkcs1),
        &validation,
    )
    .map_err(reason)?;
    let claims = data.claims;
    if claims.sub != token_id || claims.jti.is_empty() || claims.jti.len() > MAX_JTI_BYTES {
        return Err(Reason::Malformed);
    }
    let lifetime = claims
        .exp
        .checked_sub(claims.iat)
        .ok_or(Reason::Malformed)?;
    if !(0..=ASSERTION_MAX_LIFETIME_SECS).contains(&lifetime)
        || claims.iat > now.saturating_add(ASSERTION_LEEWAY_SECS)
    {
        return Err(Reason::Malformed);
    }
    check_times(claims.exp, claims.nbf, now, ASSERTION_LEEWAY_SECS)?;
    let audiences = match claims.aud {
        Some(serde_json::Value::String(s)) => vec![s],
        Some(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    Ok(Assertion {
        jti: claims.jti,
        expires_at: claims.exp,
        audiences,
    })
}

/// Signs an assertion with an RSA token file's private key, as a holder would.
#[cfg(any(test, feature = "testing"))]
pub fn sign_assertion(
    private_pem: &Secret,
    key_id: &str,
    token_id: &str,
    api: &str,
    now: Timestamp,
    lifetime_secs: i64,
) -> Result<Secret> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key_id.to_string());
    let claims = serde_json::json!({
        "sub": token_id,
        "aud": api,
        "iat": now,
        "exp": now.saturating_add(lifetime_secs),
        "jti": uuid::Uuid::now_v7().to_string(),
    });
    // Signing is what the holder's key is for.
    let key = EncodingKey::from_rsa_pem(private_pem.expose().as_bytes())
        .map_err(|e| Error::invalid("private key", e.to_string()))?;
    jsonwebtoken::encode(&header, &claims, &key)
        .map(Secret::new)
        .map_err(|e| Error::Crypto(format!("JWT signing: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store;
    use base64::Engine;
    use rusqlite::Connection;

    const NOW: i64 = 1_800_000_000;

    fn signer() -> (Connection, Signer) {
        let conn = Connection::open_in_memory().expect("memory db");
        conn.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
            .expect("meta");
        let mut signer =
            Signer::load(&conn, "00000000-0000-7000-8000-000000000001").expect("signer");
        signer.ensure(&conn, JwtAlg::Rs256).expect("rs256");
        signer.ensure(&conn, JwtAlg::EdDsa).expect("eddsa");
        (conn, signer)
    }

    fn claims(signer: &Signer) -> serde_json::Value {
        serde_json::json!({
            "iss": signer.issuer(), "sub": "t1", "jti": "t1", "name": "n", "apis": [], "users": [],
            "iat": NOW, "nbf": NOW, "exp": NOW + 3_600, "nonce": "x"
        })
    }

    fn hs_key(conn: &Connection) -> Vec<u8> {
        store::meta_get(conn, "jwt_hs256")
            .expect("meta")
            .expect("hs key")
    }

    /// Signs arbitrary claims with the vault's own HMAC key, as an attacker who had it
    /// could not, to test the claim checks that follow the signature.
    fn hs_signed(conn: &Connection, header: &Header, claims: &serde_json::Value) -> String {
        jsonwebtoken::encode(header, claims, &EncodingKey::from_secret(&hs_key(conn)))
            .expect("encode")
    }

    fn hs_header() -> Header {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("tessera-hs256".into());
        header
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn issued_tokens_verify_with_each_algorithm() {
        let (_, signer) = signer();
        let claims: JwtClaims = serde_json::from_value(claims(&signer)).expect("claims");
        for alg in [JwtAlg::Hs256, JwtAlg::Rs256, JwtAlg::EdDsa] {
            let token = signer.sign(alg, &claims).expect("sign");
            // The test verifies the JWT it just signed.
            assert_eq!(
                signer.verify(token.expose(), NOW).expect("verify"),
                claims,
                "{alg:?}"
            );
        }
    }

    #[test]
    fn alg_none_is_rejected() {
        let (_, signer) = signer();
        let header = b64(br#"{"alg":"none","kid":"tessera-hs256","typ":"JWT"}"#);
        let payload = b64(claims(&signer).to_string().as_bytes());
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}.AAAA"),
        ] {
            assert_eq!(signer.verify(&token, NOW), Err(Reason::Malformed));
        }
    }

    #[test]
    fn hs_rs_confusion_is_rejected() {
        let (conn, signer) = signer();
        // An attacker signs HS256 with the vault's RSA public key as the HMAC secret.
        let der = store::meta_get(&conn, "jwt_rs256")
            .expect("meta")
            .expect("rsa key");
        let public_pem = {
            use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
            let private = rsa::RsaPrivateKey::from_pkcs8_der(&der).expect("key");
            private
                .to_public_key()
                .to_public_key_pem(LineEnding::LF)
                .expect("pem")
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("tessera-rs256".into());
        let token = jsonwebtoken::encode(
            &header,
            &claims(&signer),
            &EncodingKey::from_secret(public_pem.as_bytes()),
        )
        .expect("encode");
        assert_eq!(signer.verify(&token, NOW), Err(Reason::BadSignature));
        // And an RS256 header on the HMAC key's id.
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("tessera-hs256".into());
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            b64(serde_json::to_string(&header).expect("h").as_bytes()),
            parts[1],
            parts[2]
        );
        assert_eq!(signer.verify(&forged, NOW), Err(Reason::BadSignature));
    }

    #[test]
    fn tampered_payloads_fail_the_signature() {
        let (_, signer) = signer();
        let claims: JwtClaims = serde_json::from_value(claims(&signer)).expect("claims");
        for alg in [JwtAlg::Hs256, JwtAlg::Rs256, JwtAlg::EdDsa] {
            let token = signer.sign(alg, &claims).expect("sign");
            // The test tampers with a copy of the JWT.
            let parts: Vec<&str> = token.expose().split('.').collect();
            let mut evil = claims.clone();
            evil.apis = vec!["admin".into()];
            let payload = b64(serde_json::to_string(&evil).expect("json").as_bytes());
            let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
            assert_eq!(
                signer.verify(&tampered, NOW),
                Err(Reason::BadSignature),
                "{alg:?}"
            );
        }
    }

    #[test]
    fn exp_must_be_present_and_a_number_and_nbf_is_checked() {
        let (conn, signer) = signer();
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut c = claims(&signer);
            edit(&mut c);
            hs_signed(&conn, &hs_header(), &c)
        };
        let missing = with(&|c| {
            c.as_object_mut().map(|o| o.remove("exp"));
        });
        assert_eq!(signer.verify(&missing, NOW), Err(Reason::Malformed));
        let string_exp = with(&|c| c["exp"] = serde_json::json!((NOW + 60).to_string()));
        assert_eq!(signer.verify(&string_exp, NOW), Err(Reason::Malformed));
        let float_exp = with(&|c| c["exp"] = serde_json::json!(1.5e9));
        assert_eq!(signer.verify(&float_exp, NOW), Err(Reason::Malformed));
        let expired = with(&|c| c["exp"] = NOW.into());
        assert_eq!(signer.verify(&expired, NOW), Err(Reason::Expired));
        let boundary = with(&|c| c["exp"] = (NOW + 1).into());
        assert!(
            signer.verify(&boundary, NOW).is_ok(),
            "one second before exp is still valid"
        );
        let early = with(&|c| c["nbf"] = (NOW + 1).into());
        assert_eq!(signer.verify(&early, NOW), Err(Reason::NotYetValid));
        let foreign = with(&|c| c["iss"] = "tessera:someone-else".into());
        assert_eq!(signer.verify(&foreign, NOW), Err(Reason::Unknown));
    }

    #[test]
    fn headers_pointing_at_outside_keys_are_refused() {
        let (conn, signer) = signer();
        let mut jku = hs_header();
        jku.jku = Some("https://attacker.example/keys".into());
        assert_eq!(
            signer.verify(&hs_signed(&conn, &jku, &claims(&signer)), NOW),
            Err(Reason::Malformed)
        );
        let mut jwk = hs_header();
        jwk.jwk = Some(
            serde_json::from_value(serde_json::json!({"kty": "oct", "k": "YXR0YWNrZXI"}))
                .expect("jwk"),
        );
        assert_eq!(
            signer.verify(&hs_signed(&conn, &jwk, &claims(&signer)), NOW),
            Err(Reason::Malformed)
        );
        let mut x5u = hs_header();
        x5u.x5u = Some("https://attacker.example/cert".into());
        assert_eq!(
            signer.verify(&hs_signed(&conn, &x5u, &claims(&signer)), NOW),
            Err(Reason::Malformed)
        );
        let mut other_kid = hs_header();
        other_kid.kid = Some("../../keys/attacker".into());
        assert_eq!(
            signer.verify(&hs_signed(&conn, &other_kid, &claims(&signer)), NOW),
            Err(Reason::Unknown)
        );
        let oversized = format!("{}.{}.x", "a".repeat(MAX_JWT_BYTES), "b");
        assert_eq!(signer.verify(&oversized, NOW), Err(Reason::Malformed));
    }
}
