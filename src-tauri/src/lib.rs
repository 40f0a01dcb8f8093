//! Tessera's desktop app: Tauri setup, the one `AppState`, and one thin command per
//! user action over `tessera-core`. This is the only crate that knows Tauri and IPC.

mod command_names;
mod commands;
mod confirm;
mod download;
mod environment;
mod error;
#[cfg(test)]
mod ipc_tests;
mod navigation;
mod palette;
mod pick;
#[cfg(target_os = "linux")]
mod portal_shortcut;
mod session_lock;
mod settings;
mod shared;
mod shortcut;
mod state;
mod surface;
mod warnings;
mod webview;

pub use command_names::COMMANDS;
use state::AppState;
use std::time::{Duration, Instant};
use tauri::{Manager, RunEvent};

/// Starts the app.
pub fn run() {
    if answered_from_the_command_line() {
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    let with_palette = palette::asked(&args);
    #[cfg(target_os = "linux")]
    if ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .all(|name| std::env::var_os(name).is_none_or(|v| v.is_empty()))
    {
        eprintln!(
            "tessera-app: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset): start it from a desktop session; the command line is `tessera`"
        );
        std::process::exit(1);
    }
    #[cfg(unix)]
    start_again_with_the_settings();
    #[cfg(not(debug_assertions))]
    if let Err(err) = tessera_core::process::harden() {
        eprintln!("tessera: cannot turn off core dumps: {err}");
        std::process::exit(1);
    }
    let paths = match tessera_core::VaultPaths::default_location() {
        Ok(paths) => paths,
        Err(err) => {
            eprintln!("tessera: {err}");
            std::process::exit(1);
        }
    };
    let app = build(
        tauri::Builder::default(),
        AppState::new(paths),
        with_palette,
    )
    .build(tauri::generate_context!())
    .unwrap_or_else(|err| {
        eprintln!("tessera: cannot start: {err}");
        std::process::exit(1);
    });
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            app.state::<AppState>().lock();
        }
    });
}

/// A window started without the settings of `environment.rs` (not by `tessera-app`)
/// starts itself once more with them; if that fails, it runs without them.
#[cfg(unix)]
fn start_again_with_the_settings() {
    let missing = environment::missing();
    if missing.is_empty() {
        return;
    }
    if let Ok(exe) = std::env::current_exe() {
        // Returns only on failure: the binary was replaced or removed meanwhile.
        let err = environment::exec(&exe, &missing);
        eprintln!("tessera: starting without the memory settings: {err}");
    }
}

