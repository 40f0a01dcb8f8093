//! The answer to "is this token good?" and the rules that decide it from a token's
//! state: status, then scopes, which fail closed. `vault::verify` finds the token and
//! applies them.

use crate::model::clock::Timestamp;
use crate::model::token::{Status, Token, TokenKind};

/// Why a token is not active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum Reason {
    /// No token in this vault matches.
    Unknown,
    /// Not a token of any form Tessera issues, or a JWT that does not parse.
    Malformed,
    /// A Tessera random token whose checksum does not match: a typo or truncation.
    BadChecksum,
    /// A JWT or assertion whose signature does not verify.
    BadSignature,
    /// The token is revoked.
    Revoked,
    /// The token is past its expiry.
    Expired,
    /// The JWT's `nbf` is in the future.
    NotYetValid,
    /// The token is not authorized for the API asked about.
    ApiNotAuthorized,
    /// The token is not authorized for the user asked about.
    UserNotAuthorized,
    /// An external token: kept by Tessera but issued by another service, which alone
    /// decides whether it is valid.
    IssuedElsewhere,
    /// An RSA assertion whose `jti` was already accepted: each is good for one use.
    Replayed,
    /// A shared vault's replica that has not heard from its server for longer than
    /// its staleness limit: what it knows may be out of date (a revoke elsewhere).
    StaleReplica,
}

impl Reason {
    /// The reason's stable name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// A sentence for people.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Unknown => "no token in this vault matches",
            Reason::Malformed => "this is not a well-formed token",
            Reason::BadChecksum => {
                "the checksum does not match: the token is mistyped or truncated"
            }
            Reason::BadSignature => "the signature does not verify",
            Reason::Revoked => "the token is revoked",
            Reason::Expired => "the token has expired",
            Reason::NotYetValid => "the token is not valid yet",
            Reason::ApiNotAuthorized => "the token is not authorized for this API",
            Reason::UserNotAuthorized => "the token is not authorized for this user",
            Reason::IssuedElsewhere => {
                "Tessera keeps this token but did not issue it; its provider decides whether it is valid"
            }
            Reason::Replayed => "this assertion was already used; sign a new one for every request",
            Reason::StaleReplica => {
                "this shared vault has not reached its server for longer than its staleness limit: sync it, then verify again"
            }
        }
    }
}

/// The answer to "is this token good?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Good: the token's metadata (never its secret).
    Active(Box<Token>),
    /// Not good, and why.
    Inactive(Reason),
}

impl Verification {
    /// Whether the token is active.
    pub fn is_active(&self) -> bool {
        matches!(self, Verification::Active(_))
    }
}

pub(crate) fn status_reason(token: &Token, now: Timestamp) -> std::result::Result<(), Reason> {
    match token.status(now) {
        Status::Revoked => Err(Reason::Revoked),
        Status::Expired => Err(Reason::Expired),
        _ => Ok(()),
    }
}

/// Status, then scopes, which fail closed: a token is authorized for an API or a user
/// only when its scope names it (or, for APIs, when it has every API). An external
/// token is never active: this vault did not issue it.
pub(crate) fn authorize(
    token: &Token,
    api: Option<&str>,
    user: Option<&str>,
    now: Timestamp,
) -> std::result::Result<(), Reason> {
    if token.kind == TokenKind::External {
        return Err(Reason::IssuedElsewhere);
    }
    status_reason(token, now)?;
    if api.is_some_and(|api| !token.allows_api(api)) {
        return Err(Reason::ApiNotAuthorized);
    }
    if user.is_some_and(|user| !token.allows_user(user)) {
        return Err(Reason::UserNotAuthorized);
    }
    Ok(())
}
