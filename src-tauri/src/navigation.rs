//! The app's windows, built here rather than from the configuration alone, so that Rust
//! decides where its page may go: every top-level navigation outside the app's own
//! origin is refused, and no new window is ever opened (`window.open`, `target=_blank`).
//! A script that got into the page can therefore not carry anything away by loading a
//! remote address, and no remote page can ever call Tessera's commands.

use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Runtime, Url, WebviewWindow, WebviewWindowBuilder};

/// The label of the main window, as `capabilities/main.json` names it.
pub const MAIN: &str = "main";

/// Builds the main window from its configuration, with the navigation guard installed.
pub fn build_main(app: &AppHandle) -> tauri::Result<WebviewWindow> {
    build(app, MAIN)
}

/// Builds the window `label` of tauri.conf.json, with the navigation guard installed.
pub fn build<R: Runtime>(app: &AppHandle<R>, label: &str) -> tauri::Result<WebviewWindow<R>> {
    builder(app, label)?.build()
}

/// The builder of the window `label` of tauri.conf.json, with the navigation guard
/// installed: every window of the app is built from one.
pub fn builder<'a, R: Runtime>(
    app: &'a AppHandle<R>,
    label: &str,
) -> tauri::Result<WebviewWindowBuilder<'a, R, AppHandle<R>>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == label)
        .cloned()
        .ok_or(tauri::Error::WindowNotFound)?;
    Ok(guarded(
        app,
        WebviewWindowBuilder::from_config(app, &config)?,
    ))
}

/// `builder` with the guard: no navigation away from the app's own page, no new window.
fn guarded<'a, R: Runtime>(
    app: &AppHandle<R>,
    builder: WebviewWindowBuilder<'a, R, AppHandle<R>>,
) -> WebviewWindowBuilder<'a, R, AppHandle<R>> {
    let dev_url = tauri::is_dev()
        .then(|| app.config().build.dev_url.clone())
        .flatten();
    builder
        .on_navigation(move |url| {
            let allowed = is_own(url, dev_url.as_ref());
            if !allowed {
                eprintln!("tessera: refused a navigation away from the app");
            }
            allowed
        })
        .on_new_window(|_, _| NewWindowResponse::Deny)
}

/// Whether `url` is the app's own page: the bundled UI (`tauri://localhost`, or
/// `http://tauri.localhost` where custom schemes are served over HTTP), or in a
/// development build the dev server.
pub fn is_own(url: &Url, dev_url: Option<&Url>) -> bool {
    let same_origin = |other: &Url| url.origin() == other.origin();
    match (url.scheme(), url.host_str()) {
        ("tauri", Some("localhost")) => true,
        ("http" | "https", Some("tauri.localhost")) => true,
        _ => dev_url.is_some_and(same_origin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn only_the_apps_own_origin_is_a_place_to_go() {
        for own in [
            "tauri://localhost",
            "tauri://localhost/index.html#x",
            "http://tauri.localhost/",
        ] {
            assert!(is_own(&url(own), None), "{own}");
        }
        for away in [
            "https://example.invalid/?x",
            "http://localhost:5173/",
            "tauri://evil.example/",
            "file:///etc/passwd",
            "data:text/html,<script>1</script>",
            "about:blank",
            "javascript:alert(1)",
            "http://tauri.localhost.evil.example/",
        ] {
            assert!(!is_own(&url(away), None), "{away}");
        }
        let dev = url("http://localhost:5173");
        assert!(is_own(
            &url("http://localhost:5173/src/main.ts"),
            Some(&dev)
        ));
        assert!(!is_own(&url("http://localhost:5174/"), Some(&dev)));
    }
}
