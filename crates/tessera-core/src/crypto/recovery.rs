//! The recovery key: 160 random bits a person keeps on paper, which open the vault when
//! its master password is forgotten or its keyring entry is lost (like 1Password's
//! Emergency Kit). Written `TSR-` and seven groups of Crockford base32, the last
//! ending in a check character, so a mistyped character is caught before any file is
//! read.
//!
//! The key is never stored. From it comes an age X25519 identity (HKDF-SHA256; the
//! key has full entropy, so no slow KDF is needed), and the vault keeps only the public
//! half, the recipient: the vault key is sealed to it (age's X25519 + ChaCha20-Poly1305)
//! and the sealed copy sits in the header. Because sealing needs only the recipient,
//! every change of password or protection seals the new vault key again without the
//! recovery key, and backups can be encrypted to it too.

use crate::crypto::keys::{KEY_BYTES, VaultKey};
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use std::str::FromStr;
use zeroize::Zeroizing;

/// Random bytes in a recovery key.
const KEY_LEN: usize = 20;
/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Crockford's check symbols: the alphabet and five more, for a value mod 37.
const CHECK: &[u8; 37] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ*~$=U";
/// What a recovery key starts with.
const PREFIX: &str = "TSR";
/// What the sealed plaintext starts with, before the vault id and the key.
const SEALED_DOMAIN: &[u8] = b"tessera recovery v1\0";

/// A recovery key, wiped when dropped and never printed by `Debug`.
pub struct RecoveryKey(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(<redacted>)")
    }
}

impl RecoveryKey {
    /// A new key from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, bytes.as_mut());
        RecoveryKey(bytes)
    }

    /// Reads a key as a person types it: any case, with or without the `TSR-` prefix,
    /// dashes and spaces anywhere, `O` for 0 and `I` or `L` for 1.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::invalid("recovery key", reason);
        let mut symbols = Zeroizing::new(Vec::with_capacity(40));
        for c in text.trim().chars() {
            match c.to_ascii_uppercase() {
                '-' | ' ' => {}
                'O' => symbols.push(b'0'),
                'I' | 'L' => symbols.push(b'1'),
                c if c.is_ascii() => symbols.push(c as u8),
                _ => return Err(invalid("it has a character that is not in a recovery key")),
            }
        }
        if symbols.starts_with(PREFIX.as_bytes()) && symbols.len() == PREFIX.len() + 33 {
            symbols.drain(..PREFIX.len());
        }
        if symbols.len() != 33 {
            return Err(invalid(
                "it has the wrong length: a recovery key is TSR- and 33 characters",
            ));
        }
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        let (mut acc, mut bits, mut out) = (0u32, 0u32, 0usize);
        for &symbol in &symbols[..32] {
            let value = ALPHABET
                .iter()
                .position(|&a| a == symbol)
                .ok_or_else(|| invalid("it has a character that is not in a recovery key"))?;
            acc = (acc << 5) | value as u32;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes[out] = (acc >> bits) as u8;
                out += 1;
                acc &= (1 << bits) - 1;
            }
        }
        if check_symbol(bytes.as_ref()) != symbols[32] {
            return Err(invalid(
                "its check character does not match: a character is mistyped",
            ));
        }
        Ok(RecoveryKey(bytes))
    }

    /// The key as a person copies it: `TSR-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXC`.
    pub fn text(&self) -> Secret {
        let mut symbols = Zeroizing::new(Vec::with_capacity(33));
        let (mut acc, mut bits) = (0u32, 0u32);
        for &byte in self.0.iter() {
            acc = (acc << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                symbols.push(ALPHABET[((acc >> bits) & 31) as usize]);
            }
            acc &= (1 << bits) - 1;
        }
        symbols.push(check_symbol(self.0.as_ref()));
        let mut text = String::with_capacity(PREFIX.len() + 41);
        text.push_str(PREFIX);
        for group in symbols.chunks(5) {
            text.push('-');
            text.extend(group.iter().map(|&s| s as char));
        }
        Secret::new(text)
    }

    /// The age identity this key stands for.
    pub(crate) fn identity(&self) -> Result<age::x25519::Identity> {
        use bech32::ToBase32;
        let mut secret = Zeroizing::new([0u8; 32]);
        hkdf::Hkdf::<sha2::Sha256>::new(None, self.0.as_ref())
            .expand(b"tessera recovery x25519 v1", secret.as_mut())
            .map_err(|_| Error::Crypto("recovery key derivation".into()))?;
        let encoded = Zeroizing::new(
            bech32::encode(
                "age-secret-key-",
                secret.to_base32(),
                bech32::Variant::Bech32,
            )
            .map_err(|_| Error::Crypto("recovery key encoding".into()))?
            .to_uppercase(),
        );
        age::x25519::Identity::from_str(&encoded)
            .map_err(|_| Error::Crypto("recovery key identity".into()))
    }

    /// The public half, an age recipient (`age1…`): what the vault keeps, and what
    /// backups can be encrypted to.
    pub fn recipient(&self) -> Result<String> {
        Ok(self.identity()?.to_public().to_string())
    }

    /// Opens what [`seal`] sealed for the vault `vault_id`; a wrong key, or a sealed
    /// copy of another vault, is [`Error::WrongRecoveryKey`].
    pub fn open(&self, vault_id: &str, sealed: &str) -> Result<VaultKey> {
        use base64::Engine;
        let ciphertext = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| Error::Damaged("the vault header's recovery copy is not base64".into()))?;
        let plain = Zeroizing::new(
            age::decrypt(&self.identity()?, &ciphertext).map_err(|_| Error::WrongRecoveryKey)?,
        );
        let rest = plain
            .strip_prefix(SEALED_DOMAIN)
            .and_then(|rest| rest.strip_prefix(vault_id.as_bytes()))
            .and_then(|rest| rest.strip_prefix(b"\0"))
            .filter(|key| key.len() == KEY_BYTES)
            .ok_or(Error::WrongRecoveryKey)?;
        VaultKey::from_bytes(rest)
    }
}

