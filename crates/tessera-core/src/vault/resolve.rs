//! Handing secrets to programs: references (`tessera://NAME[/FIELD]`) resolved for
//! `tessera run` and `tessera inject`. A reference to a revoked or expired token is
//! refused before anything is handed out; one audit event names the tokens and the
//! program (never a value), and each token counts a use.

use crate::crypto::rsa as rsa_keys;
use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::clock::rfc3339;
use crate::model::error::{Error, Result};
use crate::model::reference::{Field, Reference};
use crate::model::secret::{Secret, SecretBytes};
use crate::model::token::{Status, TokenKind};
use crate::store::{self, NewAuditEvent};
use crate::vault::Vault;

impl Vault {
    /// The values `references` name, in their order, for `program` (audited as
    /// `action`: [`AuditAction::Run`] or [`AuditAction::Inject`]). All or nothing: a
    /// reference that does not resolve fails the whole call, and nothing is recorded.
    pub fn resolve(
        &mut self,
        references: &[Reference],
        program: &str,
        action: AuditAction,
    ) -> Result<Vec<Secret>> {
        self.flush_usage()?;
        let now = self.now();
        let mut values = Vec::with_capacity(references.len());
        let mut used: Vec<(String, String)> = Vec::new();
        for reference in references {
            let token = self.token(&reference.token)?;
            let refused = |reason: &'static str| Error::InvalidState {
                action: "hand out",
                name: token.name.clone(),
                reason,
            };
            match token.status(now) {
                Status::Revoked => return Err(refused("it is revoked")),
                Status::Expired => return Err(refused("it has expired")),
                _ => {}
            }
            // A page put back from an older copy cannot hand out a rotated-away secret.
            self.seals.check_token(&self.conn, &token.id)?;
            let rsa = token.kind == TokenKind::Rsa;
            let not_rsa = || {
                Error::invalid(
                    "reference",
                    format!(
                        "{}: '{}' is not an RSA token; only RSA tokens have a public key, a token file and a key id",
                        reference.text(),
                        token.name
                    ),
                )
            };
            let value = match reference.field {
                Field::ExpiresAt => {
                    Secret::new(token.expires_at().map(rfc3339).unwrap_or_default())
                }
                Field::KeyId if rsa => Secret::new(token.key_id.clone().unwrap_or_default()),
                Field::Secret | Field::PublicKey | Field::TokenFile => {
                    let (value, public) = store::secret_of(&self.conn, &token.id)?;
                    match (reference.field, rsa) {
                        (Field::Secret, false) => String::from_utf8(value)
                            .map(Secret::new)
                            .map_err(|_| Error::Damaged("a stored secret is not text".into()))?,
                        // The private key is what an RSA token's secret is.
                        (Field::Secret, true) => {
                            rsa_keys::private_pem(&SecretBytes::new(value), None)?
                        }
                        (Field::PublicKey, true) => Secret::new(rsa_keys::public_pem(
                            public.as_deref().unwrap_or_default(),
                        )?),
                        (Field::TokenFile, true) => self.token_file_of(
                            &token,
                            &SecretBytes::new(value),
                            public.as_deref().unwrap_or_default(),
                            None,
                        )?,
                        _ => return Err(not_rsa()),
                    }
                }
                Field::KeyId => return Err(not_rsa()),
            };
            values.push(value);
            if !used.iter().any(|(id, _)| *id == token.id) {
                used.push((token.id.clone(), token.name.clone()));
            }
        }
        let names: Vec<&str> = used.iter().map(|(_, name)| name.as_str()).collect();
        let detail = format!("{program}: {}", names.join(", "));
        self.transact(|tx, now| {
            for (id, _) in &used {
                store::record_use(tx, id, now, 1)?;
            }
            store::insert_audit(
                tx,
                &NewAuditEvent::vault(action, AuditOutcome::Ok, &detail).at(now),
            )
        })?;
        Ok(values)
    }
}
