//! Where a downloaded token file goes: a native save dialog opened from Rust, or, in
//! test builds (the `test-hooks` feature) with `TESSERA_DOWNLOAD_DIR` set, a free name
//! in that folder without asking.

use std::path::PathBuf;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// A file name from a token name: letters, digits, dashes.
pub fn file_name(token_name: &str) -> String {
    let slug: String = token_name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-');
    format!(
        "{}.tessera-token.json",
        if slug.is_empty() { "token" } else { slug }
    )
}

/// Asks where to save; `None` when the user cancels.
pub fn choose_path<R: Runtime>(app: &AppHandle<R>, token_name: &str) -> Option<PathBuf> {
    let name = file_name(token_name);
    #[cfg(feature = "test-hooks")]
    if let Some(dir) = std::env::var_os("TESSERA_DOWNLOAD_DIR").filter(|d| !d.is_empty()) {
        return Some(free_path(&PathBuf::from(dir), &name));
    }
    app.dialog()
        .file()
        .set_title("Save token file")
        .set_file_name(&name)
        .add_filter("Tessera token file", &["json"])
        .blocking_save_file()
        .and_then(|path| path.into_path().ok())
}

/// `dir/name`, or `dir/name (2)`, `(3)`, … when taken: a download never replaces a
/// file without the person saying so (the native dialog asks).
#[cfg(feature = "test-hooks")]
fn free_path(dir: &std::path::Path, name: &str) -> PathBuf {
    let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
    (1..)
        .map(|n| match n {
            1 => dir.join(name),
            n => dir.join(format!("{stem} ({n}).{ext}")),
        })
        .find(|path| !path.exists())
        .unwrap_or_else(|| dir.join(name))
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            super::file_name("Partner API / prod"),
            "partner-api---prod.tessera-token.json"
        );
        assert_eq!(super::file_name("../.."), "token.tessera-token.json");
    }
}
