//! Verification's memory of the tokens it found, for one state of the vault: a service
//! asked about the same tokens again and again looks each up, checks its seal and (for
//! a vault JWT) its signature once, and from then on only asks whether the vault has
//! changed. Any commit, by this connection or another process, is a new state and
//! empties the memory, so a revocation is seen by the next call as before. The one
//! exception is this connection's own flush of buffered last uses and audit events
//! ([`Recent::carry_over`]): it changes no token's status, scopes or value, so what was
//! found before it still holds after it (only the remembered last-use fields lag).
//!
//! What is kept: the SHA-256 of a token's value (the vault stores the same hash), the
//! token's facts (no secret field) and a vault JWT's signed times. Time-dependent
//! answers (expiry, `nbf`) are worked out afresh on every call.

use crate::model::error::Result;
use crate::model::introspection::JwtTimes;
use crate::model::token::Token;
use crate::model::verification::Reason;
use crate::store::Connection;
use std::collections::HashMap;

/// At most this many tokens are remembered (a few hundred bytes each, a few MiB in
/// all); one more and the memory starts over. A verifier that sees 10,000 different
/// tokens again and again keeps them all.
const MAX_TOKENS: usize = 16_384;

/// A token found by value, with what its signature check found for a vault JWT.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) token: Token,
    /// A vault JWT's signature check: its times, or why it failed. `None` for other
    /// kinds, and for a JWT not checked yet.
    pub(crate) signed: Option<std::result::Result<JwtTimes, Reason>>,
}

/// The state of the vault a memory belongs to: `PRAGMA data_version` (another
/// connection's commits) and this connection's count of changed rows (its own).
pub(crate) type State = (i64, u64);

#[derive(Debug, Default)]
pub(crate) struct Recent {
    state: Option<State>,
    by_hash: HashMap<[u8; 32], Found>,
}

impl Recent {
    /// Forgets every token: after a change of this connection's own.
    pub(crate) fn clear(&mut self) {
        self.by_hash.clear();
        self.state = None;
    }

    /// The token whose value hashes to `hash`, if it was found at the vault's current
    /// state. Reads the state (one small statement), and forgets everything when it
    /// moved.
    pub(crate) fn get(&mut self, conn: &Connection, hash: &[u8; 32]) -> Result<Option<&Found>> {
        let state = current(conn)?;
        if self.state != Some(state) {
            self.by_hash.clear();
            self.state = Some(state);
        }
        Ok(self.by_hash.get(hash))
    }

    /// Remembers a token found at the state the last [`Recent::get`] read.
    pub(crate) fn put(&mut self, hash: [u8; 32], found: Found) {
        if self.state.is_none() {
            return;
        }
        if self.by_hash.len() >= MAX_TOKENS {
            // Starting over costs nothing per call; taking out one entry at a time
            // (the first a scan finds) made each insertion scan ever more empty slots.
            self.by_hash.clear();
        }
        self.by_hash.insert(hash, found);
    }

    /// After a commit of this connection's own that changed no token's facts (the flush
    /// of buffered last uses and audit events): when the memory belonged to `before`,
    /// the state read inside that write transaction, it now belongs to the state after
    /// it. Any other process's commit before the transaction took the write lock shows
    /// in `before` (its `data_version`), and the memory is then left to be emptied. The
    /// state after keeps `before`'s `data_version` rather than reading it again (this
    /// connection's own commit does not move it), so that a commit elsewhere right after
    /// this one still empties the memory at the next [`Recent::get`].
    pub(crate) fn carry_over(&mut self, before: State, conn: &Connection) {
        if self.state == Some(before) {
            self.state = Some((before.0, conn.total_changes()));
        }
    }

    /// Records a vault JWT's signature check for a remembered token.
    pub(crate) fn set_signed(
        &mut self,
        hash: &[u8; 32],
        signed: std::result::Result<JwtTimes, Reason>,
    ) {
        if let Some(found) = self.by_hash.get_mut(hash) {
            found.signed = Some(signed);
        }
    }
}

/// The vault's state as this connection sees it now.
pub(crate) fn current(conn: &Connection) -> Result<State> {
    let version: i64 = conn
        .prepare_cached("PRAGMA data_version")?
        .query_row([], |row| row.get(0))?;
    Ok((version, conn.total_changes()))
}
