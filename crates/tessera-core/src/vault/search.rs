//! Fuzzy search over token names with nucleo-matcher (the helix editor's matcher),
//! ranked, with match positions for highlighting, kind and status filters, sorting and
//! `offset`/`limit` paging with the total.
//!
//! The index holds names and status facts only; secret fields never enter it. It is
//! built on first use and kept until the vault changes (a write here, or another
//! process's write, seen through `PRAGMA data_version`). When a query only grew, only
//! the previous matches are scored again. An unfiltered list by name needs no index:
//! it is one indexed SQL page, so the first page of a cold vault is fast.

use crate::model::clock::Timestamp;
use crate::model::error::{Error, Result};
use crate::model::names::Names;
use crate::model::token::{Status, Token, TokenKind};
use crate::store::{self, IndexRow};
use crate::vault::Vault;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use std::cmp::Reverse;

/// Rows a page holds unless asked otherwise.
pub const DEFAULT_LIMIT: usize = 50;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    pub const ALL: [Sort; 5] = [
        Sort::Relevance,
        Sort::Name,
        Sort::Created,
        Sort::Expires,
        Sort::LastUsed,
    ];

    /// The order's name, as the CLI and IPC take it.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Name => "name",
            Sort::Created => "created",
            Sort::Expires => "expires",
            Sort::LastUsed => "last_used",
        }
    }
}

impl std::str::FromStr for Sort {
    type Err = Error;
    /// Any case, `-` or `_`; `used` for `last_used`. An unknown order is an error.
    fn from_str(s: &str) -> Result<Sort> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        if wanted == "used" {
            return Ok(Sort::LastUsed);
        }
        Sort::ALL
            .into_iter()
            .find(|sort| sort.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Sort::ALL.iter().map(|s| s.as_str()).collect();
                Error::invalid(
                    "sort",
                    format!("'{s}' is not an order; use {}", names.join(", ")),
                )
            })
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

/// Whether a token with these facts passes the filters.
fn passes(row: &IndexRow, kind: Option<TokenKind>, status: Option<Status>, now: Timestamp) -> bool {
    kind.is_none_or(|k| row.kind == k)
        && status.is_none_or(|wanted| {
            let actual = row.lifetime().status(now);
            if wanted == Status::Active {
                actual.is_usable()
            } else {
                actual == wanted
            }
        })
}

/// The in-memory index: names in name order with their status facts.
pub struct SearchIndex {
    rows: Vec<IndexRow>,
    names: Names,
    matcher: Matcher,
    last: Option<(String, Vec<u32>)>,
}

impl SearchIndex {
    fn new(names: Names, rows: Vec<IndexRow>) -> Self {
        debug_assert_eq!(names.len(), rows.len());
        SearchIndex {
            rows,
            names,
            matcher: Matcher::new(Config::DEFAULT),
            last: None,
        }
    }

    /// An index over bare names (for benchmarks and tests): personal tokens, never
    /// expiring, in the order given.
    pub fn from_names<S: AsRef<str>>(list: impl IntoIterator<Item = S>) -> Result<Self> {
        let mut names = Names::default();
        let mut rows = Vec::new();
        for (i, name) in list.into_iter().enumerate() {
            names.push(name.as_ref())?;
            let lifetime = crate::model::token::Lifetime {
                revoked: false,
                expires_at: None,
                rotation_days: None,
                rotated_at: 0,
            };
            let id = uuid::Uuid::from_u128(i as u128);
            rows.push(IndexRow::new(id, TokenKind::Personal, lifetime, 0, None));
        }
        Ok(SearchIndex::new(names, rows))
    }

    /// Forgets the previous query, so the next one scores every name.
    pub fn forget_previous(&mut self) {
        self.last = None;
    }

