//! End-to-end tests of the `tessera` binary against real vault files in temp folders.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "../../tessera-core/tests/environment.rs"]
mod environment;
use environment::environment;

#[path = "../../tessera-core/tests/files.rs"]
mod files;
use files::snapshot;

#[path = "common/home.rs"]
mod home;
use home::{Home, PASSWORD};

/// `tessera copy clip --clear-after SECS`, running, its output piped.
fn spawn_copy(home: &Home, clear_after: &str) -> std::process::Child {
    home.command(&["copy", "clip", "--clear-after", clear_after])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

#[test]
fn create_list_get_verify_every_kind() {
    let home = Home::new();
    let pat = home.ok(
        &[
            "create",
            "personal",
            "--name",
            "prod deploy",
            "--api",
            "billing",
            "--expires",
            "30d",
        ],
        None,
    );
    let pat = pat.trim();
    assert!(pat.starts_with("tsp_") && pat.len() == 40, "{pat}");
    let jwt = home.ok(
        &[
            "create", "jwt", "--name", "web jwt", "--api", "billing", "--user", "ada", "--alg",
            "EdDSA",
        ],
        None,
    );
    let svc = home.ok(
        &[
            "create",
            "service",
            "--name",
            "indexer",
            "--service-account",
            "ci-bot",
        ],
        None,
    );
    let ws = home.ok(
        &[
            "create",
            "workspace",
            "--name",
            "workspace",
            "--rotate-every",
            "90",
        ],
        None,
    );
    let rsa = home.ok(
        &[
            "create",
            "rsa",
            "--name",
            "partner",
            "--api",
            "billing",
            "--project",
            "apollo",
            "--bits",
            "2048",
        ],
        None,
    );
    assert!(rsa.is_empty(), "an RSA token prints no secret");
    home.ok(
        &["add", "gitlab ci", "--expires", "2099-01-01"],
        Some("glpat-abcdefghijklmnopqrst"),
    );

    let list = home.json(&["list", "--json"]);
    assert_eq!(list["total"], 6);
    let text = list.to_string();
    for secret in [
        pat,
        jwt.trim(),
        svc.trim(),
        ws.trim(),
        "glpat-abcdefghijklmnopqrst",
    ] {
        assert!(!text.contains(secret), "list output holds a secret");
    }
    for row in list["rows"].as_array().expect("rows") {
        assert_eq!(row["status"], "active");
        assert_eq!(row["usage"], "Not used");
    }
    let gitlab = home.json(&["show", "gitlab ci", "--json"]);
    assert_eq!(gitlab["service"], "GitLab");

    let table = home.ok(&["list"], None);
    assert!(
        table.starts_with("NAME") && table.contains("prod deploy") && table.contains("Not used")
    );
    let found = home.json(&["list", "dep", "--json"]);
    assert_eq!(found["total"], 1);
    assert_eq!(found["rows"][0]["name"], "prod deploy");
    assert_eq!(found["rows"][0]["positions"], serde_json::json!([5, 6, 7]));

    assert_eq!(home.ok(&["get", "prod deploy"], None).trim(), pat);
    assert_eq!(
        home.ok(&["get", "gitlab ci"], None).trim(),
        "glpat-abcdefghijklmnopqrst"
    );
    let verified: Value =
        serde_json::from_str(&home.ok(&["verify", pat, "--api", "billing", "--json"], None))
            .expect("json");
    assert_eq!(verified["active"], true);
    assert_eq!(verified["name"], "prod deploy");
    home.ok(&["verify", "-", "--user", "ada"], Some(jwt.trim()));
    let shown = home.json(&["show", "prod deploy", "--json"]);
    assert_eq!(shown["use_count"], 1);
    assert_eq!(shown["usage"], "Last used just now");

    let out = home.run(&["verify", pat, "--api", "search"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("api_not_authorized"));
    let out = home.run(&["verify", "tsp_definitelynotatoken"], None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn revoke_restore_delete_through_the_cli() {
    let home = Home::new();
    let secret = home.ok(&["create", "personal", "--name", "cycle"], None);
    home.fails(
        &["delete", "cycle", "--yes"],
        None,
        "only a revoked token can be deleted",
    );
    home.fails(&["restore", "cycle"], None, "it is not revoked");
    home.ok(&["revoke", "cycle"], None);
    home.fails(&["revoke", "cycle"], None, "already revoked");
    let out = home.run(&["verify", secret.trim(), "--json"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"revoked\""));
    home.ok(&["restore", "cycle"], None);
    home.ok(&["verify", secret.trim()], None);
    home.ok(&["revoke", "cycle"], None);
    home.fails(&["delete", "cycle"], None, "add --yes");
    home.ok(&["delete", "cycle", "--yes"], None);
    home.fails(
        &["show", "cycle"],
        None,
        "no token named or with id 'cycle'",
    );
    let out = home.run(&["verify", secret.trim()], None);
    assert_eq!(out.status.code(), Some(1));
    let audit = home.json(&["audit", "--json", "--token", "cycle"]);
    let actions: Vec<&str> = audit
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in ["create", "revoke", "restore", "delete", "verify"] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
    assert!(
        !serde_json::to_string(&audit)
            .expect("json")
            .contains(secret.trim())
    );
}

/// Replaces the files of folder `to` with those of `from`.
fn copy_folder(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).expect("remove");
    }
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
    }
}

#[test]
fn an_older_copy_of_the_vault_is_refused_until_accepted() {
    let home = Home::new();
    let secret = home.ok(&["create", "personal", "--name", "deploy"], None);
    let backup = home.dir.path().join("backup");
    copy_folder(&home.vault_dir(), &backup);
    home.ok(&["revoke", "deploy"], None);
    copy_folder(&backup, &home.vault_dir());

    // The revoked token must not verify from the older copy: the vault does not open.
    let out = home.run(&["verify", secret.trim()], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("older copy"), "{stderr}");
    assert!(stderr.contains("tessera accept-restore"), "{stderr}");
    home.fails(&["list"], None, "older copy");
    home.fails(&["accept-restore"], None, "add --yes to confirm");

    home.ok(&["accept-restore", "--yes"], None);
    home.ok(&["verify", secret.trim()], None);
    let stdout = home.ok(&["accept-restore"], None);
    assert!(stdout.is_empty());
    let audit = home.json(&["audit", "--json", "--action", "restore"]);
    assert_eq!(audit.as_array().expect("events").len(), 1, "{audit}");
}

#[test]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let home = Home::new();
    home.ok(&["create", "personal", "--name", "Taken"], None);
    let before = home.json(&["list", "--json"]);
    home.fails(
        &["create", "personal", "--name", "taken"],
        None,
        "already used",
    );
    home.fails(
        &["create", "personal", "--name", ""],
        None,
        "a name is required",
    );
    home.fails(
        &[
            "create",
            "personal",
            "--name",
            "x",
            "--expires",
            "2020-01-01",
        ],
        None,
        "in the past",
    );
    home.fails(
        &["create", "personal", "--name", "x", "--expires", "soon"],
        None,
        "not an expiry",
    );
    home.fails(&["create", "robot", "--name", "x"], None, "not a kind");
    home.fails(
        &["create", "personal", "--name", "x", "--api", "nope"],
        None,
        "no API named",
    );
    home.fails(
        &["create", "personal", "--name", "x", "--project", "apollo"],
        None,
        "only RSA tokens do",
    );
    home.fails(
        &["create", "service", "--name", "x"],
        None,
        "needs its service account",
    );
    home.fails(
        &["create", "rsa", "--name", "x", "--bits", "1024"],
        None,
        "not offered",
    );
    home.fails(
        &["create", "jwt", "--name", "x", "--alg", "none"],
        None,
        "not offered",
    );
    home.fails(
        &["add", "gh"],
        Some("ghp_abcdefghijklmnopqrstuvwxyzABCD0000000"),
        "checksum does not match",
    );
    home.fails(&["add", "empty"], Some(""), "it is empty");
    home.fails(&["list", "--status", "sleepy"], None, "not a status");
    home.fails(
        &["export", "Taken", "-o", "/nonexistent-dir/x.json"],
        None,
        "only RSA tokens have a token file",
    );
    home.fails(&["api", "remove", "nope"], None, "no API named");
    home.fails(&["import", "/nonexistent-file.json"], None, "cannot read");
    // Failed actions are audited, but no token changed.
    assert_eq!(home.json(&["list", "--json"]), before);
    let failures = home.json(&["audit", "--json", "--failed"]);
    assert!(
        failures.as_array().expect("events").len() >= 10,
        "failed actions are audited"
    );
}

