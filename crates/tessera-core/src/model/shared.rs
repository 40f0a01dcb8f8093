//! What a shared vault's members exchange through the server, as data: a token's whole
//! state (a record's plaintext), the signed roster of members and roles, and the invite
//! that pins the admin who sent it. No I/O and no keys here (crypto/identity.rs and
//! crypto/shared_record.rs seal and sign them).

use crate::model::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// A member's role in a shared vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Role {
    /// Manages members and service tokens.
    Admin,
    /// Creates and uses personal tokens.
    Member,
}

impl std::str::FromStr for Role {
    type Err = Error;

    fn from_str(text: &str) -> Result<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            other => Err(Error::invalid(
                "role",
                format!("'{other}' is not a role: use admin or member"),
            )),
        }
    }
}

/// One member of a roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterMember {
    /// The member's public identity (`tessera-id1:…`).
    pub identity: String,
    pub role: Role,
}

/// Who belongs to a shared vault at one version: signed by an admin of the version
/// before (the first by its creator, whom the invite pins), chained by hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub vault_id: String,
    pub version: i64,
    /// SHA-256 (hex) of the previous version's signed bytes; none for version 1.
    pub prev: Option<String>,
    /// The epoch whose key the members hold.
    pub epoch: i64,
    pub members: Vec<RosterMember>,
}

impl Roster {
    /// The member with `identity`, if any.
    pub fn member(&self, identity: &str) -> Option<&RosterMember> {
        self.members.iter().find(|m| m.identity == identity)
    }

    /// Whether `identity` is an admin of this roster.
    pub fn is_admin(&self, identity: &str) -> bool {
        self.member(identity).is_some_and(|m| m.role == Role::Admin)
    }

    /// The bytes an admin signs (canonical: serde_json of this struct, fields in order).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Roster> {
        serde_json::from_slice(bytes).map_err(|e| {
            Error::invalid("roster", format!("the server's roster does not read: {e}"))
        })
    }
}

/// A member's way in: the vault, where it is kept, and the admin who invited (whose
/// key must sign the roster the joiner reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub vault_id: String,
    pub name: String,
    /// The server's address, without its password.
    pub server: String,
    /// The identity the roster chain starts from: the first admin, the vault's creator.
    pub admin: String,
    /// The invited member's identity, so an invite read by someone else is refused.
    pub member: String,
    /// The server login minted for the member, and its secret sealed to the member's
    /// key (base64): only the invited member can connect with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<InviteLogin>,
}

/// A login an invite carries: the server's user name and its sealed secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLogin {
    pub user: String,
    pub sealed: String,
}

impl InviteLogin {
    /// A login of `user` with secret `sealed` (sealed to the invited member).
    pub fn new(user: &str, sealed: &[u8]) -> InviteLogin {
        InviteLogin {
            user: user.to_string(),
            sealed: URL_SAFE_NO_PAD.encode(sealed),
        }
    }

    /// The sealed secret's bytes.
    pub fn sealed_bytes(&self) -> Result<Vec<u8>> {
        URL_SAFE_NO_PAD.decode(&self.sealed).map_err(|_| {
            Error::invalid(
                "invite",
                "its login is damaged: copy the whole line `tessera vault member add` printed",
            )
        })
    }
}

const INVITE_PREFIX: &str = "tessera-invite1:";

impl Invite {
    /// The invite as one line of text.
    pub fn to_text(&self) -> String {
        let json = Zeroizing::new(serde_json::to_vec(self).unwrap_or_default());
        format!("{INVITE_PREFIX}{}", URL_SAFE_NO_PAD.encode(json.as_slice()))
    }

    pub fn from_text(text: &str) -> Result<Invite> {
        let bad = || {
            Error::invalid(
                "invite",
                "it is cut short or mistyped: copy the whole line `tessera vault member add` printed",
            )
        };
        let body = text.trim().strip_prefix(INVITE_PREFIX).ok_or_else(bad)?;
        let json = Zeroizing::new(URL_SAFE_NO_PAD.decode(body).map_err(|_| bad())?);
        serde_json::from_slice(&json).map_err(|_| bad())
    }
}

/// The id of the record that carries the vault's JWT signing keys.
pub const SIGNING_KEYS_RECORD: &str = "meta:signing-keys";

/// How the ids of manifest records begin: one per member, [`manifest_record`].
pub const MANIFEST_PREFIX: &str = "meta:manifest:";