    /// Names indexed.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Indices of matching rows, best first, filtered. Narrows from the previous
    /// result when the text only grew.
    pub fn matches(
        &mut self,
        text: &str,
        kind: Option<TokenKind>,
        status: Option<Status>,
        now: Timestamp,
    ) -> Vec<u32> {
        let text = text.trim_start();
        if text.trim().is_empty() {
            self.last = None;
            return (0..self.rows.len() as u32)
                .filter(|&i| passes(&self.rows[i as usize], kind, status, now))
                .collect();
        }
        let pattern = Pattern::parse(text, CaseMatching::Smart, Normalization::Smart);
        let narrowing = match &self.last {
            Some((previous, _)) => {
                !previous.is_empty() && text.starts_with(previous.as_str()) && !text.contains('!')
            }
            None => false,
        };
        let candidates: Vec<u32> = match (&self.last, narrowing) {
            (Some((_, previous)), true) => previous.clone(),
            _ => (0..self.rows.len() as u32).collect(),
        };
        let mut scored: Vec<(u32, u32)> = Vec::with_capacity(candidates.len().min(4096));
        for i in candidates {
            if let Some(score) = pattern.score(self.names.get(i), &mut self.matcher) {
                scored.push((i, score));
            }
        }
        self.last = Some((text.to_string(), scored.iter().map(|&(i, _)| i).collect()));
        // Rows are in name order, so a stable sort by score keeps ties alphabetical.
        scored.sort_by_key(|&(_, score)| Reverse(score));
        scored
            .into_iter()
            .map(|(i, _)| i)
            .filter(|&i| passes(&self.rows[i as usize], kind, status, now))
            .collect()
    }

