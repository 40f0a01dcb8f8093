//! Where a downloaded token file goes: a native save dialog opened from Rust, or, when
//! `TESSERA_DOWNLOAD_DIR` is set (unattended use and tests), that folder without asking.

use std::path::PathBuf;
use tauri::AppHandle;
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
pub fn choose_path(app: &AppHandle, token_name: &str) -> Option<PathBuf> {
    let name = file_name(token_name);
    if let Some(dir) = std::env::var_os("TESSERA_DOWNLOAD_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join(name));
    }
    app.dialog()
        .file()
        .set_title("Save token file")
        .set_file_name(&name)
        .add_filter("Tessera token file", &["json"])
        .blocking_save_file()
        .and_then(|path| path.into_path().ok())
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
