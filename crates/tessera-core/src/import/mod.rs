//! Reading other managers' exports and plain files into entries to import: each entry
//! a name, a secret and where it came from; each part of the file that holds no token
//! is listed as skipped, with why, so that what is imported and what is skipped always
//! add up to the file. No I/O and no vault here: bytes in, entries out.

pub mod bitwarden;
pub mod dotenv;
pub mod kdbx;
pub mod keepass_csv;
pub mod onepux;

use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;

/// A file larger than this is refused unread.
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

/// The formats `tessera import --from` reads.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Format {
    /// `KEY=value` lines (`.env`).
    Dotenv,
    /// A 1Password export (`.1pux`: a zip holding `export.data`).
    #[serde(rename = "1pux")]
    #[strum(serialize = "1pux")]
    OnePux,
    /// A Bitwarden JSON export, plain or password-protected.
    Bitwarden,
    /// KeePassXC's CSV export.
    KeepassxcCsv,
    /// A KeePass database (`.kdbx`, KDBX 3 or 4), with its password.
    Kdbx,
    /// Tessera's RSA token file.
    TokenFile,
}

impl Format {
    /// Every format.
    pub const ALL: &'static [Format] = <Format as strum::VariantArray>::VARIANTS;

    /// The format's name, as typed after `--from`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether reading it needs a password (the file's own, not the vault's).
    pub fn takes_password(self) -> bool {
        matches!(self, Format::Kdbx)
    }
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        // The names' dashes, as the shared parser reads them (`-` as `_`), and aliases.
        let aliases = [
            ("keepassxc_csv", Format::KeepassxcCsv),
            ("token_file", Format::TokenFile),
            ("env", Format::Dotenv),
            ("1password", Format::OnePux),
            ("keepassxc", Format::KeepassxcCsv),
            ("keepass", Format::Kdbx),
        ];
        crate::model::names::parse(s, "format", "an import format", &aliases)
    }
}

/// One thing found in a file that can become a token.
#[derive(Debug)]
pub struct Entry {
    /// Where it is in the file ("line 3", "Personal / GitHub CI").
    pub origin: String,
    /// The name it gets (its title or key).
    pub name: String,
    /// The secret, byte for byte as the file holds it.
    pub value: Secret,
    /// Notes carried over (a username, a URL), never a secret.
    pub description: String,
    /// When it expires, as the file says (a JWT's `exp` is read later).
    pub expires_at: Option<Timestamp>,
}

impl Entry {
    pub(crate) fn new(origin: impl Into<String>, name: impl Into<String>, value: Secret) -> Self {
        Entry {
            origin: origin.into(),
            name: name.into(),
            value,
            description: String::new(),
            expires_at: None,
        }
    }
}

/// A part of the file that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Skipped {
    /// Where it is in the file, and its name if it has one.
    pub entry: String,
    /// Why, for a person.
    pub reason: String,
}

/// What a file holds.
#[derive(Debug, Default)]
pub struct Parsed {
    /// What can be imported.
    pub entries: Vec<Entry>,
    /// What cannot, with why.
    pub skipped: Vec<Skipped>,
}

impl Parsed {
    pub(crate) fn skip(&mut self, entry: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            entry: entry.into(),
            reason: reason.into(),
        });
    }
}

/// Reads `bytes` as `format`; `password` opens an encrypted file (a password-protected
/// Bitwarden export, a KeePass database). A file that is not of the format at all is an
/// error; entries in it without a secret are skipped.
pub fn parse(format: Format, bytes: &[u8], password: Option<&Secret>) -> Result<Parsed> {
    let text = || {
        std::str::from_utf8(bytes).map_err(|_| {
            Error::invalid(
                "file",
                format!("it is not UTF-8 text, as a {} file is", format.as_str()),
            )
        })
    };
    match format {
        Format::Dotenv => Ok(dotenv::parse(text()?)),
        Format::OnePux => onepux::parse(bytes),
        Format::Bitwarden => bitwarden::parse(text()?, password),
        Format::KeepassxcCsv => keepass_csv::parse(bytes),
        Format::Kdbx => kdbx::parse(bytes, password),
        Format::TokenFile => Err(Error::invalid(
            "format",
            "an RSA token file is imported with `tessera import FILE`",
        )),
    }
}

/// The `exp` of a value that is a JWT (three base64url parts, a JSON header with
/// `alg`); none for anything else. The signature is not checked: this only reads when
/// the token says it expires.
pub fn jwt_expiry(value: &str) -> Option<Timestamp> {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = value.trim().split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: serde_json::Value = serde_json::from_slice(&engine.decode(header).ok()?).ok()?;
    header.get("alg")?;
    let payload: serde_json::Value = serde_json::from_slice(&engine.decode(payload).ok()?).ok()?;
    payload.get("exp")?.as_i64()
}

/// A name from the parts of an entry's place: the title, or `fallback` when it has
/// none.
pub(crate) fn title_or(title: Option<&str>, fallback: &str) -> String {
    title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(fallback)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwt_value_gives_its_expiry_and_nothing_else_does() {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let jwt = format!(
            "{}.{}.sig",
            engine.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            engine.encode(br#"{"sub":"ci","exp":1900000000}"#)
        );
        assert_eq!(jwt_expiry(&jwt), Some(1_900_000_000));
        assert_eq!(jwt_expiry("ghp_notajwt"), None);
        assert_eq!(jwt_expiry("a.b.c"), None);
    }

    #[test]
    fn formats_read_back_from_their_names() {
        for format in Format::ALL {
            assert_eq!(format.as_str().parse::<Format>().expect("parses"), *format);
        }
        assert_eq!(
            "1password".parse::<Format>().expect("alias"),
            Format::OnePux
        );
    }
}
