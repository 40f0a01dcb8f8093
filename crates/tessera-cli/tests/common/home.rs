//! A home for the `tessera` binary in a temp folder: its vault, its state folder, and
//! runs of the binary in it (shared by the CLI's test files).

#![allow(dead_code)]

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub const PASSWORD: &str = "correct horse battery";

pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    /// A fresh password-protected vault.
    pub fn new() -> Home {
        let home = Home {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        home.ok(&["init", "--password-stdin"], Some(PASSWORD));
        for args in [
            &["api", "add", "billing"][..],
            &["api", "add", "search"],
            &["project", "add", "apollo"],
            &["user", "add", "ada", "--email", "ada@example.com"],
            &["service-account", "add", "ci-bot"],
        ] {
            home.ok(args, None);
        }
        home
    }

    pub fn vault_dir(&self) -> PathBuf {
        self.dir.path().join("vault")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
        cmd.args(args)
            .env("TESSERA_HOME", self.vault_dir())
            .env("TESSERA_STATE_HOME", self.dir.path().join("state"))
            .env("TESSERA_PASSWORD", PASSWORD)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    pub fn run_cmd(mut cmd: Command, stdin: Option<&str>) -> Output {
        if stdin.is_some() {
            cmd.stdin(Stdio::piped());
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tessera");
        if let Some(text) = stdin {
            let mut pipe = child.stdin.take().expect("stdin");
            pipe.write_all(text.as_bytes()).expect("write stdin");
            pipe.write_all(b"\n").expect("newline");
        }
        child.wait_with_output().expect("wait")
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        Home::run_cmd(self.command(args), stdin)
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(
            out.status.success(),
            "tessera {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    }

    /// Runs and expects exit 2 with `message` on stderr; returns stderr.
    pub fn fails(&self, args: &[&str], stdin: Option<&str>, message: &str) -> String {
        let out = self.run(args, stdin);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(2),
            "tessera {args:?} should fail: {stderr}"
        );
        assert!(
            stderr.contains(message),
            "tessera {args:?}: expected '{message}' in: {stderr}"
        );
        assert!(out.stdout.is_empty(), "nothing on stdout when failing");
        stderr
    }

    /// Adds an external token `name` whose value is `value` (pasted on stdin after the
    /// master password).
    pub fn add_external(&self, name: &str, value: &str) {
        self.ok(
            &["add", name, "--password-stdin"],
            Some(&format!("{PASSWORD}\n{value}")),
        );
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args, None)).expect("json output")
    }
}
