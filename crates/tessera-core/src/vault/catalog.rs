//! The vault's catalog operations (types in `model::catalog`).

use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::catalog::{Catalog, CatalogEntry, catalog_name};
use crate::model::error::{Error, Result};
use crate::store;
use crate::vault::Vault;

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
        entry.created_at = self.catalog_action(AuditAction::CatalogAdd, detail, |tx, now| {
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
        self.catalog_action(AuditAction::CatalogRename, detail, |tx, _| {
            store::catalog_rename(tx, catalog, old, &new)
        })
    }

    /// Removes an entry, refused while any token refers to it.
    pub fn catalog_remove(&mut self, catalog: Catalog, name: &str) -> Result<()> {
        let detail = format!("{} '{}'", catalog.label(), name.trim());
        self.catalog_action(AuditAction::CatalogRemove, detail, |tx, _| {
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
        action: AuditAction,
        detail: String,
        f: impl FnOnce(&crate::store::Transaction<'_>, crate::model::clock::Timestamp) -> Result<T>,
    ) -> Result<T> {
        let result = self.transact(|tx, now| {
            let out = f(tx, now)?;
            store::insert_audit(
                tx,
                &store::NewAuditEvent::vault(action, AuditOutcome::Ok, &detail).at(now),
            )?;
            Ok(out)
        });
        if let Err(err) = &result {
            let failed = format!("{detail}: {err}");
            let _ = self.record_event(store::NewAuditEvent::vault(
                action,
                AuditOutcome::Failed,
                &failed,
            ));
        }
        result
    }
}
