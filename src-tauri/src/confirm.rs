//! Confirmations a person gives outside web content: a native dialog drawn by GTK, which
//! a script in the page can neither draw, nor see, nor click. Test builds (the
//! `test-hooks` feature) answer from `TESSERA_TEST_CONFIRM` instead, as WebDriver
//! cannot reach a native dialog.

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// Asks the person; true only when they chose `accept`. Blocks: call it off the main
/// thread (the commands' blocking pool).
pub fn ask<R: Runtime>(app: &AppHandle<R>, title: &str, message: &str, accept: &str) -> bool {
    #[cfg(feature = "test-hooks")]
    if let Some(answer) = std::env::var_os("TESSERA_TEST_CONFIRM") {
        return answer == "yes";
    }
    app.dialog()
        .message(message)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            accept.to_string(),
            "Cancel".to_string(),
        ))
        .blocking_show()
}
