//! A shared vault's records as the server holds them: XChaCha20-Poly1305 under the
//! vault's epoch key with a random 192-bit nonce, the vault id, record id, version and
//! epoch bound as associated data (a record moved to another vault or slot, or served
//! under another version, does not open), and the author's Ed25519 signature over all of
//! it and the ciphertext.

use crate::crypto::keys::VaultKey;
use crate::model::error::{Error, Result};
use crate::model::secret::SecretBytes;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Bytes in a record's nonce.
pub const NONCE_BYTES: usize = 24;

/// Where a record sits: what its encryption and signature are bound to.
#[derive(Debug, Clone, Copy)]
pub struct Slot<'a> {
    pub vault_id: &'a str,
    pub record_id: &'a str,
    pub version: i64,
    pub epoch: i64,
}

impl Slot<'_> {
    /// The associated data: every field length-prefixed, so no two slots share it.
    fn associated_data(&self) -> Vec<u8> {
        let mut out = b"tessera-record-v1".to_vec();
        for part in [self.vault_id.as_bytes(), self.record_id.as_bytes()] {
            out.extend_from_slice(&(part.len() as u32).to_be_bytes());
            out.extend_from_slice(part);
        }
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out
    }

    /// What the author signs: the slot, the nonce and the ciphertext.
    pub fn signed_message(&self, nonce: &[u8], ciphertext: &[u8]) -> Vec<u8> {
        let mut out = self.associated_data();
        out.extend_from_slice(&(nonce.len() as u32).to_be_bytes());
        out.extend_from_slice(nonce);
        out.extend_from_slice(ciphertext);
        out
    }
}

/// Encrypts `plaintext` for `slot`: the nonce and the ciphertext.
pub fn seal(key: &VaultKey, slot: &Slot<'_>, plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    let mut nonce = [0u8; NONCE_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    let aad = slot.associated_data();
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| Error::invalid("record", "encrypting it failed"))?;
    Ok((nonce.to_vec(), ciphertext))
}

/// Decrypts a record sealed for `slot`; anything else (another key, vault, record,
/// version or epoch, a changed byte) is refused.
pub fn open(
    key: &VaultKey,
    slot: &Slot<'_>,
    nonce: &[u8],
    ciphertext: &[u8],
) -> Result<SecretBytes> {
    let refused = || {
        Error::invalid(
            "record",
            format!(
                "record {} does not decrypt for this vault, version and epoch",
                slot.record_id
            ),
        )
    };
    if nonce.len() != NONCE_BYTES {
        return Err(refused());
    }
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    let aad = slot.associated_data();
    cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .map(SecretBytes::new)
        .map_err(|_| refused())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_opens_only_in_its_slot() {
        let key = VaultKey::generate();
        let slot = Slot {
            vault_id: "v1",
            record_id: "r1",
            version: 3,
            epoch: 1,
        };
        let (nonce, ct) = seal(&key, &slot, b"state").expect("seal");
        assert_eq!(
            open(&key, &slot, &nonce, &ct).expect("open").expose(),
            b"state"
        );
        let moved = [
            Slot {
                vault_id: "v2",
                ..slot
            },
            Slot {
                record_id: "r2",
                ..slot
            },
            Slot { version: 2, ..slot },
            Slot { epoch: 2, ..slot },
        ];
        for other in moved {
            assert!(open(&key, &other, &nonce, &ct).is_err(), "{other:?}");
        }
        assert!(open(&VaultKey::generate(), &slot, &nonce, &ct).is_err());
        let mut flipped = ct.clone();
        flipped[0] ^= 1;
        assert!(open(&key, &slot, &nonce, &flipped).is_err());
    }
}
