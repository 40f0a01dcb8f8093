//! Secret values in memory: zeroized on drop, redacted in `Debug`, compared in constant
//! time, and readable only through [`Secret::expose`], whose call sites say why.

use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// A secret string: a token value, a JWT, a PEM private key, a password.
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a string; the caller gives up its copy.
    pub fn new(value: String) -> Self {
        Secret(Zeroizing::new(value))
    }

    /// The secret's text. Every caller states in a comment why it needs the value.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Constant-time equality with another byte string.
    pub fn ct_eq(&self, other: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(other).into()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other.0.as_bytes())
    }
}

/// Secret bytes: keys and private key DER.
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Wraps bytes; the caller gives up its copy.
    pub fn new(value: Vec<u8>) -> Self {
        SecretBytes(Zeroizing::new(value))
    }

    /// The bytes. Every caller states in a comment why it needs them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBytes(<redacted>)")
    }
}

/// Wipes a string the caller no longer needs.
pub(crate) fn wipe(mut value: String) {
    value.zeroize();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("tsp_supersecret".into());
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        let bytes = SecretBytes::new(vec![1, 2, 3]);
        assert!(!format!("{bytes:?}").contains('1'));
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(Secret::new("a".into()), Secret::new("a".into()));
        assert_ne!(Secret::new("a".into()), Secret::new("b".into()));
        assert!(!Secret::new("ab".into()).ct_eq(b"a"));
    }
}
