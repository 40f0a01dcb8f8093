//! `tessera run` and `tessera inject` with the real binary: a child printing its secret
//! byte by byte leaves no copy in the output; `exit 42` gives 42; a SIGTERM reaches the
//! child; a bad or revoked reference spawns nothing; `inject` writes mode 0600.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[path = "common/home.rs"]
mod home;
use home::{Home, PASSWORD};

const SECRET: &str = "sk_live_RUNtestSECRET0123456789";

fn home_with_secret() -> Home {
    let home = Home::new();
    home.add_external("stripe live", SECRET);
    home
}

/// `tessera run FLAGS… -- sh -c SCRIPT` with `KEY` set to `reference`.
fn run_sh(home: &Home, flags: &[&str], script: &str, reference: &str) -> std::process::Command {
    let mut args = vec!["run"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["--", "sh", "-c", script]);
    let mut cmd = home.command(&args);
    cmd.env("KEY", reference);
    cmd
}

#[test]
fn a_secret_printed_byte_by_byte_is_masked_and_the_status_comes_back() {
    let home = home_with_secret();
    let cmd = run_sh(
        &home,
        &[],
        r#"echo "whole: $KEY"; i=1; while [ $i -le ${#KEY} ]; do printf '%s' "$(printf '%s' "$KEY" | cut -c$i)"; i=$((i+1)); done; echo; echo "err: $KEY" >&2; exit 42"#,
        "tessera://stripe%20live",
    );
    let out = Home::run_cmd(cmd, None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(42), "{stderr}");
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "a copy of the secret: {stdout} {stderr}"
    );
    assert_eq!(
        stdout.matches("<tessera:stripe live>").count(),
        2,
        "{stdout}"
    );
    assert!(stderr.contains("err: <tessera:stripe live>"), "{stderr}");
    // With masking off, the child's output is its own.
    let cmd = run_sh(
        &home,
        &["--no-masking"],
        r#"printf '%s' "$KEY""#,
        "tessera://stripe%20live",
    );
    assert_eq!(
        String::from_utf8_lossy(&Home::run_cmd(cmd, None).stdout),
        SECRET
    );
    // One event per run, naming the token and the program; each counts as a use.
    let events = home.json(&["audit", "--json", "--action", "run"]);
    assert_eq!(events[0]["detail"], "sh: stripe live", "{events}");
    assert!(home.json(&["show", "stripe live", "--json"])["last_used_at"].is_string());
}

#[test]
fn a_bad_or_revoked_reference_spawns_nothing() {
    let home = home_with_secret();
    let marker = home.dir.path().join("spawned");
    let script = format!("touch '{}'", marker.display());
    for (value, message) in [
        ("tessera://no-such-token", "no token named"),
        ("tessera://stripe%20live/public_key", "is not an RSA token"),
        ("tessera://stripe%20live/nope", "is not a reference field"),
    ] {
        let out = Home::run_cmd(run_sh(&home, &[], &script, value), None);
        assert_eq!(out.status.code(), Some(2), "{value}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{value}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!marker.exists(), "{value}: the command ran");
    }
    home.ok(&["revoke", "stripe live"], None);
    let out = Home::run_cmd(run_sh(&home, &[], &script, "tessera://stripe%20live"), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is revoked"));
    assert!(!marker.exists(), "a revoked token's command ran");
}

#[test]
fn a_sigterm_reaches_the_child_and_its_status_comes_back() {
    let home = home_with_secret();
    let mut cmd = run_sh(
        &home,
        &[],
        r#"trap 'echo "got TERM"; exit 7' TERM; echo ready; while :; do sleep 0.1; done"#,
        "tessera://stripe%20live",
    );
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    assert_eq!(lines.next().expect("a line").expect("read"), "ready");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    assert_eq!(lines.next().expect("a line").expect("read"), "got TERM");
    assert_eq!(child.wait().expect("wait").code(), Some(7));
}

#[test]
fn inject_writes_the_template_resolved_with_mode_0600() {
    let home = home_with_secret();
    let template = home.dir.path().join("app.conf.tpl");
    std::fs::write(
        &template,
        "[stripe]\nkey = {{ tessera://stripe%20live }}\nexpires = \"{{tessera://stripe%20live/expires_at}}\"\nleft = {{ not a reference }}\n",
    )
    .expect("write");
    let out_file = home.dir.path().join("app.conf");
    home.ok(
        &[
            "inject",
            "-i",
            template.to_str().expect("path"),
            "-o",
            out_file.to_str().expect("path"),
        ],
        None,
    );
    let written = std::fs::read_to_string(&out_file).expect("read");
    assert_eq!(
        written,
        format!("[stripe]\nkey = {SECRET}\nexpires = \"\"\nleft = {{{{ not a reference }}}}\n")
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out_file)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let printed = home.ok(
        &["inject", "-i", template.to_str().expect("path"), "-o", "-"],
        None,
    );
    assert_eq!(printed, written);
    let events = home.json(&["audit", "--json", "--action", "inject"]);
    assert_eq!(events.as_array().expect("events").len(), 2);
}

#[test]
fn on_a_terminal_the_child_has_one_and_its_output_is_still_masked() {
    let home = home_with_secret();
    let tessera = env!("CARGO_BIN_EXE_tessera");
    // `script` gives tessera a terminal, as a person's shell does.
    let inner = format!(
        "{tessera} run -- sh -c 'test -t 1 && echo \"stdout is a terminal: $KEY\"; test -t 2 && echo \"stderr too\" >&2; exit 5'"
    );
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &inner, "/dev/null"])
        .env("TESSERA_HOME", home.vault_dir())
        .env("TESSERA_STATE_HOME", home.dir.path().join("state"))
        .env("TESSERA_PASSWORD", PASSWORD)
        .env("KEY", "tessera://stripe%20live");
    let out = Home::run_cmd(cmd, None);
    let printed = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert_eq!(out.status.code(), Some(5), "{printed}");
    assert!(
        printed.contains("stdout is a terminal: <tessera:stripe live>\n"),
        "{printed}"
    );
    assert!(printed.contains("stderr too\n"), "{printed}");
    assert!(!printed.contains(SECRET), "{printed}");
}

