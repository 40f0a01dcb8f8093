//! The quick-access palette: a small window over every other with the search box and
//! the top matches, opened by the global shortcut (`shortcut.rs`) or by
//! `tessera-app --palette`, which a running app is handed by its single instance.
//! Enter copies the token, Shift+Enter its `tessera://` reference, Esc hides it, and so
//! does a click elsewhere. It is built the first time it is asked for, in the main
//! window's web process (WebKitGTK's related view: a process of its own cost 41 MiB and
//! 350 ms), and then kept, hidden, so that it opens again at once.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tauri::{AppHandle, Manager, Runtime, WebviewWindow, WindowEvent};

/// The label of the palette's window, as `capabilities/palette.json` names it.
pub const PALETTE: &str = "palette";

/// The palette's size in logical pixels, as tauri.conf.json gives it.
const PALETTE_SIZE: (f64, f64) = (640.0, 420.0);

/// The argument that asks for the palette.
pub const ARG: &str = "--palette";

/// Whether a command line asks for the palette.
pub fn asked(args: &[String]) -> bool {
    args.iter().skip(1).any(|a| a == ARG)
}

/// Shows the palette with the focus; if its page has not loaded yet, the page shows it
/// once it has ([`loaded`]).
pub fn open<R: Runtime>(app: &AppHandle<R>) {
    WANTED.store(true, Ordering::SeqCst);
    let result = match app.get_webview_window(PALETTE) {
        Some(window) if LOADED.load(Ordering::SeqCst) => {
            WANTED.store(false, Ordering::SeqCst);
            present(&window.as_ref().window())
        }
        Some(_) => Ok(()),
        None => build_beside_main(app),
    };
    if let Err(err) = result {
        eprintln!("tessera: cannot open the quick-access palette: {err}");
    }
}

/// The palette's page has loaded: shown now if it was asked for meanwhile.
pub fn loaded<R: Runtime>(window: &tauri::Window<R>) {
    LOADED.store(true, Ordering::SeqCst);
    if WANTED.swap(false, Ordering::SeqCst)
        && let Err(err) = present(window)
    {
        eprintln!("tessera: cannot show the quick-access palette: {err}");
    }
}

/// Whether the palette's page has loaded.
static LOADED: AtomicBool = AtomicBool::new(false);

/// Whether the palette was asked for before its page had loaded.
static WANTED: AtomicBool = AtomicBool::new(false);

/// The shortcut's press: opens the palette, or hides it when it is open. (Whether it
/// has the focus cannot be asked: the shortcut's own key grab has just taken it.)
pub fn toggle<R: Runtime>(app: &AppHandle<R>) {
    if SHOWN.load(Ordering::SeqCst) {
        hide(app)
    } else {
        open(app)
    }
}

/// Whether the palette was last shown rather than hidden. Kept here: the window's own
/// answer lags behind a show or hide that GTK has not carried out yet, and a second
/// press of the shortcut right after the first would open it again.
static SHOWN: AtomicBool = AtomicBool::new(false);

/// Counts the showings, so that a loss of focus noticed during one showing cannot hide
/// the next.
static SHOWING: AtomicU64 = AtomicU64::new(0);

/// Hides the palette (Esc, a copy, a click elsewhere).
pub fn hide<R: Runtime>(app: &AppHandle<R>) {
    SHOWN.store(false, Ordering::SeqCst);
    if let Some(window) = app.get_webview_window(PALETTE)
        && let Err(err) = window.hide()
    {
        eprintln!("tessera: cannot hide the quick-access palette: {err}");
    }
}

/// How long a loss of focus must last to hide the palette: the focus flickers as the
/// window maps, and while a key grab (the shortcut itself) is held.
const BLUR_GRACE: std::time::Duration = std::time::Duration::from_millis(250);

/// A click elsewhere hides the palette: once the focus has stayed away for BLUR_GRACE.
fn hide_unless_focused_again<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let showing = SHOWING.load(Ordering::SeqCst);
    let spawned = std::thread::Builder::new()
        .name("tessera-palette-blur".into())
        .spawn(move || {
            std::thread::sleep(BLUR_GRACE);
            if let Some(window) = app.get_webview_window(PALETTE)
                && SHOWN.load(Ordering::SeqCst)
                && SHOWING.load(Ordering::SeqCst) == showing
                && !window.is_focused().unwrap_or(true)
            {
                hide(&app);
            }
        });
    if let Err(err) = spawned {
        eprintln!("tessera: the palette stays open after losing the focus: {err}");
    }
}

