//! Importing other managers' exports and plain files (`crate::import` reads them):
//! each entry becomes an external token, named from its title or key, its service
//! recognised from the value's prefix, a JWT's `exp` its expiry. A name already used
//! is never overwritten: the entry is skipped, or imported under a free name
//! ("NAME (2)"). A secret the vault already holds is skipped. All entries go in one
//! transaction; a dry run writes nothing and answers the same.

use crate::import::{self, Format, Skipped};
use crate::model::audit::AuditAction;
use crate::model::clock::{Timestamp, rfc3339};
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use crate::model::token::{Expiry, TokenKind, validate_name};
use crate::store;
use crate::vault::Vault;
use crate::vault::lifecycle::{NewToken, Pasted};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// What to do with an entry whose name a token already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum OnConflict {
    /// Leave it out, listed as skipped.
    #[default]
    Skip,
    /// Import it as "NAME (2)" (or the next free number).
    Rename,
}

/// A token an import made (or, in a dry run, would make). Never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Imported {
    /// Where it was in the file.
    pub entry: String,
    /// The token's name.
    pub name: String,
    /// The service recognised from its prefix.
    pub service: Option<String>,
    /// When it expires (Unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub expires_at: Option<Timestamp>,
}

/// What an import did: every entry of the file is in `tokens` or in `skipped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ImportReport {
    /// How many tokens were (or would be) imported.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub imported: u64,
    /// Entries left out, each with why.
    pub skipped: Vec<Skipped>,
    /// The tokens, in the file's order.
    pub tokens: Vec<Imported>,
    /// Nothing was written.
    pub dry_run: bool,
}

impl Vault {
    /// Reads the file at `path` as `format` (`password` opens an encrypted one) and
    /// imports its entries.
    pub fn import_file(
        &mut self,
        format: Format,
        path: &Path,
        password: Option<&Secret>,
        on_conflict: OnConflict,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let bytes = read_limited(path)?;
        self.import_bytes(format, &bytes, password, on_conflict, dry_run)
    }

    /// Imports the entries of `bytes`, read as `format`.
    pub fn import_bytes(
        &mut self,
        format: Format,
        bytes: &[u8],
        password: Option<&Secret>,
        on_conflict: OnConflict,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let parsed = import::parse(format, bytes, password)?;
        let now = self.now();
        let mut skipped = parsed.skipped;
        let mut tokens = Vec::new();
        let mut requests = Vec::new();
        // Names and secrets taken by this file's earlier entries, and by the vault.
        let mut names: HashSet<String> = HashSet::new();
        let mut secrets: HashMap<[u8; 32], String> = HashMap::new();
        for entry in parsed.entries {
            let label = if entry.origin.contains(&entry.name) {
                entry.origin.clone()
            } else {
                format!("{} ({})", entry.origin, entry.name)
            };
            let skip = |reason: String| Skipped {
                entry: label.clone(),
                reason,
            };
            let name = match validate_name(&entry.name) {
                Ok(name) => name,
                Err(err) => {
                    skipped.push(skip(reason_of(err)));
                    continue;
                }
            };
            let taken = |candidate: &str| -> Result<bool> {
                Ok(names.contains(&candidate.to_lowercase())
                    || store::token_name_taken(&self.conn, candidate, None)?)
            };
            let name = if !taken(&name)? {
                name
            } else if on_conflict == OnConflict::Rename {
                let mut n = 2;
                loop {
                    let candidate = format!("{name} ({n})");
                    if !taken(&candidate)? {
                        break candidate;
                    }
                    n += 1;
                }
            } else {
                skipped.push(skip(format!(
                    "a token named '{name}' exists; --on-conflict rename imports it under a free name"
                )));
                continue;
            };
            // Comparing the value with those already kept; nothing of it is shown.
            let digest = crate::vault::lifecycle::hash(entry.value.expose());
            if let Some(holder) = secrets.get(&digest) {
                skipped.push(skip(format!("the same secret is imported as '{holder}'")));
                continue;
            }
            if let Some((holder, _)) = store::token_by_hash(&self.conn, &digest)? {
                skipped.push(skip(format!(
                    "the same secret is already in the vault as '{}'",
                    holder.name
                )));
                continue;
            }
            // Reading a JWT's expiry claim (no signature is checked or needed).
            let expires_at = entry
                .expires_at
                .or_else(|| import::jwt_expiry(entry.value.expose()));
            if let Some(at) = expires_at.filter(|&at| at <= now) {
                skipped.push(skip(format!("it expired on {}", rfc3339(at))));
                continue;
            }
            let mut request = NewToken::new(TokenKind::External, name.clone());
            request.description = entry.description.clone();
            request.expires = expires_at.map_or(Expiry::Never, Expiry::At);
            request.value = Some(entry.value);
            match self.check_import(request) {
                Ok((request, service)) => {
                    names.insert(name.to_lowercase());
                    secrets.insert(digest, name.clone());
                    tokens.push(Imported {
                        entry: entry.origin,
                        name,
                        service,
                        expires_at,
                    });
                    requests.push(request);
                }
                Err(err) => skipped.push(skip(reason_of(err))),
            }
        }
        if !dry_run && !requests.is_empty() {
            let detail = format!("from a {} file", format.as_str());
            self.create_batch(requests, Pasted::Verbatim, AuditAction::Import, &detail)?;
        }
        Ok(ImportReport {
            imported: tokens.len() as u64,
            skipped,
            tokens,
            dry_run,
        })
    }
}

/// The part of an error that says why an entry was refused.
fn reason_of(err: Error) -> String {
    match err {
        Error::Invalid { field, reason } => format!("{field}: {reason}"),
        other => other.to_string(),
    }
}

/// The file's bytes, refused unread beyond [`import::MAX_IMPORT_BYTES`].
fn read_limited(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("cannot read", path, e))?;
    if !meta.is_file() {
        return Err(Error::invalid(
            "file",
            format!("{} is not a file", path.display()),
        ));
    }
    if meta.len() > import::MAX_IMPORT_BYTES {
        return Err(Error::invalid(
            "file",
            format!(
                "{} is larger than {} MiB; split it",
                path.display(),
                import::MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        ));
    }
    // Reading the export the person chose to import.
    Ok(zeroize::Zeroizing::new(
        std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?,
    ))
}
