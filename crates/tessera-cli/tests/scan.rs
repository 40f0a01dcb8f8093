//! `tessera scan` with the real binary on a planted tree: the vault's own tokens (a
//! personal token, a JWT, a pasted GitLab token) found by fingerprint, well-known
//! formats (GitHub, AWS) by rule, `.git` and binary files passed over, the shell's
//! history with --history; exit 0 clean, 1 found, 2 error; no value printed, ever.

use std::path::Path;

#[path = "common/home.rs"]
mod home;
use home::Home;

const GITLAB: &str = "glpat-Zx81qLmN0pQrStUvWx42";
const GITHUB: &str = "ghp_R2d2C3poBb8Luke0Leia1Han2Solo3Yoda45";
const AWS: &str = "AKIAQWERTYUIOPASDFGH";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

#[test]
fn planted_tokens_of_three_kinds_are_found_and_none_is_printed() {
    let home = Home::new();
    let personal = home.ok(&["create", "personal", "--name", "deploy"], None);
    let personal = personal.trim();
    let jwt = home.ok(&["create", "jwt", "--name", "session"], None);
    let jwt = jwt.trim();
    home.add_external("gitlab ci", GITLAB);
    let tree = home.dir.path().join("project");
    write(
        &tree.join(".env"),
        &format!("# local\nDEPLOY_TOKEN={personal}\n"),
    );
    write(
        &tree.join("config/app.yaml"),
        &format!("auth:\n  token: \"{jwt}\"\n"),
    );
    write(
        &tree.join("scripts/ci.sh"),
        &format!(
            "curl -H 'PRIVATE-TOKEN: {GITLAB}' …\nexport GH={GITHUB}\nAWS_ACCESS_KEY_ID={AWS}\n"
        ),
    );
    // Passed over: a .git folder and a binary file.
    write(&tree.join(".git/config"), &format!("token = {personal}\n"));
    write(&tree.join("blob.bin"), &format!("\0\u{1}{personal}"));

    let out = home.run(&["scan", tree.to_str().expect("utf8")], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "findings exit 1: {stderr}");
    for expected in [
        ".env:2:14: token 'deploy' of this vault",
        "config/app.yaml:2:11: token 'session' of this vault",
        "scripts/ci.sh:1:25: token 'gitlab ci' of this vault",
        "scripts/ci.sh:2:11: github-token",
        "scripts/ci.sh:3:19: aws-access-key-id",
    ] {
        assert!(stdout.contains(expected), "{expected} not in:\n{stdout}");
    }
    assert!(
        !stdout.contains(".git") && !stdout.contains("blob.bin"),
        "{stdout}"
    );
    for secret in [personal, jwt, GITLAB, GITHUB, AWS] {
        // Not the value, nor most of it.
        let tail = &secret[secret.len() / 3..];
        assert!(
            !stdout.contains(tail) && !stderr.contains(tail),
            "a value printed:\n{stdout}{stderr}"
        );
    }

    // JSON: the same findings, the vault's tokens by id; and the audit names where.
    let out = home.run(&["scan", "--json", tree.to_str().expect("utf8")], None);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 5, "{report}");
    assert_eq!(report["binary_files"], 1);
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["token_id"].is_string())
            .count(),
        3
    );
    let audit = home.ok(&["audit", "--action", "scan"], None);
    assert!(
        audit.contains("deploy") && audit.contains("found in"),
        "{audit}"
    );

    // A clean folder exits 0; a path that does not exist is an error, 2.
    let clean = home.dir.path().join("clean");
    write(&clean.join("README"), "nothing to see here\n");
    let out = home.run(&["scan", clean.to_str().expect("utf8")], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    home.fails(&["scan", "/nonexistent/tessera-scan"], None, "cannot read");
}

#[test]
fn history_files_are_searched_with_history() {
    let home = Home::new();
    let personal = home.ok(&["create", "personal", "--name", "cli"], None);
    let fake_home = home.dir.path().join("user");
    write(
        &fake_home.join(".bash_history"),
        &format!(
            "ls\ncurl -H \"Authorization: Bearer {}\" https://api\n",
            personal.trim()
        ),
    );
    let empty = home.dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let mut cmd = home.command(&["scan", "--history", empty.to_str().expect("utf8")]);
    cmd.env("HOME", &fake_home).env_remove("HISTFILE");
    let out = Home::run_cmd(cmd, None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(".bash_history:2:") && stdout.contains("token 'cli'"),
        "{stdout}"
    );
    assert!(!stdout.contains(personal.trim()));
}
