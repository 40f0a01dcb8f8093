//! How the WebView renders. Tessera's window is a list, a few forms and dialogs: flat 2D
//! content that the CPU paints faster than a round trip through OpenGL compositing. So
//! on Linux the app asks WebKitGTK for software rendering (the hardware acceleration
//! policy "never") and a single-document cache model. Measured on the 100,000-token
//! benchmark (docs/benchmarks.md): keystroke p99 from 51 ms to 34 ms, memory of all app
//! processes (PSS) from 440 MiB to about 300 MiB.

/// Tunes a window's WebView once it exists: software rendering, no WebGL (nothing
/// uses it), and the cache model of a single-document viewer rather than a browser's
/// page caches.
pub fn configure<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    let result = window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = webview.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                settings.set_enable_webgl(false);
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = webview;
    });
    if let Err(err) = result {
        eprintln!("tessera: cannot configure the window's WebView: {err}");
    }
}

/// The longest the window stays hidden when its page never reports having loaded.
const REVEAL_AT_THE_LATEST: std::time::Duration = std::time::Duration::from_secs(3);

/// Shows the main window, which starts hidden (`"visible": false` in tauri.conf.json),
/// once its page has loaded. With software rendering, WebKitGTK paints a window that
/// has no picture from the page yet by asking the web process for one and blocking the
/// app's main thread until it comes, for up to 500 ms; while the page is still loading
/// its scripts the answer can take that long, and every command waits behind it. A
/// hidden window is not painted, and once the page has loaded the answer is quick.
pub fn reveal<R: tauri::Runtime>(window: &tauri::Window<R>) {
    if !window.is_visible().unwrap_or(false)
        && let Err(err) = window.show()
    {
        eprintln!("tessera: cannot show the window: {err}");
    }
}

/// Shows the window after REVEAL_AT_THE_LATEST even if its page never finished loading.
pub fn reveal_later(window: tauri::Window) {
    let waiting = window.clone();
    let spawned = std::thread::Builder::new()
        .name("tessera-reveal".into())
        .spawn(move || {
            std::thread::sleep(REVEAL_AT_THE_LATEST);
            reveal(&waiting);
        });
    if spawned.is_err() {
        // Better shown at once than perhaps never.
        reveal(&window);
    }
}
