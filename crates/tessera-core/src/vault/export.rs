//! RSA token files: the JSON a holder receives (like a cloud service-account key file),
//! and the PEM private key alone. Files are written atomically with mode 0600. Import
//! reads a token file back into a vault, with a clear error for each way it can be
//! malformed.

use crate::crypto::rsa as rsa_keys;
use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::catalog::{Catalog, CatalogEntry};
use crate::model::clock::{Timestamp, parse_rfc3339, rfc3339};
use crate::model::error::{Error, Result};
use crate::model::secret::{Secret, SecretBytes};
use crate::model::token::{Token, TokenKind, validate_name};
use crate::store::{self, NewAuditEvent, NewTokenRow, SecretRow};
use crate::vault::Vault;
use serde::{Deserialize, Serialize};
use std::path::Path;
use zeroize::Zeroize;

/// The `type` of a token file.
pub const TOKEN_FILE_TYPE: &str = "tessera_rsa_token";
/// The token file version this build writes and reads.
pub const TOKEN_FILE_VERSION: u32 = 1;
/// Larger files are refused unread.
pub const MAX_TOKEN_FILE_BYTES: u64 = 1024 * 1024;

/// The JSON token file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenFile {
    /// Always [`TOKEN_FILE_TYPE`].
    #[serde(rename = "type")]
    pub file_type: String,
    /// Format version.
    pub version: u32,
    /// The token's id.
    pub token_id: String,
    /// The token's name.
    pub name: String,
    /// base64url SHA-256 of the public key's SPKI DER.
    pub key_id: String,
    /// `tessera:<vault id>`.
    pub issuer: String,
    /// Authorized APIs.
    pub authorized_apis: Vec<String>,
    /// Authorized projects.
    pub authorized_projects: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, or null for never.
    pub expires_at: Option<String>,
    /// SPKI PEM.
    pub public_key: String,
    /// PKCS#8 PEM, encrypted PKCS#8 when a passphrase was given.
    pub private_key: String,
}

impl std::fmt::Debug for TokenFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenFile")
            .field("token_id", &self.token_id)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Whether a change from `before` to `after` changes what an RSA token's file says:
/// its name, APIs, projects, expiry or key.
pub(in crate::vault) fn file_changed(before: &Token, after: &Token) -> bool {
    let says = |t: &Token| {
        (
            t.name.clone(),
            t.all_apis,
            t.apis.clone(),
            t.projects.clone(),
            t.expires_at(),
            t.key_id.clone(),
        )
    };
    after.kind == TokenKind::Rsa && says(before) != says(after)
}

/// Writes an exported secret to `path` atomically with mode 0600.
pub fn write_secret_file(path: &Path, contents: &Secret) -> Result<()> {
    // Writing the export the user asked for.
    crate::platform::fsutil::write_private(path, contents.expose().as_bytes())
}

impl Vault {
    fn rsa_token(
        &mut self,
        reference: &str,
        action: AuditAction,
    ) -> Result<(Token, SecretBytes, Vec<u8>)> {
        let token = self.token(reference)?;
        if token.kind != TokenKind::Rsa {
            return self.refuse(
                action,
                &token,
                "only RSA tokens have a token file; use `get` or copy for others",
            );
        }
        self.seals.check_token(&self.conn, &token.id)?;
        let (private, public) = store::secret_of(&self.conn, &token.id)?;
        let public =
            public.ok_or_else(|| Error::Damaged("an RSA token has no public key".into()))?;
        Ok((token, SecretBytes::new(private), public))
    }

    /// The RSA token file as JSON, the private key encrypted under `passphrase` if given.
    pub fn export_token_file(
        &mut self,
        reference: &str,
        passphrase: Option<&Secret>,
    ) -> Result<Secret> {
        let (token, private, public) = self.rsa_token(reference, AuditAction::Export)?;
        let json = self.token_file_of(&token, &private, &public, passphrase)?;
        let detail = if passphrase.is_some() {
            "token file, encrypted key"
        } else {
            "token file"
        };
        // The file handed out is current from now: one change with its audit event.
        self.transact(|tx, now| {
            store::record_file_export(tx, &token.id, now)?;
            store::insert_audit(
                tx,
                &NewAuditEvent::token(AuditAction::Export, Some(&token), AuditOutcome::Ok, detail)
                    .at(now),
            )
        })?;
        Ok(json)
    }

