//! `tessera-app`, what a person starts: Tessera's window (`tessera-window`, installed
//! beside it) with the settings of environment.rs, which WebKitGTK reads only as a
//! process starts. It links no toolkit, so a start loads WebKitGTK's libraries once
//! (the window setting them itself has to start twice: docs/benchmarks.md), and a start
//! while the app runs hands its command line over without loading them at all.

#[path = "environment.rs"]
mod environment;

use std::process::ExitCode;

/// The window's program, in the folder of this one.
const WINDOW: &str = "tessera-window";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    // While the app runs, it takes the command line (a second start, `--palette`) as
    // the window's single-instance plugin would hand it over, but before any toolkit.
    if !asks_about_itself(&args) && tessera_ipc::single_instance::hand_over(&args) == Ok(true) {
        return ExitCode::SUCCESS;
    }
    let window = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(WINDOW),
        Err(err) => {
            eprintln!("tessera-app: cannot find its own program, so not {WINDOW} beside it: {err}");
            return ExitCode::FAILURE;
        }
    };
    start(&window)
}

/// `--version` and `--help`: the window answers them, and no running app is asked.
fn asks_about_itself(args: &[String]) -> bool {
    matches!(
        args.get(1).map(String::as_str),
        Some("--version" | "-V" | "--help" | "-h")
    )
}

/// The window in place of this process (same process id, so whoever started
/// `tessera-app` sees the window's exit status and signals).
#[cfg(unix)]
fn start(window: &std::path::Path) -> ExitCode {
    let err = environment::exec(window, &environment::missing());
    eprintln!(
        "tessera-app: cannot start the window ({}): {err}; reinstall Tessera",
        window.display()
    );
    ExitCode::FAILURE
}

/// The window as a child, its exit status passed on.
#[cfg(not(unix))]
fn start(window: &std::path::Path) -> ExitCode {
    // This program's arguments, without its name.
    match std::process::Command::new(window)
        .args(std::env::args_os().skip(1))
        .envs(environment::missing())
        .status()
    {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!(
                "tessera-app: cannot start the window ({}): {err}; reinstall Tessera",
                window.display()
            );
            ExitCode::FAILURE
        }
    }
}
