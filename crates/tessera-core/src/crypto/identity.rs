//! A member identity: an X25519 key pair that a shared vault's key is sealed to (HPKE,
//! RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, base mode) and an
//! Ed25519 key that signs what the member writes. The public half travels as one string
//! (`tessera-id1:` and 64 bytes in base64url); its fingerprint is 30 digits in six
//! groups, short enough to compare by voice.

use crate::model::error::{Error, Result};
use crate::model::secret::SecretBytes;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

type Kem = hpke::kem::X25519HkdfSha256;
type Aead = hpke::aead::ChaCha20Poly1305;
type Kdf = hpke::kdf::HkdfSha256;

/// What starts an identity's text.
const PREFIX: &str = "tessera-id1:";
/// The length of a sealed 32-byte key: the encapsulated key, the ciphertext, the tag.
pub const SEALED_KEY_BYTES: usize = 32 + 32 + 16;

/// The public half of an identity: what others seal to and check signatures by.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicIdentity {
    kem: [u8; 32],
    verifying: [u8; 32],
}

impl std::fmt::Debug for PublicIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicIdentity({})", self.fingerprint())
    }
}

impl std::fmt::Display for PublicIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&self.kem);
        bytes[32..].copy_from_slice(&self.verifying);
        write!(f, "{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }
}

impl std::str::FromStr for PublicIdentity {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid("identity", why.to_string());
        let body = text.trim().strip_prefix(PREFIX).ok_or_else(|| {
            bad("an identity starts with 'tessera-id1:' (`tessera identity` prints one)")
        })?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| bad("it is cut short or mistyped: copy it again whole"))?;
        let bytes: [u8; 64] = bytes
            .try_into()
            .map_err(|_| bad("it is cut short or mistyped: copy it again whole"))?;
        let mut kem = [0u8; 32];
        let mut verifying = [0u8; 32];
        kem.copy_from_slice(&bytes[..32]);
        verifying.copy_from_slice(&bytes[32..]);
        VerifyingKey::from_bytes(&verifying)
            .map_err(|_| bad("its signing key is not a valid Ed25519 key"))?;
        <Kem as hpke::Kem>::PublicKey::from_bytes(&kem)
            .map_err(|_| bad("its encryption key is not a valid X25519 key"))?;
        Ok(PublicIdentity { kem, verifying })
    }
}

impl PublicIdentity {
    /// Thirty digits in six groups of five, from SHA-256 of the identity: what two
    /// people read to each other before trusting an identity.
    pub fn fingerprint(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(b"tessera identity fingerprint v1");
        hash.update(self.kem);
        hash.update(self.verifying);
        let digest = hash.finalize();
        // As Signal's safety numbers: five bytes, modulo 100000, per group.
        digest[..30]
            .chunks(5)
            .map(|chunk| {
                let n = chunk.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
                format!("{:05}", n % 100_000)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether `signature` is this identity's over `message` (strict Ed25519: no
    /// malleable or small-order forms).
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
            return false;
        };
        VerifyingKey::from_bytes(&self.verifying)
            .is_ok_and(|key| key.verify_strict(message, &signature).is_ok())
    }

    /// Seals a 32-byte key to this identity, bound to `info` (the vault and epoch).
    pub fn seal_key(&self, info: &[u8], key: &[u8; 32]) -> Result<Vec<u8>> {
        let recipient = <Kem as hpke::Kem>::PublicKey::from_bytes(&self.kem)
            .map_err(|_| Error::invalid("identity", "not a valid X25519 key"))?;
        let (encapped, sealed) = hpke::single_shot_seal::<Aead, Kdf, Kem, _>(
            &OpModeS::Base,
            &recipient,
            info,
            key,
            b"",
            &mut rand::rngs::OsRng,
        )
        .map_err(|_| Error::invalid("identity", "sealing the vault key failed"))?;
        let mut out = encapped.to_bytes().to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }
}

/// An identity with its private keys; wiped when dropped.
pub struct Identity {
    kem: <Kem as hpke::Kem>::PrivateKey,
    signing: SigningKey,
    public: PublicIdentity,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// A new identity from the OS CSPRNG.
    pub fn generate() -> Identity {
        let (kem, _) = Kem::gen_keypair(&mut rand::rngs::OsRng);
        let mut seed = Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, seed.as_mut());
        Identity::from_parts(kem, SigningKey::from_bytes(&seed))
    }

