//! KeePassXC's CSV export: a header row naming the columns (`Group`, `Title`,
//! `Username`, `Password`, `URL`, `Notes`, …), then one row per entry. Columns are found
//! by their names, so older exports with fewer columns read too; the csv crate reads
//! quoting and line breaks inside fields as KeePassXC writes them.

use crate::import::{Entry, Parsed, title_or};
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;

/// Reads a KeePassXC CSV export.
pub fn parse(bytes: &[u8]) -> Result<Parsed> {
    let not_csv =
        |why: String| Error::invalid("file", format!("it is not a KeePassXC CSV export: {why}"));
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| not_csv(e.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(title_at), Some(password_at)) = (column("Title"), column("Password")) else {
        return Err(not_csv(
            "its first row names no Title and Password columns".into(),
        ));
    };
    let (group_at, user_at, url_at) = (column("Group"), column("Username"), column("URL"));
    let mut parsed = Parsed::default();
    for (index, record) in reader.records().enumerate() {
        let row = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                parsed.skip(format!("row {row}"), format!("it cannot be read: {e}"));
                continue;
            }
        };
        let get = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or_default();
        let title = title_or(Some(get(Some(title_at))), &format!("row {row}"));
        let group = get(group_at).trim();
        let origin = if group.is_empty() {
            format!("row {row} ({title})")
        } else {
            format!("row {row} ({group} / {title})")
        };
        if group.split('/').any(|part| part.trim() == "Recycle Bin") {
            parsed.skip(origin, "it is in the recycle bin");
            continue;
        }
        let password = get(Some(password_at));
        if password.is_empty() {
            parsed.skip(origin, "it has no password");
            continue;
        }
        let mut entry = Entry::new(origin, title, Secret::new(password.to_string()));
        entry.description = [get(user_at), get(url_at)]
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        parsed.entries.push(entry);
    }
    Ok(parsed)
}
