//! The desktop app and the CLI on one vault at once. The app keeps one connection open
//! for its whole session (src-tauri's `AppState` holds the `Vault`); here a thread
//! holds the vault the same way and runs the app's actions through the core, while the
//! real `tessera` binary runs as a new process for each of its actions. Each side runs
//! `TESSERA_CONCURRENCY_ACTIONS` mixed actions (200 in `make test`, 1,000 in
//! `make soak`): create, edit, rotate, revoke, restore, delete, verify, search, list.
//!
//! No action may fail (a person would see "database is locked" or "busy" as an error),
//! and at the end every acknowledged change is there: the app's descriptions and the
//! CLI's expiry dates on the tokens both edit, and each side's own tokens in the state
//! it last left them.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tessera_core::keys::MemoryKeyStore;
use tessera_core::lifecycle::{NewToken, TokenChanges};
use tessera_core::search::Query;
use tessera_core::token::{Expiry, TokenKind};
use tessera_core::verify::Verification;
use tessera_core::{NewProtection, Secret, Vault, VaultPaths};

const PASSWORD: &str = "concurrent horse battery";
const SHARED: usize = 8;

/// A small deterministic generator, so a failing run can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % below
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Active,
    Revoked,
    Deleted,
}

/// One side's own tokens: name → (secret, state), in creation order.
#[derive(Default)]
struct Own {
    order: Vec<String>,
    tokens: HashMap<String, (String, State)>,
}

impl Own {
    fn add(&mut self, name: String, secret: String) {
        self.order.push(name.clone());
        self.tokens.insert(name, (secret, State::Active));
    }

    /// A token in `state`, never one of the `recent` newest (the other side may be
    /// searching for those).
    fn pick(&self, rng: &mut Rng, state: State, recent: usize) -> Option<String> {
        let candidates: Vec<&String> = self.order[..self.order.len().saturating_sub(recent)]
            .iter()
            .filter(|n| self.tokens[*n].1 == state)
            .collect();
        (!candidates.is_empty()).then(|| candidates[rng.next(candidates.len())].clone())
    }

    fn set(&mut self, name: &str, state: State) {
        if let Some(entry) = self.tokens.get_mut(name) {
            entry.1 = state;
        }
    }
}

