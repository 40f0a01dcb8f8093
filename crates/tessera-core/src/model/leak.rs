//! What `tessera scan` looks for in a line of text, without I/O: the candidate strings
//! a token could be (to be fingerprinted against the vault's own), the well-known token
//! formats of other services, and the masked preview a finding is shown with. A value
//! found is never shown: only its first characters where they are a public prefix.

use regex::Regex;
use std::sync::LazyLock;

/// A well-known token format.
pub struct Rule {
    /// Its stable name, as findings report it.
    pub name: &'static str,
    /// Characters of a match that may be shown (a public prefix).
    pub shown: usize,
    pattern: &'static str,
}

/// Well-known formats, most specific first.
pub const RULES: &[Rule] = &[
    Rule {
        name: "private-key",
        shown: 31,
        pattern: r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----",
    },
    Rule {
        name: "github-token",
        shown: 4,
        pattern: r"\bgh[pousr]_[A-Za-z0-9]{36,251}\b",
    },
    Rule {
        name: "github-fine-grained-token",
        shown: 11,
        pattern: r"\bgithub_pat_[A-Za-z0-9_]{50,240}\b",
    },
    Rule {
        name: "gitlab-token",
        shown: 6,
        pattern: r"\bglpat-[A-Za-z0-9_\-]{20,}\b",
    },
    Rule {
        name: "slack-token",
        shown: 5,
        pattern: r"\bxox[abprs]-[A-Za-z0-9\-]{10,}\b",
    },
    Rule {
        name: "stripe-secret-key",
        shown: 8,
        pattern: r"\b[sr]k_live_[A-Za-z0-9]{16,}\b",
    },
    Rule {
        name: "aws-access-key-id",
        shown: 4,
        pattern: r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
    },
    Rule {
        name: "google-api-key",
        shown: 4,
        pattern: r"\bAIza[0-9A-Za-z_\-]{35}\b",
    },
    Rule {
        name: "openai-api-key",
        shown: 3,
        pattern: r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{32,}\b",
    },
    Rule {
        name: "jwt",
        shown: 3,
        pattern: r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}",
    },
];

static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    RULES
        .iter()
        // The patterns are constants, checked by the tests below.
        .filter_map(|rule| Regex::new(rule.pattern).ok())
        .collect()
});

/// Where in a line something was found (byte offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// The well-known formats in `line`: the rule and where.
pub fn rule_matches(line: &str) -> Vec<(&'static Rule, Span)> {
    let mut found = Vec::new();
    for (rule, regex) in RULES.iter().zip(COMPILED.iter()) {
        for m in regex.find_iter(line) {
            found.push((
                rule,
                Span {
                    start: m.start(),
                    end: m.end(),
                },
            ));
        }
    }
    found
}

/// Shortest value fingerprinted: shorter strings are words, not tokens.
pub const MIN_CANDIDATE: usize = 8;

/// Characters a token value may hold, as candidates are cut from text: letters,
/// digits, and `_ - . + / ~ =` (JWTs, base64).
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+' | '/' | '~' | '=')
}

/// The strings in `line` that could be a token's whole value: each run of token
/// characters, and its parts around `=` (`KEY=value`) with base64 padding kept.
pub fn candidates(line: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !token_char(bytes[i] as char) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && token_char(bytes[i] as char) {
            i += 1;
        }
        let run = Span { start, end: i };
        if run.end - run.start >= MIN_CANDIDATE {
            spans.push(run);
        }
        // KEY=value: the value (with its padding) and the key alone.
        let text = &line[start..i];
        if let Some(at) = text.find('=') {
            let value_start = start + at + 1;
            let value = &line[value_start..i];
            let value = value.trim_start_matches('=');
            let value_start = i - value.len();
            if i - value_start >= MIN_CANDIDATE {
                spans.push(Span {
                    start: value_start,
                    end: i,
                });
            }
        }
        // A value ending a sentence: "…token."
        let trimmed = text.trim_end_matches(['.', '-', '~']);
        if trimmed.len() < text.len() && trimmed.len() >= MIN_CANDIDATE {
            spans.push(Span {
                start,
                end: start + trimmed.len(),
            });
        }
    }
    spans
}

/// `line` with every span replaced by its mask: the shown prefix, then `…` and the
/// length (`ghp_…(40 chars)`), cut to 120 characters. Spans may overlap.
pub fn masked_line(line: &str, spans: &[(Span, usize)]) -> String {
    let mut spans: Vec<(Span, usize)> = spans.to_vec();
    spans.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
    let mut out = String::new();
    let mut at = 0;
    for (span, shown) in spans {
        if span.start < at {
            continue;
        }
        out.push_str(&line[at..span.start]);
        let value = &line[span.start..span.end];
        let shown = floor_char_boundary(value, shown.min(value.len() / 3));
        out.push_str(&value[..shown]);
        out.push_str(&format!("…({} chars)", value.chars().count()));
        at = span.end;
    }
    out.push_str(&line[at..]);
    let out = out.trim();
    match out.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &out[..cut]),
        None => out.to_string(),
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles() {
        assert_eq!(COMPILED.len(), RULES.len());
    }

    #[test]
    fn well_known_formats_are_found_and_words_are_not() {
        let github = format!("ghp_{}", "a1B2".repeat(9));
        let line = format!("export GITHUB_TOKEN={github} # mine");
        let found = rule_matches(&line);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0.name, "github-token");
        assert_eq!(&line[found[0].1.start..found[0].1.end], github);
        assert!(rule_matches("the quick brown fox jumps over the lazy dog").is_empty());
        let aws = rule_matches("aws_access_key_id = AKIAIOSFODNN7EXAMPLE");
        assert_eq!(aws[0].0.name, "aws-access-key-id");
        assert_eq!(
            rule_matches("-----BEGIN OPENSSH PRIVATE KEY-----")[0]
                .0
                .name,
            "private-key"
        );
    }

    #[test]
    fn candidates_cut_values_from_assignments_and_quotes() {
        let line = r#"API_KEY="tsp_abcdefgh1234" other=xyz TOKEN=c2VjcmV0c2VjcmV0=="#;
        let texts: Vec<&str> = candidates(line)
            .iter()
            .map(|s| &line[s.start..s.end])
            .collect();
        assert!(texts.contains(&"tsp_abcdefgh1234"), "{texts:?}");
        assert!(texts.contains(&"c2VjcmV0c2VjcmV0=="), "{texts:?}");
        assert!(!texts.contains(&"xyz"));
    }

    #[test]
    fn a_masked_line_holds_no_value() {
        let secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
        let line = format!("token: {secret} and more");
        let span = Span {
            start: 7,
            end: 7 + secret.len(),
        };
        let masked = masked_line(&line, &[(span, 4)]);
        assert_eq!(masked, "token: ghp_…(40 chars) and more");
        assert!(!masked.contains(&secret[4..10]));
        // A short value shows a third at most.
        let masked = masked_line("x=abcdefghi", &[(Span { start: 2, end: 11 }, 8)]);
        assert_eq!(masked, "x=abc…(9 chars)");
    }
}
