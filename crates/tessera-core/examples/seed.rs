//! Seeds a vault with N personal tokens for benchmarks: `cargo run --release --example
//! seed -- DIR N [NAMES_FILE]`, writing the names one per line to NAMES_FILE when given
//! (what `fzf --filter` reads beside it). The key goes to the OS keyring (run it inside
//! the keyring session the app will use), or, with `SEED_PASSWORD` set, the vault is
//! protected by that master password instead. Never point it at a vault you care
//! about: it refuses existing ones.
//!
//! `seed --kdf` prints, in milliseconds, how long one Argon2id derivation with a new
//! vault's parameters takes here (the median of five): the part of a password unlock
//! that `make bench-app` leaves out of its unlock figure.

use std::io::Write;
use std::time::Duration;
use tessera_core::keys::KdfParams;
use tessera_core::keys::OsKeyring;
use tessera_core::lifecycle::NewToken;
use tessera_core::token::TokenKind;
use tessera_core::{MasterPassword, NewProtection, Secret, Vault, VaultPaths};

#[allow(clippy::print_stdout)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: seed DIR N | seed --kdf")?;
    if dir == "--kdf" {
        let password = Secret::new("a long master password".into());
        let params = KdfParams::fresh();
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let started = std::time::Instant::now();
                params
                    .derive(&password)
                    .map(|_| started.elapsed().as_secs_f64() * 1000.0)
            })
            .collect::<Result<_, _>>()?;
        times.sort_by(f64::total_cmp);
        println!("{:.0}", times[2]);
        return Ok(());
    }
    let n: usize = args.next().ok_or("usage: seed DIR N")?.parse()?;
    let mut names_file = match args.next() {
        Some(path) => Some(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => None,
    };
    let keyring = OsKeyring::new(Duration::from_secs(10));
    let protection = match std::env::var("SEED_PASSWORD") {
        Ok(password) => NewProtection::Password(MasterPassword::new(Secret::new(password))?),
        Err(_) => NewProtection::Keyring,
    };
    let mut vault = Vault::create(&VaultPaths::in_dir(dir), protection, &keyring)?;
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
