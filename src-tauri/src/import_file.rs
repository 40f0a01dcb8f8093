//! The file an import reads: chosen by the person in a native open dialog opened from
//! Rust (page script can neither draw nor answer it, so it cannot make the app read a
//! file of its choosing), or, in test builds (the `test-hooks` feature) with
//! `TESSERA_IMPORT_FILE` set, that file without asking. The choice is kept in the app's
//! state until the import runs.

use std::path::PathBuf;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

/// Asks for the file to import; `None` when the person cancels.
pub fn choose<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    #[cfg(feature = "test-hooks")]
    if let Some(file) = std::env::var_os("TESSERA_IMPORT_FILE").filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    app.dialog()
        .file()
        .set_title("Import tokens from a file")
        .blocking_pick_file()
        .and_then(|path| path.into_path().ok())
}
