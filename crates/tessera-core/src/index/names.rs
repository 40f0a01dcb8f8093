//! Token names packed for the search index, in the form nucleo-matcher scores: ASCII
//! names as bytes in one buffer, other names as the first character of each grapheme in
//! another. 100,000 names cost four allocations instead of one or two per name, which
//! keeps the index and the peak while it is built smaller (docs/benchmarks.md).
//!
//! Each name also carries the set of characters it holds, as 32 bits (one per letter
//! whatever its case, three for digits and three for the rest): a query holding a
//! character a name lacks cannot match it, and a scan skips that name for one `AND`.

use crate::model::error::{Error, Result};
use nucleo_matcher::Utf32Str;

/// Set in a span's start when the name lives in the `wide` buffer.
const WIDE: u32 = 1 << 31;

/// Names by position.
#[derive(Default)]
pub(crate) struct Names {
    ascii: Vec<u8>,
    wide: Vec<char>,
    /// Per name: its start in its buffer (with [`WIDE`] for `wide`) and its length.
    spans: Vec<(u32, u32)>,
    /// Per name: the characters it holds ([`chars_of`]); every bit for a name that is
    /// not ASCII, which the matcher may match after normalizing.
    chars: Vec<u32>,
}

/// The bit of an ASCII character: one per letter (either case), three for digits and
/// three for every other character.
fn bit(c: u8) -> u32 {
    let class = match c.to_ascii_lowercase() {
        c @ b'a'..=b'z' => c - b'a',
        c @ b'0'..=b'9' => 26 + c % 3,
        c => 29 + c % 3,
    };
    1 << class
}

/// The characters of an ASCII text, as bits ([`bit`]).
pub(crate) fn chars_of(text: &[u8]) -> u32 {
    text.iter().fold(0, |set, &c| set | bit(c))
}

impl Names {
    /// Room for `count` names of `bytes` bytes together.
    pub(crate) fn with_capacity(count: usize, bytes: usize) -> Self {
        Names {
            ascii: Vec::with_capacity(bytes),
            wide: Vec::new(),
            spans: Vec::with_capacity(count),
            chars: Vec::with_capacity(count),
        }
    }

    /// Appends a name.
    pub(crate) fn push(&mut self, name: &str) -> Result<()> {
        let (start, len, chars) = if name.is_ascii() {
            let start = self.ascii.len();
            self.ascii.extend_from_slice(name.as_bytes());
            (start, name.len(), chars_of(name.as_bytes()))
        } else {
            let start = self.wide.len();
            self.wide.extend(nucleo_matcher::chars::graphemes(name));
            (start | WIDE as usize, self.wide.len() - start, u32::MAX)
        };
        // Both buffers stay below `WIDE`, so every start and length fits in a u32.
        if self.ascii.len() >= WIDE as usize || self.wide.len() >= WIDE as usize {
            return Err(Error::Storage(
                "the token names are too large to search".into(),
            ));
        }
        self.spans.push((start as u32, len as u32));
        self.chars.push(chars);
        Ok(())
    }

    /// Name `index`, as the matcher reads it.
    pub(crate) fn get(&self, index: u32) -> Utf32Str<'_> {
        let (start, len) = self.spans[index as usize];
        let at = (start & !WIDE) as usize..(start & !WIDE) as usize + len as usize;
        if start & WIDE == 0 {
            Utf32Str::Ascii(&self.ascii[at])
        } else {
            Utf32Str::Unicode(&self.wide[at])
        }
    }

    /// Whether name `index` holds every character of `needed` ([`chars_of`]): if not,
    /// no query holding them matches it.
    pub(crate) fn may_hold(&self, index: u32, needed: u32) -> bool {
        self.chars[index as usize] & needed == needed
    }

    /// Names held.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Gives back capacity that was reserved and not used.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.ascii.shrink_to_fit();
        self.wide.shrink_to_fit();
        self.spans.shrink_to_fit();
        self.chars.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_pushed() {
        let mut names = Names::default();
        for name in ["ci deploy", "", "Grüße prod", "db", "日本語 key"] {
            names.push(name).expect("push");
        }
        assert_eq!(names.len(), 5);
        assert_eq!(names.get(0), Utf32Str::Ascii(b"ci deploy"));
        assert_eq!(names.get(1), Utf32Str::Ascii(b""));
        assert_eq!(names.get(2).to_string(), "Grüße prod");
        assert!(!names.get(2).is_ascii());
        assert_eq!(names.get(3), Utf32Str::Ascii(b"db"));
        assert_eq!(names.get(4).to_string(), "日本語 key");
    }

    #[test]
    fn a_combining_mark_is_read_as_its_base_letter() {
        // nucleo-matcher scores the first character of each grapheme.
        let mut names = Names::default();
        names.push("cafe\u{301}").expect("push");
        assert_eq!(names.get(0).len(), 4);
    }
}
