//! Verification, in the manner of RFC 7662 introspection: is this token good (for this
//! API, for this user)? The answer is `Active` with the token's id, kind, name, scopes
//! and expiry, or `Inactive` with the precise reason. Every call asks the vault whether
//! anything was committed since the token was last read, and reads it again if so, so
//! a revocation is never missed ([`crate::vault::recent`]); only the last-use record of
//! a success is buffered (durable within a second).

use crate::crypto::jwt::{self, Signer};
use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::clock::Timestamp;
use crate::model::error::Result;
use crate::model::introspection::JwtTimes;
use crate::model::token::{Token, TokenKind};
use crate::model::token_shape::{self, Shape};
use crate::model::verification::{Reason, Verification, authorize};
use crate::store::{self, NewAuditEvent};
use crate::vault::Vault;
use crate::vault::recent::Found;

/// How a check ended: active (with a vault JWT's times), or the reason it is not.
type Outcome = std::result::Result<Option<JwtTimes>, Reason>;

impl Vault {
    /// Verifies a token string, optionally for an API and a user. A success records
    /// the token's last use; every call is audited (without the token string).
    pub fn verify(
        &mut self,
        presented: &str,
        api: Option<&str>,
        user: Option<&str>,
    ) -> Result<Verification> {
        self.verify_for(presented, api, user, None)
            .map(|(answer, _)| answer)
    }

    /// [`Vault::verify`] on behalf of a client of the introspection service, whom the
    /// audit event names; with the times an active vault JWT carries, as its signature
    /// check read them.
    pub(crate) fn verify_for(
        &mut self,
        presented: &str,
        api: Option<&str>,
        user: Option<&str>,
        client: Option<&str>,
    ) -> Result<(Verification, Option<JwtTimes>)> {
        let now = self.now();
        let (token, mut outcome) = self.check(presented.trim(), api, user, now)?;
        if outcome.is_ok() && self.replica_is_stale(now)? {
            outcome = Err(Reason::StaleReplica);
        }
        self.note_verification(token.as_ref(), outcome.map(|_| ()), now, client);
        self.flush_usage_if_due()?;
        Ok(match (outcome, token) {
            (Ok(times), Some(token)) => (Verification::Active(Box::new(token)), times),
            (Ok(_), None) => (Verification::Inactive(Reason::Unknown), None),
            (Err(reason), _) => (Verification::Inactive(reason), None),
        })
    }

    /// Finds the token a string denotes and checks it; the token is returned even when
    /// inactive, for the audit, and a vault JWT's times when it is active.
    fn check(
        &mut self,
        presented: &str,
        api: Option<&str>,
        user: Option<&str>,
        now: Timestamp,
    ) -> Result<(Option<Token>, Outcome)> {
        match token_shape::parse(presented) {
            Shape::Malformed => return Ok((None, Err(Reason::Malformed))),
            Shape::BadChecksum => return Ok((None, Err(Reason::BadChecksum))),
            Shape::Foreign if presented.is_empty() => return Ok((None, Err(Reason::Malformed))),
            Shape::Valid(_) | Shape::Foreign => {}
        }
        let hash = crate::vault::lifecycle::hash(presented);
        match self.found(presented, &hash)? {
            Some(found) if found.token.kind == TokenKind::Jwt => {
                let signed = match found.signed {
                    Some(signed) => signed,
                    None => {
                        let signed = self.check_signature(presented)?;
                        self.recent.set_signed(&hash, signed);
                        signed
                    }
                };
                let token = found.token;
                let outcome = signed
                    .and_then(|times| jwt::check_issued_times(&times, now).map(|()| times))
                    .and_then(|times| authorize(&token, api, user, now).map(|()| Some(times)));
                Ok((Some(token), outcome))
            }
            Some(Found { token, .. }) => {
                let outcome = authorize(&token, api, user, now).map(|()| None);
                Ok((Some(token), outcome))
            }
            None if presented.split('.').count() == 3 => {
                let (token, outcome) = self.check_other_jwt(presented, api, user, now)?;
                Ok((token, outcome.map(|()| None)))
            }
            None => Ok((None, Err(Reason::Unknown))),
        }
    }

    /// Checks a JWT's signature against the vault's signing keys (not its times).
    fn check_signature(
        &mut self,
        presented: &str,
    ) -> Result<std::result::Result<JwtTimes, Reason>> {
        let mut signer = self.take_signer()?;
        if signer.lacks(presented) {
            // Another process (the CLI beside a running service) made the key since.
            signer = Signer::load(&self.conn, &self.header.vault_id)?;
        }
        let outcome = signer
            .verify_signature(presented)
            .map(|claims| claims.times());
        self.signer = Some(signer);
        Ok(outcome)
    }

