//! The token lifecycle: create, modify, rotate (replace), revoke, restore, delete, and
//! revealing a secret on purpose. Each action is one transaction that also appends its
//! audit event; a refused or failed action changes nothing and is audited on its own.

use crate::crypto::jwt::{JwtClaims, NEVER_EXPIRES_SECS, Signer};
use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::catalog::Catalog;
use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use crate::model::secret::{Secret, SecretBytes};
use crate::model::token::{
    ALL_APIS, Expiry, JwtAlg, Token, TokenKind, validate_name, validate_rotation_days,
};
use crate::store::Transaction;
use crate::store::{self, NewAuditEvent, NewTokenRow, SecretRow};
use crate::vault::Vault;
use sha2::Digest;

/// Longest external token Tessera keeps.
pub const MAX_EXTERNAL_BYTES: usize = 16 * 1024;

/// A request to create a token. Fields that do not apply to the kind must be empty.
#[derive(Debug)]
pub struct NewToken {
    /// The kind.
    pub kind: TokenKind,
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// When it expires.
    pub expires: Expiry,
    /// Authorized APIs (personal, service, rsa, jwt).
    pub apis: Vec<String>,
    /// Authorized projects (rsa).
    pub projects: Vec<String>,
    /// Authorized users (jwt).
    pub users: Vec<String>,
    /// Owning service account (service, required).
    pub service_account: Option<String>,
    /// Key size (rsa; default 2048).
    pub rsa_bits: Option<usize>,
    /// Signing algorithm (jwt; default HS256).
    pub jwt_alg: Option<JwtAlg>,
    /// Security period in days.
    pub rotation_days: Option<i64>,
    /// The pasted value (external, required).
    pub value: Option<Secret>,
    /// The issuing service (external; recognised from the prefix when not given).
    pub service: Option<String>,
}

impl NewToken {
    /// A request with only kind and name set, expiring never.
    pub fn new(kind: TokenKind, name: impl Into<String>) -> Self {
        NewToken {
            kind,
            name: name.into(),
            description: String::new(),
            expires: Expiry::Never,
            apis: Vec::new(),
            projects: Vec::new(),
            users: Vec::new(),
            service_account: None,
            rsa_bits: None,
            jwt_alg: None,
            rotation_days: None,
            value: None,
            service: None,
        }
    }
}

/// Changes to a token; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct TokenChanges {
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New expiry.
    pub expires: Option<Expiry>,
    /// New API list.
    pub apis: Option<Vec<String>>,
    /// New project list.
    pub projects: Option<Vec<String>>,
    /// New user list.
    pub users: Option<Vec<String>>,
    /// New service account.
    pub service_account: Option<String>,
    /// New security period (`Some(None)` removes it).
    pub rotation_days: Option<Option<i64>>,
    /// New service label (external).
    pub service: Option<String>,
}

/// A token and, where the action made one, its new secret: shown to the caller once.
#[derive(Debug)]
pub struct Issued {
    /// The token's metadata.
    pub token: Token,
    /// The new secret: random and external tokens and JWTs; `None` for RSA tokens,
    /// whose private key is handed out as a token file.
    pub secret: Option<Secret>,
}

/// What a secret is revealed for; each is audited under its own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Shown or printed (`tessera get`, Reveal).
    Reveal,
    /// Put on the clipboard.
    Copy,
}

/// A new secret in stored form.
struct Made {
    value: SecretBytes,
    hash: Option<[u8; 32]>,
    public_key: Option<Vec<u8>>,
    key_id: Option<String>,
    shown: Option<Secret>,
}

impl Made {
    fn row(&self) -> SecretRow<'_> {
        SecretRow {
            // Storing the secret in the encrypted vault.
            value: self.value.expose(),
            hash: self.hash,
            public_key: self.public_key.as_deref(),
        }
    }
}

/// SHA-256 of a token string: the lookup key for verification.
pub(crate) fn hash(token: &str) -> [u8; 32] {
    sha2::Sha256::digest(token.as_bytes()).into()
}

/// A new RSA key pair in stored form.
fn rsa_secret(bits: usize) -> Result<Made> {
    let pair = crate::crypto::rsa::generate(bits)?;
    Ok(Made {
        value: pair.private_der,
        hash: None,
        public_key: Some(pair.public_der),
        key_id: Some(pair.key_id),
        shown: None,
    })
}

