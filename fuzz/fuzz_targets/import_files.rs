//! Import: `imports::parse` on arbitrary bytes as a .env file, a 1Password archive, a
//! Bitwarden export (with and without a password) and a KeePassXC CSV. No panic; every
//! entry found has a name and a value. (KeePass databases are left out: their key
//! derivation's cost is the file's own.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::Secret;
use tessera_core::imports::{Format, parse};

fuzz_target!(|data: &[u8]| {
    let password = Secret::new("fuzz password".into());
    // An Argon2id export at Bitwarden's limits takes seconds per input by design.
    let argon2 = data.windows(9).any(|w| w == b"kdfMemory");
    for format in [Format::Dotenv, Format::OnePux, Format::Bitwarden, Format::KeepassxcCsv] {
        for password in [None, Some(&password).filter(|_| !argon2)] {
            if let Ok(parsed) = parse(format, data, password) {
                for entry in &parsed.entries {
                    assert!(!entry.value.is_empty(), "an entry without a value");
                }
            }
        }
    }
});