    /// The token whose value `presented` is, current as of the vault's last commit.
    pub(crate) fn by_value(&mut self, presented: &str) -> Result<Option<Token>> {
        let hash = crate::vault::lifecycle::hash(presented);
        Ok(self.found(presented, &hash)?.map(|found| found.token))
    }

    /// Looks a token up by the hash of its value and compares the value in constant time.
    /// The token's rows are checked against its seal first: a page put back from an
    /// older copy cannot answer for it (see [`crate::store::seal`]). When the vault has
    /// not changed since the same value was last found, the answer is the one found
    /// then ([`crate::vault::recent`]).
    fn found(&mut self, presented: &str, hash: &[u8; 32]) -> Result<Option<Found>> {
        if let Some(found) = self.recent.get(&self.conn, hash)? {
            return Ok(Some(found.clone()));
        }
        let found = store::token_by_hash(&self.conn, hash)?.and_then(|(token, stored)| {
            let same: bool =
                subtle::ConstantTimeEq::ct_eq(stored.as_slice(), presented.as_bytes()).into();
            same.then_some(token)
        });
        let Some(token) = found else {
            return Ok(None);
        };
        self.seals.check_token(&self.conn, &token.id)?;
        let found = Found {
            token,
            signed: None,
        };
        self.recent.put(*hash, found.clone());
        Ok(Some(found))
    }

    /// A JWT that is not a current token value: a tampered or replaced Tessera JWT, or
    /// an RSA token holder's assertion.
    fn check_other_jwt(
        &mut self,
        presented: &str,
        api: Option<&str>,
        user: Option<&str>,
        now: Timestamp,
    ) -> Result<(Option<Token>, std::result::Result<(), Reason>)> {
        let kid = match jwt::assertion_kid(presented) {
            Ok(kid) => kid,
            Err(reason) => return Ok((None, Err(reason))),
        };
        if kid.as_deref().is_some_and(|k| k.starts_with("tessera-")) {
            // Well signed but not current means replaced: unknown.
            let outcome = self
                .check_signature(presented)?
                .and_then(|times| jwt::check_issued_times(&times, now))
                .and(Err(Reason::Unknown));
            return Ok((None, outcome));
        }
        let Some(kid) = kid else {
            return Ok((None, Err(Reason::Unknown)));
        };
        let Some((token, public_key)) = store::token_by_key_id(&self.conn, &kid)? else {
            return Ok((None, Err(Reason::Unknown)));
        };
        if token.kind != TokenKind::Rsa {
            return Ok((None, Err(Reason::Unknown)));
        }
        self.seals.check_token(&self.conn, &token.id)?;
        // The signature before anything else: whoever cannot sign learns nothing about
        // the token, not even whether it is revoked, and leaves no trace on it.
        let assertion = match jwt::verify_assertion(presented, &public_key, &token.id, now) {
            Ok(assertion) => assertion,
            Err(reason) => return Ok((None, Err(reason))),
        };
        let outcome = authorize(&token, api, user, now).and_then(|()| {
            // The audience names the API the assertion is for, asked about or not.
            let for_api = |aud: &String| {
                token.allows_api(aud) && api.is_none_or(|api| aud.eq_ignore_ascii_case(api.trim()))
            };
            match assertion.audiences.iter().any(for_api) {
                true => Ok(()),
                false => Err(Reason::ApiNotAuthorized),
            }
        });
        if outcome.is_err() {
            return Ok((Some(token), outcome));
        }
        let fresh = self.transact(|tx, now| {
            store::consume_assertion(tx, &assertion.jti, &token.id, assertion.expires_at, now)
        })?;
        let outcome = if fresh { Ok(()) } else { Err(Reason::Replayed) };
        Ok((Some(token), outcome))
    }

    /// Buffers the last-use record and the audit event of one verification.
    fn note_verification(
        &mut self,
        token: Option<&Token>,
        outcome: std::result::Result<(), Reason>,
        now: Timestamp,
        client: Option<&str>,
    ) {
        let (label, mut detail) = match outcome {
            Ok(()) => (AuditOutcome::Active, String::new()),
            Err(reason) => (AuditOutcome::Inactive, reason.as_str().to_string()),
        };
        if let Some(client) = client {
            let sep = if detail.is_empty() { "" } else { "; " };
            detail = format!("{detail}{sep}introspected by client '{client}'");
        }
        if let (Ok(()), Some(token)) = (outcome, token) {
            let entry = self
                .pending
                .uses
                .entry(token.id.clone())
                .or_insert((now, 0));
            entry.0 = entry.0.max(now);
            entry.1 += 1;
        }
        self.pending
            .event(NewAuditEvent::token(AuditAction::Verify, token, label, detail).at(now));
    }
}