/// `--version` and `--help`, answered before any window, restart or vault: what a
/// package test or a person asking from a terminal expects. True when answered.
fn answered_from_the_command_line() -> bool {
    use std::io::Write;
    let version = env!("CARGO_PKG_VERSION");
    let text = match std::env::args().nth(1).as_deref() {
        Some("--version" | "-V") => format!("tessera-app {version}\n"),
        Some("--help" | "-h") => format!(
            "tessera-app {version}: Tessera's desktop window.\nUsage: tessera-app [--palette | --version | --help]\n  --palette  open the quick-access palette (of the app running, or of a new one);\n             bind it (or `tessera palette`, the same) to a key in your desktop's settings\n             where Ctrl+Shift+Space is not grabbed\nThe command line is `tessera` (tessera --help).\n"
        ),
        _ => return false,
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    true
}

/// The builder with plugins, state and commands; `with_palette`: the command line asked
/// for the quick-access palette (`--palette`), shown as the app starts.
fn build(
    builder: tauri::Builder<tauri::Wry>,
    state: AppState,
    with_palette: bool,
) -> tauri::Builder<tauri::Wry> {
    let builder = builder
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            if palette::asked(&args) {
                palette::open(app);
            } else if let Some(window) = app.get_webview_window(navigation::MAIN) {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(
            tauri_plugin_global_shortcut::Builder::new()
                .with_handler(shortcut::on_press)
                .build(),
        );
    with_commands(builder, state)
        .on_page_load(|view, payload| {
            if payload.event() != tauri::webview::PageLoadEvent::Finished {
                return;
            }
            let window = view.window();
            if window.label() == palette::PALETTE {
                palette::loaded(&window);
            } else {
                webview::reveal(&window);
            }
        })
        .setup(move |app| {
            let window = navigation::build_main(app.handle())?;
            webview::configure(&window);
            webview::reveal_later(window.as_ref().window());
            start_ticker(app.handle().clone());
            session_lock::watch(app.handle());
            let shortcut = app.state::<AppState>().settings().palette_shortcut;
            if let Err(err) = shortcut::apply(app.handle(), &shortcut) {
                eprintln!("tessera: no global shortcut for the palette: {err}");
            }
            if with_palette {
                palette::open(app.handle());
            }
            Ok(())
        })
}

/// The plugins the commands use, the state and the commands: what any runtime needs to
/// answer IPC (the app's, and the mock runtime of `ipc_tests`).
fn with_commands<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    state: AppState,
) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(trace(tauri::generate_handler![
            commands::app_status,
            commands::create_vault,
            commands::unlock,
            commands::accept_restore,
            commands::lock,
            commands::note_activity,
            commands::search_tokens,
            commands::prepare_search,
            commands::token_counts,
            commands::get_token,
            commands::name_available,
            commands::recognise_token,
            commands::create_token,
            commands::edit_token,
            commands::rotate_token,
            commands::revoke_token,
            commands::restore_token,
            commands::delete_token,
            commands::copy_secret,
            commands::copy_reference,
            commands::hide_palette,
            commands::download_token_file,
            commands::catalog_list,
            commands::catalog_add,
            commands::catalog_rename,
            commands::catalog_remove,
            commands::audit_events,
            commands::save_settings,
            commands::change_password,
            commands::expiring_tokens,
            commands::confirm_recovery_kit,
            commands::new_recovery_kit,
            commands::backup_status,
            commands::choose_backup_folder,
            commands::set_auto_backup,
            commands::back_up_now,
            commands::choose_import_file,
            commands::preview_import,
            commands::run_import,
            commands::shared_vaults,
            commands::switch_vault,
            commands::vault_members,
            commands::remove_member,
            commands::resolve_conflict,
        ]))
}

/// With `TESSERA_TRACE_IPC=1`, names each command as it arrives on stderr (never its
/// arguments, which may hold a secret).
fn trace<R: tauri::Runtime>(
    handler: impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static,
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    let on = std::env::var_os("TESSERA_TRACE_IPC").is_some_and(|v| v == "1");
    move |invoke| {
        if on {
            eprintln!("tessera ipc: {}", invoke.message.command());
        }
        handler(invoke)
    }
}

/// How long the person may be away before the vault locks itself. Test builds can
/// shorten a minute (`TESSERA_TEST_MINUTE_SECS`), so that the end-to-end run watches
/// the lock happen without waiting minutes.
fn idle_limit(minutes: u32) -> Duration {
    #[cfg(feature = "test-hooks")]
    if let Some(secs) = std::env::var("TESSERA_TEST_MINUTE_SECS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        return Duration::from_secs(u64::from(minutes) * secs);
    }
    Duration::from_secs(u64::from(minutes) * 60)
}

/// Once a second: write buffered last-use records, lock after the idle time, and warn
/// about expiring tokens once a day.
fn start_ticker(app: tauri::AppHandle) {
    std::thread::Builder::new()
        .name("tessera-ticker".into())
        .spawn(move || {
            let mut last_warning = Instant::now();
            let mut last_backup_check = Instant::now();
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let state = app.state::<AppState>();
                if let Ok(mut guard) = state.vault.try_lock()
                    && let Some(vault) = guard.as_mut()
                {
                    let _ = vault.flush_usage();
                }
                let minutes = state.settings().auto_lock_minutes;
                let idle = state
                    .last_activity
                    .lock()
                    .map(|at| at.elapsed())
                    .unwrap_or_default();
                if minutes > 0 && idle >= idle_limit(minutes) {
                    state.lock();
                }
                if last_backup_check.elapsed() >= Duration::from_secs(30) {
                    last_backup_check = Instant::now();
                    if let Ok(mut guard) = state.vault.try_lock()
                        && let Some(vault) = guard.as_mut()
                    {
                        // A failure is kept in the status the Settings page shows.
                        let _ = state.shared.with_own(vault, |v| v.auto_backup_if_due());
                    }
                }
                if last_warning.elapsed() >= Duration::from_secs(86_400) {
                    last_warning = Instant::now();
                    warnings::notify_expiring(&app);
                }
            }
        })
        .map(|_| ())
        .unwrap_or_else(|err| eprintln!("tessera: no background ticker: {err}"));
}

