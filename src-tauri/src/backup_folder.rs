//! Where automatic backups go: a folder the person picks in a native dialog opened from
//! Rust (page script can neither draw nor answer it, so it cannot send backups
//! elsewhere), or, in test builds (the `test-hooks` feature) with `TESSERA_BACKUP_DIR`
//! set, that folder without asking.

use std::path::PathBuf;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// Asks for a folder; `None` when the person cancels.
pub fn choose<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    #[cfg(feature = "test-hooks")]
    if let Some(dir) = std::env::var_os("TESSERA_BACKUP_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    app.dialog()
        .file()
        .set_title("Folder for automatic backups")
        .blocking_pick_folder()
        .and_then(|path| path.into_path().ok())
}
