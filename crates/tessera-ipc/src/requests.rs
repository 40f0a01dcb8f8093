//! What each request means in the core's terms: the conversions the Tauri commands make
//! from what the window sent. Every one returns a clear error for a bad value; none
//! panics on any input (the `ipc_requests` fuzz target drives them).

use crate::dto::{AuditQuery, CatalogInput, CreateRequest, EditRequest, SearchRequest};
use tessera_core::audit::AuditFilter;
use tessera_core::catalog::{Catalog, CatalogEntry};
use tessera_core::clock::Timestamp;
use tessera_core::lifecycle::{NewToken, TokenChanges};
use tessera_core::search::Query;
use tessera_core::token::Expiry;
use tessera_core::{Result, Secret};

/// A catalog by its IPC name ("apis", "projects", "users", "service_accounts").
pub fn catalog(name: &str) -> Result<Catalog> {
    name.parse()
}

impl CreateRequest {
    /// The creation request, with its expiry read relative to `now`.
    pub fn into_new_token(self, now: Timestamp) -> Result<NewToken> {
        Ok(NewToken {
            description: self.description,
            expires: Expiry::parse(&self.expires, now)?,
            apis: self.apis,
            projects: self.projects,
            users: self.users,
            service_account: self.service_account.filter(|s| !s.is_empty()),
            rsa_bits: self.rsa_bits.map(|b| b as usize),
            jwt_alg: self.jwt_alg,
            rotation_days: self.rotation_days,
            value: self.value.map(Secret::new),
            service: self.service.filter(|s| !s.is_empty()),
            ..NewToken::new(self.kind, self.name)
        })
    }
}

impl EditRequest {
    /// The changes; a security period of 0 days removes it.
    pub fn into_changes(self, now: Timestamp) -> Result<TokenChanges> {
        Ok(TokenChanges {
            name: self.name,
            description: self.description,
            expires: self.expires.map(|e| Expiry::parse(&e, now)).transpose()?,
            apis: self.apis,
            projects: self.projects,
            users: self.users,
            service_account: self.service_account,
            rotation_days: self.rotation_days.map(|d| (d != 0).then_some(d)),
            service: self.service,
        })
    }
}

impl SearchRequest {
    /// The query.
    pub fn to_query(&self) -> Result<Query> {
        Ok(Query {
            text: self.text.clone(),
            kind: self.kind,
            status: self.status,
            sort: self.sort,
            offset: self.offset as usize,
            limit: self.limit as usize,
        })
    }
}

impl AuditQuery {
    /// The filter; an empty token means "any".
    pub fn into_filter(self) -> AuditFilter {
        AuditFilter {
            action: self.action,
            token: self.token.filter(|t| !t.is_empty()),
            since: None,
            succeeded: self.failed_only.then_some(false),
            limit: Some(self.limit.into()),
        }
    }
}

impl CatalogInput {
    /// The new entry.
    pub fn into_entry(self) -> CatalogEntry {
        CatalogEntry {
            detail: self.detail,
            extra: self.extra,
            ..CatalogEntry::named(self.name)
        }
    }
}