#[test]
fn a_wrong_password_is_refused_and_changes_no_file() {
    let home = Home::new();
    home.ok(&["create", "personal", "--name", "kept"], None);
    let before = snapshot(&home.vault_dir());
    let mut cmd = home.command(&["list"]);
    cmd.env("TESSERA_PASSWORD", "wrong password");
    let out = Home::run_cmd(cmd, None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: wrong master password"
    );
    let mut cmd = home.command(&["list"]);
    cmd.env_remove("TESSERA_PASSWORD");
    let out = Home::run_cmd(cmd, None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("protected by a master password"));
    assert_eq!(snapshot(&home.vault_dir()), before);
    let mut cmd = home.command(&["--password-stdin", "list"]);
    cmd.env_remove("TESSERA_PASSWORD");
    let out = Home::run_cmd(cmd, Some(PASSWORD));
    assert!(out.status.success());
}

#[test]
fn passwd_rekeys_the_vault() {
    let home = Home::new();
    home.ok(&["create", "personal", "--name", "kept"], None);
    home.ok(
        &["passwd", "--new-password-stdin"],
        Some("a brand new password"),
    );
    home.fails(&["list"], None, "wrong master password");
    let mut cmd = home.command(&["show", "kept"]);
    cmd.env("TESSERA_PASSWORD", "a brand new password");
    assert!(Home::run_cmd(cmd, None).status.success());
    let mut cmd = home.command(&["passwd", "--new-password-stdin"]);
    cmd.env("TESSERA_PASSWORD", "a brand new password");
    let out = Home::run_cmd(cmd, Some("short"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8 characters"));
}

#[test]
fn rsa_token_file_round_trip_between_vaults() {
    let home = Home::new();
    home.ok(
        &[
            "create",
            "rsa",
            "--name",
            "partner",
            "--api",
            "billing",
            "--project",
            "apollo",
        ],
        None,
    );
    let file = home.dir.path().join("partner.json");
    let file_arg = file.to_str().expect("path");
    home.ok(
        &["export", "partner", "-o", file_arg, "--passphrase-stdin"],
        Some("file secret"),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
            0o600
        );
    }
    let parsed: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    assert_eq!(parsed["type"], "tessera_rsa_token");
    assert_eq!(parsed["authorized_projects"], serde_json::json!(["apollo"]));
    let pem = home.dir.path().join("partner.pem");
    home.ok(
        &[
            "export",
            "partner",
            "-o",
            pem.to_str().expect("path"),
            "--pem",
        ],
        None,
    );
    assert!(
        std::fs::read_to_string(&pem)
            .expect("pem")
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );

    let other = Home::new();
    other.fails(&["import", file_arg], None, "give its passphrase");
    other.fails(
        &["import", file_arg, "--passphrase-stdin"],
        Some("wrong"),
        "wrong passphrase",
    );
    other.fails(
        &["import", file_arg, "--passphrase-stdin"],
        Some("file secret"),
        "issued by another vault",
    );
    let out = other.run(
        &["import", file_arg, "--passphrase-stdin", "--foreign"],
        Some("file secret"),
    );
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("It was issued by another vault"));
    // Files that never end or never come are refused at once.
    let fifo = home.dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    for endless in [fifo.to_str().expect("path"), "/dev/zero"] {
        let started = std::time::Instant::now();
        other.fails(&["import", endless], None, "is not a regular file");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{endless}"
        );
    }
    let imported = other.json(&["show", "partner", "--json"]);
    assert_eq!(imported["key_id"], parsed["key_id"]);
    assert_eq!(imported["id"], parsed["token_id"]);
    let junk = home.dir.path().join("junk.json");
    std::fs::write(&junk, "{\"type\":\"something_else\"}").expect("write");
    other.fails(
        &["import", junk.to_str().expect("path")],
        None,
        "its type is 'something_else'",
    );
}