    fn from_parts(kem: <Kem as hpke::Kem>::PrivateKey, signing: SigningKey) -> Identity {
        let kem_public = Kem::sk_to_pk(&kem);
        let mut public = PublicIdentity {
            kem: [0u8; 32],
            verifying: signing.verifying_key().to_bytes(),
        };
        public.kem.copy_from_slice(&kem_public.to_bytes());
        Identity {
            kem,
            signing,
            public,
        }
    }

    /// The private keys as stored in the vault: X25519 secret, Ed25519 seed.
    pub fn to_secret(&self) -> SecretBytes {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(&self.kem.to_bytes());
        bytes.extend_from_slice(self.signing.as_bytes());
        SecretBytes::new(bytes)
    }

    /// An identity read back from [`Identity::to_secret`].
    pub fn from_secret(secret: &SecretBytes) -> Result<Identity> {
        // The identity's own keys, read back to use them.
        let bytes = secret.expose();
        if bytes.len() != 64 {
            return Err(Error::Damaged(
                "the vault's identity keys are damaged".into(),
            ));
        }
        let kem = <Kem as hpke::Kem>::PrivateKey::from_bytes(&bytes[..32])
            .map_err(|_| Error::Damaged("the vault's identity keys are damaged".into()))?;
        let mut seed = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(&bytes[32..]);
        Ok(Identity::from_parts(kem, SigningKey::from_bytes(&seed)))
    }

    pub fn public(&self) -> &PublicIdentity {
        &self.public
    }

    /// This identity's Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.signing.sign(message).to_bytes().to_vec()
    }

    /// Opens a key sealed to this identity by [`PublicIdentity::seal_key`] with `info`.
    pub fn open_key(&self, info: &[u8], sealed: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        let refused = || Error::invalid("vault key", "it was not sealed to this identity");
        if sealed.len() != SEALED_KEY_BYTES {
            return Err(refused());
        }
        let encapped =
            <Kem as hpke::Kem>::EncappedKey::from_bytes(&sealed[..32]).map_err(|_| refused())?;
        let opened = Zeroizing::new(
            hpke::single_shot_open::<Aead, Kdf, Kem>(
                &OpModeR::Base,
                &self.kem,
                &encapped,
                info,
                &sealed[32..],
                b"",
            )
            .map_err(|_| refused())?,
        );
        let mut key = Zeroizing::new([0u8; 32]);
        if opened.len() != 32 {
            return Err(refused());
        }
        key.copy_from_slice(&opened);
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_reads_back_and_its_text_round_trips() {
        let identity = Identity::generate();
        let again = Identity::from_secret(&identity.to_secret()).expect("read back");
        assert_eq!(identity.public(), again.public());
        let text = identity.public().to_string();
        assert!(text.starts_with(PREFIX));
        let parsed: PublicIdentity = text.parse().expect("parse");
        assert_eq!(&parsed, identity.public());
        let fingerprint = parsed.fingerprint();
        assert_eq!(fingerprint.len(), 6 * 5 + 5, "{fingerprint}");
        assert!(fingerprint.chars().all(|c| c.is_ascii_digit() || c == ' '));
        assert!(!format!("{identity:?}").contains(&text[PREFIX.len()..]));
    }

    #[test]
    fn a_cut_or_mistyped_identity_is_refused() {
        let text = Identity::generate().public().to_string();
        for bad in [
            &text[..text.len() - 3],
            &text[PREFIX.len()..],
            "tessera-id1:!!",
        ] {
            assert!(bad.parse::<PublicIdentity>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_sealed_key_opens_only_for_its_identity_and_info() {
        let alice = Identity::generate();
        let bob = Identity::generate();
        let key = [7u8; 32];
        let sealed = alice
            .public()
            .seal_key(b"vault 1 epoch 1", &key)
            .expect("seal");
        assert_eq!(sealed.len(), SEALED_KEY_BYTES);
        assert_eq!(
            *alice.open_key(b"vault 1 epoch 1", &sealed).expect("open"),
            key
        );
        assert!(bob.open_key(b"vault 1 epoch 1", &sealed).is_err());
        assert!(alice.open_key(b"vault 2 epoch 1", &sealed).is_err());
    }

    #[test]
    fn a_signature_checks_only_for_its_message_and_signer() {
        let alice = Identity::generate();
        let bob = Identity::generate();
        let signature = alice.sign(b"roster 1");
        assert!(alice.public().verifies(b"roster 1", &signature));
        assert!(!alice.public().verifies(b"roster 2", &signature));
        assert!(!bob.public().verifies(b"roster 1", &signature));
    }
}
