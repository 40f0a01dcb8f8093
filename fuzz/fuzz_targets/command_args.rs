//! The values the Tauri commands and the CLI parse from their arguments: token kinds,
//! statuses, JWT algorithms, catalog names, expiries ("30d", "2027-01-31", "never") and
//! timestamps. No panic, and an expiry that parses is never in the past.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::catalog::Catalog;
use tessera_core::token::{Expiry, JwtAlg, Status, TokenKind};

const NOW: i64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = text.parse::<TokenKind>();
    let _ = text.parse::<Status>();
    let _ = text.parse::<JwtAlg>();
    let _ = text.parse::<Catalog>();
    let _ = tessera_core::clock::parse_rfc3339(text);
    if let Ok(Expiry::At(at)) = Expiry::parse(text, NOW) {
        assert!(at > NOW, "{text:?} parsed to a past expiry");
    }
});