#[test]
fn copy_puts_the_secret_on_the_clipboard_and_clears_it() {
    if !environment(
        "TESSERA_TEST_CLIPBOARD",
        "with a DISPLAY and xclip (make test does)",
    ) {
        return;
    }
    let home = Home::new();
    let secret = home.ok(&["create", "personal", "--name", "clip"], None);
    let secret = secret.trim();
    let read = || {
        let out = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .output()
            .expect("xclip");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let wait_for = |want: &dyn Fn(&str) -> bool, seconds: u64| {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        while std::time::Instant::now() < until {
            if want(&read()) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    };

    let mut child = spawn_copy(&home, "3");
    assert!(
        wait_for(&|text| text == secret, 5),
        "the secret never reached the clipboard"
    );
    let status = child.wait().expect("wait");
    assert!(status.success());
    assert!(
        read().is_empty(),
        "the clipboard still holds the secret after clearing"
    );
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("read");
    assert!(stderr.contains("Clipboard cleared"), "{stderr}");

    let mut child = spawn_copy(&home, "3");
    assert!(wait_for(&|text| text == secret, 5));
    let mut xclip = Command::new("xclip")
        .args(["-selection", "clipboard"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("xclip");
    xclip
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"something else")
        .expect("write");
    assert!(child.wait().expect("wait").success());
    assert_eq!(read(), "something else", "a newer copy was cleared");
    let _ = xclip.kill();
    let _ = xclip.wait();

    // Interrupted before the deadline: the secret goes with the process.
    for signal in ["INT", "TERM", "HUP"] {
        let mut child = spawn_copy(&home, "60");
        assert!(
            wait_for(&|text| text == secret, 5),
            "SIG{signal}: never copied"
        );
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(130), "SIG{signal}");
        assert!(
            read().is_empty(),
            "SIG{signal}: the secret stayed on the clipboard"
        );
    }
}

#[test]
fn keyring_vaults_open_without_a_prompt() {
    if !environment(
        "TESSERA_TEST_KEYRING",
        "inside a Secret Service session (make test does)",
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .env("TESSERA_HOME", dir.path().join("v"))
            .env_remove("TESSERA_PASSWORD")
            .stdin(Stdio::null())
            .output()
            .expect("run")
    };
    let out = run(&["init"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("system keyring"));
    assert!(
        run(&["create", "personal", "--name", "no prompt"])
            .status
            .success()
    );
    let out = run(&["list", "--json"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("no prompt"));
}

/// A script checks `tessera verify "$TOKEN" --api billing; [ $? -eq 0 ]`: whatever the
/// presented string is, 0 must mean "active" and nothing else.
#[test]
fn verify_exits_zero_only_for_an_active_token() {
    let home = Home::new();
    let secret = home.ok(
        &["create", "personal", "--name", "exit", "--api", "billing"],
        None,
    );
    let secret = secret.trim();
    for presented in ["--help", "-h", "--version", "-V"] {
        for args in [
            &["verify", presented, "--api", "billing"][..],
            &["verify", "--api", "billing", presented],
            &["--home", ".", "verify", presented],
            &["--password-stdin", "verify", presented],
        ] {
            let out = home.run(args, None);
            assert_eq!(out.status.code(), Some(2), "tessera {args:?}");
        }
    }
    // Other commands keep the usual help status.
    assert_eq!(home.run(&["list", "--help"], None).status.code(), Some(0));
    let out = home.run(&["verify", "--api"], None);
    assert_eq!(out.status.code(), Some(2), "a usage error");

    // stdin, the form README.md shows first.
    assert_eq!(
        home.run(&["verify", "-", "--api", "billing"], Some(secret))
            .status
            .code(),
        Some(0)
    );
    let out = home.run(&["verify", "-"], None);
    assert_eq!(out.status.code(), Some(2), "no token on stdin: {out:?}");

    // A write error decides nothing: the status is the answer's.
    let to_full = |args: &[&str]| {
        let mut cmd = home.command(args);
        cmd.stdout(std::fs::File::create("/dev/full").expect("/dev/full"));
        cmd.status().expect("run").code()
    };
    assert_eq!(to_full(&["verify", secret, "--api", "billing"]), Some(0));
    assert_eq!(to_full(&["verify", secret, "--api", "search"]), Some(1));
    assert_eq!(
        to_full(&["list"]),
        Some(2),
        "other commands fail on a full stdout"
    );
    home.ok(&["revoke", "exit"], None);
    assert_eq!(to_full(&["verify", secret]), Some(1));
    assert_eq!(to_full(&["verify", secret, "--json"]), Some(1));

    // A vault that cannot be opened: 2, never 0 or 1.
    let mut cmd = home.command(&["verify", secret]);
    cmd.env("TESSERA_PASSWORD", "not the password");
    assert_eq!(Home::run_cmd(cmd, None).status.code(), Some(2));
}

/// `tessera check` reads the whole vault: a page put back from an older copy is
/// reported ("older than the rest"), and nothing shown or verified is ever taken
/// from it. (A vault this small is also checked whole at every open.)
#[test]
fn check_finds_a_page_put_back_from_an_older_copy() {
    const PAGE: usize = 4096;
    let home = Home::new();
    for i in 0..40 {
        home.ok(
            &["create", "personal", "--name", &format!("filler {i:02}")],
            None,
        );
    }
    let secret = home.ok(
        &["create", "personal", "--name", "deploy", "--api", "billing"],
        None,
    );
    let stderr = String::from_utf8_lossy(&home.run(&["check"], None).stderr).into_owned();
    assert!(stderr.contains("The vault is sound"), "{stderr}");
    let db = home.vault_dir().join("vault.db");
    let old = std::fs::read(&db).expect("old copy");
    home.ok(&["revoke", "deploy"], None);
    let new = std::fs::read(&db).expect("new file");
    let changed: Vec<usize> = (0..new.len().min(old.len()) / PAGE)
        .filter(|&p| old[p * PAGE..(p + 1) * PAGE] != new[p * PAGE..(p + 1) * PAGE])
        .collect();
    let mut found_by_check = 0;
    for p in changed {
        let mut bytes = new.clone();
        bytes[p * PAGE..(p + 1) * PAGE].copy_from_slice(&old[p * PAGE..(p + 1) * PAGE]);
        std::fs::write(&db, &bytes).expect("put back");
        // The attack: the revoked token, presented from stdin.
        let verify = home.run(&["verify", "-", "--api", "billing"], Some(secret.trim()));
        assert_ne!(
            verify.status.code(),
            Some(0),
            "page {p}: a revoked token verifies"
        );
        let check = home.run(&["check"], None);
        let shown = home.run(&["show", "deploy", "--json"], None);
        if check.status.success() {
            let token: Value = serde_json::from_slice(&shown.stdout).expect("show json");
            assert_eq!(
                token["status"], "revoked",
                "page {p}: check passed an older token"
            );
        } else {
            assert_eq!(check.status.code(), Some(2));
            let stderr = String::from_utf8_lossy(&check.stderr);
            assert!(
                stderr.contains("vault damaged") || stderr.contains("older copy was put back"),
                "page {p}: {stderr}"
            );
            found_by_check += usize::from(stderr.contains("older than the rest"));
        }
    }
    std::fs::write(&db, &new).expect("restore");
    assert!(
        found_by_check > 0,
        "check found no page put back alone older than the rest"
    );
    home.ok(&["check"], None);
}

/// `tessera list --attention`: what the app notifies of, from the same core query.
#[test]
fn list_attention_shows_what_expires_soon_or_is_due() {
    let home = Home::new();
    let out = home.ok(&["list", "--attention"], None);
    assert!(out.contains("Nothing needs attention"), "{out}");
    for (name, expires) in [("soon", "3d"), ("later", "30d"), ("never", "never")] {
        home.ok(
            &[
                "create",
                "personal",
                "--name",
                name,
                "--api",
                "billing",
                "--expires",
                expires,
            ],
            None,
        );
    }
    home.ok(
        &["create", "personal", "--name", "revoked", "--expires", "2d"],
        None,
    );
    home.ok(&["revoke", "revoked"], None);
    let names = |args: &[&str]| -> Vec<String> {
        home.json(args)["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| row["name"].as_str().expect("name").to_string())
            .collect()
    };
    assert_eq!(names(&["list", "--attention", "--json"]), ["soon"]);
    assert_eq!(
        names(&["list", "--attention", "--within", "45", "--json"]),
        ["soon", "later"]
    );
    home.fails(
        &["list", "--attention", "deploy"],
        None,
        "cannot be used with",
    );
    home.fails(&["list", "--within", "3"], None, "--attention");
}

/// A home with a password vault made by `init --json`, and its recovery key.
fn recoverable_home() -> (Home, String) {
    let home = Home {
        dir: tempfile::tempdir().expect("tempdir"),
    };
    let out = home.ok(&["--password-stdin", "init", "--json"], Some(PASSWORD));
    let init: Value = serde_json::from_str(&out).expect("json");
    let key = init["recovery_key"]
        .as_str()
        .expect("recovery_key")
        .to_string();
    assert!(key.starts_with("TSR-"), "{key}");
    assert_eq!(init["protection"], "password");
    (home, key)
}

/// `tessera list` with `password`, its stdout.
fn list_with(home: &Home, password: &str) -> Output {
    let mut cmd = home.command(&["list"]);
    cmd.env("TESSERA_PASSWORD", password);
    Home::run_cmd(cmd, None)
}

#[test]
fn recover_opens_a_vault_whose_password_is_forgotten_here_or_on_another_machine() {
    let (home, key) = recoverable_home();
    home.ok(&["create", "personal", "--name", "kept"], None);
    // A copy of the folder, as on another machine: its own home and state folder.
    let other = Home {
        dir: tempfile::tempdir().expect("tempdir"),
    };
    std::fs::create_dir_all(other.vault_dir()).expect("mkdir");
    for (name, bytes) in snapshot(&home.vault_dir()) {
        std::fs::write(other.vault_dir().join(name), bytes).expect("copy");
    }

    // Another vault's recovery key, and a mistyped one: refused, nothing written.
    let (_elsewhere, foreign) = recoverable_home();
    let before = snapshot(&home.vault_dir());
    home.fails(
        &["--password-stdin", "recover"],
        Some(&format!("{foreign}\nnew password here")),
        "this recovery key does not open this vault",
    );
    let typo = format!(
        "{}{}",
        &key[..key.len() - 1],
        if key.ends_with('7') { '8' } else { '7' }
    );
    home.fails(
        &["--password-stdin", "recover"],
        Some(&format!("{typo}\nnew password here")),
        "a character is mistyped",
    );
    assert_eq!(snapshot(&home.vault_dir()), before, "no file changed");

    let out = home.run(
        &["--password-stdin", "recover"],
        Some(&format!("{}\nnew password here", key.to_lowercase())),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "recover prints nothing on stdout");
    let listed = list_with(&home, "new password here");
    assert!(listed.status.success());
    assert!(String::from_utf8_lossy(&listed.stdout).contains("kept"));
    assert_eq!(list_with(&home, PASSWORD).status.code(), Some(2));

    other.ok(
        &["--password-stdin", "recover"],
        Some(&format!("{key}\nanother new password")),
    );
    let listed = list_with(&other, "another new password");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("kept"));
}

#[test]
fn a_new_recovery_key_replaces_the_old_one_at_once() {
    let (home, old) = recoverable_home();
    assert_eq!(home.json(&["recovery-key", "--json"])["recovery_key"], true);
    assert_eq!(
        home.json(&["recovery-key", "--json"])["state"],
        "unconfirmed"
    );
    // The person kept what `init` printed: the app's reminder ends.
    assert_eq!(
        home.json(&["recovery-key", "--kept", "--json"])["state"],
        "confirmed"
    );
    let new: Value =
        serde_json::from_str(&home.ok(&["recovery-key", "--new", "--json"], None)).expect("json");
    let new = new["recovery_key"].as_str().expect("key").to_string();
    assert_ne!(new, old);
    assert_eq!(
        home.json(&["recovery-key", "--json"])["state"],
        "unconfirmed",
        "a new key starts unconfirmed"
    );
    let before = snapshot(&home.vault_dir());
    home.fails(
        &["--password-stdin", "recover"],
        Some(&format!("{old}\nnew password here")),
        "does not open this vault",
    );
    assert_eq!(snapshot(&home.vault_dir()), before, "no file changed");
    home.ok(
        &["--password-stdin", "recover"],
        Some(&format!("{new}\nnew password here")),
    );
    assert!(list_with(&home, "new password here").status.success());
}
