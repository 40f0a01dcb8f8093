//! What the CLI prints: aligned tables for people, JSON for scripts. Neither ever holds
//! a secret; commands that print one (`get`, `create`, `rotate`) do so explicitly.

use serde_json::{Value, json};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicI32, Ordering};
use tessera_core::audit::AuditEvent;
use tessera_core::clock::{Timestamp, rfc3339};
use tessera_core::search::Hit;
use tessera_core::token::{Status, Token};
use tessera_core::token_view::TokenView;

/// The exit status when stdout cannot be written, once a command has decided its own
/// (`verify`: the answer's status, whatever happens to the text); `None` until then.
static DECIDED_STATUS: AtomicI32 = AtomicI32::new(-1);

/// Fixes the exit status before anything is printed, so that a failed write (a full
/// disk, a closed pipe) can end the program but never change what its status says.
pub fn decide_status(code: i32) {
    DECIDED_STATUS.store(code, Ordering::SeqCst);
}

/// Writes to stdout. A closed pipe (`tessera list | head`) ends the program quietly;
/// any other write error ends it with status 2. Either way a status fixed with
/// [`decide_status`] wins.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let Err(err) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) else {
        return;
    };
    let decided = DECIDED_STATUS.load(Ordering::SeqCst);
    if err.kind() != std::io::ErrorKind::BrokenPipe {
        note(&format!("error: cannot write the output: {err}"));
    }
    std::process::exit(match decided {
        -1 if err.kind() == std::io::ErrorKind::BrokenPipe => 0,
        -1 => 2,
        code => code,
    });
}

/// Prints a line to stdout.
pub fn line(text: &str) {
    emit(&format!("{text}\n"));
}

/// Prints JSON, pretty.
pub fn print_json(value: &Value) {
    line(&serde_json::to_string_pretty(value).unwrap_or_default());
}

/// A message for people on stderr.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// A token as JSON: the core's view of it (metadata only), times in RFC 3339, and its
/// last use in words.
pub fn token_json(token: &Token, now: Timestamp) -> Value {
    let mut value =
        serde_json::to_value(TokenView::new(token, now)).expect("a token view serializes");
    if let Some(object) = value.as_object_mut() {
        for field in TokenView::TIMES {
            if let Some(at) = object.get(*field).and_then(Value::as_i64) {
                object.insert((*field).into(), Value::String(rfc3339(at)));
            }
        }
        object.insert("usage".into(), Value::String(usage(token, now)));
    }
    value
}

/// An audit event as JSON.
pub fn event_json(event: &AuditEvent) -> Value {
    json!({
        "id": event.id,
        "at": rfc3339(event.at),
        "action": event.action,
        "token_id": event.token_id,
        "token_name": event.token_name,
        "outcome": event.outcome,
        "detail": event.detail,
    })
}

