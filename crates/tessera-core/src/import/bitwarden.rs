//! Bitwarden's JSON export, plain or password-protected. An item's secret is its
//! login's password, else its first hidden custom field, else (a secure note) its note
//! when the note is one token; cards and identities hold none and are skipped.
//!
//! A password-protected export encrypts the plain export with a key derived from the
//! export password (PBKDF2-SHA256, or Argon2id, with the file's salt and parameters)
//! and stretched by HKDF-Expand-SHA256 into an AES-256 key and an HMAC-SHA256 key;
//! `encKeyValidation_DO_NOT_EDIT` tells a wrong password from a damaged file, and each
//! value is Bitwarden's cipher string `2.iv|ciphertext|mac` (AES-256-CBC, then
//! HMAC-SHA256 over iv and ciphertext). aws-lc-rs and argon2, already the vault's
//! primitives, do the work.

use crate::import::{Entry, Parsed, title_or};
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;
use zeroize::Zeroizing;

/// Bitwarden's own limits on its key derivation (PBKDF2: at most 2,000,000 iterations;
/// Argon2id: 2 to 10 iterations, 16 to 1,024 MiB, 1 to 16 lanes): a file beyond them is
/// refused before any derivation.
const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;
const ARGON2_ITERATIONS: std::ops::RangeInclusive<u32> = 2..=10;
const ARGON2_MIB: std::ops::RangeInclusive<u32> = 16..=1024;
const ARGON2_LANES: std::ops::RangeInclusive<u32> = 1..=16;

/// Reads a Bitwarden JSON export; `password` opens a password-protected one.
pub fn parse(text: &str, password: Option<&Secret>) -> Result<Parsed> {
    let not_bitwarden =
        |why: &str| Error::invalid("file", format!("it is not a Bitwarden JSON export: {why}"));
    let json: Value = serde_json::from_str(text).map_err(|_| not_bitwarden("it is not JSON"))?;
    let encrypted = json
        .get("encrypted")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let plain;
    let export = if encrypted {
        if json.get("passwordProtected").and_then(Value::as_bool) != Some(true) {
            return Err(Error::invalid(
                "file",
                "this Bitwarden export is encrypted with the account's own key (\"account restricted\"): export again from Bitwarden choosing \"password protected\", or as plain JSON",
            ));
        }
        let password = password.ok_or_else(|| {
            Error::invalid(
                "password",
                "this Bitwarden export is password-protected: give its password",
            )
        })?;
        plain = decrypt_export(&json, password)?;
        serde_json::from_slice::<Value>(&plain)
            .map_err(|_| not_bitwarden("its decrypted data is not JSON"))?
    } else {
        json
    };
    let items = export
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| not_bitwarden("it has no items"))?;
    let folders: std::collections::HashMap<&str, &str> = export
        .get("folders")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|f| Some((f.get("id")?.as_str()?, f.get("name")?.as_str()?)))
        .collect();
    let mut parsed = Parsed::default();
    for (index, item) in items.iter().enumerate() {
        let name = title_or(
            item.get("name").and_then(Value::as_str),
            &format!("item {}", index + 1),
        );
        let folder = item
            .get("folderId")
            .and_then(Value::as_str)
            .and_then(|id| folders.get(id));
        let origin = match folder {
            Some(folder) => format!("{folder} / {name}"),
            None => name.clone(),
        };
        match secret_of(item) {
            Ok(secret) => {
                let mut entry = Entry::new(origin, name, Secret::new(secret.to_string()));
                entry.description = item
                    .pointer("/login/username")
                    .and_then(Value::as_str)
                    .filter(|u| !u.is_empty())
                    .map(|u| format!("user {u}"))
                    .unwrap_or_default();
                parsed.entries.push(entry);
            }
            Err(reason) => parsed.skip(origin, reason),
        }
    }
    Ok(parsed)
}

fn non_empty(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn secret_of(item: &Value) -> std::result::Result<&str, &'static str> {
    if let Some(password) = non_empty(item.pointer("/login/password")) {
        return Ok(password);
    }
    let hidden = item
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|f| f.get("type").and_then(Value::as_i64) == Some(1))
        .and_then(|f| non_empty(f.get("value")));
    if let Some(hidden) = hidden {
        return Ok(hidden);
    }
    match item.get("type").and_then(Value::as_i64) {
        Some(2) => match non_empty(item.get("notes")) {
            Some(note) if !note.trim().contains(char::is_whitespace) => Ok(note.trim()),
            Some(_) => Err("a secure note whose text is more than one token"),
            None => Err("an empty secure note"),
        },
        Some(3) => Err("a card holds no token"),
        Some(4) => Err("an identity holds no token"),
        _ => Err("it has no password or hidden field"),
    }
}

