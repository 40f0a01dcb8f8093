//! `tessera-app`, the launcher: it links no toolkit, and it becomes the window beside it
//! (same process) with WebKitGTK's start-up settings and its own command line. (The real
//! window started this way, its settings read back from /proc, is tests/e2e.)

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

/// The shared libraries a program names (`readelf -d`, its NEEDED entries).
fn needed(program: &str) -> Vec<String> {
    let out = Command::new("readelf")
        .args(["-d", program])
        .output()
        .expect("run readelf (binutils)");
    assert!(out.status.success(), "readelf -d {program}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| line.contains("(NEEDED)"))
        .filter_map(|line| line.split('[').nth(1)?.split(']').next().map(str::to_owned))
        .collect()
}

const TOOLKIT: &[&str] = &[
    "libgtk",
    "libgdk",
    "libwebkit2gtk",
    "libjavascriptcoregtk",
    "libsoup",
];

fn toolkit_in(libraries: &[String]) -> Vec<&String> {
    libraries
        .iter()
        .filter(|lib| TOOLKIT.iter().any(|prefix| lib.starts_with(prefix)))
        .collect()
}

// One test, not two: files written and run at once by parallel tests can fail with
// "text file busy" (a fork of one test holding the other's file open for writing).
#[test]
fn the_launcher_links_no_toolkit_and_becomes_the_window_beside_it_with_the_settings() {
    let launcher = needed(env!("CARGO_BIN_EXE_tessera-app"));
    assert!(!launcher.is_empty(), "readelf found no libraries at all");
    assert_eq!(toolkit_in(&launcher), Vec::<&String>::new(), "{launcher:?}");
    let window = needed(env!("CARGO_BIN_EXE_tessera-window"));
    assert!(!toolkit_in(&window).is_empty(), "the window: {window:?}");

    let dir = tempfile::tempdir().expect("temp dir");
    let app = dir.path().join("tessera-app");
    std::fs::copy(env!("CARGO_BIN_EXE_tessera-app"), &app).expect("copy tessera-app");
    let run = |args: &[&str]| {
        let child = Command::new(&app)
            .args(args)
            // No session bus, so no running app to hand the command line to.
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", dir.path().join("no-bus").display()),
            )
            .env_remove("WEBKIT_DISABLE_DMABUF_RENDERER")
            .env_remove("GDK_GL")
            .env_remove("JSC_smallHeapGrowthFactor")
            .env_remove("JSC_useGenerationalGC")
            // One the person has set: left as it is.
            .env("JSC_largeHeapSize", "123")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start tessera-app");
        let pid = child.id();
        (pid, child.wait_with_output().expect("wait for tessera-app"))
    };

    let (_, out) = run(&[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("tessera-app: cannot start the window (")
            && stderr.contains("/tessera-window): ")
            && stderr.ends_with("; reinstall Tessera\n"),
        "{stderr}"
    );

    let called = dir.path().join("called");
    let stand_in = dir.path().join("tessera-window");
    std::fs::write(
        &stand_in,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$$\" \"$*\" \"$WEBKIT_DISABLE_DMABUF_RENDERER\" \"$GDK_GL\" \
             \"$JSC_smallHeapGrowthFactor\" \"$JSC_largeHeapSize\" \"$JSC_useGenerationalGC\" > '{}'\nexit 3\n",
            called.display()
        ),
    )
    .expect("write the stand-in window");
    std::fs::set_permissions(&stand_in, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let (pid, out) = run(&["--palette", "two words"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = std::fs::read_to_string(&called).expect("the window was started");
    assert_eq!(
        seen.lines().collect::<Vec<_>>(),
        [
            pid.to_string().as_str(),
            "--palette two words",
            "1",
            "disable",
            "1.27",
            "123",
            "false"
        ]
    );
}