    /// Since when the token file last handed out for each of `ids` is out of date (a
    /// change since to what it says), for the tokens whose is; others are absent.
    pub fn stale_token_files(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, Timestamp>> {
        store::stale_token_files(&self.conn, ids)
    }

    /// The token file of an RSA token, its private key encrypted under `passphrase` if
    /// given; not audited (the caller's action is).
    pub(in crate::vault) fn token_file_of(
        &self,
        token: &Token,
        private: &SecretBytes,
        public: &[u8],
        passphrase: Option<&Secret>,
    ) -> Result<Secret> {
        let public = public.to_vec();
        let file = TokenFile {
            file_type: TOKEN_FILE_TYPE.into(),
            version: TOKEN_FILE_VERSION,
            token_id: token.id.clone(),
            name: token.name.clone(),
            key_id: token
                .key_id
                .clone()
                .unwrap_or_else(|| rsa_keys::key_id(&public)),
            issuer: self.issuer(),
            authorized_apis: if token.all_apis {
                vec![crate::model::token::ALL_APIS.to_string()]
            } else {
                token.apis.clone()
            },
            authorized_projects: token.projects.clone(),
            created_at: rfc3339(token.created_at),
            expires_at: token.expires_at().map(rfc3339),
            public_key: rsa_keys::public_pem(&public)?,
            // The private key is what the token file hands out.
            private_key: rsa_keys::private_pem(private, passphrase)?
                .expose()
                .to_string(),
        };
        let json = serde_json::to_string_pretty(&file).map_err(|e| Error::Crypto(e.to_string()))?;
        drop(file);
        Ok(Secret::new(json))
    }

    /// The RSA token's private key alone, as PKCS#8 PEM.
    pub fn export_pem(&mut self, reference: &str, passphrase: Option<&Secret>) -> Result<Secret> {
        let (token, private, _) = self.rsa_token(reference, AuditAction::Export)?;
        let pem = rsa_keys::private_pem(&private, passphrase)?;
        self.record_event(NewAuditEvent::token(
            AuditAction::Export,
            Some(&token),
            AuditOutcome::Ok,
            "PEM private key",
        ))?;
        Ok(pem)
    }

    /// The RSA token's public key as SPKI PEM.
    pub fn public_key_pem(&mut self, reference: &str) -> Result<String> {
        let token = self.token(reference)?;
        let (_, public) = store::secret_of(&self.conn, &token.id)?;
        let public = public.ok_or_else(|| {
            Error::invalid("token", format!("'{}' is not an RSA token", token.name))
        })?;
        rsa_keys::public_pem(&public)
    }

    /// Reads a token file back into this vault. Missing APIs and projects are added to
    /// their catalogs. A file another vault issued is refused unless `provenance`
    /// allows it: its key was made, and may still be held, elsewhere.
    pub fn import_token_file(
        &mut self,
        json: &str,
        passphrase: Option<&Secret>,
        provenance: Provenance,
    ) -> Result<Imported> {
        let parsed = parse_token_file(json, passphrase)?;
        let own = self.issuer();
        let foreign = parsed.issuer != own;
        if foreign && provenance == Provenance::ThisVault {
            return Err(Error::BadTokenFile(format!(
                "it was issued by another vault ({}), whose owner may still hold its key; \
                 import it only if you trust where it came from (--foreign)",
                parsed.issuer
            )));
        }
        if let Some(existing) = store::find_token(&self.conn, &parsed.token_id)? {
            return Err(Error::BadTokenFile(format!(
                "this token is already in the vault as '{}'",
                existing.name
            )));
        }
        if store::token_name_taken(&self.conn, &parsed.name, None)? {
            return Err(Error::NameTaken {
                what: "token",
                name: parsed.name,
            });
        }
        let detail = if foreign {
            format!("token file issued by another vault ({})", parsed.issuer)
        } else {
            "token file".to_string()
        };
        let token = self.transact(|tx, now| {
            for (catalog, names) in [
                (Catalog::Api, &parsed.apis),
                (Catalog::Project, &parsed.projects),
            ] {
                for name in names {
                    if catalog == Catalog::Api && name == crate::model::token::ALL_APIS {
                        continue;
                    }
                    if store::catalog_id(tx, catalog, name).is_err() {
                        store::catalog_add(
                            tx,
                            catalog,
                            &CatalogEntry::named(validate_name(name)?),
                            now,
                        )?;
                    }
                }
            }
            let row = NewTokenRow {
                id: &parsed.token_id,
                name: &parsed.name,
                description: "",
                kind: TokenKind::Rsa,
                created_at: parsed.created_at,
                expires_at: parsed.expires_at,
                rotation_days: None,
                service_account: None,
                service: None,
                key_id: Some(&parsed.pair.key_id),
                jwt_alg: None,
            };
            let secret = SecretRow {
                // Storing the imported private key in the encrypted vault.
                value: parsed.pair.private_der.expose(),
                hash: None,
                public_key: Some(&parsed.pair.public_der),
            };
            store::insert_token(tx, &row, &secret)?;
            store::set_scopes(tx, Catalog::Api, &parsed.token_id, &parsed.apis)?;
            store::set_scopes(tx, Catalog::Project, &parsed.token_id, &parsed.projects)?;
            let token = store::token(tx, &parsed.token_id)?;
            store::insert_audit(
                tx,
                &NewAuditEvent::token(
                    AuditAction::Import,
                    Some(&token),
                    AuditOutcome::Ok,
                    detail.as_str(),
                )
                .at(now),
            )?;
            Ok(token)
        })?;
        Ok(Imported {
            token,
            issued_elsewhere: foreign,
        })
    }
}

/// A token file, checked.
pub struct ParsedTokenFile {
    /// The token id.
    pub token_id: String,
    /// The name.
    pub name: String,
    /// The key pair.
    pub pair: rsa_keys::RsaKeyPair,
    /// Authorized APIs.
    pub apis: Vec<String>,
    /// Authorized projects.
    pub projects: Vec<String>,
    /// Creation time.
    pub created_at: i64,
    /// Expiry.
    pub expires_at: Option<i64>,
    /// The vault that issued it, `tessera:<vault id>`.
    pub issuer: String,
}

/// A token file read into the vault.
#[derive(Debug)]
pub struct Imported {
    /// The token as it now is in this vault.
    pub token: Token,
    /// Whether another vault issued the file (allowed by [`Provenance::AnyVault`]).
    pub issued_elsewhere: bool,
}

/// Whether a token file issued by another vault may be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Only files this vault issued (a token exported, deleted and brought back).
    ThisVault,
    /// The person confirmed the file comes from another vault they trust (`--foreign`).
    AnyVault,
}