    /// Matched character positions of `text` in row `index`'s name.
    pub fn positions(&mut self, text: &str, index: u32) -> Vec<u32> {
        if text.trim().is_empty() {
            return Vec::new();
        }
        let pattern = Pattern::parse(text.trim_start(), CaseMatching::Smart, Normalization::Smart);
        let mut out = Vec::new();
        pattern.indices(self.names.get(index), &mut self.matcher, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn sort(&self, indices: &mut [u32], sort: Sort, has_text: bool) {
        let row = |i: &u32| &self.rows[*i as usize];
        match sort {
            Sort::Relevance if has_text => {}
            // Rows are stored in name order.
            Sort::Relevance | Sort::Name => indices.sort_unstable(),
            Sort::Created => indices.sort_by_key(|i| Reverse(row(i).created_at)),
            Sort::Expires => indices.sort_by_key(|i| row(i).expires_at),
            Sort::LastUsed => indices.sort_by_key(|i| Reverse(row(i).last_used_at)),
        }
    }
}

/// The vault's cached index and the data version it was built at.
#[derive(Default)]
pub(crate) struct SearchCache {
    index: Option<(i64, SearchIndex)>,
}

impl SearchCache {
    pub(crate) fn invalidate(&mut self) {
        self.index = None;
    }
}

impl Vault {
    /// Builds the search index now if it is missing or stale, so that the next text
    /// search does not pay for reading every name (about 0.1 s at 100,000 tokens). The
    /// app calls it once the list is on screen and after each change.
    pub fn prepare_search(&mut self) -> Result<()> {
        self.flush_usage()?;
        let version = self.outside_changes()?;
        let fresh = matches!(&self.search.index, Some((v, _)) if *v == version);
        if !fresh {
            let (names, rows) = store::index_rows(&self.conn)?;
            let index = SearchIndex::new(names, rows);
            self.search.index = Some((version, index));
        }
        Ok(())
    }

    /// Tokens per kind, every kind listed (zero where there are none): one pass over the
    /// (kind, name) index.
    pub fn kind_counts(&self) -> Result<Vec<(TokenKind, usize)>> {
        let counted = store::kind_counts(&self.conn)?;
        Ok(TokenKind::ALL
            .iter()
            .map(|&kind| {
                let count = counted
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(0, |(_, n)| *n);
                (kind, count)
            })
            .collect())
    }

    /// Searches or lists tokens. Rows carry metadata only, never a secret.
    pub fn search(&mut self, query: &Query) -> Result<Page> {
        let now = self.now();
        let limit = query.limit.clamp(1, 1_000);
        let has_text = !query.text.trim().is_empty();
        if !has_text && query.status.is_none() && matches!(query.sort, Sort::Relevance | Sort::Name)
        {
            let (total, tokens) = store::tokens_page(&self.conn, query.kind, query.offset, limit)?;
            let rows = tokens
                .into_iter()
                .map(|token| Hit {
                    token,
                    positions: Vec::new(),
                })
                .collect();
            return Ok(Page { total, rows });
        }
        self.prepare_search()?;
        let Some((_, index)) = self.search.index.as_mut() else {
            return Ok(Page {
                total: 0,
                rows: Vec::new(),
            });
        };
        let mut matched = index.matches(&query.text, query.kind, query.status, now);
        index.sort(&mut matched, query.sort, has_text);
        let window: Vec<u32> = matched
            .iter()
            .skip(query.offset)
            .take(limit)
            .copied()
            .collect();
        let ids: Vec<String> = window
            .iter()
            .map(|&i| index.rows[i as usize].id.to_string())
            .collect();
        let tokens = store::tokens_by_ids(&self.conn, &ids)?;
        // Each row keeps its own highlight: a vanished token leaves a gap, not a shift.
        let rows = tokens
            .into_iter()
            .zip(window.iter())
            .filter_map(|(token, &i)| {
                Some(Hit {
                    positions: index.positions(&query.text, i),
                    token: token?,
                })
            })
            .collect();
        Ok(Page {
            total: matched.len(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> SearchIndex {
        SearchIndex::from_names(list).expect("index")
    }

    fn found(index: &mut SearchIndex, text: &str) -> Vec<String> {
        index
            .matches(text, None, None, 0)
            .into_iter()
            .map(|i| index.names.get(i).to_string())
            .collect()
    }

    #[test]
    fn an_index_row_stays_small() {
        // 100,000 of them are held in memory (docs/benchmarks.md).
        assert!(std::mem::size_of::<IndexRow>() <= 56);
    }

    #[test]
    fn fuzzy_matches_rank_and_highlight() {
        let mut index = names(&["billing api", "ci deploy", "github ci", "prod database"]);
        assert_eq!(found(&mut index, "ci"), ["ci deploy", "github ci"]);
        assert_eq!(found(&mut index, "bapi"), ["billing api"]);
        assert_eq!(found(&mut index, "zzz"), Vec::<String>::new());
        assert_eq!(found(&mut index, "").len(), 4);
        assert_eq!(index.positions("cid", 1), [0, 1, 3]);
    }

    #[test]
    fn an_order_is_read_in_any_spelling_and_an_unknown_one_is_refused() {
        for sort in Sort::ALL {
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

    #[test]
    fn a_token_deleted_behind_the_index_moves_no_highlight() {
        use crate::crypto::keys::MemoryKeyStore;
        use crate::model::token::TokenKind;
        use crate::vault::lifecycle::NewToken;
        let dir = tempfile::tempdir().expect("tempdir");
        let paths =
            crate::VaultPaths::in_dir(dir.path().join("v")).with_state(dir.path().join("s"));
        let keys = MemoryKeyStore::new();
        let mut vault =
            Vault::create(&paths, crate::NewProtection::Keyring, &keys).expect("create");
        for name in ["alpha", "x alpha", "xx alpha", "xxx alpha"] {
            vault
                .create_token(NewToken::new(TokenKind::Personal, name))
                .expect("create");
        }
        let query = Query::text("alpha");
        assert_eq!(vault.search(&query).expect("search").rows.len(), 4);
        // As another process's delete between the index and the read would leave it:
        // the index still names the token.
        vault
            .conn
            .execute("DELETE FROM tokens WHERE name = 'x alpha'", [])
            .expect("delete");
        let page = vault.search(&query).expect("search");
        assert_eq!(page.rows.len(), 3);
        for hit in &page.rows {
            let chars: Vec<char> = hit.token.name.chars().collect();
            let marked: String = hit.positions.iter().map(|&p| chars[p as usize]).collect();
            assert_eq!(marked, "alpha", "{}: {:?}", hit.token.name, hit.positions);
        }
    }

    #[test]
    fn narrowing_gives_the_same_answer_as_a_fresh_search() {
        let list: Vec<String> = (0..500)
            .map(|i| format!("token-{i}-{}", i * 7 % 13))
            .collect();
        let mut narrowed = SearchIndex::from_names(&list).expect("index");
        let mut fresh = SearchIndex::from_names(&list).expect("index");
        for text in ["t", "to", "tok", "tok1", "tok12"] {
            let a = narrowed.matches(text, None, None, 0);
            fresh.forget_previous();
            let b = fresh.matches(text, None, None, 0);
            assert_eq!(a, b, "{text}");
        }
    }
}
