//! `tessera palette`: opens the desktop app's quick-access palette. Meant for a
//! desktop's own key binding where the app's global shortcut cannot be grabbed (a
//! Wayland desktop without the GlobalShortcuts portal, a shortcut another program
//! holds). Like `tessera-app --palette`, this program links no toolkit, so the running
//! app is asked within a few milliseconds of the key press (docs/benchmarks.md).

use crate::commands::Exit;
use crate::output;
use std::os::unix::process::CommandExt;
use std::path::Path;
use tessera_core::Result;

/// The desktop app's program, as the package installs it beside `tessera`.
const APP: &str = "tessera-app";
/// What the app is handed, or started with: its name, then the palette's argument.
const ARGS: [&str; 2] = [APP, "--palette"];

/// Hands the request to the app running in this session; without one, becomes
/// `tessera-app --palette`, which starts the app on the vault in `home` with the palette
/// open.
pub fn open(home: &Path) -> Result<Exit> {
    let args = ARGS.map(String::from);
    match tessera_ipc::single_instance::hand_over(&args) {
        Ok(true) => Ok(Exit::Ok),
        Ok(false) => start_app(home),
        Err(reason) => failed(&format!(
            "the running desktop app did not answer ({reason}): try again, or restart it"
        )),
    }
}

/// `tessera-app --palette`: the one beside this program (the package's layout, or a
/// build's target folder), or else the first on `PATH`.
fn start_app(home: &Path) -> Result<Exit> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(APP)))
        .filter(|path| path.is_file());
    // A bare name: the command looks it up on PATH.
    let program = beside.as_deref().unwrap_or(Path::new(APP));
    // Only returns if the program could not be run.
    let err = std::process::Command::new(program)
        .arg(ARGS[1])
        .env("TESSERA_HOME", home)
        .exec();
    if err.kind() == std::io::ErrorKind::NotFound {
        return failed(&format!(
            "the desktop app is not running, and {APP} is neither beside tessera nor on PATH: install the desktop app"
        ));
    }
    failed(&format!("cannot start {}: {err}", program.display()))
}

/// A failure to open the palette: said on stderr, exit status 2 as for any error.
fn failed(reason: &str) -> Result<Exit> {
    output::note(&format!("error: {reason}"));
    Ok(Exit::Code(2))
}