fn text_secret(secret: Secret) -> Made {
    // The string is stored and hashed for lookup.
    let value = SecretBytes::new(secret.expose().as_bytes().to_vec());
    Made {
        hash: Some(hash(secret.expose())),
        value,
        public_key: None,
        key_id: None,
        shown: Some(secret),
    }
}

fn refuse_scope(
    kind: TokenKind,
    field: &'static str,
    present: bool,
    allowed: bool,
    who: &str,
) -> Result<()> {
    if present && !allowed {
        return Err(Error::invalid(
            field,
            format!("{kind} tokens have none; only {who} do"),
        ));
    }
    Ok(())
}

/// Checks an API list: names for personal, service, RSA and JWT tokens; "every API"
/// (`*`, alone) only where a person may choose it; none for the workspace token, which
/// has every API by definition, or for external tokens, which this vault did not issue.
fn check_apis(kind: TokenKind, apis: &[String]) -> Result<()> {
    use TokenKind::*;
    if kind == Workspace && !apis.is_empty() {
        return Err(Error::invalid(
            "APIs",
            "the workspace token is authorized for every API by definition",
        ));
    }
    refuse_scope(
        kind,
        "APIs",
        !apis.is_empty(),
        kind.fields().apis,
        "personal, service, RSA and JWT tokens",
    )?;
    let every = apis.iter().any(|a| a.trim() == ALL_APIS);
    if every && !kind.fields().all_apis {
        return Err(Error::invalid(
            "APIs",
            format!(
                "{kind} tokens name their APIs; only personal and service tokens can have every API ('*')"
            ),
        ));
    }
    if every && apis.len() > 1 {
        return Err(Error::invalid(
            "APIs",
            "'*' means every API and stands alone; remove the other names",
        ));
    }
    Ok(())
}

/// Checks that only fields meaningful for the kind are set.
fn check_fields(req: &NewToken) -> Result<()> {
    let kind = req.kind;
    let fields = kind.fields();
    check_apis(kind, &req.apis)?;
    refuse_scope(
        kind,
        "projects",
        !req.projects.is_empty(),
        fields.projects,
        "RSA tokens",
    )?;
    refuse_scope(kind, "users", !req.users.is_empty(), fields.users, "JWTs")?;
    refuse_scope(
        kind,
        "service account",
        req.service_account.is_some(),
        fields.service_account,
        "service tokens",
    )?;
    refuse_scope(
        kind,
        "key size",
        req.rsa_bits.is_some(),
        fields.rsa_bits,
        "RSA tokens",
    )?;
    refuse_scope(
        kind,
        "algorithm",
        req.jwt_alg.is_some(),
        fields.jwt_alg,
        "JWTs",
    )?;
    refuse_scope(
        kind,
        "value",
        req.value.is_some(),
        fields.value,
        "external tokens",
    )?;
    refuse_scope(
        kind,
        "service",
        req.service.is_some(),
        fields.value,
        "external tokens",
    )?;
    if fields.service_account && req.service_account.is_none() {
        return Err(Error::invalid(
            "service account",
            "a service token needs its service account",
        ));
    }
    Ok(())
}

/// Checks a pasted external token and recognises its service.
/// How an external token's value is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::vault) enum Pasted {
    /// Pasted by a person: trimmed, and refused with spaces or line breaks inside (a
    /// paste that caught more than the token).
    Checked,
    /// Read from a file being imported: kept byte for byte, spaces and line breaks
    /// included (a multi-line key in a `.env`).
    Verbatim,
}

/// A value read from a file: kept as it is; refused only when empty, too long, or
/// holding a NUL; a known token's checksum still checked.
fn check_verbatim(value: &Secret, service: Option<String>) -> Result<(Secret, Option<String>)> {
    let text = value.expose();
    if text.trim().is_empty() {
        return Err(Error::invalid("token value", "the value is empty"));
    }
    if text.len() > MAX_EXTERNAL_BYTES {
        return Err(Error::invalid(
            "token value",
            format!("it is longer than {MAX_EXTERNAL_BYTES} bytes"),
        ));
    }
    if text.contains('\0') {
        return Err(Error::invalid("token value", "it holds a NUL byte"));
    }
    let service = if text.contains(char::is_whitespace) {
        service
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    } else {
        check_external(value, service)?.1
    };
    // Kept byte for byte: the value as the file holds it is what is stored.
    Ok((Secret::new(text.to_string()), service))
}

