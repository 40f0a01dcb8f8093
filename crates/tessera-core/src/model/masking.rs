//! Masking secrets in a stream (what a child of `tessera run` writes): each secret is
//! replaced by `<tessera:NAME>`, also when it arrives a byte at a time or split across
//! writes. aho-corasick finds every secret in one pass; a carry holds back only a tail
//! that could still be the start of a secret, so output that cannot be one (a prompt)
//! passes at once.

use crate::model::secret::Secret;
use aho_corasick::{AhoCorasick, MatchKind};

/// Secrets shorter than this are not masked: they would match ordinary output.
pub const MIN_MASKED_LEN: usize = 6;

/// A streaming replacer of secrets.
pub struct Masker {
    finder: Option<AhoCorasick>,
    secrets: Vec<Vec<u8>>,
    labels: Vec<Vec<u8>>,
    longest: usize,
    carry: Vec<u8>,
}

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Masker")
            .field("secrets", &self.secrets.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Masker {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for secret in &mut self.secrets {
            secret.zeroize();
        }
        self.carry.zeroize();
    }
}

impl Masker {
    /// A masker of `secrets`, each with the name its replacement shows. Secrets shorter
    /// than [`MIN_MASKED_LEN`] are left out.
    pub fn new(secrets: &[(&Secret, &str)]) -> Masker {
        let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = secrets
            .iter()
            .filter(|(secret, _)| secret.len() >= MIN_MASKED_LEN)
            // The patterns to find in the child's output.
            .map(|(secret, name)| {
                (
                    secret.expose().as_bytes().to_vec(),
                    format!("<tessera:{name}>").into_bytes(),
                )
            })
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|a, b| a.0 == b.0);
        let (secrets, labels): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
        let finder = (!secrets.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&secrets)
                .ok()
        });
        Masker {
            longest: secrets.iter().map(Vec::len).max().unwrap_or(0),
            finder: finder.flatten(),
            secrets,
            labels,
            carry: Vec::new(),
        }
    }

    /// What of `bytes` (after what was held back) can be written now, masked.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let Some(finder) = &self.finder else {
            return bytes.to_vec();
        };
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(bytes);
        let mut out = Vec::with_capacity(buf.len());
        let mut at = 0;
        // A match starting here or later might be the start of a longer secret.
        let open = buf.len().saturating_sub(self.longest.saturating_sub(1));
        for found in finder.find_iter(&buf) {
            if found.start() >= open {
                break;
            }
            out.extend_from_slice(&buf[at..found.start()]);
            out.extend_from_slice(&self.labels[found.pattern().as_usize()]);
            at = found.end();
        }
        // Hold back from the first place whose rest could still become a secret.
        let hold = (at.max(open)..buf.len())
            .find(|&i| self.secrets.iter().any(|s| s.starts_with(&buf[i..])))
            .unwrap_or(buf.len());
        out.extend_from_slice(&buf[at..hold]);
        self.carry = buf[hold..].to_vec();
        use zeroize::Zeroize;
        buf.zeroize();
        out
    }

    /// What is still held back, at the end of the stream.
    pub fn finish(&mut self) -> Vec<u8> {
        let Some(finder) = &self.finder else {
            return std::mem::take(&mut self.carry);
        };
        let buf = std::mem::take(&mut self.carry);
        let mut out = Vec::with_capacity(buf.len());
        let mut at = 0;
        for found in finder.find_iter(&buf) {
            out.extend_from_slice(&buf[at..found.start()]);
            out.extend_from_slice(&self.labels[found.pattern().as_usize()]);
            at = found.end();
        }
        out.extend_from_slice(&buf[at..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(secrets: &[(&str, &str)], chunks: &[&[u8]]) -> String {
        let owned: Vec<(Secret, &str)> = secrets
            .iter()
            .map(|(s, n)| (Secret::new((*s).into()), *n))
            .collect();
        let refs: Vec<(&Secret, &str)> = owned.iter().map(|(s, n)| (s, *n)).collect();
        let mut masker = Masker::new(&refs);
        let mut out = Vec::new();
        for chunk in chunks {
            out.extend(masker.feed(chunk));
        }
        out.extend(masker.finish());
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn a_secret_is_masked_however_it_is_split() {
        let secret = "tsp_s3cr3t_value";
        let text = format!("token={secret}; again {secret}!\n");
        let whole = mask(&[(secret, "deploy")], &[text.as_bytes()]);
        assert_eq!(whole, "token=<tessera:deploy>; again <tessera:deploy>!\n");
        let bytes: Vec<&[u8]> = text.as_bytes().chunks(1).collect();
        assert_eq!(mask(&[(secret, "deploy")], &bytes), whole);
        for cut in 1..text.len() {
            let (a, b) = text.as_bytes().split_at(cut);
            assert_eq!(mask(&[(secret, "deploy")], &[a, b]), whole, "cut at {cut}");
        }
    }

    #[test]
    fn the_longest_secret_wins_and_short_ones_are_left_alone() {
        let out = mask(
            &[("abcdef", "short"), ("abcdefgh", "long"), ("abc", "tiny")],
            &[b"xabcdefghx abcdefx abc"],
        );
        assert_eq!(out, "x<tessera:long>x <tessera:short>x abc");
    }

    #[test]
    fn output_that_cannot_be_a_secret_is_not_held_back() {
        let owned = Secret::new("zzzzzzzz".into());
        let mut masker = Masker::new(&[(&owned, "z")]);
        assert_eq!(masker.feed(b"Password: "), b"Password: ");
        assert_eq!(masker.feed(b"zz"), b"");
        assert_eq!(masker.feed(b"a"), b"zza");
    }
}
