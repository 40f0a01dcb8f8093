//! The search index: fuzzy search over token names with nucleo-matcher (the helix editor's matcher),
//! ranked, with match positions for highlighting, kind and status filters, sorting and
//! `offset`/`limit` paging with the total.
//!
//! The index holds names and status facts only; secret fields never enter it. It is
//! built on first use and kept until the vault changes (a write here, or another
//! process's write, seen through `PRAGMA data_version`). When a query only grew, only
//! the previous matches are scored again. An unfiltered list by name needs no index:
//! it is one indexed SQL page, so the first page of a cold vault is fast.

mod memo;
pub(crate) mod names;
pub(crate) mod packed;

use crate::index::memo::Memo;
use crate::index::names::Names;
use crate::model::clock::Timestamp;
use crate::model::error::Result;
use crate::model::query::Sort;
use crate::model::token::{Lifetime, Status, TokenKind};
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use std::cmp::Reverse;

/// A scan of at least this many names is shared by two threads (at 100,000 names a
/// scan takes a few milliseconds; a thread starts in tens of microseconds).
const PARALLEL_FROM: usize = 20_000;

/// A shared scan hands out names in chunks of this many: a thread that finishes early,
/// or whose core is taken by another process, leaves the rest to the other.
const CHUNK: usize = 4_096;

/// The names a query scores: every row, or the previous query's matches.
enum Candidates {
    All(usize),
    These(Vec<u32>),
}

impl Candidates {
    fn len(&self) -> usize {
        match self {
            Candidates::All(n) => *n,
            Candidates::These(list) => list.len(),
        }
    }

    /// `(index, score)` of every candidate at positions `range` the pattern matches,
    /// in candidate order.
    fn score(
        &self,
        pattern: &Pattern,
        names: &Names,
        range: std::ops::Range<usize>,
        matcher: &mut Matcher,
        memo: &mut Memo,
    ) -> Vec<(u32, u32)> {
        match self {
            Candidates::All(_) => score(
                pattern,
                names,
                range.start as u32..range.end as u32,
                matcher,
                memo,
            ),
            Candidates::These(list) => {
                score(pattern, names, list[range].iter().copied(), matcher, memo)
            }
        }
    }
}

/// The characters ([`names::chars_of`]) every name the pattern matches holds: those of
/// its atoms that must occur (not the negated ones). None are asked for when an atom
/// holds a character beyond ASCII, which the matcher may match after normalizing.
fn needed_chars(pattern: &Pattern) -> u32 {
    let mut needed = 0;
    for atom in pattern.atoms.iter().filter(|atom| !atom.negative) {
        match atom.needle_text() {
            nucleo_matcher::Utf32Str::Ascii(text) => needed |= names::chars_of(text),
            nucleo_matcher::Utf32Str::Unicode(text) if text.iter().all(char::is_ascii) => {
                let text: Vec<u8> = text.iter().map(|&c| c as u8).collect();
                needed |= names::chars_of(&text);
            }
            nucleo_matcher::Utf32Str::Unicode(_) => return 0,
        }
    }
    needed
}

/// The texts of the atoms that must occur, lower-cased: every name the pattern matches
/// holds each of them in order, whatever the case (a fuzzy match is such a sequence;
/// substring, prefix, postfix and exact matches are too). None when one holds a
/// character beyond ASCII, which the matcher may match after normalizing.
/// A single letter is left out, and None is all that is left when nothing else is: the
/// characters a name holds ([`needed_chars`]) already say whether the letter is there.
fn needed_sequences(pattern: &Pattern) -> Option<Vec<Vec<u8>>> {
    let sequences: Option<Vec<Vec<u8>>> = pattern
        .atoms
        .iter()
        .filter(|atom| !atom.negative)
        .map(|atom| match atom.needle_text() {
            nucleo_matcher::Utf32Str::Ascii(text) => Some(text.to_ascii_lowercase()),
            nucleo_matcher::Utf32Str::Unicode(text) => text
                .iter()
                .map(|&c| c.is_ascii().then(|| (c as u8).to_ascii_lowercase()))
                .collect(),
        })
        .collect();
    sequences
        .map(|mut list| {
            list.retain(|needle| !matches!(needle.as_slice(), [c] if c.is_ascii_alphabetic()));
            list
        })
        .filter(|list| !list.is_empty())
}