fn check_external(value: &Secret, service: Option<String>) -> Result<(Secret, Option<String>)> {
    // Validating the pasted value's shape; nothing of it enters the error.
    let trimmed = value.expose().trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(
            "token value",
            "paste the token; it is empty",
        ));
    }
    if trimmed.len() > MAX_EXTERNAL_BYTES {
        return Err(Error::invalid(
            "token value",
            format!("it is longer than {MAX_EXTERNAL_BYTES} bytes"),
        ));
    }
    if trimmed.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::invalid(
            "token value",
            "it contains spaces or control characters; paste the token alone",
        ));
    }
    let recognised = crate::model::external::recognise(trimmed);
    if recognised.checksum_ok == Some(false) {
        return Err(Error::invalid(
            "token value",
            format!(
                "this looks like a {} {} but its checksum does not match: it is probably truncated or mistyped",
                recognised.service.unwrap_or("known"),
                recognised.label.unwrap_or("token")
            ),
        ));
    }
    let service = service
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| recognised.service.map(str::to_string));
    Ok((Secret::new(trimmed.to_string()), service))
}

impl Vault {
    /// The vault's JWT signer, loaded on first use; the caller puts it back.
    pub(crate) fn take_signer(&mut self) -> Result<Signer> {
        match self.signer.take() {
            Some(signer) => Ok(signer),
            None => Signer::load(&self.conn, &self.header.vault_id),
        }
    }

    /// Runs `f` with the JWT signer; a failed transaction drops the cached keys so a
    /// key created inside it is never used unsaved.
    pub(crate) fn with_signer<T>(
        &mut self,
        f: impl FnOnce(&mut Vault, &mut Signer) -> Result<T>,
    ) -> Result<T> {
        let mut signer = self.take_signer()?;
        let out = f(self, &mut signer);
        if out.is_ok() {
            self.signer = Some(signer);
        }
        out
    }

