//! The running desktop app's single instance on the D-Bus session bus, where later
//! starts hand it their command line (tauri-plugin-single-instance's interface): how
//! `tessera-app --palette` and `tessera palette` reach the app that already runs,
//! without starting a toolkit of their own.

/// The bus name and object path the app takes: its bundle identifier (tauri.conf.json)
/// and `.SingleInstance`.
pub const NAME: &str = "dev.tessera.Tessera.SingleInstance";
pub const PATH: &str = "/dev/tessera/Tessera/SingleInstance";
const INTERFACE: &str = "org.SingleInstance.DBus";
const METHOD: &str = "ExecuteCallback";

/// How long a running app has to take a command line.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Hands `args` (the program's name first, as `std::env::args` gives it) and the
/// current folder to the running app, which acts on them as if it had been started with
/// them. `Ok(false)`: no app runs in this session (or there is no session bus);
/// `Err`: an app holds the name but did not take the command line.
pub fn hand_over(args: &[String]) -> Result<bool, String> {
    #[cfg(target_os = "linux")]
    {
        let Ok(bus) = dbus::blocking::Connection::new_session() else {
            return Ok(false);
        };
        let cwd = std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        let called = bus
            .with_proxy(NAME, PATH, TIMEOUT)
            .method_call::<(), _, _, _>(INTERFACE, METHOD, (args.to_vec(), cwd));
        match called {
            Ok(()) => Ok(true),
            Err(err) if err.name() == Some("org.freedesktop.DBus.Error.ServiceUnknown") => {
                Ok(false)
            }
            Err(err) => Err(err.message().unwrap_or("no answer").to_string()),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = args;
        Ok(false)
    }
}