/// Shows `window` in the middle of the screen, above the others, with the focus.
pub fn present<R: Runtime>(window: &tauri::Window<R>) -> tauri::Result<()> {
    SHOWN.store(true, Ordering::SeqCst);
    SHOWING.fetch_add(1, Ordering::SeqCst);
    place(window)?;
    window.show()?;
    window.set_focus()
}

/// Puts the palette in the middle of the screen the pointer is on, a little above the
/// centre, where a person looks first. (Tauri's `center` misplaces a window that was
/// never shown: it does not know its size yet.)
fn place<R: Runtime>(window: &tauri::Window<R>) -> tauri::Result<()> {
    let monitor = match window.cursor_position() {
        Ok(at) => window.monitor_from_point(at.x, at.y)?,
        Err(_) => None,
    };
    let Some(monitor) = monitor.or(window.primary_monitor()?) else {
        return window.center();
    };
    let scale = monitor.scale_factor();
    let (width, height) = (PALETTE_SIZE.0 * scale, PALETTE_SIZE.1 * scale);
    let (area, origin) = (monitor.size(), monitor.position());
    let x = f64::from(origin.x) + (f64::from(area.width) - width).max(0.0) / 2.0;
    let y = f64::from(origin.y) + (f64::from(area.height) - height).max(0.0) / 3.0;
    window.set_position(tauri::PhysicalPosition::new(
        x.round() as i32,
        y.round() as i32,
    ))
}

/// Builds the palette in the main window's web process; in a process of its own when
/// there is no main window. The WebView of the main window is only at hand on the main
/// thread, so the palette is built there.
fn build_beside_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let Some(main) = app.get_webview_window(crate::navigation::MAIN) else {
        return build(app, crate::navigation::builder(app, PALETTE)?).map(|_| ());
    };
    let handle = app.clone();
    main.with_webview(move |view| {
        if handle.get_webview_window(PALETTE).is_some() {
            return;
        }
        let built = crate::navigation::builder(&handle, PALETTE).and_then(|builder| {
            #[cfg(target_os = "linux")]
            let builder = builder.with_related_view(view.inner());
            #[cfg(not(target_os = "linux"))]
            let _ = view;
            build(&handle, builder)
        });
        if let Err(err) = built {
            eprintln!("tessera: cannot build the quick-access palette: {err}");
        }
    })
}

/// Builds the palette's window from `builder` (its configuration with the app's
/// navigation guard), hidden, with the app's WebView settings.
fn build<'a, R: Runtime>(
    app: &'a AppHandle<R>,
    builder: tauri::WebviewWindowBuilder<'a, R, AppHandle<R>>,
) -> tauri::Result<WebviewWindow<R>> {
    let window = builder.build()?;
    crate::webview::configure(&window);
    focus_when_mapped(&window);
    let handle = app.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::Focused(false) = event {
            hide_unless_focused_again(&handle);
        }
    });
    Ok(window)
}

/// Gives the palette the keyboard focus each time its window is mapped. Asking for it
/// as the window is shown is not enough: until the X server has mapped the window, a
/// request for the focus is refused (without a window manager it is simply lost, and a
/// window manager may not be there to take it over).
fn focus_when_mapped<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        // GTK is used on the main thread only.
        let window = window.clone();
        let connected = window.clone().run_on_main_thread(move || {
            use gtk::prelude::{GtkWindowExt, WidgetExtManual};
            match window.gtk_window() {
                Ok(gtk_window) => {
                    gtk_window.connect_map_event(|w, _| {
                        w.present_with_time(gtk::gdk::ffi::GDK_CURRENT_TIME as u32);
                        gtk::glib::Propagation::Proceed
                    });
                }
                Err(err) => eprintln!("tessera: the palette may open without the focus: {err}"),
            }
        });
        if let Err(err) = connected {
            eprintln!("tessera: the palette may open without the focus: {err}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_is_what_the_palette_assumes() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json");
        let identifier = config["identifier"].as_str().expect("identifier");
        use tessera_ipc::single_instance::{NAME, PATH};
        assert_eq!(NAME, format!("{identifier}.SingleInstance"));
        assert_eq!(PATH, format!("/{}", NAME.replace('.', "/")));
        let palette = config["app"]["windows"]
            .as_array()
            .expect("windows")
            .iter()
            .find(|w| w["label"] == PALETTE)
            .expect("the palette's window");
        assert_eq!(
            (palette["width"].as_f64(), palette["height"].as_f64()),
            (Some(PALETTE_SIZE.0), Some(PALETTE_SIZE.1))
        );
    }

    #[test]
    fn only_the_argument_asks_for_the_palette() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(asked(&args(&["tessera-app", "--palette"])));
        assert!(!asked(&args(&["--palette"])), "the program's own name");
        assert!(!asked(&args(&["tessera-app", "--palettes"])));
    }
}
