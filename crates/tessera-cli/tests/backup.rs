//! `tessera backup` and `tessera export --all` as a person runs them: the `age` tool
//! and `sqlite3` read a backup; it restores into an empty home with every token and
//! event; damage and wrong keys change nothing; no plaintext reaches the disk.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../../tessera-core/tests/files.rs"]
mod files;
use files::{data_files, snapshot};

#[path = "common/home.rs"]
mod home;
use home::Home;

/// A value no file may hold in the clear.
const MARKER: &str = "sk_live_MARKERq7w2e9r4t6y8u1i3o5p0aZ";
const PASSPHRASE: &str = "backup passphrase for the tests";

/// A home with tokens of several kinds, one of them pasted with [`MARKER`].
fn filled() -> Home {
    let home = Home::new();
    home.add_external("stripe live", MARKER);
    home.ok(
        &["create", "personal", "--name", "deploy", "--api", "billing"],
        None,
    );
    home.ok(
        &[
            "create",
            "rsa",
            "--name",
            "signer",
            "--api",
            "billing",
            "--project",
            "apollo",
        ],
        None,
    );
    home.ok(
        &[
            "create", "jwt", "--name", "session", "--api", "billing", "--user", "ada",
        ],
        None,
    );
    home.ok(&["revoke", "deploy"], None);
    home
}

/// `age-keygen` writes an identity into `dir`; returns (its file, its recipient).
fn age_identity(dir: &Path) -> (PathBuf, String) {
    let file = dir.join("identity.txt");
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&file)
        .output()
        .expect("age-keygen is installed (scripts/install-deps.sh installs the age package)");
    assert!(out.status.success(), "age-keygen failed");
    let text = std::fs::read_to_string(&file).expect("identity");
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("public key line")
        .to_string();
    (file, recipient)
}

/// Every file under `dir` (recursively) that holds `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    if !dir.exists() {
        return Vec::new();
    }
    snapshot(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
        .map(|(name, _)| name)
        .collect()
}

fn tokens(home: &Home) -> Vec<Value> {
    without_words(home.json(&["list", "--json"]))
}

/// The rows of `list --json`, without the words that move with the clock.
fn without_words(mut list: Value) -> Vec<Value> {
    let rows = list["rows"].as_array_mut().expect("rows");
    for row in rows.iter_mut() {
        row.as_object_mut().expect("row").remove("usage");
    }
    rows.clone()
}

fn events(home: &Home) -> Vec<Value> {
    home.json(&["audit", "--json"])
        .as_array()
        .expect("events")
        .clone()
}

/// `tessera backup create -o PATH`, to [`PASSPHRASE`].
fn backed_up(home: &Home, path: &str) {
    home.ok(
        &["backup", "create", "-o", path, "--passphrase-stdin"],
        Some(PASSPHRASE),
    );
}

#[test]
fn the_age_tool_and_sqlite3_read_a_backup_and_no_plaintext_touches_the_disk() {
    let home = filled();
    let (identity, recipient) = age_identity(home.dir.path());
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = home.dir.path().join("tokens.age");
    let mut cmd = home.command(&[
        "backup",
        "create",
        "-o",
        file.to_str().expect("path"),
        "--recipient",
        &recipient,
    ]);
    cmd.env("TMPDIR", tmp.path());
    let out = Home::run_cmd(cmd, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_dir(tmp.path()).expect("tmp").next().is_none(),
        "nothing was written to TMPDIR"
    );
    // Nowhere in the vault's folder, its state folder or the backup, in the clear.
    assert_eq!(
        files_holding(home.dir.path(), MARKER.as_bytes()),
        Vec::<String>::new()
    );
    assert_eq!(
        files_holding(home.dir.path(), b"SQLite format 3"),
        Vec::<String>::new(),
        "no plaintext SQLite image"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).expect("file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // The standard tools alone, as docs/read-backup.sh does.
    let out_dir = tempfile::tempdir().expect("tempdir");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/read-backup.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(&file)
        .arg(&identity)
        .arg(out_dir.path())
        .output()
        .expect("run the script");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8(out.stdout).expect("utf8");
    for name in ["stripe live", "deploy", "signer", "session"] {
        assert!(listed.contains(name), "{name} in: {listed}");
    }
    let db = out_dir.path().join("vault.sqlite");
    let secret = Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT s.value FROM secrets s JOIN tokens t ON t.id = s.token_id WHERE t.name = 'stripe live'")
        .output()
        .expect("sqlite3 is installed");
    assert_eq!(String::from_utf8_lossy(&secret.stdout).trim(), MARKER);
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(out_dir.path().join("manifest.json")).expect("manifest"),
    )
    .expect("json");
    assert_eq!(manifest["tokens"], 4);
    assert_eq!(manifest["format"], "tessera-backup");

    // `export --all` is the same file, for leaving.
    let exported = home.dir.path().join("all.age");
    home.ok(
        &[
            "export",
            "--all",
            "-o",
            exported.to_str().expect("path"),
            "--recipient",
            &recipient,
        ],
        None,
    );
    home.ok(
        &[
            "backup",
            "verify",
            exported.to_str().expect("path"),
            "--identity",
            identity.to_str().expect("path"),
        ],
        None,
    );
}

