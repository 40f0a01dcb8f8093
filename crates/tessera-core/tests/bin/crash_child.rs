//! The child of the crash tests (tests/crash.rs): given a task on its command line, it
//! works on a vault and prints "ready", then "ack …" for every change that committed,
//! until the test kills it with SIGKILL. Not a test itself, so it never runs alone.
//!
//! Tasks: `write DIR PASSWORD ROUND COUNT` (personal tokens, one transaction each),
//! `passwd DIR OLD NEW` (one password change), `harden DIR` (reports
//! `tessera_core::process::harden` before and after).

use std::io::Write;
use tessera_core::lifecycle::NewToken;
use tessera_core::token::TokenKind;
use tessera_core::{Consent, MasterPassword, Secret, Vault, VaultPaths, keys::MemoryKeyStore};

fn password(text: &str) -> Secret {
    Secret::new(text.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let paths = VaultPaths::in_dir(args[1]);
    let keys = MemoryKeyStore::new();
    let mut out = std::io::stdout().lock();
    match args[0] {
        "write" => {
            let (round, writes): (&str, usize) = (args[3], args[4].parse().expect("count"));
            let mut vault = Vault::open(&paths, &keys, Some(&password(args[2]))).expect("open");
            writeln!(out, "ready")
                .and_then(|()| out.flush())
                .expect("stdout");
            for i in 0..writes {
                let name = format!("crash {round} {i:05}");
                vault
                    .create_token(NewToken::new(TokenKind::Personal, name.clone()))
                    .expect("create");
                writeln!(out, "ack {name}")
                    .and_then(|()| out.flush())
                    .expect("stdout");
            }
        }
        "passwd" => {
            let mut vault = Vault::open(&paths, &keys, Some(&password(args[2]))).expect("open");
            writeln!(out, "ready")
                .and_then(|()| out.flush())
                .expect("stdout");
            vault
                .change_password(
                    Consent::CurrentPassword(&password(args[2])),
                    &MasterPassword::new(password(args[3])).expect("policy"),
                    &keys,
                )
                .expect("change password");
            writeln!(out, "ack changed")
                .and_then(|()| out.flush())
                .expect("stdout");
        }
        "harden" => {
            let before = tessera_core::process::is_hardened();
            tessera_core::process::harden().expect("harden");
            let after = tessera_core::process::is_hardened();
            writeln!(out, "ready\nhardened {before} {after}")
                .and_then(|()| out.flush())
                .expect("stdout");
        }
        other => panic!("unknown crash task {other}"),
    }
}
