//! Search latency over 100,000 and 1,000,000 names for 1-, 3-, 6- and 12-character
//! queries (p50/p99), beside `fzf --filter` on the same names in the same run, and a
//! typing sequence that narrows from the previous result. Each query is what the app
//! and the CLI ask: the number of matches and the first page of 50, best first. Prints
//! a Markdown table.

// This benchmark is a report: its output is the table.
#![allow(clippy::print_stdout)]

use rand::{Rng, SeedableRng};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tessera_core::search::{SearchIndex, Sort};

/// The rows of one page, as the app and the CLI show them.
const PAGE: usize = 50;

const WORDS: &[&str] = &[
    "prod",
    "staging",
    "dev",
    "billing",
    "search",
    "deploy",
    "reader",
    "writer",
    "github",
    "gitlab",
    "backup",
    "metrics",
    "payments",
    "ci",
    "release",
    "analytics",
    "partner",
    "mobile",
    "web",
    "internal",
];

fn names(n: usize) -> Vec<String> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    (0..n)
        .map(|i| {
            let pick = |rng: &mut rand::rngs::StdRng| WORDS[rng.gen_range(0..WORDS.len())];
            format!(
                "{}-{}-{} {i}",
                pick(&mut rng),
                pick(&mut rng),
                pick(&mut rng)
            )
        })
        .collect()
}

const QUERIES: &[(usize, &[&str])] = &[
    (1, &["p", "d", "b", "x"]),
    (3, &["bil", "dpl", "stg", "rdr"]),
    (6, &["prddep", "billin", "gitrel", "webmob"]),
    (
        12,
        &[
            "prodbillingr",
            "stagingdeplo",
            "githubreleas",
            "paymentswrit",
        ],
    ),
];

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1_000.0)
}

/// The p99 a query over `names` names must keep to, and whether `p99` did, as two
/// table cells.
fn target(names: usize, p99: Duration) -> String {
    let limit = if names >= 1_000_000 { 50 } else { 8 };
    let held = p99 <= Duration::from_millis(limit);
    format!("≤ {limit} ms | {}", if held { "met" } else { "missed" })
}

fn fzf_available() -> bool {
    Command::new("fzf")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn fzf_times(file: &std::path::Path, query: &str, runs: usize) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let input = std::fs::File::open(file).expect("names file");
            let started = Instant::now();
            let status = Command::new("fzf")
                .arg(format!("--filter={query}"))
                .stdin(input)
                .stdout(Stdio::null())
                .status()
                .expect("fzf");
            let elapsed = started.elapsed();
            assert!(status.success() || status.code() == Some(1), "fzf failed");
            elapsed
        })
        .collect()
}

fn main() {
    // Cargo passes `--bench`; a filter argument is not supported here.
    let fzf = fzf_available();
    println!(
        "| names | query chars | Tessera p50 ms | Tessera p99 ms | matches per query | fzf --filter p50 ms | fzf p99 ms | target (p99) | |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for n in [100_000usize, 1_000_000] {
        let list = names(n);
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("names.txt");
        {
            let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
            for name in &list {
                writeln!(out, "{name}").expect("write");
            }
        }
        let mut index = SearchIndex::from_names(&list).expect("index");
        let rounds = if n >= 1_000_000 { 10 } else { 50 };
        for (len, queries) in QUERIES {
            let mut samples = Vec::new();
            let mut matches = Vec::new();
            for _ in 0..rounds {
                for query in *queries {
                    index.forget_previous();
                    let started = Instant::now();
                    let (total, _) = index.window(query, None, None, 0, Sort::Relevance, 0, PAGE);
                    samples.push(started.elapsed());
                    if matches.len() < queries.len() {
                        matches.push(total.to_string());
                    }
                }
            }
            let (fzf50, fzf99) = if fzf {
                let mut times: Vec<Duration> = queries
                    .iter()
                    .flat_map(|q| fzf_times(&file, q, if n >= 1_000_000 { 2 } else { 5 }))
                    .collect();
                (
                    ms(percentile(&mut times, 0.5)),
                    ms(percentile(&mut times, 0.99)),
                )
            } else {
                ("n/a".into(), "n/a".into())
            };
            let p99 = percentile(&mut samples, 0.99);
            println!(
                "| {n} | {len} | {} | {} | {} | {fzf50} | {fzf99} | {} |",
                ms(percentile(&mut samples, 0.5)),
                ms(p99),
                matches.join(" / "),
                target(n, p99)
            );
        }
        // Typing "prodbilling" one key at a time: each keystroke narrows the last result.
        let typed = "prodbilling";
        let mut samples = Vec::new();
        for _ in 0..rounds {
            index.forget_previous();
            for end in 1..=typed.len() {
                let started = Instant::now();
                let _ = index.window(&typed[..end], None, None, 0, Sort::Relevance, 0, PAGE);
                samples.push(started.elapsed());
            }
        }
        let p99 = percentile(&mut samples, 0.99);
        println!(
            "| {n} | typing 1–11 (narrowing) | {} | {} | | | | {} |",
            ms(percentile(&mut samples, 0.5)),
            ms(p99),
            target(n, p99)
        );
    }
    if !fzf {
        eprintln!("fzf is not installed: its columns are n/a (make bench installs it)");
    }
}
