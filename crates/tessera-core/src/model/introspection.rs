//! The answer of `tessera serve`'s `POST /introspect`: a verification as the fields of
//! RFC 7662, section 2.2. An inactive token gets `{"active":false}` and nothing else:
//! why it is inactive goes to the audit log, not to the caller.

use crate::model::token::Token;
use serde::Serialize;

/// The times a Tessera JWT carries (already verified).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwtTimes {
    /// `iat`.
    pub iat: i64,
    /// `nbf`.
    pub nbf: i64,
    /// `exp`.
    pub exp: i64,
}

/// An RFC 7662 introspection response, with Tessera's own facts as `tessera_*`
/// extensions (RFC 7662 section 2.2 allows them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Introspection {
    /// Whether the token is good.
    pub active: bool,
    /// The APIs it is authorized for, as space-separated scope tokens (RFC 6749 §3.3:
    /// characters a scope token may not hold are percent-encoded); `*` means every API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A service token's service account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// A JWT's user: the one asked about, else its only one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `Bearer`: every Tessera token is presented as a bearer token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    /// Expiry (Unix seconds), if the token expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Issued at: a JWT's `iat`, else the token's creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// A JWT's `nbf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The token's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The APIs it is authorized for (absent for every API).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aud: Vec<String>,
    /// `tessera:<vault id>`, as the vault's JWTs carry it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The token's id, as its JWT carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The token's kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tessera_kind: Option<&'static str>,
    /// The token's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tessera_name: Option<String>,
    /// An RSA token's projects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tessera_projects: Vec<String>,
    /// A JWT's users.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tessera_users: Vec<String>,
}

impl Introspection {
    /// `{"active":false}`.
    pub fn inactive() -> Self {
        Introspection::default()
    }

    /// The answer for an active token. `user` is the user asked about (already
    /// checked); `jwt` the presented JWT's times, when it is one of the vault's JWTs.
    pub fn active(token: &Token, issuer: &str, user: Option<&str>, jwt: Option<JwtTimes>) -> Self {
        let scope = if token.all_apis {
            "*".to_string()
        } else {
            let tokens: Vec<String> = token.apis.iter().map(|a| scope_token(a)).collect();
            tokens.join(" ")
        };
        let username =
            user.map(|u| u.trim().to_string())
                .or_else(|| match token.users.as_slice() {
                    [only] => Some(only.clone()),
                    _ => None,
                });
        Introspection {
            active: true,
            scope: Some(scope),
            client_id: token.service_account.clone(),
            username,
            token_type: Some("Bearer"),
            exp: jwt.map(|t| t.exp).or(token.expires_at()),
            iat: Some(jwt.map_or(token.created_at, |t| t.iat)),
            nbf: jwt.map(|t| t.nbf),
            sub: Some(token.id.clone()),
            aud: if token.all_apis {
                Vec::new()
            } else {
                token.apis.clone()
            },
            iss: Some(issuer.to_string()),
            jti: Some(token.id.clone()),
            tessera_kind: Some(token.kind.as_str()),
            tessera_name: Some(token.name.clone()),
            tessera_projects: token.projects.clone(),
            tessera_users: token.users.clone(),
        }
    }
}

/// An API name as an RFC 6749 scope token: `%x21 / %x23-5B / %x5D-7E`, with `%` and
/// every other byte percent-encoded.
fn scope_token(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        match byte {
            b'%' => out.push_str("%25"),
            0x21 | 0x23..=0x5B | 0x5D..=0x7E => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactive_is_active_false_alone() {
        let json = serde_json::to_string(&Introspection::inactive()).expect("as built");
        assert_eq!(json, r#"{"active":false}"#);
    }

    #[test]
    fn scope_tokens_hold_no_space_or_quote() {
        assert_eq!(scope_token("billing"), "billing");
        assert_eq!(
            scope_token("my api \"x\" 100%"),
            "my%20api%20%22x%22%20100%25"
        );
        assert_eq!(scope_token("café"), "caf%C3%A9");
    }
}
