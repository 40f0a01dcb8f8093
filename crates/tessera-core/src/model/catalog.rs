//! Catalogs of the things tokens are scoped to: APIs, projects, users and service
//! accounts. Each has add / list / rename / remove; removal is refused while a token
//! still refers to the entry.

use crate::model::error::{Error, Result};
use crate::model::token::validate_name;
use std::fmt;
use std::str::FromStr;

/// The four catalogs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Catalog {
    /// APIs a token may be authorized for.
    Api,
    /// Projects an RSA token may be authorized for.
    Project,
    /// Users a JWT may be authorized for.
    User,
    /// Service accounts that own service tokens.
    ServiceAccount,
}

impl Catalog {
    /// Every catalog.
    pub const ALL: &'static [Catalog] = <Catalog as strum::VariantArray>::VARIANTS;

    /// The word for one entry, as used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Catalog::Api => "API",
            Catalog::Project => "project",
            Catalog::User => "user",
            Catalog::ServiceAccount => "service account",
        }
    }

    pub(crate) fn table(self) -> &'static str {
        match self {
            Catalog::Api => "apis",
            Catalog::Project => "projects",
            Catalog::User => "users",
            Catalog::ServiceAccount => "service_accounts",
        }
    }

    /// The link table and its column, for catalogs that are scope lists.
    pub(crate) fn link(self) -> Option<(&'static str, &'static str)> {
        match self {
            Catalog::Api => Some(("token_apis", "api_id")),
            Catalog::Project => Some(("token_projects", "project_id")),
            Catalog::User => Some(("token_users", "user_id")),
            Catalog::ServiceAccount => None,
        }
    }
}

impl fmt::Display for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Catalog {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let aliases = [
            ("apis", Catalog::Api),
            ("projects", Catalog::Project),
            ("users", Catalog::User),
            ("service_accounts", Catalog::ServiceAccount),
        ];
        crate::model::names::parse(s, "catalog", "a catalog", &aliases)
    }
}

/// One catalog entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CatalogEntry {
    /// Unique name within its catalog (case-insensitive).
    pub name: String,
    /// API: HTTP method; user: email; service account: description.
    pub detail: Option<String>,
    /// API: path pattern.
    pub extra: Option<String>,
    /// When it was added.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: crate::model::clock::Timestamp,
}

impl CatalogEntry {
    /// An entry with just a name.
    pub fn named(name: impl Into<String>) -> Self {
        CatalogEntry {
            name: name.into(),
            detail: None,
            extra: None,
            created_at: 0,
        }
    }
}

/// A checked catalog name: an API may not be called `*`, which means "every API".
pub(crate) fn catalog_name(catalog: Catalog, name: &str) -> Result<String> {
    let name = validate_name(name)?;
    if catalog == Catalog::Api && name == crate::model::token::ALL_APIS {
        return Err(crate::model::error::Error::invalid(
            "name",
            "'*' means every API; give the API a name of its own",
        ));
    }
    Ok(name)
}
