//! The token model: kinds, ids, the metadata every token carries (never its secret),
//! derived status, and the validation of names and expiries.

use crate::model::clock::{DAY, Timestamp};
use crate::model::error::{Error, Result};
use crate::model::names;
use std::str::FromStr;

/// Days before expiry from which a token counts as "expiring soon".
pub const EXPIRING_SOON_DAYS: i64 = 7;
/// Longest token name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The six kinds of token.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum TokenKind {
    /// The workspace token: copied and replaced on a schedule.
    Workspace,
    /// A personal access token.
    Personal,
    /// A token of a service account.
    Service,
    /// An RSA key pair handed out as a token file.
    Rsa,
    /// A signed JWT.
    Jwt,
    /// A token issued elsewhere and pasted in.
    External,
}

impl TokenKind {
    /// Every kind, in display order.
    pub const ALL: &'static [TokenKind] = <TokenKind as strum::VariantArray>::VARIANTS;

    /// The kind's stable name, as stored and as typed on the command line.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The prefix of Tessera's random tokens of this kind.
    pub fn random_prefix(self) -> Option<&'static str> {
        match self {
            TokenKind::Workspace => Some("tsw_"),
            TokenKind::Personal => Some("tsp_"),
            TokenKind::Service => Some("tss_"),
            _ => None,
        }
    }
}

impl FromStr for TokenKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        names::parse(s, "kind", "a kind", &[("pat", TokenKind::Personal)])
    }
}

/// Which fields a kind of token takes: the rules a request is checked against
/// (`vault::lifecycle`), and the form the window shows for the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct KindFields {
    /// The kind.
    pub kind: TokenKind,
    /// Scoped to named APIs.
    pub apis: bool,
    /// May be given every API (`*`) by the person's choice.
    pub all_apis: bool,
    /// Scoped to projects.
    pub projects: bool,
    /// Scoped to users.
    pub users: bool,
    /// Owned by a service account (required).
    pub service_account: bool,
    /// Has an RSA key size.
    pub rsa_bits: bool,
    /// Has a JWT algorithm.
    pub jwt_alg: bool,
    /// Holds a value pasted in, and the service that issued it.
    pub value: bool,
}

impl TokenKind {
    /// The fields this kind takes.
    pub fn fields(self) -> KindFields {
        use TokenKind::*;
        KindFields {
            kind: self,
            apis: matches!(self, Personal | Service | Rsa | Jwt),
            all_apis: matches!(self, Personal | Service),
            projects: self == Rsa,
            users: self == Jwt,
            service_account: self == Service,
            rsa_bits: self == Rsa,
            jwt_alg: self == Jwt,
            value: self == External,
        }
    }
}

/// What a person sees as a token's state. Revoked and active are stored; the rest is
/// derived from time.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Status {
    /// Usable, with no warning.
    Active,
    /// Usable, expiring within [`EXPIRING_SOON_DAYS`].
    #[serde(rename = "expiring")]
    #[strum(serialize = "expiring")]
    ExpiringSoon,
    /// Usable, but its security period has elapsed since it was last rotated.
    RotationDue,
    /// Past its expiry: never verifies.
    Expired,
    /// Revoked: never verifies, can be restored or deleted.
    Revoked,
}

impl Status {
    /// Every status.
    pub const ALL: &'static [Status] = <Status as strum::VariantArray>::VARIANTS;

    /// The status's stable name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether a token in this status verifies.
    pub fn is_usable(self) -> bool {
        matches!(
            self,
            Status::Active | Status::ExpiringSoon | Status::RotationDue
        )
    }
}

impl FromStr for Status {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let aliases = [
            ("expiring_soon", Status::ExpiringSoon),
            ("rotate", Status::RotationDue),
        ];
        names::parse(s, "status", "a status", &aliases)
    }
}

/// The time facts that decide a token's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    /// Whether the token is revoked.
    pub revoked: bool,
    /// When it expires, if ever.
    pub expires_at: Option<Timestamp>,
    /// Its security period in days, if any.
    pub rotation_days: Option<i64>,
    /// When its secret was last made (creation or rotation).
    pub rotated_at: Timestamp,
}

impl Lifetime {
    /// The status at `now`.
    pub fn status(&self, now: Timestamp) -> Status {
        if self.revoked {
            return Status::Revoked;
        }
        if let Some(expires_at) = self.expires_at {
            if expires_at <= now {
                return Status::Expired;
            }
            if expires_at - now <= EXPIRING_SOON_DAYS * DAY {
                return Status::ExpiringSoon;
            }
        }
        match self.rotation_due_at() {
            Some(due) if due <= now => Status::RotationDue,
            _ => Status::Active,
        }
    }

