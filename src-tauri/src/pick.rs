//! What the person picks in native dialogs opened from Rust, which page script can
//! neither draw nor answer: the automatic backups' folder (so the page cannot send
//! backups to a folder of its choosing) and the file to import (so it cannot make the
//! app read a file). In test builds (the `test-hooks` feature) an environment variable
//! answers for the person: `TESSERA_BACKUP_DIR`, `TESSERA_IMPORT_FILE`.

use std::path::PathBuf;
use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath};

/// The folder for automatic backups; `None` when the person cancels.
pub fn backup_folder<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    pick(app, "TESSERA_BACKUP_DIR", |dialog| {
        dialog
            .set_title("Folder for automatic backups")
            .blocking_pick_folder()
    })
}

/// The file to import; `None` when the person cancels.
pub fn import_file<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    pick(app, "TESSERA_IMPORT_FILE", |dialog| {
        dialog
            .set_title("Import tokens from a file")
            .blocking_pick_file()
    })
}

fn pick<R: Runtime>(
    app: &AppHandle<R>,
    answer_in_tests: &str,
    ask: impl FnOnce(FileDialogBuilder<R>) -> Option<FilePath>,
) -> Option<PathBuf> {
    #[cfg(feature = "test-hooks")]
    if let Some(path) = std::env::var_os(answer_in_tests).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    #[cfg(not(feature = "test-hooks"))]
    let _ = answer_in_tests;
    ask(app.dialog().file()).and_then(|path| path.into_path().ok())
}
