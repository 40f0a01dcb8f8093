//! What `tessera serve` asks of the vault: introspection (RFC 7662), revocation
//! (RFC 7009) and the public keys (RFC 7517), each audited. The HTTP side lives in the
//! CLI; this is the vault's half, free of any network.

use crate::crypto::jwk::{self, JwkSet};
use crate::crypto::jwt;
use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::error::Result;
use crate::model::introspection::Introspection;
use crate::model::token::{Token, TokenKind};
use crate::model::verification::Verification;
use crate::store::{self, NewAuditEvent};
use crate::vault::Vault;

impl Vault {
    /// The issuer of this vault's JWTs and token files, `tessera:<vault id>`.
    pub fn issuer(&self) -> String {
        crate::crypto::jwt::issuer_of(&self.header.vault_id)
    }

    /// Introspects a token for `client`: [`Vault::verify`], answered as RFC 7662 fields.
    /// An inactive token's answer says nothing more; the reason is in the audit log.
    pub fn introspect(
        &mut self,
        presented: &str,
        api: Option<&str>,
        user: Option<&str>,
        client: &str,
    ) -> Result<Introspection> {
        let presented = presented.trim();
        Ok(match self.verify_for(presented, api, user, Some(client))? {
            (Verification::Active(token), times) => {
                Introspection::active(&token, &self.issuer(), user, times)
            }
            (Verification::Inactive(_), _) => Introspection::inactive(),
        })
    }

    /// Revokes the token `presented` is, for `client` (RFC 7009). A string that is no
    /// current token of this vault, an external token (issued elsewhere) or a token
    /// already revoked changes nothing, and the caller is told nothing different
    /// (RFC 7009 §2.2); the audit log says which it was. Returns the token revoked.
    pub fn revoke_presented(&mut self, presented: &str, client: &str) -> Result<Option<Token>> {
        let by = format!("revoked by client '{client}'");
        let found = self.by_value(presented.trim())?;
        let Some(token) = found else {
            self.note_serve(
                AuditAction::Revoke,
                None,
                AuditOutcome::Failed,
                format!("client '{client}' asked to revoke a token this vault does not hold"),
            );
            return Ok(None);
        };
        let refused = match (token.kind, token.lifetime.revoked) {
            (TokenKind::External, _) => {
                Some("it was issued elsewhere: revoke it with its provider")
            }
            (_, true) => Some("it is already revoked"),
            _ => None,
        };
        if let Some(why) = refused {
            self.note_serve(
                AuditAction::Revoke,
                Some(&token),
                AuditOutcome::Failed,
                format!("client '{client}' asked to revoke it; {why}"),
            );
            return Ok(None);
        }
        let id = token.id.clone();
        self.transact(|tx, now| {
            let current = store::token(tx, &id)?;
            if current.lifetime.revoked {
                return Ok(None);
            }
            store::set_revoked(tx, &id, Some(now))?;
            let revoked = store::token(tx, &id)?;
            store::insert_audit(
                tx,
                &NewAuditEvent::token(AuditAction::Revoke, Some(&revoked), AuditOutcome::Ok, &by)
                    .at(now),
            )?;
            Ok(Some(revoked))
        })
    }

    /// The public keys that verify what this vault issues or accepts: its RS256 and
    /// EdDSA JWT signing keys (`kid` `tessera-rs256`, `tessera-eddsa`) and the keys of
    /// its active RSA tokens (`kid` their key id). Read afresh on every call.
    pub fn jwks(&mut self) -> Result<JwkSet> {
        let signer = jwt::Signer::load(&self.conn, &self.header.vault_id)?;
        let mut keys = signer.public_jwks()?;
        self.signer = Some(signer);
        for (kid, spki) in store::active_rsa_keys(&self.conn, self.now())? {
            keys.push(jwk::rsa(&kid, &spki)?);
        }
        Ok(JwkSet { keys })
    }

    /// Buffers an audit event of the introspection service, written with the next
    /// flush of verification records (within a second), so that a busy service does
    /// not wait for the disk on every call.
    pub fn note_serve_event(&mut self, outcome: AuditOutcome, detail: impl Into<String>) {
        self.note_serve(AuditAction::Serve, None, outcome, detail.into());
    }

    fn note_serve(
        &mut self,
        action: AuditAction,
        token: Option<&Token>,
        outcome: AuditOutcome,
        detail: String,
    ) {
        let now = self.now();
        self.pending
            .event(NewAuditEvent::token(action, token, outcome, detail).at(now));
    }
}