    /// When the security period runs out, if the token has one.
    pub fn rotation_due_at(&self) -> Option<Timestamp> {
        self.rotation_days.map(|days| self.rotated_at + days * DAY)
    }
}

/// In a request's API list, alone: "every API" (personal and service tokens).
pub const ALL_APIS: &str = "*";

/// A token's metadata: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// UUIDv7.
    pub id: String,
    /// Unique name, 1–100 characters.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The kind.
    pub kind: TokenKind,
    /// Creation time.
    pub created_at: Timestamp,
    /// Revocation time, while revoked.
    pub revoked_at: Option<Timestamp>,
    /// Last successful verification; `None` means "Not used".
    pub last_used_at: Option<Timestamp>,
    /// Successful verifications.
    pub use_count: i64,
    /// Status facts.
    pub lifetime: Lifetime,
    /// Authorized for every API: the workspace token by definition, others only when
    /// the person chose it (`--api '*'`, "All APIs"). Then `apis` is empty.
    pub all_apis: bool,
    /// Authorized APIs (personal, service, rsa, jwt). Empty and not `all_apis`: none.
    pub apis: Vec<String>,
    /// Authorized projects (rsa).
    pub projects: Vec<String>,
    /// Authorized users (jwt).
    pub users: Vec<String>,
    /// Owning service account (service).
    pub service_account: Option<String>,
    /// The issuing service (external), e.g. "GitHub".
    pub service: Option<String>,
    /// RSA: base64url SHA-256 of the public key's SPKI DER.
    pub key_id: Option<String>,
    /// JWT: signing algorithm.
    pub jwt_alg: Option<JwtAlg>,
}

impl Token {
    /// Whether the token is authorized for `api`: only when its scope says so.
    pub fn allows_api(&self, api: &str) -> bool {
        self.all_apis || self.apis.iter().any(|a| a.eq_ignore_ascii_case(api.trim()))
    }

    /// Whether the token is authorized for `user`: only JWTs have a user scope.
    pub fn allows_user(&self, user: &str) -> bool {
        self.kind == TokenKind::Jwt
            && self
                .users
                .iter()
                .any(|u| u.eq_ignore_ascii_case(user.trim()))
    }

    /// The status at `now`.
    pub fn status(&self, now: Timestamp) -> Status {
        self.lifetime.status(now)
    }

    /// When the token expires, if ever.
    pub fn expires_at(&self) -> Option<Timestamp> {
        self.lifetime.expires_at
    }
}

/// JWT signing algorithms Tessera issues and accepts.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum JwtAlg {
    /// HMAC-SHA256 with the vault's 256-bit key (default).
    #[serde(rename = "HS256")]
    #[strum(serialize = "HS256")]
    Hs256,
    /// RSA PKCS#1 v1.5 SHA-256 with the vault's RSA key.
    #[serde(rename = "RS256")]
    #[strum(serialize = "RS256")]
    Rs256,
    /// Ed25519 with the vault's Ed25519 key.
    #[serde(rename = "EdDSA")]
    #[strum(serialize = "EdDSA")]
    EdDsa,
}

impl JwtAlg {
    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FromStr for JwtAlg {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        names::parse(s, "algorithm", "offered", &[("ed25519", JwtAlg::EdDsa)])
    }
}

/// RSA key sizes offered.
pub const RSA_BITS: [usize; 3] = [2048, 3072, 4096];

/// A requested expiry: never, or a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// The token does not expire.
    Never,
    /// The token expires at this time.
    At(Timestamp),
}

