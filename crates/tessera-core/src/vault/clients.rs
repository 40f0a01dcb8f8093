//! The clients of `tessera serve`: the person's own APIs and dev servers that ask the
//! introspection service whether a token is good. Each has a name and a secret it
//! presents with HTTP Basic; the vault keeps only the secret's SHA-256 (the secret is
//! 256 random bits, so a plain hash is as strong as a slow one) and whether the client
//! may revoke tokens. They live in the vault's `meta`, so adding or removing one is a
//! change like any other: one transaction, audited, in every backup.

use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use crate::store::{self, NewAuditEvent};
use crate::vault::Vault;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// The `meta` entry of the clients (JSON).
const CLIENTS_META: &str = "serve_clients";
/// How a client secret starts, so a scan or a person can tell what it is.
pub const CLIENT_SECRET_PREFIX: &str = "tsc_";
/// Longest client name.
const MAX_NAME: usize = 64;

/// A client of the introspection service, as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServeClient {
    /// Its name, the HTTP Basic user name.
    pub name: String,
    /// Whether it may revoke tokens (`POST /revoke`).
    pub can_revoke: bool,
    /// When it was added.
    pub created_at: Timestamp,
}

/// A client as the vault keeps it.
#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    client: ServeClient,
    /// Hex SHA-256 of the secret.
    secret_sha256: String,
}

fn digest(secret: &str) -> String {
    crate::vault::backup::hex(&crate::vault::lifecycle::hash(secret))
}

fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > MAX_NAME || !name.chars().all(allowed) {
        return Err(Error::invalid(
            "client name",
            format!(
                "use 1 to {MAX_NAME} letters, digits, '-', '_' or '.' (it is the HTTP Basic user name)"
            ),
        ));
    }
    Ok(name)
}

impl Vault {
    /// The introspection service's clients, by name.
    pub fn serve_clients(&self) -> Result<Vec<ServeClient>> {
        let mut clients: Vec<ServeClient> =
            stored(&self.conn)?.into_iter().map(|s| s.client).collect();
        clients.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(clients)
    }

    /// Adds a client and returns its secret, which the vault does not keep: it is shown
    /// this once.
    pub fn add_serve_client(
        &mut self,
        name: &str,
        can_revoke: bool,
    ) -> Result<(ServeClient, Secret)> {
        let name = check_name(name)?.to_string();
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, bytes.as_mut());
        let secret = Secret::new(format!(
            "{CLIENT_SECRET_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref())
        ));
        let secret_sha256 = digest(secret.expose());
        let client = self.transact(|tx, now| {
            let mut clients = stored(tx)?;
            if clients
                .iter()
                .any(|s| s.client.name.eq_ignore_ascii_case(&name))
            {
                return Err(Error::NameTaken {
                    what: "introspection client",
                    name: name.clone(),
                });
            }
            let client = ServeClient {
                name: name.clone(),
                can_revoke,
                created_at: now,
            };
            clients.push(Stored {
                client: client.clone(),
                secret_sha256,
            });
            keep(tx, &clients)?;
            let detail = if can_revoke {
                "may revoke"
            } else {
                "introspects"
            };
            store::insert_audit(
                tx,
                &NewAuditEvent::vault(
                    AuditAction::ClientAdd,
                    AuditOutcome::Ok,
                    &format!("client '{name}', {detail}"),
                )
                .at(now),
            )?;
            Ok(client)
        })?;
        Ok((client, secret))
    }

    /// Removes a client: its secret stops working at once, also in a running service.
    pub fn remove_serve_client(&mut self, name: &str) -> Result<ServeClient> {
        let name = name.trim().to_string();
        self.transact(|tx, now| {
            let mut clients = stored(tx)?;
            let at = clients
                .iter()
                .position(|s| s.client.name.eq_ignore_ascii_case(&name))
                .ok_or_else(|| Error::NotFound {
                    what: "introspection client",
                    name: name.clone(),
                })?;
            let removed = clients.remove(at).client;
            keep(tx, &clients)?;
            store::insert_audit(
                tx,
                &NewAuditEvent::vault(
                    AuditAction::ClientRemove,
                    AuditOutcome::Ok,
                    &format!("client '{}'", removed.name),
                )
                .at(now),
            )?;
            Ok(removed)
        })
    }

    /// The clients' keys as the vault holds them now, to authenticate callers with:
    /// a service reads them once per batch of requests (one read transaction), so a
    /// removal made by another process holds from the next batch on.
    pub fn serve_client_keys(&self) -> Result<ClientKeys> {
        Ok(ClientKeys(stored(&self.conn)?))
    }
}

/// A snapshot of the clients and their secrets' hashes ([`Vault::serve_client_keys`]).
pub struct ClientKeys(Vec<Stored>);

impl ClientKeys {
    /// The client these HTTP Basic credentials name, if the secret is its own; the
    /// secret's hash is compared in constant time.
    pub fn authenticate(&self, name: &str, secret: &str) -> Option<ServeClient> {
        let presented = digest(secret);
        self.0
            .iter()
            .find(|s| {
                let name_matches = s.client.name == name;
                let same: bool =
                    subtle::ConstantTimeEq::ct_eq(s.secret_sha256.as_bytes(), presented.as_bytes())
                        .into();
                name_matches & same
            })
            .map(|s| s.client.clone())
    }
}

fn stored(conn: &store::Connection) -> Result<Vec<Stored>> {
    match store::meta_get(conn, CLIENTS_META)? {
        None => Ok(Vec::new()),
        Some(json) => serde_json::from_slice(&json)
            .map_err(|_| Error::Damaged("the list of introspection clients is unreadable".into())),
    }
}

fn keep(conn: &store::Connection, clients: &[Stored]) -> Result<()> {
    let json = serde_json::to_vec(clients).map_err(|e| Error::Storage(e.to_string()))?;
    store::meta_set(conn, CLIENTS_META, &json)
}
