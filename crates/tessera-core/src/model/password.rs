//! The master password's one policy, applied wherever a new one is chosen: `tessera
//! init --password`, `tessera passwd`, the app's first-run screen and its settings (the
//! window reads the same figures through `AppStatus`).

use crate::model::error::{Error, Result};
use crate::model::secret::Secret;

/// The fewest characters (Unicode scalar values) a new master password may have.
pub const MIN_CHARS: usize = 8;
/// The most: a longer paste is a mistake, and Argon2id would hash it all.
pub const MAX_CHARS: usize = 1024;

/// A master password that meets the policy: the only way to set one.
pub struct MasterPassword(Secret);

impl MasterPassword {
    /// Checks `password` against the policy; the error names the rule, never the text.
    pub fn new(password: Secret) -> Result<MasterPassword> {
        let chars = password.expose().chars().count();
        if chars < MIN_CHARS {
            return Err(Error::invalid(
                "master password",
                format!("use at least {MIN_CHARS} characters"),
            ));
        }
        if chars > MAX_CHARS {
            return Err(Error::invalid(
                "master password",
                format!("use at most {MAX_CHARS} characters"),
            ));
        }
        Ok(MasterPassword(password))
    }

    /// The password, to derive the key from.
    pub(crate) fn secret(&self) -> &Secret {
        &self.0
    }
}

impl std::fmt::Debug for MasterPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_counts_characters_not_bytes() {
        let short = MasterPassword::new(Secret::new("ééééééé".into()));
        assert!(
            matches!(short, Err(Error::Invalid { ref reason, .. }) if reason.contains("at least 8"))
        );
        assert!(MasterPassword::new(Secret::new("éééééééé".into())).is_ok());
        let long = "x".repeat(MAX_CHARS + 1);
        assert!(MasterPassword::new(Secret::new(long)).is_err());
        let debug = format!(
            "{:?}",
            MasterPassword::new(Secret::new("hunter2hunter2".into()))
        );
        assert!(!debug.contains("hunter2"), "{debug}");
    }
}
