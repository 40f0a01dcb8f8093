//! Random tokens in the layout GitHub uses: `prefix`, then 30 base62 characters (178
//! bits), then 6 base62 characters of the CRC32 of everything before them. The checksum lets a
//! pasted typo or a scanner's match be recognised offline, before any lookup.

use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use crate::model::token::TokenKind;
use rand::{CryptoRng, Rng, RngCore};

/// The base62 alphabet, in the order GitHub's checksums use.
pub const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Random characters in a token body.
pub const RANDOM_CHARS: usize = 30;
/// Checksum characters at the end.
pub const CHECKSUM_CHARS: usize = 6;

/// A new random token of `kind` from the OS CSPRNG.
pub fn generate(kind: TokenKind) -> Result<Secret> {
    generate_with_rng(kind, &mut rand::rngs::OsRng)
}

/// A new random token from a given RNG (tests pass a seeded one).
pub fn generate_with_rng<R: RngCore + CryptoRng>(kind: TokenKind, rng: &mut R) -> Result<Secret> {
    let prefix = kind
        .random_prefix()
        .ok_or_else(|| Error::invalid("kind", format!("{kind} tokens are not random strings")))?;
    let mut token = String::with_capacity(prefix.len() + RANDOM_CHARS + CHECKSUM_CHARS);
    token.push_str(prefix);
    for _ in 0..RANDOM_CHARS {
        // gen_range is unbiased (rejection sampling).
        token.push(BASE62[rng.gen_range(0..BASE62.len())] as char);
    }
    let checksum = base62_checksum(crc32fast::hash(token.as_bytes()));
    token.push_str(&checksum);
    Ok(Secret::new(token))
}

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
        .into_iter()
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
    use rand::SeedableRng;

    fn seeded() -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(7)
    }

    #[test]
    fn tokens_have_prefix_length_and_valid_checksum() {
        for kind in [
            TokenKind::Workspace,
            TokenKind::Personal,
            TokenKind::Service,
        ] {
            let token = generate(kind).expect("random kind");
            // Test reads the value it just made.
            let text = token.expose();
            assert_eq!(text.len(), 40);
            assert!(text.starts_with(kind.random_prefix().expect("prefix")));
            assert_eq!(parse(text), Shape::Valid(kind));
        }
        assert!(generate(TokenKind::Jwt).is_err());
    }

    #[test]
    fn seeded_generation_is_repeatable_and_os_generation_is_not() {
        let a = generate_with_rng(TokenKind::Personal, &mut seeded()).expect("token");
        let b = generate_with_rng(TokenKind::Personal, &mut seeded()).expect("token");
        assert_eq!(a, b);
        let c = generate(TokenKind::Personal).expect("token");
        let d = generate(TokenKind::Personal).expect("token");
        assert_ne!(c, d);
    }

    #[test]
    fn a_typo_breaks_the_checksum() {
        let token = generate_with_rng(TokenKind::Personal, &mut seeded()).expect("token");
        let mut typo = token.expose().to_string();
        let flipped = if typo.as_bytes()[10] == b'a' {
            "b"
        } else {
            "a"
        };
        typo.replace_range(10..11, flipped);
        assert_eq!(parse(&typo), Shape::BadChecksum);
    }

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
