//! KeePass databases (`.kdbx`, KDBX 3 and 4, as KeePass and KeePassXC write them),
//! opened with their password by the keepass crate. An entry's secret is its
//! password; its title names it, its group path says where it was, its expiry (when
//! set to expire) carries over. The recycle bin is skipped.

use crate::import::{Entry, Parsed, title_or};
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;

/// Opens a KeePass database with `password` and reads its entries.
pub fn parse(bytes: &[u8], password: Option<&Secret>) -> Result<Parsed> {
    let password = password.ok_or_else(|| {
        Error::invalid(
            "password",
            "a KeePass database opens with its password: give it",
        )
    })?;
    let key = keepass::DatabaseKey::new().with_password(password.expose());
    let db =
        keepass::Database::open(&mut std::io::Cursor::new(bytes), key).map_err(|e| match e {
            keepass::error::DatabaseOpenError::Key(
                keepass::error::DatabaseKeyError::IncorrectKey,
            ) => Error::invalid("password", "it does not open this KeePass database"),
            keepass::error::DatabaseOpenError::UnsupportedVersion => Error::invalid(
                "file",
                "this KeePass database's version cannot be read: save it as KDBX 4",
            ),
            other => Error::invalid(
                "file",
                format!("it is not a KeePass database that opens: {other}"),
            ),
        })?;
    let mut parsed = Parsed::default();
    let recycle_bin = db.meta.recyclebin_uuid;
    walk(&db.root, "", recycle_bin, false, &mut parsed);
    Ok(parsed)
}

fn walk(
    group: &keepass::db::Group,
    path: &str,
    bin: Option<uuid::Uuid>,
    binned: bool,
    parsed: &mut Parsed,
) {
    let here = if path.is_empty() {
        group.name.clone()
    } else {
        format!("{path} / {}", group.name)
    };
    let binned = binned || Some(group.uuid) == bin;
    for (index, entry) in group.entries.iter().enumerate() {
        let title = title_or(entry.get_title(), &format!("entry {}", index + 1));
        let origin = format!("{here} / {title}");
        if binned {
            parsed.skip(origin, "it is in the recycle bin");
            continue;
        }
        let Some(password) = entry.get_password().filter(|p| !p.is_empty()) else {
            parsed.skip(origin, "it has no password");
            continue;
        };
        let mut found = Entry::new(origin, title, Secret::new(password.to_string()));
        if entry.times.expires {
            found.expires_at = entry.get_expiry_time().map(|t| t.and_utc().timestamp());
        }
        found.description = [entry.get_username(), entry.get_url()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        parsed.entries.push(found);
    }
    for child in &group.groups {
        walk(child, &here, bin, binned, parsed);
    }
}