    /// Runs a lifecycle action in one transaction with its audit event. When it fails,
    /// the failure is audited (naming the token only if the reference names one).
    fn audited<T>(
        &mut self,
        action: AuditAction,
        reference: &str,
        f: impl FnOnce(&Transaction<'_>, i64) -> Result<(Token, T)>,
    ) -> Result<T> {
        let result = self.transact(|tx, now| {
            let (token, out) = f(tx, now)?;
            store::insert_audit(
                tx,
                &NewAuditEvent::token(action, Some(&token), AuditOutcome::Ok, "").at(now),
            )?;
            Ok(out)
        });
        if let Err(err) = &result {
            let token = store::find_token(&self.conn, reference).ok().flatten();
            let detail = if token.is_some() {
                err.to_string()
            } else {
                format!("failed: {}", err.code())
            };
            let _ = self.record_event(NewAuditEvent::token(
                action,
                token.as_ref(),
                AuditOutcome::Failed,
                detail,
            ));
        }
        result
    }

    /// A token's metadata by id or name, checked against its seal: a row put back from
    /// an older copy is reported as damage, not shown (see [`crate::store::seal`]).
    pub fn token(&mut self, reference: &str) -> Result<Token> {
        let token = store::token(&self.conn, reference)?;
        self.seals.check_token(&self.conn, &token.id)?;
        Ok(token)
    }

    /// Whether `name` is free for a token (case-insensitively), ignoring `except` (an id
    /// or name: the token being renamed).
    pub fn name_available(&self, name: &str, except: Option<&str>) -> Result<bool> {
        let name = validate_name(name)?;
        let except_id = match except {
            Some(reference) => store::find_token(&self.conn, reference)?.map(|t| t.id),
            None => None,
        };
        Ok(!store::token_name_taken(
            &self.conn,
            &name,
            except_id.as_deref(),
        )?)
    }

    /// Creates a token. Its secret is returned here once (for RSA, export the token file).
    pub fn create_token(&mut self, req: NewToken) -> Result<Issued> {
        let name = req.name.clone();
        let result = self.create_tokens(vec![req]).and_then(|mut issued| {
            issued
                .pop()
                .ok_or_else(|| Error::Storage("nothing was created".into()))
        });
        if let Err(err) = &result {
            let detail = format!("'{}' failed: {}", name.trim(), err.code());
            let _ = self.record_event(NewAuditEvent::token(
                AuditAction::Create,
                None,
                AuditOutcome::Failed,
                detail,
            ));
        }
        result
    }

    /// Creates several tokens in one transaction (an import, or seeding a benchmark):
    /// all are created or none.
    pub fn create_tokens(&mut self, requests: Vec<NewToken>) -> Result<Vec<Issued>> {
        self.create_batch(requests, Pasted::Checked, AuditAction::Create, "")
    }

    /// Creates tokens in one transaction, each with an audit event of `action`: the
    /// values of external tokens as `pasted` says.
    pub(in crate::vault) fn create_batch(
        &mut self,
        requests: Vec<NewToken>,
        pasted: Pasted,
        action: AuditAction,
        detail: &str,
    ) -> Result<Vec<Issued>> {
        let now = self.now();
        let workspaces = requests
            .iter()
            .filter(|r| r.kind == TokenKind::Workspace)
            .count();
        if workspaces > 1 {
            return Err(Error::invalid("kind", "a vault has one workspace token"));
        }
        let prepared = requests
            .into_iter()
            .map(|req| self.prepare(req, now, pasted))
            .collect::<Result<Vec<_>>>()?;
        self.with_signer(|vault, signer| {
            for p in &prepared {
                if let Some(alg) = p.jwt_alg {
                    signer.ensure(&vault.conn, alg)?;
                }
            }
            vault.transact(|tx, now| {
                prepared
                    .into_iter()
                    .map(|p| {
                        let issued = insert_prepared(tx, signer, p, now)?;
                        store::insert_audit(
                            tx,
                            &NewAuditEvent::token(
                                action,
                                Some(&issued.token),
                                AuditOutcome::Ok,
                                detail,
                            )
                            .at(now),
                        )?;
                        Ok(issued)
                    })
                    .collect()
            })
        })
    }

    /// Checks a request to import (a value read from a file) as its creation would,
    /// making nothing: the request back with the service recognised from its value, or
    /// why it would be refused.
    pub(in crate::vault) fn check_import(
        &self,
        req: NewToken,
    ) -> Result<(NewToken, Option<String>)> {
        self.prepare(req, self.now(), Pasted::Verbatim)
            .map(|prepared| (prepared.req, prepared.service))
    }

    /// Validates a request and makes its secret (RSA keys before any transaction).
    fn prepare(&self, req: NewToken, now: i64, pasted: Pasted) -> Result<Prepared> {
        let name = validate_name(&req.name)?;
        check_fields(&req)?;
        let rotation_days = validate_rotation_days(req.rotation_days)?;
        if let Expiry::At(at) = req.expires {
            Expiry::at(at, now)?;
        }
        if store::token_name_taken(&self.conn, &name, None)? {
            return Err(Error::NameTaken {
                what: "token",
                name,
            });
        }
        if req.kind == TokenKind::Workspace
            && let Some(existing) = store::any_token_of_kind(&self.conn, TokenKind::Workspace)?
        {
            return Err(Error::invalid(
                "kind",
                format!(
                    "the vault already has its workspace token '{existing}'; replace that one instead"
                ),
            ));
        }
        let mut service = None;
        let made = match req.kind {
            TokenKind::Workspace | TokenKind::Personal | TokenKind::Service => {
                Some(text_secret(crate::crypto::random::generate(req.kind)?))
            }
            TokenKind::Rsa => Some(rsa_secret(req.rsa_bits.unwrap_or(2048))?),
            TokenKind::External => {
                let value = req.value.as_ref().ok_or_else(|| {
                    Error::invalid("token value", "paste the token issued by the other service")
                })?;
                let (value, recognised) = match pasted {
                    Pasted::Checked => check_external(value, req.service.clone())?,
                    Pasted::Verbatim => check_verbatim(value, req.service.clone())?,
                };
                service = recognised;
                Some(text_secret(value))
            }
            TokenKind::Jwt => None,
        };
        Ok(Prepared {
            id: uuid::Uuid::now_v7().to_string(),
            jwt_alg: (req.kind == TokenKind::Jwt).then(|| req.jwt_alg.unwrap_or(JwtAlg::Hs256)),
            description: req.description.trim().to_string(),
            name,
            rotation_days,
            service,
            made,
            req,
        })
    }

    /// Changes a token's metadata. A JWT is re-signed: the new one is returned and the
    /// old one stops verifying.
    pub fn modify_token(&mut self, reference: &str, changes: TokenChanges) -> Result<Issued> {
        let current = self.token(reference)?;
        // Checked here for a quick answer, and again in the transaction against the
        // token as it is then: another process may have changed it meanwhile, and its
        // change must not be overwritten with what was read here.
        changed(&self.conn, &current, &changes, self.now())?;
        let id = current.id.clone();
        let done = self.with_signer(|vault, signer| {
            vault.audited(AuditAction::Modify, &id, |tx, now| {
                let before = store::token(tx, &id)?;
                let next = changed(tx, &before, &changes, now)?;
                store::update_token(tx, &next)?;
                for (catalog, list) in [
                    (Catalog::Api, &changes.apis),
                    (Catalog::Project, &changes.projects),
                    (Catalog::User, &changes.users),
                ] {
                    if let Some(names) = list {
                        store::set_scopes(tx, catalog, &id, names)?;
                    }
                }
                let token = store::token(tx, &id)?;
                if crate::vault::export::file_changed(&before, &token) {
                    store::mark_file_stale(tx, &id, now)?;
                }
                let secret = match token.kind {
                    TokenKind::Jwt => Some(resign(tx, signer, &token, now)?),
                    _ => None,
                };
                Ok((token.clone(), Issued { token, secret }))
            })
        });
        self.erase_history_after(done)
    }

    /// Gives a token a new secret under the same id and metadata; the old secret stops
    /// verifying at once. External tokens take the new value from `new_value`.
    pub fn rotate_token(&mut self, reference: &str, new_value: Option<Secret>) -> Result<Issued> {
        let current = self.token(reference)?;
        if current.lifetime.revoked {
            return self.refuse(
                AuditAction::Rotate,
                &current,
                "it is revoked; restore it first",
            );
        }
        if new_value.is_some() && current.kind != TokenKind::External {
            return Err(Error::invalid(
                "value",
                "only external tokens take a new value; Tessera makes the others",
            ));
        }
        let pre_made = match current.kind {
            TokenKind::Workspace | TokenKind::Personal | TokenKind::Service => {
                Some(text_secret(crate::crypto::random::generate(current.kind)?))
            }
            TokenKind::Rsa => {
                let (_, public) = store::secret_of(&self.conn, &current.id)?;
                let bits = match public.as_deref().map(crate::crypto::rsa::bits) {
                    Some(Ok(bits)) => bits,
                    _ => 2048,
                };
                Some(rsa_secret(bits)?)
            }
            TokenKind::External => {
                let value = new_value.ok_or_else(|| {
                    Error::invalid("value", "paste the new value of the external token")
                })?;
                Some(text_secret(check_external(&value, None)?.0))
            }
            TokenKind::Jwt => None,
        };
        let id = current.id.clone();
        let done = self.with_signer(|vault, signer| {
            vault.audited(AuditAction::Rotate, &id, |tx, now| {
                still(tx, &id, AuditAction::Rotate, REVOKED_MEANWHILE, |t| {
                    !t.lifetime.revoked
                })?;
                let secret = match pre_made {
                    Some(made) => {
                        store::replace_secret(tx, &id, &made.row(), made.key_id.as_deref())?;
                        made.shown
                    }
                    None => {
                        let token = store::token(tx, &id)?;
                        Some(resign(tx, signer, &token, now)?)
                    }
                };
                store::mark_rotated(tx, &id, now)?;
                // A new key pair: a token file handed out holds the old one.
                store::mark_file_stale(tx, &id, now)?;
                // A copy found on this machine is of the old secret.
                store::clear_finding(tx, &id)?;
                let token = store::token(tx, &id)?;
                Ok((token.clone(), Issued { token, secret }))
            })
        });
        self.erase_history_after(done)
    }

    /// Revokes an active token: it stops verifying at once.
    pub fn revoke_token(&mut self, reference: &str) -> Result<Token> {
        let current = self.token(reference)?;
        if current.lifetime.revoked {
            return self.refuse(AuditAction::Revoke, &current, "it is already revoked");
        }
        let id = current.id;
        self.audited(AuditAction::Revoke, &id, |tx, now| {
            still(tx, &id, AuditAction::Revoke, "it is already revoked", |t| {
                !t.lifetime.revoked
            })?;
            store::set_revoked(tx, &id, Some(now))?;
            let token = store::token(tx, &id)?;
            Ok((token.clone(), token))
        })
    }

    /// Restores a revoked token.
    pub fn restore_token(&mut self, reference: &str) -> Result<Token> {
        let current = self.token(reference)?;
        if !current.lifetime.revoked {
            return self.refuse(AuditAction::Restore, &current, "it is not revoked");
        }
        let id = current.id;
        self.audited(AuditAction::Restore, &id, |tx, _| {
            still(tx, &id, AuditAction::Restore, "it is not revoked", |t| {
                t.lifetime.revoked
            })?;
            store::set_revoked(tx, &id, None)?;
            let token = store::token(tx, &id)?;
            Ok((token.clone(), token))
        })
    }

    /// Deletes a revoked token for good; its secret's bytes are overwritten in the file.
    pub fn delete_token(&mut self, reference: &str) -> Result<Token> {
        let current = self.token(reference)?;
        if !current.lifetime.revoked {
            return self.refuse(
                AuditAction::Delete,
                &current,
                "only a revoked token can be deleted; revoke it first",
            );
        }
        let id = current.id.clone();
        let done = self.audited(AuditAction::Delete, &id, |tx, _| {
            still(tx, &id, AuditAction::Delete, RESTORED_MEANWHILE, |t| {
                t.lifetime.revoked
            })?;
            store::delete_token(tx, &id)?;
            Ok((current.clone(), current))
        });
        self.erase_history_after(done)
    }

    /// A token's secret, revealed on purpose and audited. RSA tokens are handed out
    /// with [`Vault::export_token_file`] instead.
    pub fn reveal_secret(&mut self, reference: &str, purpose: Purpose) -> Result<Secret> {
        let token = self.token(reference)?;
        let action = match purpose {
            Purpose::Reveal => AuditAction::Reveal,
            Purpose::Copy => AuditAction::Copy,
        };
        if token.kind == TokenKind::Rsa {
            return self.refuse(
                action,
                &token,
                "an RSA token is handed out as a token file: export it",
            );
        }
        // A page put back from an older copy cannot hand out a rotated-away secret.
        self.seals.check_token(&self.conn, &token.id)?;
        let (value, _) = store::secret_of(&self.conn, &token.id)?;
        let secret = String::from_utf8(value)
            .map(Secret::new)
            .map_err(|_| Error::Damaged("a stored secret is not text".into()))?;
        self.record_event(NewAuditEvent::token(
            action,
            Some(&token),
            AuditOutcome::Ok,
            "",
        ))?;
        Ok(secret)
    }

    /// Refuses an action with [`Error::InvalidState`] and audits the refusal.
    pub(crate) fn refuse<T>(
        &mut self,
        action: AuditAction,
        token: &Token,
        reason: &'static str,
    ) -> Result<T> {
        let err = Error::InvalidState {
            action: action.as_str(),
            name: token.name.clone(),
            reason,
        };
        self.record_event(NewAuditEvent::token(
            action,
            Some(token),
            AuditOutcome::Failed,
            err.to_string(),
        ))?;
        Err(err)
    }
}

/// A validated creation request with its secret made (JWTs are signed at insert time).
struct Prepared {
    id: String,
    name: String,
    description: String,
    rotation_days: Option<i64>,
    service: Option<String>,
    jwt_alg: Option<JwtAlg>,
    made: Option<Made>,
    req: NewToken,
}

/// Inserts one prepared token inside `tx`.
fn insert_prepared(tx: &Transaction<'_>, signer: &Signer, p: Prepared, now: i64) -> Result<Issued> {
    let made = match p.made {
        Some(made) => made,
        None => {
            let claims = jwt_claims(
                signer,
                &p.id,
                &p.name,
                &p.req.apis,
                &p.req.users,
                now,
                p.req.expires.timestamp(),
            );
            text_secret(signer.sign(p.jwt_alg.unwrap_or(JwtAlg::Hs256), &claims)?)
        }
    };
    let row = NewTokenRow {
        id: &p.id,
        name: &p.name,
        description: &p.description,
        kind: p.req.kind,
        created_at: now,
        expires_at: p.req.expires.timestamp(),
        rotation_days: p.rotation_days,
        service_account: p.req.service_account.as_deref(),
        service: p.service.as_deref(),
        key_id: made.key_id.as_deref(),
        jwt_alg: p.jwt_alg,
    };
    store::insert_token(tx, &row, &made.row())?;
    let apis = match p.req.kind {
        TokenKind::Workspace => vec![ALL_APIS.to_string()],
        _ => p.req.apis.clone(),
    };
    store::set_scopes(tx, Catalog::Api, &p.id, &apis)?;
    store::set_scopes(tx, Catalog::Project, &p.id, &p.req.projects)?;
    store::set_scopes(tx, Catalog::User, &p.id, &p.req.users)?;
    let token = store::token(tx, &p.id)?;
    Ok(Issued {
        token,
        secret: made.shown,
    })
}

fn jwt_claims(
    signer: &Signer,
    id: &str,
    name: &str,
    apis: &[String],
    users: &[String],
    now: i64,
    expires_at: Option<i64>,
) -> JwtClaims {
    let mut nonce = [0u8; 12];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    JwtClaims {
        iss: signer.issuer().to_string(),
        sub: id.to_string(),
        jti: id.to_string(),
        name: name.to_string(),
        apis: apis.to_vec(),
        users: users.to_vec(),
        iat: now,
        nbf: now,
        exp: expires_at.unwrap_or(now + NEVER_EXPIRES_SECS),
        nonce: base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, nonce),
    }
}

