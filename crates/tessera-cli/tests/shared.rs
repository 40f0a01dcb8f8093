//! Shared vaults with the real binary and a real PostgreSQL server: homes A and B as two
//! machines. A creates a vault and adds B; B joins; a token A adds reaches B
//! byte-identical; B's revoke reaches A's verify; edits to different fields made at once
//! both survive; the server's dump holds no name, secret or scope; and what a malicious
//! server does (rows inserted, moved to another record or vault, replayed, held back
//! while later ones are served, a roster rolled back) is refused.

#[path = "common/home.rs"]
mod home;
#[path = "common/postgres.rs"]
mod postgres;

use home::{Home, PASSWORD};
use postgres::Postgres;

const SECRET: &str = "sk_live_SHAREDtestSECRET0123456789";

/// `tessera --vault team ARGS…` in `home`.
fn team(home: &Home, args: &[&str], stdin: Option<&str>) -> String {
    let mut all = vec!["--vault", "team"];
    all.extend_from_slice(args);
    home.ok(&all, stdin)
}

/// `tessera --vault team verify - --json` of `token` in `home`: exit status, answer.
fn verify_in_team(home: &Home, token: &str) -> (Option<i32>, serde_json::Value) {
    let mut cmd = home.command(&["--vault", "team", "verify", "-", "--json"]);
    cmd.stdin(std::process::Stdio::piped());
    let out = Home::run_cmd(cmd, Some(token));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    (out.status.code(), answer)
}

