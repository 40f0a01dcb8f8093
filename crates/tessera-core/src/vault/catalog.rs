//! Catalogs of the things tokens are scoped to: APIs, projects, users and service
//! accounts. Each has add / list / rename / remove; removal is refused while a token
//! still refers to the entry.

use crate::model::error::{Error, Result};
use crate::model::token::validate_name;
use crate::store;
use crate::vault::Vault;
use std::fmt;
use std::str::FromStr;

/// The four catalogs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Catalog {
    /// APIs a token may be authorized for.
    Api,
    /// Projects an RSA token may be authorized for.
    Project,
    /// Users a JWT may be authorized for.
    User,
    /// Service accounts that own service tokens.
    ServiceAccount,
}

impl Catalog {
    /// Every catalog.
    pub const ALL: [Catalog; 4] = [
        Catalog::Api,
        Catalog::Project,
        Catalog::User,
        Catalog::ServiceAccount,
    ];

    /// The word for one entry, as used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Catalog::Api => "API",
            Catalog::Project => "project",
            Catalog::User => "user",
            Catalog::ServiceAccount => "service account",
        }
    }

    pub(crate) fn table(self) -> &'static str {
        match self {
            Catalog::Api => "apis",
            Catalog::Project => "projects",
            Catalog::User => "users",
            Catalog::ServiceAccount => "service_accounts",
        }
    }

    /// The link table and its column, for catalogs that are scope lists.
    pub(crate) fn link(self) -> Option<(&'static str, &'static str)> {
        match self {
            Catalog::Api => Some(("token_apis", "api_id")),
            Catalog::Project => Some(("token_projects", "project_id")),
            Catalog::User => Some(("token_users", "user_id")),
            Catalog::ServiceAccount => None,
        }
    }
}

impl fmt::Display for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Catalog {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "api" | "apis" => Ok(Catalog::Api),
            "project" | "projects" => Ok(Catalog::Project),
            "user" | "users" => Ok(Catalog::User),
            "service-account" | "service-accounts" => Ok(Catalog::ServiceAccount),
            _ => Err(Error::invalid("catalog", format!("'{s}' is not a catalog"))),
        }
    }
}

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    /// Unique name within its catalog (case-insensitive).
    pub name: String,
    /// API: HTTP method; user: email; service account: description.
    pub detail: Option<String>,
    /// API: path pattern.
    pub extra: Option<String>,
    /// When it was added.
    pub created_at: crate::model::clock::Timestamp,
}

impl CatalogEntry {
    /// An entry with just a name.
    pub fn named(name: impl Into<String>) -> Self {
        CatalogEntry {
            name: name.into(),
            detail: None,
            extra: None,
            created_at: 0,
        }
    }
}

/// A checked catalog name: an API may not be called `*`, which means "every API".
fn catalog_name(catalog: Catalog, name: &str) -> Result<String> {
    let name = validate_name(name)?;
    if catalog == Catalog::Api && name == crate::model::token::ALL_APIS {
        return Err(crate::model::error::Error::invalid(
            "name",
            "'*' means every API; give the API a name of its own",
        ));
    }
    Ok(name)
}

impl Vault {
    /// Adds an entry to a catalog.
    pub fn catalog_add(&mut self, catalog: Catalog, entry: CatalogEntry) -> Result<CatalogEntry> {
        let name = catalog_name(catalog, &entry.name)?;
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let mut entry = CatalogEntry {
            name,
            detail: clean(entry.detail),
            extra: clean(entry.extra),
            created_at: 0,
        };
        let detail = format!("{} '{}'", catalog.label(), entry.name);
        entry.created_at = self.catalog_action("catalog_add", detail, |tx, now| {
            store::catalog_add(tx, catalog, &entry, now)?;
            Ok(now)
        })?;
        Ok(entry)
    }

    /// Every entry of a catalog, by name.
    pub fn catalog_list(&self, catalog: Catalog) -> Result<Vec<CatalogEntry>> {
        store::catalog_list(&self.conn, catalog)
    }

    /// Renames an entry; tokens follow the new name.
    pub fn catalog_rename(&mut self, catalog: Catalog, old: &str, new: &str) -> Result<()> {
        let new = catalog_name(catalog, new)?;
        let detail = format!("{} '{}' -> '{new}'", catalog.label(), old.trim());
        self.catalog_action("catalog_rename", detail, |tx, _| {
            store::catalog_rename(tx, catalog, old, &new)
        })
    }

    /// Removes an entry, refused while any token refers to it.
    pub fn catalog_remove(&mut self, catalog: Catalog, name: &str) -> Result<()> {
        let detail = format!("{} '{}'", catalog.label(), name.trim());
        self.catalog_action("catalog_remove", detail, |tx, _| {
            let id = store::catalog_id(tx, catalog, name)?;
            let count = store::catalog_refs(tx, catalog, id)?;
            if count > 0 {
                return Err(Error::InUse {
                    what: catalog.label(),
                    name: name.trim().to_string(),
                    count,
                });
            }
            store::catalog_remove(tx, catalog, id)
        })
    }

    /// Runs a catalog change in one transaction with its audit event; a failure is
    /// audited on its own.
    fn catalog_action<T>(
        &mut self,
        action: &'static str,
        detail: String,
        f: impl FnOnce(&rusqlite::Transaction<'_>, crate::model::clock::Timestamp) -> Result<T>,
    ) -> Result<T> {
        let result = self.transact(|tx, now| {
            let out = f(tx, now)?;
            store::insert_audit(
                tx,
                &store::NewAuditEvent::vault(action, "ok", &detail).at(now),
            )?;
            Ok(out)
        });
        if let Err(err) = &result {
            let failed = format!("{detail}: {err}");
            let _ = self.record_event(store::NewAuditEvent::vault(action, "failed", &failed));
        }
        result
    }
}