const REVOKED_MEANWHILE: &str = "it was revoked meanwhile; restore it first";
const RESTORED_MEANWHILE: &str = "it was restored meanwhile; only a revoked token can be deleted";

/// Refuses, inside a change's transaction, a token no longer in the state `action`
/// needs: another process may have changed it since it was checked.
fn still(
    tx: &Transaction<'_>,
    id: &str,
    action: AuditAction,
    reason: &'static str,
    allowed: impl Fn(&Token) -> bool,
) -> Result<()> {
    let token = store::token(tx, id)?;
    if allowed(&token) {
        return Ok(());
    }
    Err(Error::InvalidState {
        action: action.as_str(),
        name: token.name,
        reason,
    })
}

/// `current` with `changes` applied and checked (names unique, scopes fitting the kind).
fn changed(
    conn: &crate::store::Connection,
    current: &Token,
    changes: &TokenChanges,
    now: Timestamp,
) -> Result<Token> {
    let mut next = current.clone();
    if let Some(name) = &changes.name {
        next.name = validate_name(name)?;
        if store::token_name_taken(conn, &next.name, Some(&current.id))? {
            return Err(Error::NameTaken {
                what: "token",
                name: next.name,
            });
        }
    }
    if let Some(description) = &changes.description {
        next.description = description.trim().to_string();
    }
    if let Some(expires) = changes.expires {
        if let Expiry::At(at) = expires {
            Expiry::at(at, now)?;
        }
        next.lifetime.expires_at = expires.timestamp();
    }
    if let Some(days) = changes.rotation_days {
        next.lifetime.rotation_days = validate_rotation_days(days)?;
    }
    let probe = NewToken {
        apis: changes.apis.clone().unwrap_or_default(),
        projects: changes.projects.clone().unwrap_or_default(),
        users: changes.users.clone().unwrap_or_default(),
        service_account: changes.service_account.clone().or_else(|| {
            current
                .service_account
                .clone()
                .filter(|_| current.kind == TokenKind::Service)
        }),
        service: changes.service.clone(),
        ..NewToken::new(current.kind, "")
    };
    check_fields(&probe)?;
    if let Some(account) = &changes.service_account {
        store::catalog_id(conn, Catalog::ServiceAccount, account)?;
        next.service_account = Some(account.trim().to_string());
    }
    if let Some(service) = &changes.service {
        next.service = Some(service.trim().to_string()).filter(|s| !s.is_empty());
    }
    Ok(next)
}

/// Signs a fresh JWT for `token` and stores it as the token's secret.
fn resign(tx: &Transaction<'_>, signer: &Signer, token: &Token, now: i64) -> Result<Secret> {
    let alg = token.jwt_alg.unwrap_or(JwtAlg::Hs256);
    let claims = jwt_claims(
        signer,
        &token.id,
        &token.name,
        &token.apis,
        &token.users,
        now,
        token.expires_at(),
    );
    let made = text_secret(signer.sign(alg, &claims)?);
    store::replace_secret(tx, &token.id, &made.row(), None)?;
    made.shown
        .ok_or_else(|| Error::Crypto("no JWT was made".into()))
}
