//! Crash safety. A child process (`tessera-crash-child`, tests/bin/crash_child.rs)
//! writes to a password vault and is killed with SIGKILL at a random moment, round after
//! round on the same vault. After each kill: every write the child acknowledged is
//! there, `integrity_check` and `cipher_integrity_check` pass, and exactly one of the
//! old and new passwords opens the vault. `TESSERA_CRASH_ROUNDS` sets the rounds of each
//! test (20 here; `make soak` runs 1,000).

use crate::password_change::settled;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tessera_core::{
    Consent, Error, MasterPassword, NewProtection, Secret, Vault, VaultPaths, keys::MemoryKeyStore,
};

/// Tokens the writer sets out to write each round.
const WRITES: usize = 10_000;

fn rounds() -> usize {
    std::env::var("TESSERA_CRASH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20)
}

fn password(text: &str) -> Secret {
    Secret::new(text.to_string())
}

/// Starts the child on `task` and returns it with a channel of its stdout lines.
fn spawn(task: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera-crash-child"))
        .args(task)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Waits for "ready", lets the child work for a random time below `max`, kills it with
/// SIGKILL, and returns every line it printed.
fn run_and_kill(task: &[&str], max: Duration) -> Vec<String> {
    let (mut child, lines) = spawn(task);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l == "ready") {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|e| panic!("the child did not open the vault ({e}): {seen:?}"));
        seen.push(line);
    }
    std::thread::sleep(max.mul_f64(rand::random::<f64>()));
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    seen.extend(lines.iter());
    seen
}

fn new_vault(pw: &str) -> (tempfile::TempDir, VaultPaths) {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = VaultPaths::in_dir(dir.path().join("vault"));
    Vault::create(
        &paths,
        NewProtection::Password(MasterPassword::new(password(pw)).expect("policy")),
        &MemoryKeyStore::new(),
    )
    .expect("create vault");
    (dir, paths)
}

#[test]
fn killed_writers_lose_no_acknowledged_token_and_leave_a_sound_vault() {
    let (dir, paths) = new_vault("crash password");
    let dir_arg = paths.dir.to_string_lossy().into_owned();
    let keys = MemoryKeyStore::new();
    let mut acknowledged = 0usize;
    let mut killed_mid_run = 0;
    for round in 0..rounds() {
        let (round_arg, writes) = (round.to_string(), WRITES.to_string());
        let lines = run_and_kill(
            &["write", &dir_arg, "crash password", &round_arg, &writes],
            Duration::from_millis(400),
        );
        let acked: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("ack "))
            .collect();
        if acked.len() < WRITES {
            killed_mid_run += 1;
        }
        acknowledged += acked.len();
        let mut vault = Vault::open(&paths, &keys, Some(&password("crash password")))
            .unwrap_or_else(|e| panic!("round {round}: the vault does not open: {e}"));
        vault
            .check_integrity()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        for name in &acked {
            vault
                .token(name)
                .unwrap_or_else(|e| panic!("round {round}: acknowledged {name} is lost: {e}"));
        }
        let stored = vault
            .kind_counts()
            .expect("counts")
            .iter()
            .map(|c| c.1)
            .sum::<usize>();
        // At most one write per round can be committed but not yet acknowledged.
        assert!(
            stored >= acknowledged && stored <= acknowledged + round + 1,
            "round {round}: {stored} tokens stored, {acknowledged} acknowledged"
        );
    }
    assert!(killed_mid_run > 0, "no child was killed while writing");
    drop(dir);
}

#[test]
fn a_killed_password_change_leaves_exactly_one_password_working() {
    let (dir, paths) = new_vault("password 0");
    let dir_arg = paths.dir.to_string_lossy().into_owned();
    let keys = MemoryKeyStore::new();
    let mut current = "password 0".to_string();
    let mut changed = 0;
    for round in 0..rounds() {
        let next = format!("password {}", round + 1);
        // The KDF takes about a tenth of a second before the re-key starts.
        let lines = run_and_kill(
            &["passwd", &dir_arg, &current, &next],
            Duration::from_millis(600),
        );
        let acked = lines.iter().any(|l| l == "ack changed");
        if settled(&paths, &keys, round, &current, &next, acked) {
            changed += 1;
            current = next;
        }
    }
    assert!(changed > 0, "no password change ever completed");
    drop(dir);
}

/// The state a crash between the re-key and the header swap leaves, made on purpose:
/// the database keyed with the new password, the old header in place, the new one
/// pending. Before `open` finished the swap, neither password opened such a vault.
#[test]
fn a_crash_between_rekey_and_header_swap_is_repaired_on_open() {
    let (dir, paths) = new_vault("old password");
    let keys = MemoryKeyStore::new();
    let old_header = std::fs::read(&paths.header).expect("old header");
    let mut vault = Vault::open(&paths, &keys, Some(&password("old password"))).expect("open");
    vault
        .change_password(
            Consent::CurrentPassword(&password("old password")),
            &MasterPassword::new(password("new password")).expect("policy"),
            &keys,
        )
        .expect("change");
    drop(vault);
    let pending = paths.header.with_extension("json.new");
    std::fs::rename(&paths.header, &pending).expect("pending header");
    std::fs::write(&paths.header, &old_header).expect("old header back");

    assert!(matches!(
        Vault::open(&paths, &keys, Some(&password("old password"))),
        Err(Error::WrongPassword)
    ));
    assert!(pending.exists(), "a wrong password changes no file");
    let vault = Vault::open(&paths, &keys, Some(&password("new password"))).expect("repaired");
    vault.check_integrity().expect("sound");
    assert!(!pending.exists(), "the pending header became the header");
    drop(vault);
    Vault::open(&paths, &keys, Some(&password("new password"))).expect("opens again");
    drop(dir);
}

/// The state a crash after the pending header was written but before the re-key
/// committed leaves: the new password's header waits beside a database still keyed
/// with the old one. Found by the 1,000-round soak (round 294): the new password was
/// "right" by the pending header's check value, so opening with it said "vault
/// damaged" instead of "wrong master password".
#[test]
fn a_pending_header_whose_rekey_never_happened_is_ignored() {
    let (dir, paths) = new_vault("old password");
    let keys = MemoryKeyStore::new();
    let id = Vault::open(&paths, &keys, Some(&password("old password")))
        .expect("open")
        .id()
        .to_string();
    let kdf = tessera_core::keys::KdfParams::fresh();
    let key = kdf.derive(&password("new password")).expect("derive");
    let pending = paths.header.with_extension("json.new");
    tessera_core::header::Header::new(id, Some(kdf))
        .checked_by(&key)
        .write(&pending)
        .expect("pending header");

    assert!(matches!(
        Vault::open(&paths, &keys, Some(&password("new password"))),
        Err(Error::WrongPassword)
    ));
    let vault = Vault::open(&paths, &keys, Some(&password("old password"))).expect("old opens");
    vault.check_integrity().expect("sound");
    drop(vault);
    drop(dir);
}

/// The hardening the CLI and the app apply in release builds, applied in a child
/// process: not dumpable, no core dumps.
#[cfg(target_os = "linux")]
#[test]
fn hardening_turns_off_core_dumps_and_dumpability() {
    assert!(
        !tessera_core::process::is_hardened(),
        "the test process starts dumpable"
    );
    let (mut child, lines) = spawn(&["harden", "-"]);
    let said: Vec<String> = lines.iter().collect();
    child.wait().expect("reap");
    assert!(
        said.iter().any(|l| l == "hardened false true"),
        "the child said {said:?}"
    );
}
