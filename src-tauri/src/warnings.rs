//! Expiry warnings: tokens expiring within the warning window or due for rotation, shown
//! as a desktop notification at unlock and once a day.

use crate::state::AppState;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tessera_core::Vault;
use tessera_core::clock::DAY;
use tessera_core::search::{Hit, Query, Sort};
use tessera_core::token::Status;
use tessera_ipc::dto::TokenRow;

/// At most this many tokens are listed.
const LISTED: usize = 100;

/// Usable tokens that expire within `days` or are due for rotation, soonest first (those
/// that never expire last). Both filters run on the search index, so only the tokens
/// listed are read from the vault: at 100,000 tokens this takes a few milliseconds,
/// where reading the first 1,000 by expiry took about 200 ms with the vault locked.
pub fn needing_attention(vault: &mut Vault, days: u32) -> tessera_core::Result<Vec<TokenRow>> {
    let now = vault.now();
    let horizon = now + i64::from(days) * DAY;
    // Usable tokens by expiry, soonest first: those inside the window come first, and
    // no more than LISTED of them are listed.
    let mut found: Vec<Hit> = vault
        .search(&Query {
            status: Some(Status::Active),
            sort: Sort::Expires,
            limit: LISTED,
            ..Query::text("")
        })?
        .rows
        .into_iter()
        .take_while(|hit| hit.token.expires_at().is_some_and(|at| at <= horizon))
        .collect();
    let due = vault.search(&Query {
        status: Some(Status::RotationDue),
        limit: LISTED,
        ..Query::text("")
    })?;
    for hit in due.rows {
        if !found.iter().any(|f| f.token.id == hit.token.id) {
            found.push(hit);
        }
    }
    found.sort_by_key(|hit| hit.token.expires_at().unwrap_or(i64::MAX));
    found.truncate(LISTED);
    Ok(found
        .into_iter()
        .map(|hit| TokenRow::from_hit(hit, now))
        .collect())
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

#[cfg(test)]
mod tests {
    use super::needing_attention;
    use std::sync::Arc;
    use tessera_core::catalog::{Catalog, CatalogEntry};
    use tessera_core::clock::{DAY, FixedClock};
    use tessera_core::keys::MemoryKeyStore;
    use tessera_core::lifecycle::NewToken;
    use tessera_core::token::{Expiry, TokenKind};
    use tessera_core::{NewProtection, Vault, VaultPaths};

    const NOW: i64 = 1_800_000_000;

    /// On a real vault file: tokens expiring inside the window and tokens due for
    /// replacement are listed, soonest first; later, never-expiring, revoked and expired
    /// ones are not, however many come before them.
    #[test]
    fn lists_what_expires_within_the_window_or_is_due_soonest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let paths = VaultPaths::in_dir(dir.path().join("vault")).with_state(dir.path().join("s"));
        let clock = FixedClock::at(NOW);
        let mut vault = Vault::create(&paths, NewProtection::Keyring, &MemoryKeyStore::new())
            .expect("vault")
            .with_clock(Arc::new(clock.clone()));
        vault
            .catalog_add(Catalog::Api, CatalogEntry::named("billing"))
            .expect("api");
        let mut make = |name: &str, expires: Expiry, rotation_days: Option<i64>| {
            let mut req = NewToken::new(TokenKind::Personal, name);
            req.apis = vec!["billing".into()];
            req.expires = expires;
            req.rotation_days = rotation_days;
            vault.create_token(req).expect("create");
        };
        // More than one page of tokens expiring inside the window.
        for i in 0..120 {
            make(
                &format!("soon {i:03}"),
                Expiry::At(NOW + 13 * DAY + i),
                None,
            );
        }
        make("later", Expiry::At(NOW + 60 * DAY), None);
        make("never", Expiry::Never, None);
        make("due", Expiry::Never, Some(10));
        make("revoked soon", Expiry::At(NOW + 12 * DAY), None);
        make("expired", Expiry::At(NOW + 60), None);
        vault.revoke_token("revoked soon").expect("revoke");
        // 11 days on: "due" needs replacing, "soon …" expire in 2 days, "later" in 49.
        clock.advance(11 * DAY);

        let rows = needing_attention(&mut vault, 30).expect("attention");
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names.len(), 100);
        assert!(!names.contains(&"revoked soon") && !names.contains(&"expired"));
        // 120 expire inside the window: the soonest 100 are listed.
        assert_eq!(names.first(), Some(&"soon 000"));
        assert_eq!(names.last(), Some(&"soon 099"));

        let rows = needing_attention(&mut vault, 0).expect("attention");
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["due"]);
    }
}