/// Seals the vault key of `vault_id` to a recovery `recipient`, base64 for the header.
pub fn seal(recipient: &str, vault_id: &str, key: &VaultKey) -> Result<String> {
    use base64::Engine;
    let recipient = age::x25519::Recipient::from_str(recipient)
        .map_err(|_| Error::Damaged("the vault's recovery recipient is not readable".into()))?;
    let mut plain = Zeroizing::new(Vec::with_capacity(SEALED_DOMAIN.len() + 64));
    plain.extend_from_slice(SEALED_DOMAIN);
    plain.extend_from_slice(vault_id.as_bytes());
    plain.push(0);
    plain.extend_from_slice(key.expose());
    let sealed = age::encrypt(&recipient, &plain)
        .map_err(|e| Error::Crypto(format!("sealing the recovery copy: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sealed))
}

/// Crockford's check symbol: the key as one number, mod 37.
fn check_symbol(bytes: &[u8]) -> u8 {
    let rest = bytes
        .iter()
        .fold(0u32, |rest, &byte| (rest * 256 + u32::from(byte)) % 37);
    CHECK[rest as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_from_its_text_however_it_is_typed() {
        let key = RecoveryKey::generate();
        let text = key.text();
        let text = text.expose();
        assert!(text.starts_with("TSR-"));
        assert_eq!(text.len(), 4 + 33 + 6);
        let again = RecoveryKey::parse(text).expect("parses");
        assert_eq!(again.0.as_ref(), key.0.as_ref());
        let typed = text.to_lowercase().replace('-', " ").replace("tsr ", "");
        let again = RecoveryKey::parse(&typed).expect("parses as typed");
        assert_eq!(again.0.as_ref(), key.0.as_ref());
    }

    #[test]
    fn a_mistyped_character_is_caught_by_the_check() {
        let text = RecoveryKey::generate().text().expose().to_string();
        let mut caught = 0;
        for at in (4..text.len()).filter(|&i| text.as_bytes()[i] != b'-') {
            let mut typo = text.clone().into_bytes();
            typo[at] = if typo[at] == b'2' { b'3' } else { b'2' };
            if RecoveryKey::parse(&String::from_utf8(typo).expect("ascii")).is_err() {
                caught += 1;
            }
        }
        assert_eq!(caught, 33, "every single-character change is refused");
        assert!(RecoveryKey::parse("TSR-1234").is_err());
        assert!(RecoveryKey::parse("").is_err());
    }

    #[test]
    fn a_sealed_key_opens_with_its_recovery_key_and_for_its_vault_only() {
        let recovery = RecoveryKey::generate();
        let key = VaultKey::generate();
        let sealed =
            seal(&recovery.recipient().expect("recipient"), "vault-1", &key).expect("seals");
        let opened = recovery.open("vault-1", &sealed).expect("opens");
        assert_eq!(opened.expose(), key.expose());
        assert!(matches!(
            recovery.open("vault-2", &sealed),
            Err(Error::WrongRecoveryKey)
        ));
        assert!(matches!(
            RecoveryKey::generate().open("vault-1", &sealed),
            Err(Error::WrongRecoveryKey)
        ));
        assert!(format!("{recovery:?}").contains("redacted"));
    }
}