fn actions() -> usize {
    std::env::var("TESSERA_CONCURRENCY_ACTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

fn shared(k: usize) -> String {
    format!("shared-{k}")
}

/// The app: one long-lived connection, as the desktop app holds it.
fn app_side(
    paths: &VaultPaths,
    n: usize,
    cli_done: &AtomicUsize,
    cli_newest: &Mutex<Option<String>>,
    errors: &Mutex<Vec<String>>,
) -> (Own, HashMap<String, String>) {
    let keys = MemoryKeyStore::new();
    let password = Secret::new(PASSWORD.into());
    let mut vault = Vault::open(paths, &keys, Some(&password)).expect("the app opens the vault");
    vault.limit_page_cache(8).expect("cache");
    vault.prepare_search().expect("index");
    let mut rng = Rng(7);
    let mut own = Own::default();
    let mut descriptions = HashMap::new();
    for i in 0..n {
        // Keep pace with the CLI so that the two really overlap, with some jitter.
        while cli_done.load(Ordering::SeqCst) < i.min(n - 1) {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(rng.next(60) as u64));
        let fail = |what: String| {
            errors
                .lock()
                .expect("errors")
                .push(format!("app #{i}: {what}"))
        };
        match rng.next(10) {
            0 | 1 => {
                let name = format!("app-{i}");
                match vault.create_token(NewToken::new(TokenKind::Personal, name.clone())) {
                    Ok(issued) => own.add(name, issued.secret.expect("secret").expose().into()),
                    Err(e) => fail(format!("create: {e}")),
                }
            }
            2 | 3 => {
                let name = shared(rng.next(SHARED));
                let description = format!("set by the app in action {i}");
                let changes = TokenChanges {
                    description: Some(description.clone()),
                    ..TokenChanges::default()
                };
                match vault.modify_token(&name, changes) {
                    Ok(_) => {
                        descriptions.insert(name, description);
                    }
                    Err(e) => fail(format!("edit {name}: {e}")),
                }
            }
            4..=7 => {
                let (action, state) = match rng.next(4) {
                    0 => ("revoke", State::Active),
                    1 => ("restore", State::Revoked),
                    2 => ("delete", State::Revoked),
                    _ => ("rotate", State::Active),
                };
                let Some(name) = own.pick(&mut rng, state, 0) else {
                    continue;
                };
                let done = match action {
                    "revoke" => vault.revoke_token(&name).map(|_| (State::Revoked, None)),
                    "restore" => vault.restore_token(&name).map(|_| (State::Active, None)),
                    "delete" => vault.delete_token(&name).map(|_| (State::Deleted, None)),
                    _ => vault
                        .rotate_token(&name, None)
                        .map(|issued| (State::Active, issued.secret)),
                };
                match done {
                    Ok((next, Some(secret))) => {
                        own.tokens.insert(name, (secret.expose().to_string(), next));
                    }
                    Ok((next, None)) => own.set(&name, next),
                    Err(e) => fail(format!("{action} {name}: {e}")),
                }
            }
            8 => {
                for state in [State::Active, State::Revoked] {
                    let Some(name) = own.pick(&mut rng, state, 0) else {
                        continue;
                    };
                    let secret = own.tokens[&name].0.clone();
                    match vault.verify(&secret, None, None) {
                        Ok(Verification::Active(_)) if state == State::Active => {}
                        Ok(Verification::Inactive(_)) if state == State::Revoked => {}
                        Ok(other) => fail(format!("verify {name} ({state:?}): {other:?}")),
                        Err(e) => fail(format!("verify {name}: {e}")),
                    }
                }
            }
            _ => {
                // The list sees what the CLI wrote: its newest token is found by name.
                let newest = cli_newest.lock().expect("newest").clone();
                if let Some(name) = newest {
                    match vault.search(&Query::text(name.clone())) {
                        Ok(page) if page.rows.iter().any(|h| h.token.name == name) => {}
                        Ok(_) => fail(format!("search: the CLI's {name} is not listed")),
                        Err(e) => fail(format!("search: {e}")),
                    }
                }
                if let Err(e) = vault.kind_counts() {
                    fail(format!("counts: {e}"));
                }
            }
        }
    }
    vault.lock().expect("the app locks");
    (own, descriptions)
}

/// Runs the CLI once; returns stdout, or the error a person would see.
fn cli(paths: &VaultPaths, args: &[&str]) -> Result<(i32, String), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .env("TESSERA_HOME", &paths.dir)
        .env("TESSERA_STATE_HOME", &paths.state)
        .env("TESSERA_PASSWORD", PASSWORD)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    let code = out.status.code().unwrap_or(-1);
    if code == 2 || code < 0 {
        return Err(format!(
            "tessera {args:?} (exit {code}): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok((
        code,
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

/// The CLI: a new process per action.
fn cli_side(
    paths: &VaultPaths,
    n: usize,
    done: &AtomicUsize,
    newest: &Mutex<Option<String>>,
    errors: &Mutex<Vec<String>>,
) -> (Own, HashMap<String, String>) {
    let mut rng = Rng(11);
    let mut own = Own::default();
    let mut expiries = HashMap::new();
    for j in 0..n {
        done.store(j, Ordering::SeqCst);
        let fail = |what: String| {
            errors
                .lock()
                .expect("errors")
                .push(format!("cli #{j}: {what}"))
        };
        match rng.next(10) {
            0 | 1 => {
                let name = format!("cli-{j}");
                match cli(paths, &["create", "personal", "--name", &name]) {
                    Ok((0, secret)) => {
                        own.add(name.clone(), secret);
                        *newest.lock().expect("newest") = Some(name);
                    }
                    Ok((code, _)) => fail(format!("create exit {code}")),
                    Err(e) => fail(e),
                }
            }
            2 | 3 => {
                let name = shared(rng.next(SHARED));
                let date = format!("2031-{:02}-{:02}", 1 + rng.next(12), 1 + rng.next(28));
                match cli(paths, &["edit", &name, "--expires", &date]) {
                    Ok((0, _)) => {
                        expiries.insert(name, date);
                    }
                    Ok((code, _)) => fail(format!("edit exit {code}")),
                    Err(e) => fail(e),
                }
            }
            4..=7 => {
                let (state, args, next): (State, &[&str], Option<State>) = match rng.next(4) {
                    0 => (State::Active, &["revoke"], Some(State::Revoked)),
                    1 => (State::Revoked, &["restore"], Some(State::Active)),
                    2 => (State::Revoked, &["delete", "--yes"], Some(State::Deleted)),
                    _ => (State::Active, &["rotate"], None),
                };
                let Some(name) = own.pick(&mut rng, state, 5) else {
                    continue;
                };
                let mut full: Vec<&str> = args.to_vec();
                full.insert(1, &name);
                match cli(paths, &full) {
                    Ok((0, _)) => match next {
                        Some(next) => own.set(&name, next),
                        // A rotation does not print the new secret; `get` does, on purpose.
                        None => match cli(paths, &["get", &name]) {
                            Ok((0, secret)) => {
                                own.tokens.insert(name, (secret, State::Active));
                            }
                            Ok((code, _)) => fail(format!("get exit {code}")),
                            Err(e) => fail(e),
                        },
                    },
                    Ok((code, _)) => fail(format!("{full:?} exit {code}")),
                    Err(e) => fail(e),
                }
            }
            8 => {
                for state in [State::Active, State::Revoked] {
                    let Some(name) = own.pick(&mut rng, state, 0) else {
                        continue;
                    };
                    let secret = own.tokens[&name].0.clone();
                    let expected = if state == State::Active { 0 } else { 1 };
                    match cli(paths, &["verify", &secret]) {
                        Ok((code, _)) if code == expected => {}
                        Ok((code, _)) => fail(format!("verify {name} ({state:?}): exit {code}")),
                        Err(e) => fail(e),
                    }
                }
            }
            _ => match cli(paths, &["list", "shared", "--json"]) {
                Ok((0, json)) if json.contains("shared-0") => {}
                Ok((code, _)) => fail(format!("list exit {code} or shared tokens missing")),
                Err(e) => fail(e),
            },
        }
    }
    done.store(n, Ordering::SeqCst);
    (own, expiries)
}

#[test]
fn the_app_and_the_cli_on_one_vault_lose_nothing_and_never_report_busy() {
    let n = actions();
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = VaultPaths::in_dir(dir.path().join("vault")).with_state(dir.path().join("state"));
    let keys = MemoryKeyStore::new();
    {
        let mut vault = Vault::create(
            &paths,
            NewProtection::Password(
                tessera_core::MasterPassword::new(Secret::new(PASSWORD.into())).expect("policy"),
            ),
            &keys,
        )
        .expect("create");
        for k in 0..SHARED {
            vault
                .create_token(NewToken::new(TokenKind::Personal, shared(k)))
                .expect("shared token");
        }
    }
    let errors = Arc::new(Mutex::new(Vec::new()));
    let cli_done = Arc::new(AtomicUsize::new(0));
    let cli_newest = Arc::new(Mutex::new(None));
    let started = std::time::Instant::now();
    let app = {
        let (paths, errors, cli_done, cli_newest) = (
            paths.clone(),
            errors.clone(),
            cli_done.clone(),
            cli_newest.clone(),
        );
        std::thread::spawn(move || app_side(&paths, n, &cli_done, &cli_newest, &errors))
    };
    let (cli_own, expiries) = cli_side(&paths, n, &cli_done, &cli_newest, &errors);
    let (app_own, descriptions) = app.join().expect("the app side");
    eprintln!(
        "{n} app and {n} CLI actions in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let errors = errors.lock().expect("errors");
    assert!(
        errors.is_empty(),
        "{} actions failed; first: {:#?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );

    // Every acknowledged change is there.
    let mut vault = Vault::open(&paths, &keys, Some(&Secret::new(PASSWORD.into()))).expect("open");
    vault.check_integrity().expect("integrity");
    for k in 0..SHARED {
        let token = vault.token(&shared(k)).expect("shared token");
        let description = descriptions.get(&shared(k)).cloned().unwrap_or_default();
        assert_eq!(
            token.description, description,
            "{}: the app's edit",
            token.name
        );
        let expected = expiries
            .get(&shared(k))
            .map(|date| Expiry::parse(date, vault.now()).expect("date").timestamp());
        assert_eq!(
            token.lifetime.expires_at,
            expected.flatten(),
            "{}: the CLI's edit",
            token.name
        );
    }
    for (side, own) in [("app", &app_own), ("cli", &cli_own)] {
        assert!(!own.tokens.is_empty(), "{side} made tokens");
        for (name, (_, state)) in &own.tokens {
            match (vault.token(name), state) {
                (Err(_), State::Deleted) => {}
                (Ok(token), State::Active) if !token.lifetime.revoked => {}
                (Ok(token), State::Revoked) if token.lifetime.revoked => {}
                (found, state) => panic!("{side}'s {name} should be {state:?}: {found:?}"),
            }
        }
    }
}
