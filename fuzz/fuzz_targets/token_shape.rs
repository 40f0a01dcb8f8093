//! Random-token checksum parsing and the external-token recogniser (prefixes, GitHub's
//! CRC32 checksum) on arbitrary strings: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = tessera_core::token_shape::parse(text);
    let _ = tessera_core::external::recognise(text);
});