/// The plain export inside a password-protected one.
fn decrypt_export(json: &Value, password: &Secret) -> Result<Zeroizing<Vec<u8>>> {
    let field = |name: &str| {
        json.get(name).ok_or_else(|| {
            Error::invalid(
                "file",
                format!("this password-protected Bitwarden export has no {name}"),
            )
        })
    };
    let salt = field("salt")?.as_str().unwrap_or_default();
    let iterations = field("kdfIterations")?.as_u64().unwrap_or(0);
    let key = match json.get("kdfType").and_then(Value::as_u64).unwrap_or(0) {
        0 => pbkdf2(password, salt, iterations)?,
        1 => argon2id(
            password,
            salt,
            iterations,
            json.get("kdfMemory").and_then(Value::as_u64).unwrap_or(0),
            json.get("kdfParallelism")
                .and_then(Value::as_u64)
                .unwrap_or(0),
        )?,
        other => {
            return Err(Error::invalid(
                "file",
                format!(
                    "this Bitwarden export uses key derivation {other}, which Tessera does not know"
                ),
            ));
        }
    };
    let (enc, mac) = stretch(&key)?;
    let validation = field("encKeyValidation_DO_NOT_EDIT")?
        .as_str()
        .unwrap_or_default();
    match decrypt(validation, &enc, &mac) {
        Ok(_) => {}
        Err(Bad::Mac) => {
            return Err(Error::invalid(
                "password",
                "it does not open this Bitwarden export",
            ));
        }
        Err(Bad::Shape) => {
            return Err(Error::invalid(
                "file",
                "this Bitwarden export's password check is damaged",
            ));
        }
    }
    decrypt(field("data")?.as_str().unwrap_or_default(), &enc, &mac).map_err(|_| {
        Error::invalid(
            "file",
            "this Bitwarden export's data is damaged: it does not authenticate",
        )
    })
}

type Key = Zeroizing<[u8; 32]>;

fn pbkdf2(password: &Secret, salt: &str, iterations: u64) -> Result<Key> {
    let iterations = u32::try_from(iterations)
        .ok()
        .filter(|&n| n <= MAX_PBKDF2_ITERATIONS)
        .and_then(std::num::NonZeroU32::new)
        .ok_or_else(|| {
            Error::invalid(
                "file",
                "this Bitwarden export's iteration count is out of range",
            )
        })?;
    let mut key = Zeroizing::new([0u8; 32]);
    aws_lc_rs::pbkdf2::derive(
        aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt.as_bytes(),
        password.expose().as_bytes(),
        key.as_mut(),
    );
    Ok(key)
}

fn argon2id(password: &Secret, salt: &str, iterations: u64, mib: u64, lanes: u64) -> Result<Key> {
    let out_of_range = || {
        Error::invalid(
            "file",
            "this Bitwarden export's Argon2 parameters are out of range",
        )
    };
    let within = |value: u64, range: std::ops::RangeInclusive<u32>| {
        u32::try_from(value)
            .ok()
            .filter(|v| range.contains(v))
            .ok_or_else(out_of_range)
    };
    let params = argon2::Params::new(
        within(mib, ARGON2_MIB)? * 1024,
        within(iterations, ARGON2_ITERATIONS)?,
        within(lanes, ARGON2_LANES)?,
        Some(32),
    )
    .map_err(|_| out_of_range())?;
    // Bitwarden hashes the salt first.
    let salt = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, salt.as_bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(password.expose().as_bytes(), salt.as_ref(), key.as_mut())
        .map_err(|e| Error::Crypto(format!("Argon2: {e}")))?;
    Ok(key)
}

/// HKDF-Expand-SHA256 of the key into an encryption key ("enc") and a MAC key ("mac").
fn stretch(key: &Key) -> Result<(Key, Key)> {
    let prk = aws_lc_rs::hkdf::Prk::new_less_safe(aws_lc_rs::hkdf::HKDF_SHA256, key.as_ref());
    let expand = |info: &[u8]| -> Result<Key> {
        let mut out = Zeroizing::new([0u8; 32]);
        prk.expand(&[info], Len32)
            .and_then(|okm| okm.fill(out.as_mut()))
            .map_err(|_| Error::Crypto("HKDF".into()))?;
        Ok(out)
    };
    Ok((expand(b"enc")?, expand(b"mac")?))
}

struct Len32;

impl aws_lc_rs::hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        32
    }
}

enum Bad {
    /// Not a cipher string of type 2.
    Shape,
    /// It does not authenticate under this key.
    Mac,
}

/// Opens a cipher string `2.iv|ciphertext|mac`.
fn decrypt(cipher: &str, enc: &Key, mac: &Key) -> std::result::Result<Zeroizing<Vec<u8>>, Bad> {
    let body = cipher.strip_prefix("2.").ok_or(Bad::Shape)?;
    let mut parts = body
        .split('|')
        .map(|p| BASE64.decode(p).map_err(|_| Bad::Shape));
    let (iv, mut data, tag) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(iv), Some(data), Some(tag), None) => (iv?, data?, tag?),
        _ => return Err(Bad::Shape),
    };
    let iv: [u8; 16] = iv.try_into().map_err(|_| Bad::Shape)?;
    let signing = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, mac.as_ref());
    let mut signed = iv.to_vec();
    signed.extend_from_slice(&data);
    aws_lc_rs::hmac::verify(&signing, &signed, &tag).map_err(|_| Bad::Mac)?;
    let key = aws_lc_rs::cipher::UnboundCipherKey::new(&aws_lc_rs::cipher::AES_256, enc.as_ref())
        .and_then(aws_lc_rs::cipher::PaddedBlockDecryptingKey::cbc_pkcs7)
        .map_err(|_| Bad::Shape)?;
    let plain = key
        .decrypt(
            &mut data,
            aws_lc_rs::cipher::DecryptionContext::Iv128(iv.into()),
        )
        .map_err(|_| Bad::Shape)?
        .to_vec();
    data.iter_mut().for_each(|b| *b = 0);
    Ok(Zeroizing::new(plain))
}
