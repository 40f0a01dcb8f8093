//! RSA key pairs for RSA tokens: generated with the `rsa` crate from the OS CSPRNG,
//! stored as PKCS#8 DER, handed out as PEM (PKCS#8, encrypted PKCS#8 when a passphrase
//! is given) with the public key as SPKI. Tessera itself performs no RSA private-key
//! operation after generation: assertions are signed by the holder and only verified
//! here, with the public key.

use crate::model::error::{Error, Result};
use crate::model::secret::{Secret, SecretBytes};
use crate::model::token::RSA_BITS;
use base64::Engine;
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use sha2::Digest;

/// A freshly made or decoded key pair.
pub struct RsaKeyPair {
    /// The private key, PKCS#8 DER.
    pub private_der: SecretBytes,
    /// The public key, SPKI DER.
    pub public_der: Vec<u8>,
    /// base64url(SHA-256(SPKI DER)).
    pub key_id: String,
}

/// Generates a key pair of `bits` (2048, 3072 or 4096).
pub fn generate(bits: usize) -> Result<RsaKeyPair> {
    if !RSA_BITS.contains(&bits) {
        return Err(Error::invalid(
            "key size",
            format!("{bits} bits is not offered; use 2048, 3072 or 4096"),
        ));
    }
    let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, bits)
        .map_err(|e| Error::Crypto(format!("RSA key generation: {e}")))?;
    from_private(&private)
}

fn from_private(private: &rsa::RsaPrivateKey) -> Result<RsaKeyPair> {
    let private_der = private
        .to_pkcs8_der()
        .map_err(|e| Error::Crypto(format!("PKCS#8 encoding: {e}")))?;
    let public_der = private
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| Error::Crypto(format!("SPKI encoding: {e}")))?
        .into_vec();
    Ok(RsaKeyPair {
        private_der: SecretBytes::new(private_der.as_bytes().to_vec()),
        key_id: key_id(&public_der),
        public_der,
    })
}

/// The key id of a public key: base64url (no padding) of SHA-256 of its SPKI DER.
pub fn key_id(public_der: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(public_der))
}

/// The private key as PEM: plain PKCS#8, or encrypted PKCS#8 (scrypt + AES-256-CBC)
/// under `passphrase`.
pub fn private_pem(private_der: &SecretBytes, passphrase: Option<&Secret>) -> Result<Secret> {
    // Encoding the private key for the holder is this function's purpose.
    let private = rsa::RsaPrivateKey::from_pkcs8_der(private_der.expose())
        .map_err(|e| Error::Damaged(format!("a stored private key is unreadable: {e}")))?;
    let pem = match passphrase {
        None => private.to_pkcs8_pem(LineEnding::LF),
        Some(pass) if pass.is_empty() => {
            return Err(Error::invalid("passphrase", "it cannot be empty"));
        }
        // The passphrase encrypts the file the user asked for.
        Some(pass) => private.to_pkcs8_encrypted_pem(
            &mut rand::rngs::OsRng,
            pass.expose().as_bytes(),
            LineEnding::LF,
        ),
    }
    .map_err(|e| Error::Crypto(format!("PEM encoding: {e}")))?;
    Ok(Secret::new(pem.to_string()))
}

/// The public key as SPKI PEM.
pub fn public_pem(public_der: &[u8]) -> Result<String> {
    let public = rsa::RsaPublicKey::from_public_key_der(public_der)
        .map_err(|e| Error::Damaged(format!("a stored public key is unreadable: {e}")))?;
    public
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| Error::Crypto(format!("PEM encoding: {e}")))
}

/// Reads a PKCS#8 private key PEM, encrypted or not, back into a key pair.
pub fn parse_private_pem(pem: &str, passphrase: Option<&Secret>) -> Result<RsaKeyPair> {
    let encrypted = pem.contains("BEGIN ENCRYPTED PRIVATE KEY");
    let private = if encrypted {
        let pass = passphrase.ok_or_else(|| {
            Error::BadTokenFile(
                "the private key is encrypted: give its passphrase with --passphrase-stdin".into(),
            )
        })?;
        check_pbes2_cost(pem)?;
        // Decrypting the key the user is importing.
        rsa::RsaPrivateKey::from_pkcs8_encrypted_pem(pem, pass.expose().as_bytes())
            .map_err(|_| Error::WrongPassphrase)?
    } else {
        rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| {
            Error::BadTokenFile(format!("private_key is not a PKCS#8 RSA key ({e})"))
        })?
    };
    let bits = rsa::traits::PublicKeyParts::size(&private) * 8;
    if !RSA_BITS.contains(&bits) {
        return Err(Error::BadTokenFile(format!(
            "the key has {bits} bits; Tessera takes 2048, 3072 or 4096"
        )));
    }
    from_private(&private)
}

/// Most PBKDF2 iterations an encrypted key may ask for: OWASP asks for 600,000 with
/// SHA-256, and one million took 0.3 s on a 2-core test machine (OpenSSL's PBKDF2).
/// Without a bound the file could ask for 100 million (the `pkcs5` crate's own limit).
pub const MAX_PBKDF2_ITERATIONS: u32 = 1_000_000;
/// Most scrypt work and memory an encrypted key may ask for, as `N * r * p`: 2^21 is
/// 256 MiB and took 0.9 s on the same machine (Tessera writes `N` = 2^17, `r` = 8,
/// `p` = 1: 2^20).
pub const MAX_SCRYPT_COST: u64 = 1 << 21;

