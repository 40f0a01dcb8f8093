//! Expiry warnings: what needs attention (`Vault::needing_attention`), shown as a
//! desktop notification at unlock and once a day.

use crate::state::AppState;
use tauri::{AppHandle, Manager, Runtime};

/// Shows one notification summarising what needs attention, if anything does.
pub fn notify_expiring<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let days = state.settings().expiry_warning_days;
    let Ok(rows) = state.with_vault(|v| v.needing_attention(days)) else {
        return;
    };
    if rows.is_empty() {
        return;
    }
    let names: Vec<&str> = rows.iter().take(3).map(|r| r.name.as_str()).collect();
    let more = if rows.len() > 3 {
        format!(" and {} more", rows.len() - 3)
    } else {
        String::new()
    };
    let body = format!(
        "{}{more} expire soon or are due for replacement.",
        names.join(", ")
    );
    let title = format!(
        "{} token{} need attention",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    // Off the caller's thread: without a notification service the D-Bus call waits for
    // its timeout, and a warning is never worth holding up an unlock.
    let _ = std::thread::Builder::new()
        .name("tessera-notify".into())
        .spawn(move || {
            let _ = notify_rust::Notification::new()
                .appname("Tessera")
                .summary(&title)
                .body(&body)
                .show();
        });
}
