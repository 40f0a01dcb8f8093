//! How the WebView renders. Tessera's window is a list, a few forms and dialogs: flat 2D
//! content that the CPU paints faster than a round trip through OpenGL compositing. So
//! on Linux the app asks WebKitGTK for software rendering (the hardware acceleration
//! policy "never") and a single-document cache model. Measured on the 100,000-token
//! benchmark (docs/benchmarks.md): keystroke p99 from 51 ms to 34 ms, memory of all app
//! processes (PSS) from 440 MiB to about 300 MiB.

/// Tunes the main window's WebView once it exists: software rendering, no WebGL (nothing
/// uses it), and the cache model of a single-document viewer rather than a browser's
/// page caches.
pub fn configure(window: &tauri::WebviewWindow) {
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
