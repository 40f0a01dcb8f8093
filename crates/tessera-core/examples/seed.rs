//! Seeds a vault with N personal tokens for benchmarks: `cargo run --release --example
//! seed -- DIR N [NAMES_FILE]`, writing the names one per line to NAMES_FILE when given
//! (what `fzf --filter` reads beside it). The key goes to the OS keyring (run it inside
//! the keyring session the app will use). Never point it at a vault you care about: it
//! refuses existing ones.

use std::io::Write;
use std::time::Duration;
use tessera_core::keys::OsKeyring;
use tessera_core::lifecycle::NewToken;
use tessera_core::token::TokenKind;
use tessera_core::{NewProtection, Vault, VaultPaths};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: seed DIR N")?;
    let n: usize = args.next().ok_or("usage: seed DIR N")?.parse()?;
    let mut names_file = match args.next() {
        Some(path) => Some(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => None,
    };
    let keyring = OsKeyring::new(Duration::from_secs(10));
    let mut vault = Vault::create(&VaultPaths::in_dir(dir), NewProtection::Keyring, &keyring)?;
    let words = [
        "prod", "staging", "dev", "billing", "search", "deploy", "reader", "writer", "github",
        "backup",
    ];
    let mut made = 0;
    while made < n {
        let batch: Vec<NewToken> = (made..(made + 10_000).min(n))
            .map(|i| {
                let name = format!(
                    "{}-{}-{} {i:06}",
                    words[i % 10],
                    words[(i / 10) % 10],
                    words[(i / 100) % 10]
                );
                NewToken::new(TokenKind::Personal, name)
            })
            .collect();
        if let Some(out) = names_file.as_mut() {
            for token in &batch {
                writeln!(out, "{}", token.name)?;
            }
        }
        made += vault.create_tokens(batch)?.len();
    }
    if let Some(mut out) = names_file {
        out.flush()?;
    }
    eprintln!("seeded {made} tokens");
    Ok(())
}
