//! The plaintext vault header (`vault.header.json`) on arbitrary bytes: no panic, and a
//! header it accepts names a protection and, for a password, usable KDF parameters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::header::{Header, Protection};

fuzz_target!(|data: &[u8]| {
    if let Ok(header) = Header::parse(data) {
        if header.protection == Protection::Password {
            assert!(
                header.kdf.is_some(),
                "a password header without KDF parameters"
            );
        }
    }
});
