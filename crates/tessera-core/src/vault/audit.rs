//! The vault's audit operations (types in `model::audit`).

use crate::model::audit::{AuditEvent, AuditFilter};
use crate::model::error::Result;
use crate::store;
use crate::vault::Vault;

impl Vault {
    /// Audit events, newest first.
    pub fn audit(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        self.flush_usage()?;
        store::audit_events(&self.conn, filter)
    }
}
