//! What needs attention: usable tokens that expire within a window or are due for
//! replacement. The app notifies of them at unlock and once a day and lists them on
//! the dashboard; `tessera list --attention` prints them.

use crate::model::clock::DAY;
use crate::model::error::Result;
use crate::model::query::{Hit, Query, Sort};
use crate::model::token::{Status, Token};
use crate::vault::Vault;

/// At most this many tokens are listed.
pub const LISTED: usize = 100;

/// Days before expiry from which a token needs attention, unless a setting says
/// otherwise.
pub const DEFAULT_DAYS: u32 = 7;

impl Vault {
    /// Usable tokens that expire within `days` or are due for rotation, soonest first
    /// (those that never expire last), at most [`LISTED`]. Both filters run on the
    /// search index, so only the tokens listed are read from the vault: at 100,000
    /// tokens this takes a few milliseconds.
    pub fn needing_attention(&mut self, days: u32) -> Result<Vec<Token>> {
        let horizon = self.now() + i64::from(days) * DAY;
        // Usable tokens by expiry, soonest first: those inside the window come first,
        // and no more than LISTED of them are listed.
        let mut found: Vec<Hit> = self
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
        let due = self.search(&Query {
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
        Ok(found.into_iter().map(|hit| hit.token).collect())
    }
}
