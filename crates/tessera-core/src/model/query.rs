//! What a search asks (text, kind, status, order, window) and what it answers (hits
//! with highlight positions, and the total).

use crate::model::error::{Error, Result};
use crate::model::token::{Status, Token, TokenKind};

/// Rows a page holds unless asked otherwise.
pub const DEFAULT_LIMIT: usize = 50;

/// How results are ordered.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Sort {
    /// Best match first when there is a query; by name otherwise.
    #[default]
    Relevance,
    /// By name, A to Z.
    Name,
    /// Newest first.
    Created,
    /// Soonest expiry first; never-expiring last.
    Expires,
    /// Most recently used first; unused last.
    LastUsed,
}

impl Sort {
    /// Every order, as offered.
    pub const ALL: &'static [Sort] = <Sort as strum::VariantArray>::VARIANTS;

    /// The order's name, as the CLI and IPC take it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::str::FromStr for Sort {
    type Err = Error;
    /// Any case, `-` or `_`; `used` for `last_used`. An unknown order is an error.
    fn from_str(s: &str) -> Result<Sort> {
        crate::model::names::parse(s, "sort", "an order", &[("used", Sort::LastUsed)])
    }
}

/// A search or list request.
#[derive(Debug, Clone)]
pub struct Query {
    /// Fuzzy text; empty lists everything.
    pub text: String,
    /// Only this kind.
    pub kind: Option<TokenKind>,
    /// Only this status. `Active` means every usable token (active, expiring soon,
    /// rotation due).
    pub status: Option<Status>,
    /// Order.
    pub sort: Sort,
    /// Rows to skip.
    pub offset: usize,
    /// Rows to return.
    pub limit: usize,
}

impl Query {
    /// The first page of everything matching `text`.
    pub fn text(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            kind: None,
            status: None,
            sort: Sort::Relevance,
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// One result row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The token's metadata (no secret).
    pub token: Token,
    /// Character positions in the name that matched, ascending.
    pub positions: Vec<u32>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Matching tokens in all pages.
    pub total: usize,
    /// This page.
    pub rows: Vec<Hit>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_read_in_any_spelling_and_an_unknown_one_is_refused() {
        for &sort in Sort::ALL {
            assert_eq!(sort.as_str().parse::<Sort>().expect("own name"), sort);
        }
        assert_eq!(
            "Last-Used".parse::<Sort>().expect("spelling"),
            Sort::LastUsed
        );
        assert_eq!("used".parse::<Sort>().expect("short"), Sort::LastUsed);
        let err = "newest".parse::<Sort>().expect_err("unknown");
        assert!(err.to_string().contains("use relevance, name"), "{err}");
    }
}
