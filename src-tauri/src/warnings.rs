//! Expiry warnings: tokens expiring within the warning window or due for rotation, shown
//! as a desktop notification at unlock and once a day.

use crate::state::AppState;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tessera_core::Vault;
use tessera_core::clock::DAY;
use tessera_core::search::{Query, Sort};
use tessera_core::token::Status;
use tessera_ipc::dto::TokenRow;

/// Usable tokens that expire within `days` or are due for rotation, soonest first.
pub fn needing_attention(vault: &mut Vault, days: u32) -> tessera_core::Result<Vec<TokenRow>> {
    let now = vault.now();
    let horizon = now + i64::from(days) * DAY;
    let query = Query {
        status: Some(Status::Active),
        sort: Sort::Expires,
        limit: 1_000,
        ..Query::text("")
    };
    let mut rows: Vec<TokenRow> = vault
        .search(&query)?
        .rows
        .into_iter()
        .filter(|hit| {
            hit.token.expires_at().is_some_and(|at| at <= horizon)
                || hit.token.status(now) == Status::RotationDue
        })
        .map(|hit| TokenRow::from_hit(hit, now))
        .collect();
    rows.truncate(100);
    Ok(rows)
}

/// Shows one notification summarising what needs attention, if anything does.
pub fn notify_expiring(app: &AppHandle) {
    let state = app.state::<AppState>();
    let days = state.settings().expiry_warning_days;
    let Ok(rows) = state.with_vault(|v| needing_attention(v, days)) else {
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
    let _ = app
        .notification()
        .builder()
        .title(format!(
            "{} token{} need attention",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        ))
        .body(body)
        .show();
}