impl Expiry {
    /// Parses `never`, a duration such as `7d`, `12h`, `2w`, `30m`, or a date
    /// `YYYY-MM-DD` (end of that day, UTC) or RFC 3339 time, relative to `now`.
    /// A moment that is not in the future is refused.
    pub fn parse(text: &str, now: Timestamp) -> Result<Expiry> {
        let text = text.trim();
        let bad = || {
            Error::invalid(
                "expiry",
                format!(
                    "'{text}' is not an expiry; use a duration like 30d, a date YYYY-MM-DD, or never"
                ),
            )
        };
        if text.eq_ignore_ascii_case("never") || text.eq_ignore_ascii_case("none") {
            return Ok(Expiry::Never);
        }
        let at = if let Some(at) = crate::model::clock::parse_rfc3339(text) {
            at
        } else if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            date.and_hms_opt(23, 59, 59)
                .ok_or_else(bad)?
                .and_utc()
                .timestamp()
        } else {
            let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
            let (digits, unit) = text.split_at(split);
            let n: i64 = digits.parse().map_err(|_| bad())?;
            let unit_secs = match unit {
                "m" | "min" => 60,
                "h" => 3_600,
                "d" => DAY,
                "w" => 7 * DAY,
                "y" => 365 * DAY,
                _ => return Err(bad()),
            };
            if n == 0 || n > 100 * 365 * DAY / unit_secs {
                return Err(Error::invalid(
                    "expiry",
                    format!("'{text}' must be between 1 and 100 years"),
                ));
            }
            now + n * unit_secs
        };
        Expiry::at(at, now)
    }

    /// An expiry at a given moment, refused unless it is in the future.
    pub fn at(at: Timestamp, now: Timestamp) -> Result<Expiry> {
        if at <= now {
            return Err(Error::invalid(
                "expiry",
                format!(
                    "{} is in the past; choose a future date",
                    crate::model::clock::rfc3339(at)
                ),
            ));
        }
        Ok(Expiry::At(at))
    }

    /// The moment, if any.
    pub fn timestamp(self) -> Option<Timestamp> {
        match self {
            Expiry::Never => None,
            Expiry::At(at) => Some(at),
        }
    }
}

/// Trims and checks a name: 1–100 characters, no control characters.
pub fn validate_name(name: &str) -> Result<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid("name", "a name is required"));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!("at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Error::invalid("name", "control characters are not allowed"));
    }
    Ok(trimmed.to_string())
}

/// Checks a security period in days.
pub fn validate_rotation_days(days: Option<i64>) -> Result<Option<i64>> {
    match days {
        Some(d) if !(1..=3650).contains(&d) => {
            Err(Error::invalid("security period", "use 1 to 3650 days"))
        }
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = 1_800_000_000;

    fn check_expiry(input: &str, expected: Option<Expiry>) {
        assert_eq!(Expiry::parse(input, NOW).ok(), expected, "{input}");
    }

    #[test]
    fn expiries_parse() {
        check_expiry("never", Some(Expiry::Never));
        check_expiry("7d", Some(Expiry::At(NOW + 7 * DAY)));
        check_expiry("2w", Some(Expiry::At(NOW + 14 * DAY)));
        check_expiry("12h", Some(Expiry::At(NOW + 12 * 3_600)));
        check_expiry("2040-01-31", Some(Expiry::At(2_211_667_199)));
        check_expiry("2020-01-01", None);
        check_expiry("0d", None);
        check_expiry("-3d", None);
        check_expiry("7x", None);
        check_expiry("soon", None);
        check_expiry("", None);
        check_expiry("99999999999d", None);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            validate_name("  ci deploy ").ok().as_deref(),
            Some("ci deploy")
        );
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(101)).is_err());
        assert!(validate_name(&"é".repeat(100)).is_ok());
        assert!(validate_name("a\u{7}b").is_err());
    }

    #[test]
    fn status_is_derived_from_time() {
        let life = |revoked, expires_at, rotation_days| Lifetime {
            revoked,
            expires_at,
            rotation_days,
            rotated_at: NOW - 10 * DAY,
        };
        assert_eq!(life(false, None, None).status(NOW), Status::Active);
        assert_eq!(life(true, None, None).status(NOW), Status::Revoked);
        assert_eq!(life(false, Some(NOW), None).status(NOW), Status::Expired);
        assert_eq!(
            life(false, Some(NOW + 7 * DAY), None).status(NOW),
            Status::ExpiringSoon
        );
        assert_eq!(
            life(false, Some(NOW + 8 * DAY), None).status(NOW),
            Status::Active
        );
        assert_eq!(life(false, None, Some(10)).status(NOW), Status::RotationDue);
        assert_eq!(life(false, None, Some(11)).status(NOW), Status::Active);
        assert!(!Status::Expired.is_usable() && !Status::Revoked.is_usable());
    }

    #[test]
    fn kinds_and_statuses_parse() {
        for &kind in TokenKind::ALL {
            assert_eq!(kind.as_str().parse::<TokenKind>().ok(), Some(kind));
        }
        for &status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>().ok(), Some(status));
        }
        assert!("robot".parse::<TokenKind>().is_err());
    }
}
