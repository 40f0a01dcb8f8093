//! 1Password's export (`.1pux`): a zip archive whose `export.data` is JSON, accounts
//! holding vaults holding items. An item's secret is its password (a login's password
//! field, or a Password item's), else its first concealed field (an API Credential's
//! `credential`); an item with none is skipped. A date field named `expires` becomes
//! the expiry.

use crate::import::{Entry, Parsed, title_or};
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use serde_json::Value;
use std::io::Read;

/// `export.data` larger than this is refused unread.
const MAX_DATA_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a `.1pux` archive.
pub fn parse(bytes: &[u8]) -> Result<Parsed> {
    let not_1pux = |why: String| {
        Error::invalid(
            "file",
            format!("it is not a 1Password export (.1pux): {why}"),
        )
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| not_1pux(format!("not a zip archive ({e})")))?;
    let entry = archive
        .by_name("export.data")
        .map_err(|_| not_1pux("it has no export.data".into()))?;
    if entry.size() > MAX_DATA_BYTES {
        return Err(not_1pux("its export.data is too large".into()));
    }
    let mut text = zeroize::Zeroizing::new(Vec::new());
    entry
        .take(MAX_DATA_BYTES)
        .read_to_end(&mut text)
        .map_err(|e| not_1pux(format!("export.data cannot be read ({e})")))?;
    let data: Value = serde_json::from_slice(&text)
        .map_err(|e| not_1pux(format!("export.data is not JSON ({e})")))?;
    let accounts = data
        .get("accounts")
        .and_then(Value::as_array)
        .ok_or_else(|| not_1pux("export.data has no accounts".into()))?;
    let mut parsed = Parsed::default();
    for account in accounts {
        for vault in array(account, "vaults") {
            let vault_name = title_or(
                vault.pointer("/attrs/name").and_then(Value::as_str),
                "Vault",
            );
            for (index, item) in array(vault, "items").iter().enumerate() {
                read_item(&mut parsed, &vault_name, index, item);
            }
        }
    }
    Ok(parsed)
}

fn array<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn read_item(parsed: &mut Parsed, vault: &str, index: usize, item: &Value) {
    let title = title_or(
        item.pointer("/overview/title").and_then(Value::as_str),
        &format!("item {}", index + 1),
    );
    let origin = format!("{vault} / {title}");
    if item.get("state").and_then(Value::as_str) == Some("deleted") {
        parsed.skip(origin, "it is in 1Password's trash");
        return;
    }
    let details = item.get("details").unwrap_or(&Value::Null);
    let login_password = array(details, "loginFields")
        .iter()
        .find(|f| f.get("designation").and_then(Value::as_str) == Some("password"))
        .and_then(|f| f.get("value"))
        .and_then(Value::as_str);
    let fields: Vec<&Value> = array(details, "sections")
        .iter()
        .flat_map(|section| array(section, "fields"))
        .collect();
    let concealed = fields
        .iter()
        .find_map(|f| f.pointer("/value/concealed").and_then(Value::as_str));
    let secret = [
        login_password,
        details.get("password").and_then(Value::as_str),
        concealed,
    ]
    .into_iter()
    .flatten()
    .find(|s| !s.is_empty());
    let Some(secret) = secret else {
        parsed.skip(origin, "it has no password or concealed field");
        return;
    };
    let mut entry = Entry::new(origin, title, Secret::new(secret.to_string()));
    entry.expires_at = fields.iter().find_map(|f| {
        let named = [f.get("id"), f.get("title")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|n| n.eq_ignore_ascii_case("expires") || n.eq_ignore_ascii_case("expiry date"));
        named
            .then(|| f.pointer("/value/date").and_then(Value::as_i64))
            .flatten()
    });
    let username = array(details, "loginFields")
        .iter()
        .find(|f| f.get("designation").and_then(Value::as_str) == Some("username"))
        .and_then(|f| f.get("value"))
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty());
    let url = item
        .pointer("/overview/url")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty());
    entry.description = [
        username.map(|u| format!("user {u}")),
        url.map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    parsed.entries.push(entry);
}