/// Refuses an encrypted key whose key derivation parameters, which come from the file,
/// would take minutes or gigabytes before the passphrase can even be checked.
fn check_pbes2_cost(pem: &str) -> Result<()> {
    use pkcs8::pkcs5::{EncryptionScheme, pbes2::Kdf};
    let bad = |what: String| Error::BadTokenFile(what);
    let (_, doc) = pkcs8::SecretDocument::from_pem(pem)
        .map_err(|e| bad(format!("private_key is not a PEM document ({e})")))?;
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_bytes())
        .map_err(|e| bad(format!("private_key is not an encrypted PKCS#8 key ({e})")))?;
    let EncryptionScheme::Pbes2(params) = info.encryption_algorithm else {
        return Err(bad(
            "private_key uses PBES1, which Tessera does not read; re-encrypt it with PBES2".into(),
        ));
    };
    match params.kdf {
        Kdf::Pbkdf2(p) if p.iteration_count > MAX_PBKDF2_ITERATIONS => Err(bad(format!(
            "private_key asks for {} PBKDF2 iterations; Tessera reads at most {MAX_PBKDF2_ITERATIONS}",
            p.iteration_count
        ))),
        Kdf::Scrypt(p) => {
            let cost = p
                .cost_parameter
                .saturating_mul(u64::from(p.block_size))
                .saturating_mul(u64::from(p.parallelization));
            if cost > MAX_SCRYPT_COST {
                return Err(bad(format!(
                    "private_key asks for scrypt N = {}, r = {}, p = {}; Tessera reads at most N·r·p = {MAX_SCRYPT_COST}",
                    p.cost_parameter, p.block_size, p.parallelization
                )));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Reads an SPKI public key PEM into DER.
pub fn parse_public_pem(pem: &str) -> Result<Vec<u8>> {
    let public = rsa::RsaPublicKey::from_public_key_pem(pem).map_err(|e| {
        Error::BadTokenFile(format!("public_key is not an SPKI RSA public key ({e})"))
    })?;
    Ok(public
        .to_public_key_der()
        .map_err(|e| Error::Crypto(e.to_string()))?
        .into_vec())
}

/// The public key in PKCS#1 DER, the form the JWT verifier takes.
pub(crate) fn public_pkcs1_der(public_der: &[u8]) -> Result<Vec<u8>> {
    use rsa::pkcs1::EncodeRsaPublicKey;
    let public = rsa::RsaPublicKey::from_public_key_der(public_der)
        .map_err(|e| Error::Damaged(format!("a stored public key is unreadable: {e}")))?;
    Ok(public
        .to_pkcs1_der()
        .map_err(|e| Error::Crypto(e.to_string()))?
        .into_vec())
}

/// The private key in PKCS#1 DER, the form the JWT signer takes.
pub(crate) fn private_pkcs1_der(private_der: &SecretBytes) -> Result<SecretBytes> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    // Converting the vault's own JWT signing key for the signer.
    let private = rsa::RsaPrivateKey::from_pkcs8_der(private_der.expose())
        .map_err(|e| Error::Damaged(format!("a stored private key is unreadable: {e}")))?;
    let der = private
        .to_pkcs1_der()
        .map_err(|e| Error::Crypto(e.to_string()))?;
    Ok(SecretBytes::new(der.as_bytes().to_vec()))
}

/// The public half (SPKI DER) of a private key (PKCS#8 DER).
pub(crate) fn public_der_of(private_der: &SecretBytes) -> Result<Vec<u8>> {
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
    // Deriving the public half of a key this vault holds.
    let private = rsa::RsaPrivateKey::from_pkcs8_der(private_der.expose())
        .map_err(|e| Error::Crypto(e.to_string()))?;
    Ok(private
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| Error::Crypto(e.to_string()))?
        .into_vec())
}

/// The modulus and public exponent (big-endian) of an RSA public key (SPKI DER).
pub(crate) fn public_numbers(public_der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPublicKey::from_public_key_der(public_der)
        .map_err(|e| Error::Damaged(format!("a stored public key is unreadable: {e}")))?;
    Ok((key.n().to_bytes_be(), key.e().to_bytes_be()))
}

/// The size in bits of an RSA public key (SPKI DER).
pub(crate) fn bits(public_der: &[u8]) -> Result<usize> {
    use rsa::pkcs8::DecodePublicKey;
    let key = rsa::RsaPublicKey::from_public_key_der(public_der)
        .map_err(|e| Error::Damaged(e.to_string()))?;
    Ok(rsa::traits::PublicKeyParts::size(&key) * 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_pem_with_and_without_passphrase() {
        let pair = generate(2048).expect("keygen");
        assert_eq!(pair.key_id.len(), 43);
        let pem = private_pem(&pair.private_der, None).expect("pem");
        // The test checks the PEM it just made.
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = parse_private_pem(pem.expose(), None).expect("parse");
        assert_eq!(back.key_id, pair.key_id);

        let pass = Secret::new("hunter2 hunter2".into());
        let enc = private_pem(&pair.private_der, Some(&pass)).expect("encrypted pem");
        assert!(
            enc.expose()
                .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        );
        assert_eq!(
            parse_private_pem(enc.expose(), Some(&pass))
                .expect("decrypt")
                .key_id,
            pair.key_id
        );
        let wrong = Secret::new("wrong".into());
        assert!(matches!(
            parse_private_pem(enc.expose(), Some(&wrong)),
            Err(Error::WrongPassphrase)
        ));
        assert!(matches!(
            parse_private_pem(enc.expose(), None),
            Err(Error::BadTokenFile(_))
        ));

        let public = public_pem(&pair.public_der).expect("public pem");
        assert_eq!(
            parse_public_pem(&public).expect("parse public"),
            pair.public_der
        );
    }

    #[test]
    fn odd_sizes_and_garbage_are_refused() {
        assert!(generate(1024).is_err());
        assert!(matches!(
            parse_private_pem("not a key", None),
            Err(Error::BadTokenFile(_))
        ));
        assert!(
            parse_public_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err()
        );
    }
}
