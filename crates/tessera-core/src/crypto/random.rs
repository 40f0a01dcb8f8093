//! New random tokens from the OS CSPRNG, in the layout of `model::token_shape`.

use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use crate::model::token::TokenKind;
use crate::model::token_shape::{BASE62, CHECKSUM_CHARS, RANDOM_CHARS, base62_checksum};
use rand::{CryptoRng, Rng, RngCore};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::token_shape::{Shape, parse};
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
}
