//! The plaintext header beside the vault file. It holds only what is needed before the
//! vault can be decrypted: the vault id (the keyring account), for a password vault the
//! Argon2id salt and parameters, and, once the vault has a recovery key, the vault key
//! sealed to that key's public half (`crypto::recovery`). It never holds a key in the
//! clear.

use crate::crypto::keys::KdfParams;
use crate::model::error::{Error, Result};
use std::path::Path;
use subtle::ConstantTimeEq;

/// The header's `format` value.
pub const FORMAT: &str = "tessera-vault-header";
/// The header version this build writes.
pub const VERSION: u32 = 1;

/// How the vault key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Protection {
    /// In the OS keyring; the vault opens without a prompt.
    Keyring,
    /// Derived from a master password.
    Password,
}

/// The header file's contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// Header version.
    pub version: u32,
    /// The vault's id (UUIDv7).
    pub vault_id: String,
    /// Where the key comes from.
    pub protection: Protection,
    /// Argon2id parameters, for password vaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdf: Option<KdfParams>,
    /// A check value of the vault key (see [`Header::checked_by`]); absent in vaults
    /// made before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check: Option<String>,
    /// The vault key sealed to the recovery key, absent until the vault has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<RecoverySeal>,
}

/// The vault key sealed to a recovery key's public half.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoverySeal {
    /// The recovery key's public half, an age X25519 recipient.
    pub recipient: String,
    /// The vault id and key sealed to it (age, base64).
    pub sealed: String,
    /// A MAC of the recipient under the vault key: a recipient put into the header by
    /// someone who does not hold the key is not taken, so a new vault key is never
    /// sealed to a stranger.
    pub mac: String,
}

impl Header {
    /// A header for a new vault.
    pub fn new(vault_id: String, kdf: Option<KdfParams>) -> Self {
        let protection = if kdf.is_some() {
            Protection::Password
        } else {
            Protection::Keyring
        };
        Header {
            format: FORMAT.into(),
            version: VERSION,
            vault_id,
            protection,
            kdf,
            key_check: None,
            recovery: None,
        }
    }

    /// This header with the vault key `key` sealed to `recipient`, or with no recovery
    /// copy when `recipient` is `None`.
    pub fn sealed_for(
        mut self,
        recipient: Option<&str>,
        key: &crate::crypto::keys::VaultKey,
    ) -> Result<Self> {
        self.recovery = match recipient {
            Some(recipient) => Some(RecoverySeal {
                recipient: recipient.into(),
                sealed: crate::crypto::recovery::seal(recipient, &self.vault_id, key)?,
                mac: recipient_mac(&self.vault_id, recipient, key),
            }),
            None => None,
        };
        Ok(self)
    }

    /// The recovery recipient, if the header has one that `key` vouches for.
    pub fn recovery_recipient(&self, key: &crate::crypto::keys::VaultKey) -> Option<&str> {
        let seal = self.recovery.as_ref()?;
        let expected = recipient_mac(&self.vault_id, &seal.recipient, key);
        bool::from(expected.as_bytes().ct_eq(seal.mac.as_bytes())).then_some(&*seal.recipient)
    }

    /// This header with the check value of `key`: the first 16 bytes of SHA-256 over a
    /// domain string, the vault id and the key, in hex. It lets `open` tell a damaged
    /// file (right key, pages that do not decrypt) from a wrong key or password. The key
    /// is random or Argon2id output, and the encrypted file already lets anyone test a
    /// guess, so the check value gives an attacker nothing new.
    pub fn checked_by(mut self, key: &crate::crypto::keys::VaultKey) -> Self {
        self.key_check = Some(key_check(&self.vault_id, key));
        self
    }

    /// Whether `key` is this header's key; `None` when the header has no check value.
    pub fn key_matches(&self, key: &crate::crypto::keys::VaultKey) -> Option<bool> {
        let expected = self.key_check.as_deref()?;
        let actual = key_check(&self.vault_id, key);
        Some(bool::from(expected.as_bytes().ct_eq(actual.as_bytes())))
    }

    /// Reads and checks a header file.
    pub fn read(path: &Path) -> Result<Header> {
        let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
        Header::parse(&bytes)
    }

    /// Parses and checks header bytes.
    pub fn parse(bytes: &[u8]) -> Result<Header> {
        if bytes.len() > 64 * 1024 {
            return Err(Error::Damaged("the vault header is too large".into()));
        }
        let header: Header = serde_json::from_slice(bytes)
            .map_err(|e| Error::Damaged(format!("the vault header is not readable ({e})")))?;
        if header.format != FORMAT {
            return Err(Error::Damaged(
                "the vault header is not a Tessera header".into(),
            ));
        }
        if header.version != VERSION {
            return Err(Error::Damaged(format!(
                "unknown vault header version {}",
                header.version
            )));
        }
        if uuid::Uuid::parse_str(&header.vault_id).is_err() {
            return Err(Error::Damaged(
                "the vault header's vault id is not a UUID".into(),
            ));
        }
        match (header.protection, &header.kdf) {
            (Protection::Password, None) => Err(Error::Damaged(
                "a password vault's header lacks its key-derivation parameters".into(),
            )),
            (Protection::Keyring, Some(_)) => Err(Error::Damaged(
                "a keyring vault's header holds key-derivation parameters".into(),
            )),
            _ => Ok(header),
        }
    }

    /// Writes the header atomically with mode 0600.
    pub fn write(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::Storage(e.to_string()))?;
        crate::platform::fsutil::write_private(path, &json)
    }
}

fn recipient_mac(vault_id: &str, recipient: &str, key: &crate::crypto::keys::VaultKey) -> String {
    use hmac::Mac;
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.expose())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(b"tessera recovery recipient v1\0");
    mac.update(vault_id.as_bytes());
    mac.update(b"\0");
    mac.update(recipient.as_bytes());
    mac.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn key_check(vault_id: &str, key: &crate::crypto::keys::VaultKey) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"tessera vault key check v1\0")
        .chain_update(vault_id.as_bytes())
        .chain_update(b"\0")
        .chain_update(key.expose())
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, ok: bool) {
        assert_eq!(Header::parse(input.as_bytes()).is_ok(), ok, "{input}");
    }

    #[test]
    fn headers_round_trip_and_bad_ones_are_named_damaged() {
        let header = Header::new(uuid::Uuid::now_v7().to_string(), Some(KdfParams::fresh()));
        let json = serde_json::to_string(&header).expect("json");
        assert_eq!(Header::parse(json.as_bytes()).expect("parse"), header);
        let id = uuid::Uuid::now_v7();
        check(
            &format!(
                r#"{{"format":"{FORMAT}","version":1,"vault_id":"{id}","protection":"keyring"}}"#
            ),
            true,
        );
        check(
            &format!(
                r#"{{"format":"{FORMAT}","version":2,"vault_id":"{id}","protection":"keyring"}}"#
            ),
            false,
        );
        check(
            &format!(r#"{{"format":"x","version":1,"vault_id":"{id}","protection":"keyring"}}"#),
            false,
        );
        check(
            &format!(
                r#"{{"format":"{FORMAT}","version":1,"vault_id":"nope","protection":"keyring"}}"#
            ),
            false,
        );
        check(
            &format!(
                r#"{{"format":"{FORMAT}","version":1,"vault_id":"{id}","protection":"password"}}"#
            ),
            false,
        );
        check("", false);
        check("{", false);
        assert!(matches!(Header::parse(b"[]"), Err(Error::Damaged(_))));
    }
}
