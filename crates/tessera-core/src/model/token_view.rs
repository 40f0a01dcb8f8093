//! A token as people are shown it: its metadata and the facts that hold at a moment
//! (status, when its replacement is due). The one shape the window's rows (`TokenRow`
//! in tessera-ipc) and the CLI's `--json` are made from; never the secret.

use crate::model::clock::Timestamp;
use crate::model::token::{JwtAlg, Status, Token, TokenKind};

/// A token at a moment, as the window and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TokenView {
    /// UUIDv7.
    pub id: String,
    /// The unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The kind.
    pub kind: TokenKind,
    /// The status at the moment of the view.
    pub status: Status,
    /// Creation time.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: Timestamp,
    /// When it expires, if ever.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub expires_at: Option<Timestamp>,
    /// Revocation time, while revoked.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub revoked_at: Option<Timestamp>,
    /// Last successful verification; `null` reads "Not used".
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_used_at: Option<Timestamp>,
    /// Successful verifications.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub use_count: i64,
    /// Its security period in days, if any.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub rotation_days: Option<i64>,
    /// When the security period runs out, if the token has one.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub rotation_due_at: Option<Timestamp>,
    /// When its secret was last made (creation or rotation).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rotated_at: Timestamp,
    /// Authorized for every API ("All APIs"); `apis` is then empty.
    pub all_apis: bool,
    /// Authorized APIs.
    pub apis: Vec<String>,
    /// Authorized projects (RSA).
    pub projects: Vec<String>,
    /// Authorized users (JWT).
    pub users: Vec<String>,
    /// Owning service account (service).
    pub service_account: Option<String>,
    /// The issuing service (external).
    pub service: Option<String>,
    /// RSA: base64url SHA-256 of the public key.
    pub key_id: Option<String>,
    /// JWT: the signing algorithm.
    pub algorithm: Option<JwtAlg>,
}

impl TokenView {
    /// The fields that hold a time (Unix seconds), for a presenter that writes times
    /// another way (the CLI's JSON writes RFC 3339).
    pub const TIMES: &'static [&'static str] = &[
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "rotation_due_at",
        "rotated_at",
    ];

    /// `token` as it stands at `now`.
    pub fn new(token: &Token, now: Timestamp) -> Self {
        TokenView {
            id: token.id.clone(),
            name: token.name.clone(),
            description: token.description.clone(),
            kind: token.kind,
            status: token.status(now),
            created_at: token.created_at,
            expires_at: token.expires_at(),
            revoked_at: token.revoked_at,
            last_used_at: token.last_used_at,
            use_count: token.use_count,
            rotation_days: token.lifetime.rotation_days,
            rotation_due_at: token.lifetime.rotation_due_at(),
            rotated_at: token.lifetime.rotated_at,
            all_apis: token.all_apis,
            apis: token.apis.clone(),
            projects: token.projects.clone(),
            users: token.users.clone(),
            service_account: token.service_account.clone(),
            service: token.service.clone(),
            key_id: token.key_id.clone(),
            algorithm: token.jwt_alg,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_time_field_is_named_in_times() {
        let token = Token {
            id: "0190".into(),
            name: "deploy".into(),
            description: String::new(),
            kind: TokenKind::Personal,
            created_at: 10,
            revoked_at: None,
            last_used_at: None,
            use_count: 0,
            lifetime: crate::model::token::Lifetime {
                revoked: false,
                expires_at: Some(100),
                rotation_days: Some(30),
                rotated_at: 10,
            },
            all_apis: false,
            apis: vec![],
            projects: vec![],
            users: vec![],
            service_account: None,
            service: None,
            key_id: None,
            jwt_alg: None,
        };
        let value = serde_json::to_value(TokenView::new(&token, 0)).expect("serializes");
        let object = value.as_object().expect("an object");
        for field in TokenView::TIMES {
            assert!(object.contains_key(*field), "{field} is a field");
        }
        let numbers_named_at: Vec<_> = object.keys().filter(|key| key.ends_with("_at")).collect();
        assert_eq!(numbers_named_at.len(), TokenView::TIMES.len());
    }
}
