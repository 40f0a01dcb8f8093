//! The layout of Tessera's random tokens, as GitHub lays out its own: `prefix`, then
//! 30 base62 characters (178 bits), then 6 base62 characters of the CRC32 of everything
//! before them. The checksum lets a pasted typo or a scanner's match be recognised
//! offline, before any lookup. Pure: `crypto::random` makes tokens in this layout.

use crate::model::token::TokenKind;

/// The base62 alphabet, in the order GitHub's checksums use.
pub const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Random characters in a token body.
pub const RANDOM_CHARS: usize = 30;
/// Checksum characters at the end.
pub const CHECKSUM_CHARS: usize = 6;

/// How a string fares against the random-token layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Not a Tessera random token at all.
    Foreign,
    /// A Tessera prefix, but the wrong length or characters.
    Malformed,
    /// The right layout, but the checksum does not match.
    BadChecksum,
    /// A well-formed token of this kind.
    Valid(TokenKind),
}

/// Classifies a string as a Tessera random token without any lookup.
pub fn parse(token: &str) -> Shape {
    let Some(kind) = TokenKind::ALL
        .iter()
        .copied()
        .find(|k| k.random_prefix().is_some_and(|p| token.starts_with(p)))
    else {
        return Shape::Foreign;
    };
    let prefix_len = 4;
    if token.len() != prefix_len + RANDOM_CHARS + CHECKSUM_CHARS
        || !token[prefix_len..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric())
    {
        return Shape::Malformed;
    }
    let (body, checksum) = token.split_at(token.len() - CHECKSUM_CHARS);
    if base62_checksum(crc32fast::hash(body.as_bytes())) != checksum {
        return Shape::BadChecksum;
    }
    Shape::Valid(kind)
}

/// A CRC32 as 6 base62 characters, most significant first, zero-padded.
pub fn base62_checksum(mut crc: u32) -> String {
    let mut out = [b'0'; CHECKSUM_CHARS];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(crc % 62) as usize];
        crc /= 62;
    }
    out.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_classified() {
        assert_eq!(parse("ghp_x"), Shape::Foreign);
        assert_eq!(parse("tsp_short"), Shape::Malformed);
        assert_eq!(parse(&format!("tsp_{}", "!".repeat(36))), Shape::Malformed);
        assert_eq!(parse(&format!("tsp_{}", "é".repeat(18))), Shape::Malformed);
        assert_eq!(parse(""), Shape::Foreign);
    }

    #[test]
    fn checksum_encoding_is_fixed_width() {
        assert_eq!(base62_checksum(0), "000000");
        assert_eq!(base62_checksum(61), "00000z");
        assert_eq!(base62_checksum(62), "000010");
        assert_eq!(base62_checksum(u32::MAX).len(), 6);
    }
}