/// Whether `name` holds the lower-case ASCII `needle`'s characters in order, in either
/// case: the greedy first-fit scan, which finds the sequence whenever there is one.
fn holds_in_order(name: &[u8], needle: &[u8]) -> bool {
    let mut rest = needle.iter();
    let mut want = rest.next();
    for &c in name {
        match want {
            None => return true,
            Some(&w) if c.to_ascii_lowercase() == w => want = rest.next(),
            Some(_) => {}
        }
    }
    want.is_none()
}

/// `(index, score)` of every row in `rows` the pattern matches, in that order. A name
/// that lacks one of the pattern's characters, or holds them out of order, is passed
/// over without scoring; a name whose score is known from another with the same span
/// ([`memo`]) is not scored again.
fn score(
    pattern: &Pattern,
    names: &Names,
    rows: impl ExactSizeIterator<Item = u32>,
    matcher: &mut Matcher,
    memo: &mut Memo,
) -> Vec<(u32, u32)> {
    let needed = needed_chars(pattern);
    let sequences = needed_sequences(pattern);
    let mut scored = Vec::with_capacity(rows.len().min(4096));
    for i in rows {
        if !names.may_hold(i, needed) {
            continue;
        }
        let name = names.get(i);
        let found = match name {
            nucleo_matcher::Utf32Str::Ascii(bytes) => {
                if let Some(sequences) = &sequences
                    && !sequences.iter().all(|needle| holds_in_order(bytes, needle))
                {
                    continue;
                }
                memo.score(bytes, || pattern.score(name, matcher))
            }
            nucleo_matcher::Utf32Str::Unicode(_) => pattern.score(name, matcher),
        };
        if let Some(score) = found {
            scored.push((i, score));
        }
    }
    scored
}