/// Reads a token file with a hard size cap. Only a regular file is read: a FIFO, a
/// device such as `/dev/zero` or a folder is refused at once, before any read can block
/// or run on without end.
pub fn read_token_file(path: &std::path::Path) -> Result<Secret> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let shown = path.display().to_string();
    let io = |source| Error::Io {
        action: "cannot read",
        path: shown.clone(),
        source,
    };
    // Non-blocking, so that opening a FIFO with no writer returns at once.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
        .map_err(io)?;
    if !file.metadata().map_err(io)?.is_file() {
        return Err(Error::BadTokenFile(format!(
            "{shown} is not a regular file; a token file is a few KiB of JSON"
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_TOKEN_FILE_BYTES {
        bytes.zeroize();
        return Err(Error::BadTokenFile(
            "the file is larger than 1 MiB; a token file is a few KiB".into(),
        ));
    }
    String::from_utf8(bytes).map(Secret::new).map_err(|e| {
        let mut bytes = e.into_bytes();
        bytes.zeroize();
        Error::BadTokenFile(format!("{shown} is not text"))
    })
}

/// Parses and checks a token file: format, version, fields, key pair consistency.
pub fn parse_token_file(json: &str, passphrase: Option<&Secret>) -> Result<ParsedTokenFile> {
    let bad = |m: String| Error::BadTokenFile(m);
    if json.len() as u64 > MAX_TOKEN_FILE_BYTES {
        return Err(bad(
            "the file is larger than 1 MiB; a token file is a few KiB".into(),
        ));
    }
    if json.trim().is_empty() {
        return Err(bad("the file is empty".into()));
    }
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| bad(format!("it is not JSON ({e})")))?;
    match value.get("type").and_then(|t| t.as_str()) {
        Some(TOKEN_FILE_TYPE) => {}
        Some(other) => {
            return Err(bad(format!(
                "its type is '{other}', not '{TOKEN_FILE_TYPE}'"
            )));
        }
        None => {
            return Err(bad(format!(
                "it has no \"type\": \"{TOKEN_FILE_TYPE}\"; it is not a Tessera token file"
            )));
        }
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(TOKEN_FILE_VERSION) => {}
        Some(v) => {
            return Err(bad(format!(
                "version {v} is not supported; this Tessera reads version {TOKEN_FILE_VERSION}"
            )));
        }
        None => return Err(bad("it has no version number".into())),
    }
    let file: TokenFile = serde_json::from_value(value).map_err(|e| bad(format!("{e}")))?;
    if uuid::Uuid::parse_str(&file.token_id).is_err() {
        return Err(bad(format!("token_id '{}' is not a UUID", file.token_id)));
    }
    let name = validate_name(&file.name).map_err(|e| bad(e.to_string()))?;
    let created_at = parse_rfc3339(&file.created_at).ok_or_else(|| {
        bad(format!(
            "created_at '{}' is not an RFC 3339 time",
            file.created_at
        ))
    })?;
    let expires_at = match &file.expires_at {
        None => None,
        Some(text) => Some(
            parse_rfc3339(text)
                .ok_or_else(|| bad(format!("expires_at '{text}' is not an RFC 3339 time")))?,
        ),
    };
    let pair = rsa_keys::parse_private_pem(&file.private_key, passphrase)?;
    let public = rsa_keys::parse_public_pem(&file.public_key)?;
    if public != pair.public_der {
        return Err(bad("public_key does not belong to private_key".into()));
    }
    if file.key_id != pair.key_id {
        return Err(bad("key_id does not match the public key".into()));
    }
    Ok(ParsedTokenFile {
        token_id: file.token_id.clone(),
        name,
        pair,
        apis: file.authorized_apis.clone(),
        projects: file.authorized_projects.clone(),
        created_at,
        expires_at,
        issuer: file.issuer.clone(),
    })
}
