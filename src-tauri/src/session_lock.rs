//! Locks the vault when the desktop says the session is going away: the screen saver or
//! screen lock turning on (`ActiveChanged(true)` from org.freedesktop.ScreenSaver or
//! org.gnome.ScreenSaver on the session bus) and the machine about to suspend
//! (logind's `PrepareForSleep(true)` on the system bus). Where a bus or a service is
//! missing, that watch is simply not there; the idle timer still locks.

use crate::state::AppState;
use tauri::{AppHandle, Manager};

/// Starts the watchers (one thread per bus).
pub fn watch(app: &AppHandle) {
    #[cfg(target_os = "linux")]
    {
        let session = app.clone();
        spawn("tessera-screen-lock", move || {
            let conn = dbus::blocking::Connection::new_session()?;
            let screen_savers = [
                ("org.freedesktop.ScreenSaver", "ActiveChanged"),
                ("org.gnome.ScreenSaver", "ActiveChanged"),
            ];
            watch_bus(&session, conn, &screen_savers)
        });
        let system = app.clone();
        spawn("tessera-suspend", move || {
            let conn = dbus::blocking::Connection::new_system()?;
            let logind = [("org.freedesktop.login1.Manager", "PrepareForSleep")];
            watch_bus(&system, conn, &logind)
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

#[cfg(target_os = "linux")]
fn spawn(name: &str, f: impl FnOnce() -> Result<(), dbus::Error> + Send + 'static) {
    let thread_name = name.to_string();
    let _ = std::thread::Builder::new()
        .name(thread_name.clone())
        .spawn(move || {
            if let Err(err) = f() {
                eprintln!("tessera: {thread_name}: not watching ({err})");
            }
        });
}

#[cfg(target_os = "linux")]
fn lock_on(app: &AppHandle, going_away: bool) -> bool {
    if going_away {
        app.state::<AppState>().lock();
    }
    true
}

/// Locks when any of `signals` (interface, member) arrives with a first argument of
/// true, on the bus `conn` is connected to; runs until the connection fails.
#[cfg(target_os = "linux")]
fn watch_bus(
    app: &AppHandle,
    conn: dbus::blocking::Connection,
    signals: &[(&'static str, &'static str)],
) -> Result<(), dbus::Error> {
    for &(interface, member) in signals {
        let app = app.clone();
        conn.add_match(
            dbus::message::MatchRule::new_signal(interface, member),
            move |(going_away,): (bool,), _, _| lock_on(&app, going_away),
        )?;
    }
    loop {
        conn.process(std::time::Duration::from_secs(3600))?;
    }
}