/// The scopes of a token in one short cell.
pub fn scopes(token: &Token) -> String {
    let mut parts: Vec<String> = Vec::new();
    if token.all_apis {
        parts.push("All APIs".into());
    }
    parts.extend(token.apis.iter().map(|a| format!("api:{a}")));
    parts.extend(token.projects.iter().map(|p| format!("project:{p}")));
    parts.extend(token.users.iter().map(|u| format!("user:{u}")));
    if let Some(sa) = &token.service_account {
        parts.push(format!("account:{sa}"));
    }
    if let Some(service) = &token.service {
        parts.push(service.clone());
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// "2026-12-24 (in 30 days)" or "never".
pub fn expires(token: &Token, now: Timestamp) -> String {
    match token.expires_at() {
        Some(at) => format!("{} ({})", date(at), relative(at, now)),
        None => "never".into(),
    }
}

/// A date, YYYY-MM-DD.
pub fn date(at: Timestamp) -> String {
    rfc3339(at).chars().take(10).collect()
}

/// Whether to decorate output for a terminal.
fn styled() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// A name with its matched letters in bold (on a terminal).
fn highlight(name: &str, positions: &[u32], styled: bool) -> String {
    if !styled || positions.is_empty() {
        return name.to_string();
    }
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if positions.contains(&(i as u32)) {
                format!("\x1b[1;4m{c}\x1b[0m")
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A status in its colour: green usable, yellow needing attention, red unusable.
fn status_colored(status: Status) -> String {
    let colour = match status {
        Status::Active => "32",
        Status::ExpiringSoon | Status::RotationDue => "33",
        Status::Expired | Status::Revoked => "31",
    };
    format!("\x1b[{colour}m{status}\x1b[0m")
}

/// Cuts a cell to `max` characters with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Renders rows as an aligned table. `decorated[i][j]` may add invisible styling to
/// `cells[i][j]`; widths come from the plain cells.
pub fn table(headers: &[&str], cells: &[Vec<String>], decorated: Option<&[Vec<String>]>) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let render = |row: &[String], shown: &[String]| {
        let mut line = String::new();
        for (j, (cell, show)) in row.iter().zip(shown).enumerate() {
            line.push_str(show);
            if j + 1 < row.len() {
                line.push_str(&" ".repeat(widths[j] - cell.chars().count() + 2));
            }
        }
        line.trim_end().to_string() + "\n"
    };
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let mut out = render(&header, &header);
    for (i, row) in cells.iter().enumerate() {
        let shown = decorated.map(|d| d[i].as_slice()).unwrap_or(row);
        out.push_str(&render(row, shown));
    }
    out
}

/// The token list table.
pub fn token_table(
    hits: &[Hit],
    stale_files: &std::collections::HashMap<String, Timestamp>,
    now: Timestamp,
) -> String {
    let styled = styled();
    let mut cells = Vec::new();
    let mut decorated = Vec::new();
    for hit in hits {
        let t = &hit.token;
        let name = cut(&t.name, 40);
        let status = match stale_files.get(&t.id) {
            Some(_) => format!("{}, token file out of date", t.status(now)),
            None => t.status(now).to_string(),
        };
        let row = vec![
            name.clone(),
            t.kind.to_string(),
            status,
            cut(&scopes(t), 36),
            date(t.created_at),
            expires(t, now),
            usage(t, now),
        ];
        let mut shown = row.clone();
        if name == t.name {
            shown[0] = highlight(&t.name, &hit.positions, styled);
        }
        if styled && !stale_files.contains_key(&t.id) {
            shown[2] = status_colored(t.status(now));
        }
        cells.push(row);
        decorated.push(shown);
    }
    table(
        &[
            "NAME", "KIND", "STATUS", "SCOPES", "CREATED", "EXPIRES", "USAGE",
        ],
        &cells,
        Some(&decorated),
    )
}

/// A token's details, one field a line.
pub fn token_details(token: &Token, now: Timestamp) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("Name", token.name.clone()),
        ("ID", token.id.clone()),
        ("Kind", token.kind.to_string()),
        ("Status", token.status(now).to_string()),
        (
            "Usage",
            format!(
                "{} ({} verification{})",
                usage(token, now),
                token.use_count,
                if token.use_count == 1 { "" } else { "s" }
            ),
        ),
        (
            "Created",
            format!(
                "{} ({})",
                rfc3339(token.created_at),
                relative(token.created_at, now)
            ),
        ),
        ("Expires", expires(token, now)),
    ];
    if !token.description.is_empty() {
        rows.push(("Description", token.description.clone()));
    }
    if let Some(at) = token.revoked_at {
        rows.push((
            "Revoked",
            format!("{} ({})", rfc3339(at), relative(at, now)),
        ));
    }
    if let Some(days) = token.lifetime.rotation_days {
        let due = token
            .lifetime
            .rotation_due_at()
            .map(|d| relative(d, now))
            .unwrap_or_default();
        rows.push((
            "Security period",
            format!("{days} days; replacement due {due}"),
        ));
    }
    if token.all_apis {
        rows.push(("APIs", "All APIs".into()));
    }
    for (label, list) in [
        ("APIs", &token.apis),
        ("Projects", &token.projects),
        ("Users", &token.users),
    ] {
        if !list.is_empty() {
            rows.push((label, list.join(", ")));
        }
    }
    if let Some(sa) = &token.service_account {
        rows.push(("Service account", sa.clone()));
    }
    if let Some(service) = &token.service {
        rows.push(("Service", service.clone()));
    }
    if let Some(key_id) = &token.key_id {
        rows.push(("Key id", key_id.clone()));
    }
    if let Some(alg) = token.jwt_alg {
        rows.push(("Algorithm", alg.as_str().into()));
    }
    rows.iter()
        .map(|(k, v)| format!("{:<16} {v}\n", format!("{k}:")))
        .collect()
}

/// "Last used 3 hours ago" or "Not used": the CLI's words for a token's last use.
pub fn usage(token: &Token, now: Timestamp) -> String {
    match token.last_used_at {
        Some(at) => format!("Last used {}", relative(at, now)),
        None => "Not used".into(),
    }
}

/// "3 hours ago", "in 5 days": a person's view of a time relative to `now`, told in the
/// core's units ([`tessera_core::clock::span`]), as the window tells it.
pub fn relative(at: Timestamp, now: Timestamp) -> String {
    let Some(span) = tessera_core::clock::span(at - now) else {
        return "just now".into();
    };
    let plural = if span.count == 1 { "" } else { "s" };
    let told = format!("{} {}{plural}", span.count, span.unit);
    if at < now {
        format!("{told} ago")
    } else {
        format!("in {told}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::clock::DAY;

    #[test]
    fn relative_times_read_naturally() {
        let now = 1_000_000_000;
        assert_eq!(relative(now - 10, now), "just now");
        assert_eq!(relative(now - 3 * 3_600, now), "3 hours ago");
        assert_eq!(relative(now - DAY, now), "1 day ago");
        assert_eq!(relative(now + 5 * DAY, now), "in 5 days");
        assert_eq!(relative(now + 30, now), "just now");
        assert_eq!(relative(now - 400 * DAY, now), "1 year ago");
    }
}