#[test]
fn a_backup_restores_into_an_empty_home_with_the_same_tokens_secrets_and_events() {
    let home = filled();
    let file = home.dir.path().join("tokens.age");
    let path = file.to_str().expect("path");
    let before_events = events(&home);
    backed_up(&home, path);
    let before = tokens(&home);
    let secret = home.ok(&["get", "stripe live"], None);

    let other = tempfile::tempdir().expect("tempdir");
    let mut cmd = home.command(&[
        "--password-stdin",
        "backup",
        "restore",
        path,
        "--passphrase-stdin",
        "--json",
    ]);
    cmd.env("TESSERA_HOME", other.path().join("vault"))
        .env("TESSERA_STATE_HOME", other.path().join("state"))
        .env_remove("TESSERA_PASSWORD");
    let out = Home::run_cmd(
        cmd,
        Some(&format!("{PASSPHRASE}\nan entirely new password")),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(answer["mode"], "new");
    assert!(
        answer["recovery_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("TSR-"))
    );

    let restored = |args: &[&str]| {
        let mut cmd = home.command(args);
        cmd.env("TESSERA_HOME", other.path().join("vault"))
            .env("TESSERA_STATE_HOME", other.path().join("state"))
            .env("TESSERA_PASSWORD", "an entirely new password");
        let out = Home::run_cmd(cmd, None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    };
    let after_events: Vec<Value> =
        serde_json::from_str(&restored(&["audit", "--json"])).expect("json");
    // Newest first: the restore, then every event the vault held at the backup.
    assert_eq!(
        &after_events[1..],
        &before_events[..],
        "every event, in order"
    );
    assert_eq!(after_events[0]["action"], "restore");
    let after = without_words(serde_json::from_str(&restored(&["list", "--json"])).expect("json"));
    assert_eq!(after, before);
    assert_eq!(restored(&["get", "stripe live"]), secret);
}

#[test]
fn a_flipped_byte_or_a_wrong_passphrase_fails_and_leaves_the_vault_untouched() {
    let home = filled();
    let file = home.dir.path().join("tokens.age");
    let path = file.to_str().expect("path");
    backed_up(&home, path);
    home.ok(&["create", "personal", "--name", "after the backup"], None);
    let before = snapshot(&home.vault_dir());
    home.fails(
        &[
            "backup",
            "restore",
            path,
            "--passphrase-stdin",
            "--replace",
            "--accept-older",
        ],
        Some("not the passphrase"),
        "the passphrase is wrong",
    );
    let good = std::fs::read(&file).expect("read");
    let mut bad = good.clone();
    let at = good.len() / 2;
    bad[at] ^= 0x20;
    std::fs::write(&file, &bad).expect("write");
    home.fails(
        &[
            "backup",
            "restore",
            path,
            "--passphrase-stdin",
            "--replace",
            "--accept-older",
        ],
        Some(PASSPHRASE),
        "cannot use this backup",
    );
    home.fails(
        &["backup", "verify", path, "--passphrase-stdin"],
        Some(PASSPHRASE),
        "cannot use this backup",
    );
    assert!(
        snapshot(&home.vault_dir()) == before,
        "no file of the vault changed"
    );

    // The good file: an older backup needs --accept-older, and then replaces.
    std::fs::write(&file, &good).expect("write");
    home.fails(
        &["backup", "restore", path, "--passphrase-stdin", "--replace"],
        Some(PASSPHRASE),
        "--accept-older",
    );
    home.fails(
        &["backup", "restore", path, "--passphrase-stdin"],
        Some(PASSPHRASE),
        "--replace",
    );
    home.ok(
        &[
            "backup",
            "restore",
            path,
            "--passphrase-stdin",
            "--replace",
            "--accept-older",
        ],
        Some(PASSPHRASE),
    );
    home.fails(&["show", "after the backup"], None, "no token");
}

#[test]
fn merging_the_same_backup_twice_changes_nothing_the_second_time() {
    let home = filled();
    let file = home.dir.path().join("tokens.age");
    let path = file.to_str().expect("path");
    backed_up(&home, path);
    home.ok(&["delete", "deploy", "--yes"], None);
    home.ok(&["create", "personal", "--name", "only here"], None);
    let merge = || -> Value {
        let out = home.ok(
            &[
                "backup",
                "restore",
                path,
                "--passphrase-stdin",
                "--merge",
                "--json",
            ],
            Some(PASSPHRASE),
        );
        serde_json::from_str(&out).expect("json")
    };
    let merged = merge();
    // The deleted token stays deleted: its deletion is newer than the backup.
    assert_eq!(merged["merged"]["added"], 0, "{merged}");
    assert_eq!(merged["merged"]["deleted_here"], 1, "{merged}");
    let before = data_files(&home.vault_dir());
    let again = merge();
    assert_eq!(again["merged"]["events_added"], 0, "{again}");
    assert!(
        data_files(&home.vault_dir()) == before,
        "the second merge wrote nothing"
    );
    home.ok(&["show", "only here"], None);
    home.fails(&["show", "deploy"], None, "no token");
}

#[test]
fn an_automatic_backup_restores_in_a_new_home_with_the_recovery_key_alone() {
    let home = filled();
    let key = home.json(&["recovery-key", "--new", "--json"])["recovery_key"]
        .as_str()
        .expect("key")
        .to_string();
    let folder = home.dir.path().join("synced");
    let folder = folder.to_str().expect("path");
    home.fails(
        &["backup", "auto", "--every", "5"],
        None,
        "turn them on with --folder",
    );
    home.ok(&["backup", "auto", "--folder", folder, "--keep", "2"], None);
    let status = home.json(&["backup", "auto", "--if-due", "--json"]);
    let file = status["written"].as_str().expect("written").to_string();
    assert_eq!(status["status"]["settings"]["keep"], 2);
    assert_eq!(status["status"]["last_file"], file.as_str());
    // Nothing changed since: not due.
    let again = home.json(&["backup", "auto", "--if-due", "--json"]);
    assert!(again["written"].is_null(), "{again}");

    let other = tempfile::tempdir().expect("tempdir");
    let mut cmd = home.command(&[
        "--password-stdin",
        "backup",
        "restore",
        &file,
        "--recovery-key-stdin",
    ]);
    cmd.env("TESSERA_HOME", other.path().join("vault"))
        .env("TESSERA_STATE_HOME", other.path().join("state"))
        .env_remove("TESSERA_PASSWORD");
    let out = Home::run_cmd(cmd, Some(&format!("{key}\nthe new machine's password")));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cmd = home.command(&["get", "stripe live"]);
    cmd.env("TESSERA_HOME", other.path().join("vault"))
        .env("TESSERA_STATE_HOME", other.path().join("state"))
        .env("TESSERA_PASSWORD", "the new machine's password");
    let out = Home::run_cmd(cmd, None);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), MARKER);
}
