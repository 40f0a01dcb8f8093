//! Scores remembered during one scan by the part of a name they depend on. With
//! nucleo-matcher's configuration here (no prefix preference), the score of a fuzzy
//! needle of two or more characters in an ASCII name depends only on the span from the
//! first occurrence of its first character to the last occurrence of its last one, and
//! on the character before that span (or on there being none): names that differ only
//! outside it ("prod-billing-deploy 4711" and "prod-billing-deploy 4712" for `bil`)
//! score the same. Many names share such spans, so a scan asks the matcher once per
//! span instead of once per name.
//!
//! The span is found comparing without case, which can only widen it (a case-sensitive
//! atom's own span lies inside it): a wider span is a key that says more, never less. A
//! scan where few spans repeat stops remembering after a trial.

use nucleo_matcher::pattern::{AtomKind, Pattern};
use std::collections::HashMap;

/// Lookups before the memory judges whether it pays.
const TRIAL: u32 = 2_048;

/// At most this many spans are kept in one scan.
const MAX_SPANS: usize = 65_536;

/// Stands for "no character before the span": not an ASCII byte, so never a name's.
const AT_START: u8 = 0xFF;

pub(crate) struct Memo {
    /// The needle, lower-cased; empty when the pattern is not one the memory serves.
    needle: Vec<u8>,
    scores: HashMap<Vec<u8>, Option<u32>>,
    key: Vec<u8>,
    lookups: u32,
    hits: u32,
    on: bool,
    /// Whether the trial is over.
    judged: bool,
}

impl Memo {
    /// A memory for `pattern`: on for one positive fuzzy atom of two or more ASCII
    /// characters, the query a person types; off for anything else.
    pub(crate) fn new(pattern: &Pattern) -> Self {
        let needle = match pattern.atoms.as_slice() {
            [atom] if !atom.negative && atom.kind == AtomKind::Fuzzy => match atom.needle_text() {
                nucleo_matcher::Utf32Str::Ascii(text) if text.len() >= 2 => {
                    text.to_ascii_lowercase()
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        Memo {
            on: !needle.is_empty(),
            needle,
            scores: HashMap::new(),
            key: Vec::new(),
            lookups: 0,
            hits: 0,
            judged: false,
        }
    }

    /// The score of ASCII `name`, from memory when its span was scored before in this
    /// scan, otherwise from `score` (which is then remembered).
    pub(crate) fn score(
        &mut self,
        name: &[u8],
        score: impl FnOnce() -> Option<u32>,
    ) -> Option<u32> {
        if !self.on || name.len() <= self.needle.len() {
            // A name as long as the needle is scored as a whole by the matcher.
            return score();
        }
        // On, the needle holds two characters or more.
        let (first, last) = (self.needle[0], self.needle[self.needle.len() - 1]);
        let start = name.iter().position(|c| c.to_ascii_lowercase() == first);
        let end = name.iter().rposition(|c| c.to_ascii_lowercase() == last);
        let (Some(start), Some(end)) = (start, end) else {
            return score();
        };
        if end < start {
            return score();
        }
        self.key.clear();
        self.key
            .push(start.checked_sub(1).map_or(AT_START, |before| name[before]));
        self.key.extend_from_slice(&name[start..=end]);
        self.lookups += 1;
        if let Some(&known) = self.scores.get(self.key.as_slice()) {
            self.hits += 1;
            return known;
        }
        let scored = score();
        if !self.judged && self.lookups >= TRIAL {
            self.judged = true;
            if self.hits < self.lookups / 2 {
                // Spans rarely repeat in these names: scoring them directly is cheaper.
                self.on = false;
                self.scores = HashMap::new();
                return scored;
            }
        }
        if self.scores.len() < MAX_SPANS {
            self.scores.insert(self.key.clone(), scored);
        }
        scored
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nucleo_matcher::pattern::{CaseMatching, Normalization};
    use nucleo_matcher::{Config, Matcher, Utf32Str};

    /// Over names of a few characters that repeat (letters of both cases, separators,
    /// digits), every remembered score is the one the matcher gives the name itself, for
    /// needles of two to four characters in either case: the span and the character
    /// before it are all a score depends on.
    #[test]
    fn a_remembered_score_is_the_matchers_own() {
        let alphabet = b"abcAB-_ /1";
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let names: Vec<Vec<u8>> = (0..20_000)
            .map(|_| {
                (0..2 + next(11))
                    .map(|_| alphabet[next(alphabet.len())])
                    .collect()
            })
            .collect();
        let mut matcher = Matcher::new(Config::DEFAULT);
        let (mut remembered, mut asked) = (0, 0);
        for _ in 0..60 {
            let needle: String = (0..2 + next(3))
                .map(|_| b"abcAB-"[next(6)] as char)
                .collect();
            let pattern = Pattern::parse(&needle, CaseMatching::Smart, Normalization::Smart);
            let mut memo = Memo::new(&pattern);
            memo.judged = true;
            for name in &names {
                let direct = pattern.score(Utf32Str::Ascii(name), &mut matcher);
                let mut called = false;
                let from_memo = memo.score(name, || {
                    called = true;
                    pattern.score(Utf32Str::Ascii(name), &mut matcher)
                });
                assert_eq!(
                    from_memo,
                    direct,
                    "{needle:?} in {:?}",
                    String::from_utf8_lossy(name)
                );
                asked += 1;
                if !called {
                    remembered += 1;
                }
            }
        }
        assert!(
            remembered > asked / 10,
            "the test should exercise remembered scores: {remembered} of {asked}"
        );
    }

    #[test]
    fn only_a_single_fuzzy_ascii_needle_is_remembered() {
        let on = |text: &str| {
            Memo::new(&Pattern::parse(
                text,
                CaseMatching::Smart,
                Normalization::Smart,
            ))
            .on
        };
        assert!(on("bil"));
        assert!(on("Bil"));
        assert!(!on("b"), "one character is scored at once");
        assert!(!on("bil dep"));
        assert!(!on("^bil"));
        assert!(!on("'bil"));
        assert!(!on("!bil"));
        assert!(!on("grüß"));
    }
}
