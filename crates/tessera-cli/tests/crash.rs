//! SIGKILL the real `tessera` binary at random moments: while it creates a token, and
//! while it changes the master password; `TESSERA_CRASH_ROUNDS` rounds of each (20 in
//! `make test`, 1,000 in `make soak`). After each round every acknowledged write is
//! there, both integrity checks pass, and exactly one of the old and new passwords
//! opens the vault. (The core's `tests/crash.rs` does the same to a writer of 10,000
//! tokens in one process, which the CLI, one token per process, cannot be.)

#[path = "../../tessera-core/tests/password_change.rs"]
mod password_change;

use password_change::settled;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;
use tessera_core::keys::MemoryKeyStore;
use tessera_core::{NewProtection, Secret, Vault, VaultPaths};

fn rounds() -> usize {
    std::env::var("TESSERA_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// A small generator seeded from the clock: each run kills at other moments.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Rng(nanos | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Runs the CLI with `password` as the current master password and `stdin`, kills it
/// with SIGKILL after a random time below `max_ms` if it is still running, and tells
/// whether it finished successfully on its own (the write was acknowledged).
fn run_and_kill(
    paths: &VaultPaths,
    password: &str,
    args: &[&str],
    stdin: &str,
    max_ms: u64,
    rng: &mut Rng,
) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .env("TESSERA_HOME", &paths.dir)
        .env("TESSERA_STATE_HOME", &paths.state)
        .env("TESSERA_PASSWORD", password)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tessera");
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin.as_bytes());
    }
    std::thread::sleep(Duration::from_millis(rng.below(max_ms)));
    let finished = child.try_wait().expect("try_wait").is_some();
    if !finished {
        child.kill().expect("SIGKILL");
    }
    let status = child.wait().expect("reap");
    finished && status.success()
}

fn new_vault(password: &str) -> (tempfile::TempDir, VaultPaths) {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = VaultPaths::in_dir(dir.path().join("vault")).with_state(dir.path().join("state"));
    Vault::create(
        &paths,
        NewProtection::Password(
            tessera_core::MasterPassword::new(Secret::new(password.into())).expect("policy"),
        ),
        &MemoryKeyStore::new(),
    )
    .expect("create vault");
    (dir, paths)
}

#[test]
fn a_killed_cli_create_loses_no_acknowledged_token() {
    let (_dir, paths) = new_vault("crash password");
    let keys = MemoryKeyStore::new();
    let mut rng = Rng::new();
    let mut acknowledged = Vec::new();
    let mut killed = 0;
    for round in 0..rounds() {
        let name = format!("round-{round}");
        let args = ["create", "personal", "--name", name.as_str()];
        if run_and_kill(&paths, "crash password", &args, "", 400, &mut rng) {
            acknowledged.push(name);
        } else {
            killed += 1;
        }
        let mut vault = Vault::open(&paths, &keys, Some(&Secret::new("crash password".into())))
            .unwrap_or_else(|e| panic!("round {round}: the vault does not open: {e}"));
        vault
            .check_integrity()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        for name in &acknowledged {
            vault
                .token(name)
                .unwrap_or_else(|e| panic!("round {round}: acknowledged {name} is lost: {e}"));
        }
    }
    assert!(killed > 0, "no CLI process was killed before it finished");
}

#[test]
fn a_killed_cli_password_change_leaves_exactly_one_password_working() {
    let (_dir, paths) = new_vault("password 0");
    let keys = MemoryKeyStore::new();
    let mut rng = Rng::new();
    let mut current = "password 0".to_string();
    let (mut changed, mut killed) = (0, 0);
    for round in 0..rounds() {
        let next = format!("password {}", round + 1);
        let args = ["passwd", "--new-password-stdin"];
        // A change derives three keys (about 0.5 s here, more while other tests run):
        // the window reaches well past it, so some rounds finish and some are killed.
        let acked = run_and_kill(
            &paths,
            &current,
            &args,
            &format!("{next}\n"),
            2_000,
            &mut rng,
        );
        if !acked {
            killed += 1;
        }
        if settled(&paths, &keys, round, &current, &next, acked) {
            changed += 1;
            current = next;
        }
    }
    assert!(changed > 0, "no password change ever completed");
    assert!(killed > 0, "no CLI process was killed before it finished");
}