#[cfg(test)]
mod tests {
    /// The command list used for permissions matches `generate_handler!`, and the
    /// capability grants exactly those commands.
    #[test]
    fn command_lists_agree() {
        let source = include_str!("lib.rs");
        let start = source.find("generate_handler![").expect("handler list");
        let end = source[start..].find("])").expect("end of list") + start;
        let handled: Vec<&str> = source[start..end]
            .lines()
            .filter_map(|l| l.trim().strip_prefix("commands::"))
            .map(|l| l.trim_end_matches(','))
            .collect();
        assert_eq!(handled, super::COMMANDS);

        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json"))
                .expect("capability json");
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
        let granted: Vec<String> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("string").to_string())
            .collect();
        let expected: Vec<String> = super::COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        assert_eq!(
            granted, expected,
            "the capability grants only Tessera's commands"
        );
    }

    /// The committed constants the window reads from the core (ui/src/ipc/bindings.gen.ts)
    /// are what the core holds: fails with the first differing line; `UPDATE_BINDINGS=1`
    /// (`make bindings`) rewrites the file. The types' declarations come from
    /// `#[ts(export)]` (scripts/bindings.sh).
    #[test]
    fn typescript_bindings_are_current() {
        let mut out = String::from(
            "// Generated from the core by `make bindings`. Do not edit.\n\n\
             import type { AuditAction, KindFields, SpanUnit } from \"./types\";\n\n",
        );
        // The core's per-kind rules, as data the window's forms read.
        let kinds: Vec<_> = tessera_core::token::TokenKind::ALL
            .iter()
            .map(|kind| kind.fields())
            .collect();
        out.push_str(
            "/** The fields each kind of token takes: `TokenKind::fields` in the core. */\n",
        );
        out.push_str("export const KIND_FIELDS: ReadonlyArray<KindFields> = ");
        out.push_str(&serde_json::to_string_pretty(&kinds).expect("kind fields"));
        out.push_str(";\n\n");
        // The actions the audit log records, for the window's filter.
        out.push_str(
            "/** Every action the audit log records: `AuditAction::ALL` in the core. */\n",
        );
        out.push_str("export const AUDIT_ACTIONS: ReadonlyArray<AuditAction> = ");
        out.push_str(
            &serde_json::to_string(tessera_core::audit::AuditAction::ALL).expect("audit actions"),
        );
        out.push_str(";\n\n");
        // The units every relative time is told in.
        out.push_str(
            "/** The units a span of time is told in, largest first, in seconds: `SPAN_UNITS` in the core. */\n",
        );
        out.push_str("export const SPAN_UNITS: ReadonlyArray<readonly [SpanUnit, number]> = ");
        out.push_str(&serde_json::to_string(tessera_core::clock::SPAN_UNITS).expect("span units"));
        out.push_str(";\n");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/ipc/bindings.gen.ts");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(path, &out).expect("write bindings");
            return;
        }
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if let Some((n, (was, now))) = current
            .lines()
            .chain(std::iter::repeat(""))
            .zip(out.lines().chain(std::iter::repeat("")))
            .take(current.lines().count().max(out.lines().count()))
            .enumerate()
            .find(|(_, (was, now))| was != now)
        {
            panic!(
                "ui/src/ipc/bindings.gen.ts is stale at line {}:\n  committed: {was}\n  generated: {now}\n\
                 regenerate it with `make bindings` (UPDATE_BINDINGS=1) and commit it",
                n + 1
            );
        }
    }
}
