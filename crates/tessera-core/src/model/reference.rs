//! References to a token's secret or fields, as programs are handed them: `tessera://NAME`
//! (the secret) and `tessera://NAME/FIELD`, NAME a token's name or id, percent-encoded
//! where it holds `/`, `%`, spaces or other characters a reference cannot carry.

use crate::model::error::{Error, Result};
use std::str::FromStr;

/// The scheme every reference starts with.
pub const SCHEME: &str = "tessera://";

/// What of a token a reference asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Field {
    /// The secret: the token string, or an RSA token's private key (PEM).
    Secret,
    /// When it expires, RFC 3339, or empty for never.
    ExpiresAt,
    /// An RSA token's public key (PEM).
    PublicKey,
    /// An RSA token's token file (JSON).
    TokenFile,
    /// An RSA token's key id.
    KeyId,
}

impl FromStr for Field {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        crate::model::names::parse(s, "field", "a reference field", &[])
    }
}

/// One reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The token's name or id, decoded.
    pub token: String,
    /// What of it.
    pub field: Field,
}

impl Reference {
    /// The reference as written: `tessera://NAME[/FIELD]`, NAME encoded as needed.
    pub fn text(&self) -> String {
        let name = encode(&self.token);
        match self.field {
            Field::Secret => format!("{SCHEME}{name}"),
            field => format!("{SCHEME}{name}/{}", <&str>::from(field)),
        }
    }
}

impl FromStr for Reference {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::invalid(
                "reference",
                format!(
                    "'{}' is not a reference: {why} (tessera://NAME or tessera://NAME/FIELD)",
                    text.trim()
                ),
            )
        };
        let rest = text
            .trim()
            .strip_prefix(SCHEME)
            .ok_or_else(|| bad("it does not start with tessera://"))?;
        let (name, field) = match rest.split_once('/') {
            Some((name, field)) => (name, field.parse::<Field>()?),
            None => (rest, Field::Secret),
        };
        let token = decode(name).ok_or_else(|| bad("its name has a broken %-escape"))?;
        if token.trim().is_empty() {
            return Err(bad("it names no token"));
        }
        Ok(Reference { token, field })
    }
}

/// Whether `text` is a whole reference (an environment variable's value, say).
pub fn is_reference(text: &str) -> bool {
    text.trim_start().starts_with(SCHEME)
}

fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The `{{ tessera://… }}` placeholders of a template, with their byte ranges.
pub fn placeholders(template: &str) -> Result<Vec<(std::ops::Range<usize>, Reference)>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = template[from..].find("{{") {
        let start = from + open;
        let Some(close) = template[start..].find("}}") else {
            break;
        };
        let end = start + close + 2;
        let inner = template[start + 2..end - 2].trim();
        if is_reference(inner) {
            found.push((start..end, inner.parse()?));
        }
        from = end;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_back_with_their_fields_and_encoded_names() {
        let r: Reference = "tessera://prod%20deploy%2Fv2/expires_at"
            .parse()
            .expect("parses");
        assert_eq!(r.token, "prod deploy/v2");
        assert_eq!(r.field, Field::ExpiresAt);
        assert_eq!(r.text().parse::<Reference>().expect("round trip"), r);
        let plain: Reference = "tessera://github-ci".parse().expect("parses");
        assert_eq!(plain.field, Field::Secret);
        for bad in [
            "github-ci",
            "tessera://",
            "tessera://x/nope",
            "tessera://a%zz",
        ] {
            assert!(bad.parse::<Reference>().is_err(), "{bad}");
        }
    }

    #[test]
    fn placeholders_are_found_in_templates() {
        let found = placeholders("a={{ tessera://one }} b={{tessera://two/key_id}} c={{ other }}")
            .expect("parses");
        let names: Vec<&str> = found.iter().map(|(_, r)| r.token.as_str()).collect();
        assert_eq!(names, ["one", "two"]);
        assert_eq!(found[1].1.field, Field::KeyId);
    }
}