/// [`Candidates::score`] over every candidate, on two threads taking chunks in turn; the result is
/// in candidate order, as one thread gives it.
fn score_shared(
    pattern: &Pattern,
    names: &Names,
    candidates: &Candidates,
    matchers: [&mut Matcher; 2],
) -> Vec<(u32, u32)> {
    let len = candidates.len();
    let chunks = len.div_ceil(CHUNK);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = |matcher: &mut Matcher| {
        let mut done = Vec::new();
        let mut memo = Memo::new(pattern);
        loop {
            let chunk = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if chunk >= chunks {
                return done;
            }
            let range = chunk * CHUNK..((chunk + 1) * CHUNK).min(len);
            done.push((
                chunk,
                candidates.score(pattern, names, range, matcher, &mut memo),
            ));
        }
    };
    let [mine, other] = matchers;
    let mut done = std::thread::scope(|scope| {
        let work = &work;
        let later = scope.spawn(move || work(other));
        let mut done = work(mine);
        match later.join() {
            Ok(rest) => done.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        done
    });
    done.sort_unstable_by_key(|&(chunk, _)| chunk);
    let mut scored = Vec::with_capacity(done.iter().map(|(_, part)| part.len()).sum());
    for (_, part) in done {
        scored.extend(part);
    }
    scored
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
    pub(crate) rows: Vec<IndexRow>,
    names: Names,
    matcher: Matcher,
    /// The second core's, for a scan split in two (see [`PARALLEL_FROM`]).
    second_matcher: Matcher,
    last: Option<(String, Vec<u32>)>,
    /// Whether `rows` carry their last use: the stored index does not keep it (it
    /// changes on every use), so it is read when the list is sorted by it.
    last_uses: bool,
}

impl SearchIndex {
    pub(crate) fn new(names: Names, rows: Vec<IndexRow>) -> Self {
        debug_assert_eq!(names.len(), rows.len());
        SearchIndex {
            rows,
            names,
            matcher: Matcher::new(Config::DEFAULT),
            second_matcher: Matcher::new(Config::DEFAULT),
            last: None,
            last_uses: false,
        }
    }

    /// Whether the rows carry their last use (see [`SearchIndex::set_last_uses`]).
    pub(crate) fn knows_last_uses(&self) -> bool {
        self.last_uses
    }

    /// Sets every row's last use from `(id, last used)` pairs; rows not named were never
    /// used.
    pub(crate) fn set_last_uses(&mut self, uses: Vec<(uuid::Uuid, Timestamp)>) {
        let used: std::collections::HashMap<uuid::Uuid, Timestamp> = uses.into_iter().collect();
        for row in &mut self.rows {
            row.last_used_at = used.get(&row.id).copied().unwrap_or(i64::MIN);
        }
        self.last_uses = true;
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
        let mut scored = self.scored(text, kind, status, now);
        // Rows are in name order, so a stable sort by score keeps ties alphabetical.
        scored.sort_by_key(|&(_, score)| Reverse(score));
        scored.into_iter().map(|(i, _)| i).collect()
    }

    /// The number of matching rows and the indices of `limit` of them from `offset`, in
    /// `sort` order (best first for relevance, ties by name). Only the window is
    /// sorted: the rest is partitioned away in linear time.
    #[allow(clippy::too_many_arguments)]
    pub fn window(
        &mut self,
        text: &str,
        kind: Option<TokenKind>,
        status: Option<Status>,
        now: Timestamp,
        sort: Sort,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<u32>) {
        let has_text = !text.trim().is_empty();
        let mut scored = self.scored(text, kind, status, now);
        let total = scored.len();
        let end = offset.saturating_add(limit).min(total);
        if offset >= end {
            return (total, Vec::new());
        }
        let rows = &self.rows;
        let row = |i: u32| &rows[i as usize];
        // A total order (the row index breaks every tie), so that the partition and
        // the sort agree with a stable sort of every match.
        let order = |a: &(u32, u32), b: &(u32, u32)| -> std::cmp::Ordering {
            let by_score = b.1.cmp(&a.1).then(a.0.cmp(&b.0));
            match sort {
                Sort::Relevance if has_text => by_score,
                // Rows are stored in name order.
                Sort::Relevance | Sort::Name => a.0.cmp(&b.0),
                Sort::Created => row(b.0).created_at.cmp(&row(a.0).created_at).then(by_score),
                Sort::Expires => row(a.0).expires_at.cmp(&row(b.0).expires_at).then(by_score),
                Sort::LastUsed => row(b.0)
                    .last_used_at
                    .cmp(&row(a.0).last_used_at)
                    .then(by_score),
            }
        };
        if end < total {
            scored.select_nth_unstable_by(end, order);
            scored.truncate(end);
        }
        scored.sort_unstable_by(order);
        (total, scored[offset..].iter().map(|&(i, _)| i).collect())
    }

    /// `(index, score)` of every matching row that passes the filters, in row order
    /// (score 0 without text). Narrows from the previous result when the text only
    /// grew.
    fn scored(
        &mut self,
        text: &str,
        kind: Option<TokenKind>,
        status: Option<Status>,
        now: Timestamp,
    ) -> Vec<(u32, u32)> {
        let text = text.trim_start();
        if text.trim().is_empty() {
            self.last = None;
            return (0..self.rows.len() as u32)
                .filter(|&i| passes(&self.rows[i as usize], kind, status, now))
                .map(|i| (i, 0))
                .collect();
        }
        let pattern = Pattern::parse(text, CaseMatching::Smart, Normalization::Smart);
        let narrowing = match &self.last {
            Some((previous, _)) => {
                !previous.is_empty() && text.starts_with(previous.as_str()) && !text.contains('!')
            }
            None => false,
        };
        let candidates = match self.last.take() {
            Some((_, previous)) if narrowing => Candidates::These(previous),
            _ => Candidates::All(self.rows.len()),
        };
        let names = &self.names;
        let mut scored = if candidates.len() >= PARALLEL_FROM {
            let matchers = [&mut self.matcher, &mut self.second_matcher];
            score_shared(&pattern, names, &candidates, matchers)
        } else {
            let all = 0..candidates.len();
            let mut memo = Memo::new(&pattern);
            candidates.score(&pattern, names, all, &mut self.matcher, &mut memo)
        };
        self.last = Some((text.to_string(), scored.iter().map(|&(i, _)| i).collect()));
        scored.retain(|&(i, _)| passes(&self.rows[i as usize], kind, status, now));
        scored
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
}

/// What the search index keeps per token besides its name: no secret, no scopes. Kept
/// to 56 bytes (the id as 16 bytes, "none" as a sentinel rather than an `Option`): the
/// index holds one per token.
#[derive(Clone, Copy)]
pub(crate) struct IndexRow {
    pub id: uuid::Uuid,
    /// `i64::MAX` when it never expires.
    pub expires_at: Timestamp,
    pub rotated_at: Timestamp,
    pub created_at: Timestamp,
    /// `i64::MIN` when never used.
    pub last_used_at: Timestamp,
    /// 0 when it has no security period.
    pub rotation_days: u32,
    pub kind: TokenKind,
    pub revoked: bool,
}

impl IndexRow {
    pub fn new(
        id: uuid::Uuid,
        kind: TokenKind,
        lifetime: Lifetime,
        created_at: Timestamp,
        last_used_at: Option<Timestamp>,
    ) -> Self {
        IndexRow {
            id,
            expires_at: lifetime.expires_at.unwrap_or(i64::MAX),
            rotated_at: lifetime.rotated_at,
            created_at,
            last_used_at: last_used_at.unwrap_or(i64::MIN),
            rotation_days: lifetime
                .rotation_days
                .and_then(|d| u32::try_from(d).ok())
                .unwrap_or(0),
            kind,
            revoked: lifetime.revoked,
        }
    }

    /// The token's lifetime facts, for its status.
    pub fn lifetime(&self) -> Lifetime {
        Lifetime {
            revoked: self.revoked,
            expires_at: (self.expires_at != i64::MAX).then_some(self.expires_at),
            rotation_days: (self.rotation_days != 0).then_some(i64::from(self.rotation_days)),
            rotated_at: self.rotated_at,
        }
    }
}

/// The vault's cached index and the data version it was built at.
#[derive(Default)]
pub(crate) struct SearchCache {
    pub(crate) index: Option<(i64, SearchIndex)>,
}

impl SearchCache {
    pub(crate) fn invalidate(&mut self) {
        self.index = None;
    }

    /// Keeps the index but reads last uses again before the next sort by them.
    pub(crate) fn forget_last_uses(&mut self) {
        if let Some((_, index)) = &mut self.index {
            index.last_uses = false;
        }
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
    fn a_scan_shared_by_two_threads_answers_as_one_thread_does() {
        let list: Vec<String> = (0..PARALLEL_FROM * 2 + 7)
            .map(|i| format!("svc-{}-{}", i % 97, i * 7 % 1013))
            .collect();
        let mut index = SearchIndex::from_names(&list).expect("index");
        for text in ["s", "v9", "c-1-1", "zz"] {
            let split = index.matches(text, None, None, 0);
            index.forget_previous();
            let pattern = Pattern::parse(text, CaseMatching::Smart, Normalization::Smart);
            let mut one = score(
                &pattern,
                &index.names,
                0..list.len() as u32,
                &mut Matcher::new(Config::DEFAULT),
                &mut Memo::new(&pattern),
            );
            one.sort_by_key(|&(_, score)| Reverse(score));
            let one: Vec<u32> = one.into_iter().map(|(i, _)| i).collect();
            assert_eq!(split, one, "{text}");
        }
    }

    /// The window (a partition, then a sort of what it kept) is the page a stable sort
    /// of every match gives, for every sort and with ties.
    #[test]
    fn a_window_is_the_page_of_a_full_sort() {
        let mut names = Names::default();
        let mut rows = Vec::new();
        for i in 0..3_000u32 {
            names
                .push(&format!("tok-{}-{}", i % 37, i % 11))
                .expect("push");
            let lifetime = Lifetime {
                revoked: false,
                expires_at: (i % 3 != 0).then_some(i64::from(i % 17)),
                rotation_days: None,
                rotated_at: 0,
            };
            let used = (i % 5 != 0).then_some(i64::from(i % 13));
            let id = uuid::Uuid::from_u128(u128::from(i));
            rows.push(IndexRow::new(
                id,
                TokenKind::Personal,
                lifetime,
                i64::from(i % 7),
                used,
            ));
        }
        let mut index = SearchIndex::new(names, rows);
        for text in ["", "t", "k-1", "3-"] {
            for sort in [
                Sort::Relevance,
                Sort::Name,
                Sort::Created,
                Sort::Expires,
                Sort::LastUsed,
            ] {
                index.forget_previous();
                let mut all = index.matches(text, None, None, 0);
                let row = |i: &u32| index.rows[*i as usize];
                match sort {
                    Sort::Relevance if !text.is_empty() => {}
                    Sort::Relevance | Sort::Name => all.sort_unstable(),
                    Sort::Created => all.sort_by_key(|i| Reverse(row(i).created_at)),
                    Sort::Expires => all.sort_by_key(|i| row(i).expires_at),
                    Sort::LastUsed => all.sort_by_key(|i| Reverse(row(i).last_used_at)),
                }
                for (offset, limit) in [
                    (0, 50),
                    (40, 25),
                    (all.len().saturating_sub(3), 50),
                    (all.len() + 1, 5),
                ] {
                    index.forget_previous();
                    let (total, page) = index.window(text, None, None, 0, sort, offset, limit);
                    let expected: Vec<u32> = all.iter().skip(offset).take(limit).copied().collect();
                    assert_eq!(
                        (total, page),
                        (all.len(), expected),
                        "{text:?} {sort:?} {offset}"
                    );
                }
            }
        }
    }

    /// `(index, score)` of every name the pattern matches, by nucleo-matcher alone.
    fn every_score(pattern: &Pattern, names: &Names, matcher: &mut Matcher) -> Vec<(u32, u32)> {
        (0..names.len() as u32)
            .filter_map(|i| pattern.score(names.get(i), matcher).map(|s| (i, s)))
            .collect()
    }

    /// Passing over names that lack one of the query's characters changes no answer:
    /// any case, digits, punctuation, names beyond ASCII, and the query syntax
    /// (negation, prefix, suffix, exact, escaped spaces).
    #[test]
    fn names_passed_over_for_their_characters_could_not_match() {
        let list = [
            "prod-Billing 42",
            "STAGING_deploy",
            "ci/cd #7",
            "café key",
            "Grüße prod",
            "日本語 key",
            "x",
            "",
            "a b c",
            "Deploy.Writer-0009",
            "naïve",
            "über-token",
            "tab\tname",
            "CamelCaseName",
            "ends$",
            "^starts",
            "it's quoted",
            "50% off",
        ];
        let mut names = Names::default();
        for name in list {
            names.push(name).expect("push");
        }
        let mut matcher = Matcher::new(Config::DEFAULT);
        for text in [
            "p",
            "P",
            "bil",
            "Bil",
            "42",
            "9",
            "#7",
            "/",
            "cafe",
            "café",
            "gruse",
            "grü",
            "key",
            "日本",
            "!prod",
            "!x key",
            "^sta",
            "^STA",
            "loy$",
            "'deploy",
            "^x$",
            r"a\ b",
            "naive",
            "uber",
            "cCN",
            "ccn",
            "$",
            "^",
            "'",
            "50%",
            "it's",
            r"tab\\t",
            "prod !grü",
            "zzz",
        ] {
            let pattern = Pattern::parse(text, CaseMatching::Smart, Normalization::Smart);
            let mut memo = Memo::new(&pattern);
            let all = score(
                &pattern,
                &names,
                0..names.len() as u32,
                &mut matcher,
                &mut memo,
            );
            assert_eq!(all, every_score(&pattern, &names, &mut matcher), "{text}");
        }
    }

    /// At 1,000,000 names, the page and count a query gets (and the highlights on that
    /// page) are those of nucleo-matcher scoring every name on one thread, sorted by
    /// score with ties in name order: what the index gave before scans were shared.
    #[test]
    fn a_million_names_page_as_one_thread_scoring_them_all() {
        const WORDS: [&str; 12] = [
            "prod", "staging", "billing", "deploy", "reader", "writer", "github", "gitlab",
            "backup", "metrics", "release", "mobile",
        ];
        let mut seed = 42u64;
        let mut pick = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            WORDS[(seed >> 33) as usize % WORDS.len()]
        };
        let list: Vec<String> = (0..1_000_000)
            .map(|i| format!("{}-{}-{} {i}", pick(), pick(), pick()))
            .collect();
        let mut index = SearchIndex::from_names(&list).expect("index");
        let mut matcher = Matcher::new(Config::DEFAULT);
        for text in [
            "p",
            "x",
            "bil",
            "dpl",
            "prddep",
            "gitrel",
            "stagingdeplo",
            "deploy 99",
            "^prod",
            "rel$",
            "Bil",
            "'deploy",
            "!prod dep",
            "git\\ rel",
        ] {
            let pattern = Pattern::parse(text, CaseMatching::Smart, Normalization::Smart);
            let mut one = every_score(&pattern, &index.names, &mut matcher);
            one.sort_by_key(|&(_, score)| Reverse(score));
            let expected: Vec<u32> = one.iter().take(50).map(|&(i, _)| i).collect();
            index.forget_previous();
            let (total, page) = index.window(text, None, None, 0, Sort::Relevance, 0, 50);
            assert_eq!((total, &page), (one.len(), &expected), "{text}");
            for &i in &page {
                let mut indices = Vec::new();
                pattern.indices(index.names.get(i), &mut matcher, &mut indices);
                indices.sort_unstable();
                indices.dedup();
                assert_eq!(index.positions(text, i), indices, "{text}");
            }
        }
    }

    #[test]
    fn a_sequence_is_found_in_order_whatever_the_case() {
        assert!(holds_in_order(b"prod-Billing 7", b"bil"));
        assert!(holds_in_order(b"b-i-l", b"bil"));
        assert!(holds_in_order(b"anything", b""));
        assert!(!holds_in_order(b"lib", b"bil"));
        assert!(!holds_in_order(b"bi", b"bil"));
        let pattern = Pattern::parse("Bil !x 'dep", CaseMatching::Smart, Normalization::Smart);
        assert_eq!(
            needed_sequences(&pattern),
            Some(vec![b"bil".to_vec(), b"dep".to_vec()])
        );
        let letter = Pattern::parse("p", CaseMatching::Smart, Normalization::Smart);
        assert_eq!(needed_sequences(&letter), None);
        let digit = Pattern::parse("7", CaseMatching::Smart, Normalization::Smart);
        assert_eq!(needed_sequences(&digit), Some(vec![b"7".to_vec()]));
        let wide = Pattern::parse("grüße", CaseMatching::Smart, Normalization::Smart);
        assert_eq!(needed_sequences(&wide), None);
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