/// A and B, both members of shared vault "team" on `pg`, with one token A added.
fn two_members(pg: &Postgres) -> (Home, Home) {
    let a = Home::new();
    let b = Home::new();
    a.ok(&["vault", "create", "team", "--server", &pg.url()], None);
    let identity = b.json(&["identity", "--json"]);
    let identity = identity["identity"].as_str().expect("identity").to_string();
    let invite = a.ok(&["vault", "member", "add", "team", &identity], None);
    assert_eq!(
        invite.lines().count(),
        1,
        "the invite alone on stdout: {invite}"
    );
    b.ok(&["vault", "join", invite.trim()], None);
    team(
        &a,
        &[
            "add",
            "stripe live",
            "--description",
            "billing key",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n{SECRET}")),
    );
    a.ok(&["sync", "team"], None);
    b.ok(&["sync", "team"], None);
    (a, b)
}

/// Every `\x…` hex value in a dump, decoded.
fn bytea_values(dump: &str) -> Vec<Vec<u8>> {
    dump.split("\\x")
        .skip(1)
        .map(|rest| {
            let hex: Vec<u8> = rest.bytes().take_while(u8::is_ascii_hexdigit).collect();
            hex.chunks_exact(2)
                .map(|pair| {
                    u8::from_str_radix(std::str::from_utf8(pair).expect("hex"), 16).expect("hex")
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_token_a_adds_reaches_b_and_bs_revoke_reaches_as_verify() {
    let pg = Postgres::start();
    let (a, b) = two_members(&pg);
    assert_eq!(
        team(&b, &["get", "stripe live"], None),
        format!("{SECRET}\n")
    );
    let members = a.json(&["vault", "member", "list", "team", "--json"]);
    let roles: Vec<&str> = members
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["role"].as_str().expect("role"))
        .collect();
    assert_eq!(roles, ["admin", "member"]);

    // A personal token A creates, verified by A, revoked by B.
    team(&a, &["create", "personal", "--name", "deploy"], None);
    let deploy = team(&a, &["get", "deploy"], None).trim().to_string();
    a.ok(&["sync", "team"], None);
    b.ok(&["sync", "team"], None);
    let verify = |home: &Home| verify_in_team(home, &deploy);
    assert_eq!(verify(&b).0, Some(0), "active on B's replica");
    // A keeps the vault in step (LISTEN/NOTIFY) while B revokes and syncs.
    let mut watch = a.command(&["sync", "team", "--watch"]);
    watch.stderr(std::process::Stdio::piped());
    let mut watcher = watch.spawn().expect("watch");
    let mut said = std::io::BufReader::new(watcher.stderr.take().expect("stderr"));
    let mut first = String::new();
    std::io::BufRead::read_line(&mut said, &mut first).expect("read");
    assert!(first.contains("Keeping 'team' in step"), "{first}");
    std::thread::sleep(std::time::Duration::from_millis(500));
    team(&b, &["revoke", "deploy"], None);
    b.ok(&["sync", "team"], None);
    let started = std::time::Instant::now();
    let (code, answer) = loop {
        let (code, answer) = verify(&a);
        if code == Some(1) || started.elapsed() > std::time::Duration::from_secs(5) {
            break (code, answer);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let took = started.elapsed();
    assert_eq!(code, Some(1), "inactive after B's revoke: {answer}");
    assert_eq!(answer["reason"], "revoked", "{answer}");
    assert!(
        took < std::time::Duration::from_secs(1),
        "A's verify said revoked after {took:?}"
    );
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &watcher.id().to_string()])
        .status();
    assert_eq!(watcher.wait().expect("wait").code(), Some(130));
    // A's own vault never held it.
    a.fails(&["get", "stripe live"], None, "no token");

    // The dump as text, and every bytea in it (pg_dump writes them in hex) decoded.
    let dump = pg.dump();
    let decoded = bytea_values(&dump);
    assert!(
        decoded.iter().any(|v| v.len() > 100),
        "the dump's ciphertexts were read"
    );
    for plain in [
        SECRET,
        "stripe live",
        "billing key",
        &SECRET[8..20],
        &deploy,
        "deploy",
    ] {
        assert!(!dump.contains(plain), "the server's dump holds '{plain}'");
        for value in &decoded {
            assert!(
                !value.windows(plain.len()).any(|w| w == plain.as_bytes()),
                "a bytea on the server holds '{plain}'"
            );
        }
    }
}

#[test]
fn edits_of_different_fields_made_at_once_both_survive() {
    let pg = Postgres::start();
    let (a, b) = two_members(&pg);
    team(
        &a,
        &["edit", "stripe live", "--description", "from A"],
        None,
    );
    team(
        &b,
        &["edit", "stripe live", "--expires", "2099-01-01"],
        None,
    );
    a.ok(&["sync", "team"], None);
    b.ok(&["sync", "team"], None);
    a.ok(&["sync", "team"], None);
    for home in [&a, &b] {
        let shown = {
            let out = team(home, &["show", "stripe live", "--json"], None);
            serde_json::from_str::<serde_json::Value>(&out).expect("json")
        };
        assert_eq!(shown["description"], "from A", "{shown}");
        assert!(
            shown["expires_at"]
                .as_str()
                .is_some_and(|e| e.starts_with("2099-01-01")),
            "{shown}"
        );
    }
    // The same field on both sides: a conflict, shown.
    team(
        &a,
        &["edit", "stripe live", "--description", "A again"],
        None,
    );
    team(
        &b,
        &["edit", "stripe live", "--description", "B again"],
        None,
    );
    a.ok(&["sync", "team"], None);
    let out = b.run(&["sync", "team"], None);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Conflict: 'stripe live'"), "{said}");
    let description = |home: &Home| {
        let out = team(home, &["show", "stripe live", "--json"], None);
        serde_json::from_str::<serde_json::Value>(&out).expect("json")["description"].clone()
    };
    assert_eq!(description(&b), "A again", "theirs kept");
    // Resolved on B by keeping B's: it is B's everywhere after the next rounds.
    let kept = team(&b, &["conflicts", "--json"], None);
    let kept: serde_json::Value = serde_json::from_str(&kept).expect("json");
    assert_eq!(kept[0]["name"], "stripe live", "{kept}");
    assert_eq!(
        kept[0]["fields"],
        serde_json::json!(["description"]),
        "{kept}"
    );
    // The listing for people says how to resolve, in this vault's own words.
    let listed = Home::run_cmd(b.command(&["--vault", "team", "conflicts"]), None);
    let hint = String::from_utf8_lossy(&listed.stderr);
    assert!(
        hint.contains("`tessera --vault team conflicts resolve TOKEN --keep mine`"),
        "{hint}"
    );
    team(
        &b,
        &["conflicts", "resolve", "stripe live", "--keep", "mine"],
        None,
    );
    assert_eq!(description(&b), "B again");
    assert_eq!(team(&b, &["conflicts", "--json"], None).trim(), "[]");
    b.ok(&["sync", "team"], None);
    a.ok(&["sync", "team"], None);
    assert_eq!(description(&a), "B again");
    b.fails(
        &[
            "--vault",
            "team",
            "conflicts",
            "resolve",
            "stripe live",
            "--keep",
            "theirs",
        ],
        None,
        "no conflict",
    );
}

#[test]
fn what_a_malicious_server_does_is_refused_and_not_applied() {
    let pg = Postgres::start();
    let (a, b) = two_members(&pg);
    let vault_id = pg.sql("SELECT id FROM tessera_vaults");
    let vault_id = vault_id.trim();
    let record = pg.sql("SELECT record_id FROM tessera_records WHERE record_id NOT LIKE 'meta:%'");
    let record = record.trim().to_string();

    // An older ciphertext replayed: keep version 1, let A write version 2, put 1 back.
    pg.sql("CREATE TABLE saved AS SELECT * FROM tessera_records");
    team(&a, &["edit", "stripe live", "--description", "v2"], None);
    a.ok(&["sync", "team"], None);
    b.ok(&["sync", "team"], None);
    pg.sql(&format!(
        "UPDATE tessera_records r SET version = s.version, nonce = s.nonce, ciphertext = s.ciphertext, \
         signature = s.signature, seq = (SELECT head + 1 FROM tessera_vaults) FROM saved s \
         WHERE r.record_id = s.record_id AND r.record_id = '{record}'; \
         UPDATE tessera_vaults SET head = head + 1"
    ));
    b.fails(&["sync", "team"], None, "replayed");
    let shown = team(&b, &["show", "stripe live", "--json"], None);
    assert!(shown.contains("\"v2\""), "nothing applied: {shown}");

    // A row moved here from another slot: the same ciphertext under another record id.
    pg.sql(&format!(
        "DELETE FROM tessera_records WHERE record_id = '{record}' AND version = 1; \
         INSERT INTO tessera_records (vault_id, record_id, version, epoch, seq, nonce, ciphertext, author, signature) \
         SELECT vault_id, 'moved-' || record_id, 1, epoch, (SELECT head + 1 FROM tessera_vaults), nonce, ciphertext, author, signature \
         FROM saved WHERE record_id = '{record}'; UPDATE tessera_vaults SET head = head + 1"
    ));
    let c = Home::new();
    let identity = c.json(&["identity", "--json"]);
    let invite = a.ok(
        &[
            "vault",
            "member",
            "add",
            "team",
            identity["identity"].as_str().expect("id"),
        ],
        None,
    );
    c.fails(&["vault", "join", invite.trim()], None, "signature");

    // A row no member wrote.
    pg.sql(&format!(
        "DELETE FROM tessera_records WHERE record_id LIKE 'moved-%'; \
         INSERT INTO tessera_records (vault_id, record_id, version, epoch, seq, nonce, ciphertext, author, signature) \
         VALUES ('{vault_id}', 'forged', 1, 1, (SELECT head + 1 FROM tessera_vaults), '\\x00', '\\x00', 'tessera-id1:x', '\\x00'); \
         UPDATE tessera_vaults SET head = head + 1"
    ));
    a.fails(&["sync", "team"], None, "not a member");

    // The roster rolled back to before B and C were added.
    pg.sql("DELETE FROM tessera_records WHERE record_id = 'forged'; DELETE FROM tessera_rosters WHERE version > 1");
    a.fails(&["sync", "team"], None, "rolled back");

    // A record of this vault moved into another vault of the same server.
    a.ok(&["vault", "create", "other", "--server", &pg.url()], None);
    let other = pg.sql(&format!(
        "SELECT id FROM tessera_vaults WHERE id <> '{vault_id}'"
    ));
    let other = other.trim();
    pg.sql(&format!(
        "INSERT INTO tessera_records (vault_id, record_id, version, epoch, seq, nonce, ciphertext, author, signature) \
         SELECT '{other}', record_id, version, epoch, (SELECT head + 1 FROM tessera_vaults WHERE id = '{other}'), \
         nonce, ciphertext, author, signature FROM saved WHERE record_id = '{record}'; \
         UPDATE tessera_vaults SET head = head + 1 WHERE id = '{other}'"
    ));
    a.fails(&["sync", "other"], None, "signature");
    a.fails(
        &["--vault", "other", "get", "stripe live"],
        None,
        "no token",
    );
}

#[test]
fn a_record_held_back_while_later_ones_are_served_is_refused() {
    let pg = Postgres::start();
    let (a, b) = two_members(&pg);
    let record = pg.sql("SELECT record_id FROM tessera_records WHERE record_id NOT LIKE 'meta:%'");
    let record = record.trim().to_string();
    // A changes the token, then adds another, a sync round each.
    team(&a, &["edit", "stripe live", "--description", "v2"], None);
    a.ok(&["sync", "team"], None);
    team(
        &a,
        &["add", "second", "--password-stdin"],
        Some(&format!("{PASSWORD}\nsk_live_SECONDtestSECRET9876543210")),
    );
    a.ok(&["sync", "team"], None);

    // The server serves B everything after its cursor but the change: the row is
    // kept where B's pull does not reach.
    let seq = pg.sql(&format!(
        "SELECT seq FROM tessera_records WHERE record_id = '{record}'"
    ));
    pg.sql(&format!(
        "UPDATE tessera_records SET seq = 0 WHERE record_id = '{record}'"
    ));
    b.fails(&["sync", "team"], None, "withheld");
    let shown = team(&b, &["show", "stripe live", "--json"], None);
    assert!(
        shown.contains("\"billing key\""),
        "nothing applied: {shown}"
    );
    b.fails(&["--vault", "team", "show", "second"], None, "no token");

    // Served again: B takes both.
    pg.sql(&format!(
        "UPDATE tessera_records SET seq = {} WHERE record_id = '{record}'",
        seq.trim()
    ));
    b.ok(&["sync", "team"], None);
    let shown = team(&b, &["show", "stripe live", "--json"], None);
    assert!(shown.contains("\"v2\""), "{shown}");
    team(&b, &["show", "second"], None);
}

#[test]
fn a_removed_member_is_told_and_holds_no_key_to_what_comes_after() {
    let pg = Postgres::start();
    let (a, b) = two_members(&pg);
    let b_id = b.json(&["identity", "--json"])["identity"]
        .as_str()
        .expect("identity")
        .to_string();
    let removed = a.json(&["vault", "member", "remove", "team", &b_id, "--json"]);
    assert_eq!(removed["epoch"], 2, "{removed}");
    assert_eq!(
        removed["to_rotate"],
        serde_json::json!(["stripe live"]),
        "{removed}"
    );
    team(
        &a,
        &["add", "after removal", "--password-stdin"],
        Some(&format!("{PASSWORD}\nsk_live_AFTERremovalSECRET0123456789")),
    );
    a.ok(&["sync", "team"], None);
    b.fails(&["sync", "team"], None, "removed");
    // Every row is sealed under the new epoch, whose key was sealed to A alone.
    assert_eq!(
        pg.sql("SELECT DISTINCT epoch FROM tessera_records").trim(),
        "2"
    );
    assert_eq!(
        pg.sql(&format!(
            "SELECT count(*) FROM tessera_members WHERE identity = '{b_id}' AND epoch = 2"
        ))
        .trim(),
        "0"
    );
    // B keeps what it had, and never got what came after.
    assert_eq!(
        team(&b, &["get", "stripe live"], None),
        format!("{SECRET}\n")
    );
    b.fails(
        &["--vault", "team", "get", "after removal"],
        None,
        "no token",
    );
    let members = a.json(&["vault", "member", "list", "team", "--json"]);
    assert_eq!(members.as_array().expect("members").len(), 1);
}

#[test]
fn an_edit_made_offline_arrives_and_a_stale_replica_fails_verify_closed() {
    let pg = Postgres::start();
    let (a, b) = two_members(&pg);
    team(&a, &["create", "personal", "--name", "deploy"], None);
    let deploy = team(&a, &["get", "deploy"], None).trim().to_string();
    a.ok(&["sync", "team"], None);
    b.ok(&["sync", "team"], None);
    b.ok(&["vault", "set", "team", "--stale-after", "2"], None);
    let verify = |home: &Home| verify_in_team(home, &deploy);
    assert_eq!(verify(&b).0, Some(0));

    pg.stop();
    team(
        &b,
        &["edit", "stripe live", "--description", "made offline"],
        None,
    );
    b.fails(&["sync", "team"], None, "cannot connect");
    // Copy and get keep working; verify fails closed once the limit has passed.
    assert_eq!(
        team(&b, &["get", "stripe live"], None),
        format!("{SECRET}\n")
    );
    std::thread::sleep(std::time::Duration::from_millis(3_100));
    let (code, answer) = verify(&b);
    assert_eq!(code, Some(1), "{answer}");
    assert_eq!(answer["reason"], "stale_replica", "{answer}");

    pg.start_again();
    b.ok(&["sync", "team"], None);
    a.ok(&["sync", "team"], None);
    let shown = team(&a, &["show", "stripe live", "--json"], None);
    let shown: serde_json::Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(shown["description"], "made offline");
    assert_eq!(verify(&b).0, Some(0), "fresh again after a sync");
}

#[test]
fn a_server_killed_during_a_sync_round_loses_and_duplicates_nothing() {
    let pg = Postgres::start();
    let (a, b) = two_members(&pg);
    let file = a.dir.path().join("many.env");
    let lines: String = (0..400)
        .map(|i| format!("TOKEN_{i:03}=sk_live_MANYtokens{i:03}abcdefghijklmnop\n"))
        .collect();
    std::fs::write(&file, lines).expect("write");
    team(
        &a,
        &["import", file.to_str().expect("path"), "--from", "dotenv"],
        None,
    );
    let on_server = |pg: &Postgres| -> usize {
        pg.sql("SELECT count(*) FROM tessera_records WHERE record_id NOT LIKE 'meta:%'")
            .trim()
            .parse()
            .expect("count")
    };
    // The server is killed ever later in the round, until a round completes first: at
    // every step its push, one transaction, left all 400 on the server or none, and a
    // round that said it was done left all of them.
    let mut killed_unacknowledged = 0;
    for delay in (50..=3_000).step_by(50) {
        let mut sync = a.command(&["sync", "team"]);
        sync.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = sync.spawn().expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay));
        pg.kill();
        let acknowledged = child.wait().expect("wait").success();
        pg.start_again();
        let count = on_server(&pg);
        eprintln!("killed after {delay} ms: acknowledged {acknowledged}, {count} on the server");
        assert!(
            count == 1 || count == 401,
            "all or nothing after {delay} ms: {count}"
        );
        if acknowledged {
            assert_eq!(count, 401, "a round that said it was done lost changes");
            break;
        }
        killed_unacknowledged += 1;
        if count == 401 {
            // Committed, then killed before the replica heard back: pushed again
            // below, and not duplicated.
            break;
        }
    }
    assert!(killed_unacknowledged > 0, "no round was cut short");
    a.ok(&["sync", "team"], None);
    b.ok(&["sync", "team"], None);
    assert_eq!(on_server(&pg), 401);
    let listed = b.json(&["--vault", "team", "list", "--json", "--limit", "1000"]);
    assert_eq!(listed["total"], 401, "B has each token once");
}

#[test]
fn an_invite_carries_no_password_of_the_server() {
    let pg = Postgres::start();
    let a = Home::new();
    let b = Home::new();
    // The test server trusts loopback, so a password in the address is accepted unread.
    let url = pg.url().replace("postgres@", "postgres:hunter2secret@");
    a.ok(&["vault", "create", "team", "--server", &url], None);
    let listed = a.ok(&["vault", "list"], None);
    assert!(!listed.contains("hunter2secret"), "{listed}");
    let identity = b.json(&["identity", "--json"]);
    let invite = a.ok(
        &[
            "vault",
            "member",
            "add",
            "team",
            identity["identity"].as_str().expect("id"),
        ],
        None,
    );
    let body = invite
        .trim()
        .strip_prefix("tessera-invite1:")
        .expect("an invite");
    let json = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, body)
        .expect("base64url");
    let json = String::from_utf8(json).expect("utf8");
    assert!(!json.contains("hunter2secret"), "{json}");
    assert!(json.contains("127.0.0.1"), "{json}");
    b.ok(&["vault", "join", invite.trim()], None);
}
