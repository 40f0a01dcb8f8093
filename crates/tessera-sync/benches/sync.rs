//! Shared vaults on a real PostgreSQL server on loopback (started here, as the tests
//! start theirs): a new machine's first sync of 10,000 tokens, a change's way from A
//! to B's replica while B watches (LISTEN/NOTIFY), and 5 members making 1,000 changes
//! each at once. Prints a table with each target and whether it held.

// The table is the benchmark's output.
#![allow(clippy::print_stdout)]

#[path = "../../tessera-cli/tests/common/postgres.rs"]
mod postgres;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tessera_core::keys::MemoryKeyStore;
use tessera_core::lifecycle::{NewToken, TokenChanges};
use tessera_core::shared::Role;
use tessera_core::token::TokenKind;
use tessera_core::{NewProtection, Vault, VaultPaths};

const TOKENS: usize = 10_000;
const CHANGES: usize = 100;
const MEMBERS: usize = 5;
const EACH: usize = 1_000;

fn vault(dir: &std::path::Path, name: &str) -> Vault {
    let paths = VaultPaths::in_dir(dir.join(name)).with_state(dir.join(format!("{name}.state")));
    Vault::create(&paths, NewProtection::Keyring, &MemoryKeyStore::new()).expect("vault")
}

/// `member` joins shared vault `name` of `admin`.
fn joined(admin: &mut Vault, member: &mut Vault, name: &str) -> Duration {
    let identity = member.identity().expect("identity").public().to_string();
    let invite = tessera_sync::add_member(admin, name, &identity, Role::Member).expect("add");
    let started = Instant::now();
    tessera_sync::join(member, &invite.to_text(), None).expect("join");
    started.elapsed()
}

fn tokens(prefix: &str, n: usize) -> Vec<NewToken> {
    (0..n)
        .map(|i| NewToken::new(TokenKind::Personal, format!("{prefix} {i:05}")))
        .collect()
}

/// How many tokens `vault` holds.
fn count(vault: &Vault) -> usize {
    vault
        .kind_counts()
        .expect("counts")
        .iter()
        .map(|(_, n)| n)
        .sum()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes --bench; nothing else is read.
    tessera_core::set_memory_security(true);
    let pg = postgres::Postgres::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = vault(dir.path(), "a");
    let mut b = vault(dir.path(), "b");
    tessera_sync::create(&mut a, "team", &pg.url()).expect("create");
    a.open_shared("team")
        .expect("replica")
        .create_tokens(tokens("token", TOKENS))
        .expect("tokens");
    let started = Instant::now();
    tessera_sync::sync(&mut a, "team").expect("push");
    let push = started.elapsed();
    let initial = joined(&mut a, &mut b, "team");
    // B's replica on a connection of its own, as another process would read it.
    let mut b_replica = b.open_shared("team").expect("replica");
    assert_eq!(count(&b_replica), TOKENS, "every token reached B");

    // B watches; A changes one token at a time and syncs; the time until B's replica
    // shows it.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            tessera_sync::watch(&mut b, "team", Duration::from_secs(60), &stop, |r| {
                r.expect("round");
            })
            .expect("watch");
            b
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let mut times = Vec::with_capacity(CHANGES);
    for i in 0..CHANGES {
        let description = format!("change {i}");
        let started = Instant::now();
        a.open_shared("team")
            .expect("replica")
            .modify_token(
                "token 00042",
                TokenChanges {
                    description: Some(description.clone()),
                    ..TokenChanges::default()
                },
            )
            .expect("modify");
        tessera_sync::sync(&mut a, "team").expect("sync");
        loop {
            let token = b_replica.token("token 00042").expect("token");
            if token.description == description {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "change {i} never arrived"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        times.push(started.elapsed());
    }
    stop.store(true, Ordering::SeqCst);
    let _b = watcher.join().expect("watcher");
    times.sort();

    // Five members, 1,000 changes each, all at once.
    let mut admin = vault(dir.path(), "admin");
    tessera_sync::create(&mut admin, "five", &pg.url()).expect("create");
    let mut members = vec![];
    for m in 1..MEMBERS {
        let mut member = vault(dir.path(), &format!("m{m}"));
        joined(&mut admin, &mut member, "five");
        members.push(member);
    }
    members.insert(0, admin);
    let started = Instant::now();
    let threads: Vec<_> = members
        .into_iter()
        .enumerate()
        .map(|(m, mut member)| {
            std::thread::spawn(move || {
                member
                    .open_shared("five")
                    .expect("replica")
                    .create_tokens(tokens(&format!("m{m}"), EACH))
                    .expect("tokens");
                loop {
                    let report = tessera_sync::sync(&mut member, "five").expect("sync");
                    if report.deferred == 0 {
                        break;
                    }
                }
                member
            })
        })
        .collect();
    let mut members: Vec<Vault> = threads
        .into_iter()
        .map(|t| t.join().expect("member"))
        .collect();
    let concurrent = started.elapsed();
    for member in &mut members {
        tessera_sync::sync(member, "five").expect("sync");
    }
    let counts: Vec<usize> = members
        .iter()
        .map(|m| count(&m.open_shared("five").expect("replica")))
        .collect();
    let lost = counts.iter().any(|&c| c != MEMBERS * EACH);

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or_default().trim().to_string())
        })
        .unwrap_or_default();
    let verdict = |held: bool| if held { "met" } else { "MISSED" };
    println!("Shared vaults on PostgreSQL 15 over loopback ({cpu}, memory protection on)");
    println!("| measure | figure | target |");
    println!("|---|---|---|");
    println!(
        "| A pushes {TOKENS} new tokens | {} | (recorded) |",
        ms(push)
    );
    println!(
        "| a new machine joins and pulls {TOKENS} tokens | {} | ≤ 5 s: {} |",
        ms(initial),
        verdict(initial <= Duration::from_secs(5))
    );
    let p99 = percentile(&times, 0.99);
    println!(
        "| a change from A to B's replica, B watching ({CHANGES} changes) | p50 {}, p99 {} | p99 ≤ 1 s: {} |",
        ms(percentile(&times, 0.5)),
        ms(p99),
        verdict(p99 <= Duration::from_secs(1))
    );
    println!(
        "| {MEMBERS} members make {EACH} changes each at once | {} until all pushed; each replica holds {:?} | no loss: {} |",
        ms(concurrent),
        counts,
        verdict(!lost)
    );
}
