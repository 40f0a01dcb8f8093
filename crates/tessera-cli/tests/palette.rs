//! `tessera palette` with no desktop app running: it starts `tessera-app --palette`
//! beside it, on the vault it was pointed at, or says what is missing. (Handing the
//! request to a running app is driven against the real app in tests/e2e.)

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

/// `tessera palette`, copied into `dir` so that only what is put beside it there is
/// beside it, with no D-Bus session (so no app runs) and `PATH` only `/bin`.
fn palette(dir: &Path, args: &[&str]) -> Output {
    let cli = dir.join("tessera");
    std::fs::copy(env!("CARGO_BIN_EXE_tessera"), &cli).expect("copy tessera");
    Command::new(&cli)
        .args(args)
        .arg("palette")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.join("no-bus").display()),
        )
        .env("PATH", "/bin")
        .env_remove("TESSERA_HOME")
        .output()
        .expect("run tessera palette")
}

// One test, not two: files written and run at once by parallel tests can fail with
// "text file busy" (a fork of one test holding the other's file open for writing).
#[test]
fn without_a_running_app_it_starts_the_app_beside_it_or_says_it_is_missing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = palette(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the desktop app is not running, and tessera-app is neither beside tessera nor on PATH: install the desktop app\n"
    );

    let called = dir.path().join("called");
    let app = dir.path().join("tessera-app");
    std::fs::write(
        &app,
        format!(
            "#!/bin/sh\nprintf '%s|%s' \"$*\" \"$TESSERA_HOME\" > '{}'\n",
            called.display()
        ),
    )
    .expect("write the stand-in app");
    std::fs::set_permissions(&app, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let vault = dir.path().join("vault");
    let out = palette(dir.path(), &["--home", vault.to_str().expect("utf-8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&called).expect("the app was started"),
        format!("--palette|{}", vault.display())
    );
}