#[test]
fn ctrl_c_on_the_terminal_reaches_the_child_once() {
    let home = home_with_secret();
    let tessera = env!("CARGO_BIN_EXE_tessera");
    // The child counts every SIGINT it is delivered (Perl counts each one the kernel
    // delivers) for two seconds; `script` gives tessera a terminal, and the Ctrl-C
    // typed into it goes to its foreground process group: tessera and the child.
    let counter = home.dir.path().join("count.pl");
    std::fs::write(
        &counter,
        "$n = 0; $SIG{INT} = sub { $n++ }; $| = 1; print \"ready\\n\";\n\
         my $end = time + 2; while (time < $end) { select(undef, undef, undef, 0.05); }\n\
         print \"INT x$n\\n\";\n",
    )
    .expect("write");
    let inner = format!("{tessera} run -- perl {}", counter.display());
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &inner, "/dev/null"])
        .env("TESSERA_HOME", home.vault_dir())
        .env("TESSERA_STATE_HOME", home.dir.path().join("state"))
        .env("TESSERA_PASSWORD", PASSWORD)
        .env("KEY", "tessera://stripe%20live")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("ready") {
        let n = std::io::Read::read(&mut stdout, &mut buf).expect("read");
        assert!(
            n > 0,
            "the child never got ready: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&buf[..n]);
    }
    let mut stdin = child.stdin.take().expect("stdin");
    std::io::Write::write_all(&mut stdin, b"\x03").expect("Ctrl-C");
    std::io::Read::read_to_end(&mut stdout, &mut seen).expect("read");
    drop(stdin);
    child.wait().expect("wait");
    let printed = String::from_utf8_lossy(&seen).replace('\r', "");
    assert!(printed.contains("INT x1\n"), "{printed}");
}

#[test]
fn a_resized_terminal_resizes_the_childs_before_it_is_told() {
    let home = home_with_secret();
    // A terminal of 24 rows and 80 columns, tessera's controlling terminal, as a
    // person's shell gives it.
    let master = rustix::pty::openpt(
        rustix::pty::OpenptFlags::RDWR
            | rustix::pty::OpenptFlags::NOCTTY
            | rustix::pty::OpenptFlags::CLOEXEC,
    )
    .expect("openpt");
    rustix::pty::grantpt(&master).expect("grantpt");
    rustix::pty::unlockpt(&master).expect("unlockpt");
    let name = rustix::pty::ptsname(&master, Vec::new()).expect("ptsname");
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().expect("name"))
        .expect("open the terminal");
    let size = |rows, cols| rustix::termios::Winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    rustix::termios::tcsetwinsize(&master, size(24, 80)).expect("size");
    // The child reports the size of its own terminal (its stdout) each time it is told
    // of a resize. `setsid -c` makes the terminal tessera's controlling one.
    let mut cmd = std::process::Command::new("setsid");
    cmd.args(["-c", env!("CARGO_BIN_EXE_tessera"), "run", "--", "sh", "-c"])
        .arg("trap 'stty size <&1' WINCH; echo ready; i=0; while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; echo done")
        .env("TESSERA_HOME", home.vault_dir())
        .env("TESSERA_STATE_HOME", home.dir.path().join("state"))
        .env("TESSERA_PASSWORD", PASSWORD)
        .env("KEY", "tessera://stripe%20live");
    cmd.stdin(slave.try_clone().expect("clone"))
        .stdout(slave.try_clone().expect("clone"))
        .stderr(slave);
    let mut child = cmd.spawn().expect("spawn");
    drop(cmd);
    let mut output = std::fs::File::from(master);
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("ready") {
        let n = std::io::Read::read(&mut output, &mut buf).unwrap_or(0);
        assert!(n > 0, "not ready: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    rustix::termios::tcsetwinsize(&output, size(50, 132)).expect("resize");
    while !String::from_utf8_lossy(&seen).contains("done") {
        // The terminal's reads fail once every writer is gone.
        let n = std::io::Read::read(&mut output, &mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    child.wait().expect("wait");
    let printed = String::from_utf8_lossy(&seen).replace('\r', "");
    let sizes: Vec<&str> = printed
        .lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(sizes.last(), Some(&"50 132"), "{printed}");
}
