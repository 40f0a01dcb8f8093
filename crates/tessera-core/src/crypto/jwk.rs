//! Public keys as JSON Web Keys (RFC 7517, RFC 7518 §6.3 for RSA, RFC 8037 for Ed25519),
//! the form `tessera serve` publishes at `/.well-known/jwks.json` and `tessera jwks`
//! prints: every key that verifies what the vault issues or accepts, and nothing else.

use crate::model::error::{Error, Result};
use base64::Engine as _;
use serde::Serialize;

/// One public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jwk {
    /// `RSA` or `OKP`.
    pub kty: &'static str,
    /// The key id, as the JWTs or assertions it verifies carry it.
    pub kid: String,
    /// `sig`: every key here verifies signatures.
    #[serde(rename = "use")]
    pub use_: &'static str,
    /// `RS256` or `EdDSA`.
    pub alg: &'static str,
    /// RSA modulus (base64url, big-endian).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// RSA public exponent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// `Ed25519`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<&'static str>,
    /// The Ed25519 public key (base64url).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
}

/// A JWK Set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JwkSet {
    /// The keys.
    pub keys: Vec<Jwk>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An RS256 key from its SPKI DER.
pub fn rsa(kid: &str, spki_der: &[u8]) -> Result<Jwk> {
    let (n, e) = crate::crypto::rsa::public_numbers(spki_der)?;
    Ok(Jwk {
        kty: "RSA",
        kid: kid.to_string(),
        use_: "sig",
        alg: "RS256",
        n: Some(b64(&n)),
        e: Some(b64(&e)),
        crv: None,
        x: None,
    })
}

/// An EdDSA (Ed25519) key from its 32 raw bytes.
pub fn ed25519(kid: &str, public: &[u8]) -> Result<Jwk> {
    if public.len() != 32 {
        return Err(Error::Damaged(
            "an Ed25519 public key is not 32 bytes".into(),
        ));
    }
    Ok(Jwk {
        kty: "OKP",
        kid: kid.to_string(),
        use_: "sig",
        alg: "EdDSA",
        n: None,
        e: None,
        crv: Some("Ed25519"),
        x: Some(b64(public)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rsa_key_has_its_modulus_and_exponent() {
        let pair = crate::crypto::rsa::generate(2048).expect("as built");
        let jwk = rsa("k1", &pair.public_der).expect("as built");
        assert_eq!(jwk.e.as_deref(), Some("AQAB"));
        let n = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwk.n.expect("as built"))
            .expect("as built");
        assert_eq!(n.len(), 256);
        let json =
            serde_json::to_value(rsa("k1", &pair.public_der).expect("as built")).expect("as built");
        assert_eq!(json["use"], "sig");
        assert!(json.get("x").is_none());
    }

    #[test]
    fn an_ed25519_key_is_okp() {
        let json =
            serde_json::to_value(ed25519("k2", &[7u8; 32]).expect("as built")).expect("as built");
        assert_eq!(json["kty"], "OKP");
        assert_eq!(json["crv"], "Ed25519");
        assert!(ed25519("k2", &[7u8; 31]).is_err());
    }
}