/// The id of the manifest record that the member of fingerprint `fingerprint` writes
/// with each push.
pub fn manifest_record(fingerprint: &str) -> String {
    format!("{MANIFEST_PREFIX}{}", fingerprint.replace(' ', ""))
}

/// Whether `record_id` is the vault's own bookkeeping (signing keys, manifests), not
/// a token.
pub fn is_meta(record_id: &str) -> bool {
    record_id.starts_with("meta:")
}

/// A token's whole state as every member's replica holds it: a record's plaintext.
/// Usage (last use, count) stays on each machine. Wiped when dropped.
#[derive(Serialize, Deserialize, Default)]
pub struct TokenState {
    pub id: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub revoked: bool,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub rotation_days: Option<i64>,
    pub rotated_at: i64,
    pub service_account: Option<String>,
    pub service: Option<String>,
    pub key_id: Option<String>,
    pub jwt_alg: Option<String>,
    pub all_apis: bool,
    pub apis: Vec<String>,
    pub projects: Vec<String>,
    pub users: Vec<String>,
    /// The secret (base64url): the token string, or an RSA token's PKCS#8 key.
    pub value: Zeroizing<String>,
    /// SHA-256 of the token string (base64url), as verification looks it up.
    pub hash: Option<String>,
    pub public_key: Option<String>,
}

impl std::fmt::Debug for TokenState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenState")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A change made here that another member's change of the same field overtook: their
/// value was kept, and ours is kept here to be taken back on request. Wiped when
/// dropped.
#[derive(Serialize, Deserialize)]
pub struct Conflict {
    pub token_id: String,
    pub name: String,
    /// When the other change arrived.
    pub at: i64,
    /// Our value of each field both sides changed, but the secret.
    pub ours: serde_json::Map<String, serde_json::Value>,
    /// Our secret (base64url, as [`TokenState::value`]), when it is one of them.
    pub ours_secret: Option<Zeroizing<String>>,
}

impl Conflict {
    /// The fields both sides changed, by the names `TokenState` gives them.
    pub fn fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = self.ours.keys().cloned().collect();
        if self.ours_secret.is_some() {
            fields.push("secret".into());
        }
        fields
    }
}

impl std::fmt::Debug for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conflict")
            .field("token_id", &self.token_id)
            .field("fields", &self.fields())
            .finish_non_exhaustive()
    }
}

/// What a record holds: a token's state, a token deleted, the vault's signing keys,
/// or a member's manifest.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecordBody {
    Token(Box<TokenState>),
    Deleted {
        id: String,
    },
    SigningKeys {
        keys: Vec<(String, Zeroizing<String>)>,
    },
    /// The version of every record its author knew the server to hold once its push
    /// was in, written in the push's own transaction. A reader that holds an older
    /// version of any of them, after reading this, was served a vault with a record
    /// held back.
    Manifest {
        versions: Vec<(String, i64)>,
    },
}

impl RecordBody {
    /// The plaintext, in wiped memory.
    pub fn to_plaintext(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn from_plaintext(bytes: &[u8]) -> Result<RecordBody> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::invalid("record", format!("a record does not read: {e}")))
    }
}

/// Bytes as base64url, the way [`TokenState`] carries them.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Bytes back from [`b64`].
pub fn unb64(text: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| Error::invalid("record", "a field is not base64url"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_round_trips_and_a_cut_one_is_refused() {
        let invite = Invite {
            vault_id: "v".into(),
            name: "team".into(),
            server: "postgres://h/db".into(),
            admin: "tessera-id1:a".into(),
            member: "tessera-id1:b".into(),
            login: Some(InviteLogin::new("tessera_0", &[1, 2, 3])),
        };
        let text = invite.to_text();
        assert_eq!(Invite::from_text(&text).expect("read"), invite);
        assert!(Invite::from_text(&text[..text.len() - 4]).is_err());
        assert!(Invite::from_text("team").is_err());
    }

    #[test]
    fn a_roster_tells_admins_from_members() {
        let roster = Roster {
            vault_id: "v".into(),
            version: 1,
            prev: None,
            epoch: 1,
            members: vec![
                RosterMember {
                    identity: "a".into(),
                    role: Role::Admin,
                },
                RosterMember {
                    identity: "b".into(),
                    role: Role::Member,
                },
            ],
        };
        assert!(roster.is_admin("a") && !roster.is_admin("b") && !roster.is_admin("c"));
        assert_eq!(
            Roster::from_bytes(&roster.to_bytes()).expect("read"),
            roster
        );
    }
}
