//! Shared vaults, as the vault sees them (the server is another crate's: this module
//! does no I/O beyond the vault's files).
//!
//! A person's own vault holds the install's member identity and the list of shared
//! vaults with each one's server and replica key. Each shared vault has a local replica:
//! a vault of its own under `shared/<vault id>/` beside the person's vault, which every
//! token command opens with `--vault NAME`. A replica knows, for each record, the
//! version and plaintext last synced, so what changed here since is what it pushes, and
//! two changes made meanwhile merge field by field against that plaintext.

use crate::crypto::identity::{Identity, PublicIdentity};
use crate::crypto::keys::{KeyStore, MemoryKeyStore, VaultKey};
use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use crate::model::secret::SecretBytes;
use crate::model::shared::{
    Conflict, MANIFEST_PREFIX, RecordBody, SIGNING_KEYS_RECORD, TokenState, b64, is_meta, unb64,
};
use crate::store;
use crate::store::shared::SharedVaultRow;
use crate::vault::{NewProtection, Vault, VaultPaths};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A shared vault as the person's own vault lists it (never its keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedVault {
    pub name: String,
    pub vault_id: String,
    /// The server's address, credentials left out.
    pub server: String,
    /// The admin identity pinned when it was created or joined.
    pub admin: String,
    pub joined_at: i64,
}

/// A change made in a replica since its last sync, to push.
#[derive(Debug)]
pub struct LocalChange {
    pub record_id: String,
    /// The server version it was made on (0: a record the server does not have yet).
    pub base_version: i64,
    /// The record's plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
}

/// A record the server sent, checked and decrypted, to apply.
#[derive(Debug)]
pub struct Incoming {
    pub record_id: String,
    pub version: i64,
    pub body: RecordBody,
    pub plaintext: Zeroizing<Vec<u8>>,
}

/// What applying the server's records did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    pub records: u64,
    /// Tokens changed both here and by another member in the same field: the other
    /// member's value was kept, and this one's is named here to look at again.
    pub conflicts: Vec<String>,
}

