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
        spawn("tessera-screen-lock", move || watch_session(&session));
        let system = app.clone();
        spawn("tessera-suspend", move || watch_system(&system));
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

#[cfg(target_os = "linux")]
fn watch_session(app: &AppHandle) -> Result<(), dbus::Error> {
    use dbus::blocking::Connection;
    use dbus::message::MatchRule;
    let conn = Connection::new_session()?;
    for interface in ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"] {
        let app = app.clone();
        conn.add_match(
            MatchRule::new_signal(interface, "ActiveChanged"),
            move |(active,): (bool,), _, _| lock_on(&app, active),
        )?;
    }
    loop {
        conn.process(std::time::Duration::from_secs(3600))?;
    }
}

#[cfg(target_os = "linux")]
fn watch_system(app: &AppHandle) -> Result<(), dbus::Error> {
    use dbus::blocking::Connection;
    use dbus::message::MatchRule;
    let conn = Connection::new_system()?;
    let app = app.clone();
    conn.add_match(
        MatchRule::new_signal("org.freedesktop.login1.Manager", "PrepareForSleep"),
        move |(sleeping,): (bool,), _, _| lock_on(&app, sleeping),
    )?;
    loop {
        conn.process(std::time::Duration::from_secs(3600))?;
    }
}