fn digest(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// How long a replica may go without hearing from its server before verification on
/// it fails closed.
pub const DEFAULT_STALE_AFTER_SECS: i64 = 300;

/// Meta key of this install's identity.
const IDENTITY: &str = "identity";

fn server_without_credentials(server: &str) -> String {
    if !server.contains("://") {
        // key=value form: every pair but the password.
        return server
            .split_whitespace()
            .filter(|pair| !pair.to_ascii_lowercase().starts_with("password="))
            .collect::<Vec<_>>()
            .join(" ");
    }
    // postgres://user:password@host/db → postgres://user@host/db
    match (server.find("://"), server.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &server[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{}{}", &server[..scheme + 3], user, &server[at..])
        }
        _ => server.to_string(),
    }
}

impl Vault {
    /// This install's member identity, made (and kept in the vault) the first time.
    pub fn identity(&mut self) -> Result<Identity> {
        if let Some(bytes) = store::meta_get(&self.conn, IDENTITY)? {
            return Identity::from_secret(&SecretBytes::new(bytes));
        }
        let identity = Identity::generate();
        let secret = identity.to_secret();
        // Another process may have made one meanwhile: the first one stays.
        self.transact(|tx, _| store::shared::keep_identity(tx, IDENTITY, &secret))?;
        let bytes = store::meta_get(&self.conn, IDENTITY)?
            .ok_or_else(|| Error::Damaged("the vault's identity was not kept".into()))?;
        Identity::from_secret(&SecretBytes::new(bytes))
    }

    /// The shared vaults this install belongs to.
    pub fn shared_vaults(&self) -> Result<Vec<SharedVault>> {
        Ok(store::shared::shared_vaults(&self.conn)?
            .into_iter()
            .map(|row| listed(&row))
            .collect())
    }

    /// The shared vault named (or with id) `name`.
    pub fn shared_vault(&self, name: &str) -> Result<SharedVault> {
        store::shared::shared_vault(&self.conn, name)?
            .map(|row| listed(&row))
            .ok_or_else(|| Error::not_found("shared vault", name))
    }

    /// The server address of shared vault `name`, with its credentials: for the sync
    /// client only.
    pub fn shared_vault_server(&self, name: &str) -> Result<SecretBytes> {
        store::shared::shared_vault(&self.conn, name)?
            .map(|row| SecretBytes::new(row.server.into_bytes()))
            .ok_or_else(|| Error::not_found("shared vault", name))
    }

    fn replica_paths(&self, vault_id: &str) -> Result<VaultPaths> {
        if vault_id.is_empty() || !vault_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(Error::invalid(
                "shared vault",
                format!("'{vault_id}' is not a vault id"),
            ));
        }
        Ok(
            VaultPaths::in_dir(self.paths.dir.join("shared").join(vault_id))
                .with_state(self.paths.state.clone()),
        )
    }

    /// Adds shared vault `name` (id `vault_id`, kept on `server`, its first admin
    /// `admin`) and makes its empty replica. Nothing is left behind on an error.
    pub fn add_shared_vault(
        &mut self,
        name: &str,
        vault_id: &str,
        server: &str,
        admin: &PublicIdentity,
    ) -> Result<Vault> {
        let name = crate::model::token::validate_name(name)?;
        let name = name.as_str();
        if store::shared::shared_vault(&self.conn, name)?.is_some() {
            return Err(Error::NameTaken {
                what: "shared vault",
                name: name.to_string(),
            });
        }
        let paths = self.replica_paths(vault_id)?;
        let keys = MemoryKeyStore::new();
        // The replica has the shared vault's id: the JWTs its members issue name it.
        let mut replica = Vault::create_from(
            &paths,
            NewProtection::Keyring,
            None,
            &keys,
            vault_id,
            super::Origin::Empty,
        )?;
        let key = keys.load(vault_id)?;
        let row = SharedVaultRow {
            name: name.trim().to_string(),
            vault_id: vault_id.to_string(),
            server: server.to_string(),
            replica_key: SecretBytes::new(key.expose().to_vec()),
            admin: admin.to_string(),
            joined_at: self.now(),
        };
        let added = replica
            .transact(|tx, _| store::shared::set_sync_meta(tx, "vault_id", vault_id.as_bytes()))
            .and_then(|()| self.transact(|tx, _| store::shared::add_shared_vault(tx, &row)));
        if let Err(err) = added {
            drop(replica);
            let _ = std::fs::remove_dir_all(&paths.dir);
            return Err(err);
        }
        Ok(replica)
    }

    /// Forgets shared vault `name` on this machine: its entry and its replica. The
    /// server and the other members' replicas are not touched.
    pub fn forget_shared_vault(&mut self, name: &str) -> Result<()> {
        let row = store::shared::shared_vault(&self.conn, name)?
            .ok_or_else(|| Error::not_found("shared vault", name))?;
        let paths = self.replica_paths(&row.vault_id)?;
        self.transact(|tx, _| store::shared::remove_shared_vault(tx, &row.vault_id))?;
        match std::fs::remove_dir_all(&paths.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Io {
                action: "removing",
                path: paths.dir.display().to_string(),
                source: e,
            }),
            _ => Ok(()),
        }
    }

    /// Opens the replica of shared vault `name`.
    pub fn open_shared(&self, name: &str) -> Result<Vault> {
        let row = store::shared::shared_vault(&self.conn, name)?
            .ok_or_else(|| Error::not_found("shared vault", name))?;
        let paths = self.replica_paths(&row.vault_id)?;
        let header = crate::store::header::Header::read(&paths.header)?;
        let keys = MemoryKeyStore::new();
        // The replica's key, from inside this vault, to open the replica with.
        keys.store(
            &header.vault_id,
            &VaultKey::from_bytes(row.replica_key.expose())?,
        )?;
        let replica = Vault::open(&paths, &keys, None)?;
        if store::shared::sync_meta(&replica.conn, "vault_id")?.as_deref()
            != Some(row.vault_id.as_bytes())
        {
            return Err(Error::Damaged(format!(
                "the replica of '{}' belongs to another shared vault",
                row.name
            )));
        }
        Ok(replica)
    }

    /// Makes the vault's JWT signing keys (HS256, RS256, EdDSA) now, as the creator of
    /// a shared vault does: its members' replicas then all sign with the same keys.
    pub fn make_signing_keys(&mut self) -> Result<()> {
        let vault_id = self.header.vault_id.clone();
        self.transact(|tx, _| {
            let conn: &store::Connection = tx;
            let mut signer = crate::crypto::jwt::Signer::load(conn, &vault_id)?;
            for alg in [
                crate::model::token::JwtAlg::Rs256,
                crate::model::token::JwtAlg::EdDsa,
            ] {
                signer.ensure(conn, alg)?;
            }
            Ok(())
        })?;
        self.signer = None;
        Ok(())
    }

    /// Whether this vault is a replica whose last contact with its server is older
    /// than its staleness limit (`stale_after` seconds, default
    /// [`DEFAULT_STALE_AFTER_SECS`]): verification then fails closed.
    pub(crate) fn replica_is_stale(&mut self, now: Timestamp) -> Result<bool> {
        let replica = match self.replica {
            Some(known) => known,
            None => {
                let known = store::shared::sync_meta(&self.conn, "vault_id")?.is_some();
                self.replica = Some(known);
                known
            }
        };
        if !replica {
            return Ok(false);
        }
        let number = |key: &str| -> Result<Option<i64>> {
            Ok(store::shared::sync_meta(&self.conn, key)?
                .and_then(|bytes| std::str::from_utf8(&bytes).ok()?.parse().ok()))
        };
        let limit = number("stale_after")?.unwrap_or(DEFAULT_STALE_AFTER_SECS);
        Ok(match number("last_contact")? {
            Some(at) => now - at > limit,
            None => true,
        })
    }

    /// A replica's sync state (cursor, roster, keys): bytes kept in its meta.
    pub fn sync_state(&self, key: &str) -> Result<Option<SecretBytes>> {
        Ok(store::shared::sync_meta(&self.conn, key)?.map(SecretBytes::new))
    }

    /// Sets sync state entries in one transaction.
    pub fn set_sync_state(&mut self, entries: &[(&str, &[u8])]) -> Result<()> {
        self.replica = None;
        self.transact(|tx, _| {
            for (key, value) in entries {
                store::shared::set_sync_meta(tx, key, value)?;
            }
            Ok(())
        })
    }

    /// The records of this replica that changed since they were last synced: tokens
    /// added, changed or deleted here, and the signing keys.
    pub fn local_changes(&self) -> Result<Vec<LocalChange>> {
        let synced = store::shared::synced(&self.conn)?;
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut consider = |record_id: String, body: RecordBody| {
            let plaintext = body.to_plaintext();
            let (base_version, same) = match synced.get(&record_id) {
                Some((version, d)) => (*version, *d == digest(&plaintext)),
                None => (0, false),
            };
            if !same {
                out.push(LocalChange {
                    record_id: record_id.clone(),
                    base_version,
                    plaintext,
                });
            }
            seen.insert(record_id);
        };
        for state in store::shared::token_states(&self.conn)? {
            consider(state.id.clone(), RecordBody::Token(Box::new(state)));
        }
        let keys = store::shared::signing_keys(&self.conn)?;
        if !keys.is_empty() {
            let keys = keys
                .into_iter()
                .map(|(k, v)| (k, Zeroizing::new(b64(&Zeroizing::new(v)))))
                .collect();
            consider(
                SIGNING_KEYS_RECORD.to_string(),
                RecordBody::SigningKeys { keys },
            );
        }
        for (record_id, (version, _)) in &synced {
            if !seen.contains(record_id) && !is_meta(record_id) {
                let body = RecordBody::Deleted {
                    id: record_id.clone(),
                };
                let plaintext = body.to_plaintext();
                if synced[record_id].1 != digest(&plaintext) {
                    out.push(LocalChange {
                        record_id: record_id.clone(),
                        base_version: *version,
                        plaintext,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Records that `record_id` is at `version` on the server with `plaintext`.
    pub fn mark_synced(&mut self, pushed: &[(String, i64, Zeroizing<Vec<u8>>)]) -> Result<()> {
        self.transact(|tx, _| {
            for (record_id, version, plaintext) in pushed {
                store::shared::set_synced(tx, record_id, *version, &digest(plaintext), plaintext)?;
            }
            Ok(())
        })
    }

    /// The version of each record last synced.
    pub fn synced_versions(&self) -> Result<std::collections::HashMap<String, i64>> {
        Ok(store::shared::synced(&self.conn)?
            .into_iter()
            .map(|(id, (version, _))| (id, version))
            .collect())
    }

    /// Applies records from the server in one transaction, with `state` entries
    /// (the new cursor) in the same one. A token changed here since it was last synced
    /// is merged with the incoming one field by field against what was last synced;
    /// where both changed the same field, the incoming value is kept and the token is
    /// named in [`Applied::conflicts`]. A revoke, from either side, always stays.
    pub fn apply_remote(
        &mut self,
        incoming: Vec<Incoming>,
        state: &[(&str, &[u8])],
    ) -> Result<Applied> {
        let mut applied = Applied::default();
        let mut kept = Vec::new();
        let locals = store::shared::token_states(&self.conn)?;
        let bases = store::shared::bases(&self.conn)?;
        self.transact(|tx, now| {
            for record in &incoming {
                // What the server holds is recorded as synced; a merge made here
                // differs from it and is pushed on top of it.
                let plaintext = &record.plaintext;
                match &record.body {
                    RecordBody::Token(theirs) => {
                        if theirs.id != record.record_id {
                            return Err(Error::Tampered(format!(
                                "record {} holds token {}",
                                record.record_id, theirs.id
                            )));
                        }
                        let ours = locals.iter().find(|s| s.id == theirs.id);
                        let base = bases.get(&record.record_id);
                        let merged = match (ours, base) {
                            (Some(ours), Some(base)) => {
                                merge(ours, theirs, base, &mut applied, &mut kept)?
                            }
                            _ => None,
                        };
                        match &merged {
                            Some(state) => store::shared::apply_token_state(tx, state, now)?,
                            None => store::shared::apply_token_state(tx, theirs, now)?,
                        }
                    }
                    RecordBody::Deleted { id } => {
                        if *id != record.record_id {
                            return Err(Error::Tampered(format!(
                                "record {} deletes token {id}",
                                record.record_id
                            )));
                        }
                        store::shared::delete_token_state(tx, id)?;
                        store::shared::delete_conflict(tx, id)?;
                    }
                    RecordBody::SigningKeys { keys } => {
                        let keys = keys
                            .iter()
                            .map(|(k, v)| Ok((k.clone(), unb64(v)?)))
                            .collect::<Result<Vec<_>>>()?;
                        store::shared::set_signing_keys(tx, &keys)?;
                    }
                    // Read by the sync round that pulled it; recorded as synced only.
                    RecordBody::Manifest { .. } => {
                        if !record.record_id.starts_with(MANIFEST_PREFIX) {
                            return Err(Error::Tampered(format!(
                                "record {} holds a manifest",
                                record.record_id
                            )));
                        }
                    }
                }
                store::shared::set_synced(
                    tx,
                    &record.record_id,
                    record.version,
                    &digest(plaintext),
                    plaintext,
                )?;
                applied.records += 1;
            }
            for conflict in kept.iter_mut() {
                conflict.at = now;
                // Kept inside the replica: it may hold our secret.
                let json = Zeroizing::new(serde_json::to_vec(&*conflict).unwrap_or_default());
                store::shared::set_conflict(tx, &conflict.token_id, &json)?;
            }
            for (key, value) in state {
                store::shared::set_sync_meta(tx, key, value)?;
            }
            Ok(())
        })?;
        self.signer = None;
        Ok(applied)
    }

    /// The conflicts this replica keeps: changes made here that another member's
    /// change of the same field overtook, by token id.
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        store::shared::conflicts(&self.conn)?
            .into_iter()
            .map(|(_, json)| {
                serde_json::from_slice(&json)
                    .map_err(|e| Error::Damaged(format!("a kept conflict does not read: {e}")))
            })
            .collect()
    }

    /// Ends the conflict of token `reference` (a name or id): with `keep_mine`, our
    /// values of the fields both sides changed go back over theirs (and reach the
    /// other members at the next sync); otherwise theirs stay. One transaction.
    pub fn resolve_conflict(&mut self, reference: &str, keep_mine: bool) -> Result<Conflict> {
        let token = self.token(reference)?;
        let conflict = self
            .conflicts()?
            .into_iter()
            .find(|c| c.token_id == token.id)
            .ok_or_else(|| {
                Error::invalid(
                    "token",
                    format!("'{}' has no conflict to resolve", token.name),
                )
            })?;
        let current = if keep_mine {
            store::shared::token_states(&self.conn)?
                .into_iter()
                .find(|s| s.id == token.id)
        } else {
            None
        };
        self.transact(|tx, now| {
            if let Some(mut current) = current {
                // The secret stays in wiped memory, out of the JSON.
                let secret = std::mem::take(&mut current.value);
                let mut value = serde_json::to_value(&current)
                    .map_err(|e| Error::invalid("token", format!("cannot take ours back: {e}")))?;
                if let Some(map) = value.as_object_mut() {
                    for (field, ours) in &conflict.ours {
                        map.insert(field.clone(), ours.clone());
                    }
                }
                let mut state: TokenState = serde_json::from_value(value)
                    .map_err(|e| Error::invalid("token", format!("cannot take ours back: {e}")))?;
                state.value = match &conflict.ours_secret {
                    Some(ours) => ours.clone(),
                    None => secret,
                };
                store::shared::apply_token_state(tx, &state, now)?;
            }
            store::shared::delete_conflict(tx, &token.id)
        })?;
        self.signer = None;
        Ok(conflict)
    }
}

fn listed(row: &SharedVaultRow) -> SharedVault {
    SharedVault {
        name: row.name.clone(),
        vault_id: row.vault_id.clone(),
        server: server_without_credentials(&row.server),
        admin: row.admin.clone(),
        joined_at: row.joined_at,
    }
}

/// Ours and theirs merged against `base` (a record's plaintext last synced), or none
/// when ours did not change since (theirs applies as it is).
fn merge(
    ours: &TokenState,
    theirs: &TokenState,
    base: &[u8],
    applied: &mut Applied,
    kept: &mut Vec<Conflict>,
) -> Result<Option<TokenState>> {
    let RecordBody::Token(base) = RecordBody::from_plaintext(base)? else {
        return Ok(None);
    };
    // Compared as JSON objects, the secret by its digest only: the values stay in
    // wiped memory.
    let as_value = |state: &TokenState| {
        let mut value = serde_json::to_value(TokenState {
            value: Zeroizing::new(String::new()),
            id: state.id.clone(),
            name: state.name.clone(),
            description: state.description.clone(),
            kind: state.kind.clone(),
            revoked: state.revoked,
            created_at: state.created_at,
            expires_at: state.expires_at,
            revoked_at: state.revoked_at,
            rotation_days: state.rotation_days,
            rotated_at: state.rotated_at,
            service_account: state.service_account.clone(),
            service: state.service.clone(),
            key_id: state.key_id.clone(),
            jwt_alg: state.jwt_alg.clone(),
            all_apis: state.all_apis,
            apis: state.apis.clone(),
            projects: state.projects.clone(),
            users: state.users.clone(),
            hash: state.hash.clone(),
            public_key: state.public_key.clone(),
        })
        .unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert("value".into(), b64(&digest(state.value.as_bytes())).into());
        }
        value
    };
    let (ours_v, theirs_v, base_v) = (as_value(ours), as_value(theirs), as_value(&base));
    if ours_v == base_v {
        return Ok(None);
    }
    let (Some(ours_m), Some(theirs_m), Some(base_m)) =
        (ours_v.as_object(), theirs_v.as_object(), base_v.as_object())
    else {
        return Ok(None);
    };
    let mut merged = theirs_m.clone();
    let mut conflict = false;
    let mut lost = serde_json::Map::new();
    for (field, mine) in ours_m {
        let was = base_m.get(field);
        let other = theirs_m.get(field);
        if Some(mine) == was || Some(mine) == other {
            continue;
        }
        if other == was {
            merged.insert(field.clone(), mine.clone());
        } else {
            conflict = true;
            if field != "value" {
                lost.insert(field.clone(), mine.clone());
            }
        }
    }
    // A revoke always wins over a concurrent edit.
    if ours.revoked && !theirs.revoked && !base.revoked {
        merged.insert("revoked".into(), true.into());
        merged.insert(
            "revoked_at".into(),
            ours_m.get("revoked_at").cloned().unwrap_or_default(),
        );
    }
    if conflict {
        applied.conflicts.push(theirs.name.clone());
        let secret_lost = ours_m.get("value") != theirs_m.get("value")
            && ours_m.get("value") != base_m.get("value")
            && theirs_m.get("value") != base_m.get("value");
        kept.push(Conflict {
            token_id: theirs.id.clone(),
            name: theirs.name.clone(),
            at: 0,
            ours: lost,
            ours_secret: secret_lost.then(|| ours.value.clone()),
        });
    }
    let ours_secret = merged.get("value") == ours_m.get("value");
    merged.insert("value".into(), String::new().into());
    let mut state: TokenState = serde_json::from_value(serde_json::Value::Object(merged))
        .map_err(|e| Error::invalid("record", format!("merging a token failed: {e}")))?;
    // The secret goes with the side whose change was kept.
    state.value = if ours_secret {
        ours.value.clone()
    } else {
        theirs.value.clone()
    };
    Ok(Some(state))
}

#[cfg(test)]
mod tests {
    use super::server_without_credentials as shown;

    #[test]
    fn a_server_is_listed_without_its_password() {
        assert_eq!(
            shown("postgres://team:s3cret@db.internal:5432/tessera"),
            "postgres://team@db.internal:5432/tessera"
        );
        assert_eq!(
            shown("postgres://db.internal/tessera"),
            "postgres://db.internal/tessera"
        );
        assert_eq!(
            shown("host=db user=team password=s3cret dbname=tessera"),
            "host=db user=team dbname=tessera"
        );
    }
}
