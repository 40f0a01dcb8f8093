//! `.env` files, read as people write them for docker compose, dotenv and direnv: `KEY=value`
//! lines, an optional `export ` prefix, `#` comments, values unquoted, in single quotes
//! (literal, as the shell reads them) or in double quotes (with `\n`, `\t`, `\"`, `\\`
//! escapes, and line breaks kept). Unlike a loader, nothing is expanded: a `$` is a `$`,
//! so the value imported is the value written. (dotenvy, the well-kept loader, expands
//! `$VAR` and so changes values; this reader is its few rules without that.)

use crate::import::{Entry, Parsed};
use crate::model::secret::Secret;

/// Reads `text`; each line that is not a `KEY=value` assignment is listed as skipped.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let lines: Vec<&str> = text.split('\n').collect();
    let mut at = 0;
    while at < lines.len() {
        let number = at + 1;
        let line = lines[at].strip_suffix('\r').unwrap_or(lines[at]);
        at += 1;
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let label = format!("line {number}");
        let rest = trimmed
            .strip_prefix("export")
            .filter(|r| r.starts_with([' ', '\t']))
            .map_or(trimmed, str::trim_start);
        let Some((key, value)) = rest.split_once('=') else {
            parsed.skip(label, "not a KEY=value line");
            continue;
        };
        let key = key.trim_end();
        if !is_key(key) {
            parsed.skip(
                label,
                format!("'{key}' is not a variable name (letters, digits and _ , not starting with a digit)"),
            );
            continue;
        }
        let value = value.trim_start_matches([' ', '\t']);
        let read = match value.chars().next() {
            Some(quote @ ('\'' | '"')) => quoted(&value[1..], quote, &lines[at..]),
            _ => Ok((unquoted(value), 0)),
        };
        match read {
            Ok((value, more_lines)) => {
                at += more_lines;
                if value.is_empty() {
                    parsed.skip(format!("{label} ({key})"), "the value is empty");
                } else {
                    parsed
                        .entries
                        .push(Entry::new(label, key, Secret::new(value)));
                }
            }
            Err(reason) => parsed.skip(format!("{label} ({key})"), reason),
        }
    }
    parsed
}

fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

/// An unquoted value: up to a ` #` comment, trailing blanks removed.
fn unquoted(value: &str) -> String {
    let mut end = value.len();
    let bytes = value.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            end = i;
            break;
        }
    }
    value[..end].trim_end_matches([' ', '\t']).to_string()
}

/// A quoted value starting after its opening `quote`, on this line and, while the quote
/// is open, the `following` lines. Returns the value and how many following lines it
/// took.
fn quoted(first: &str, quote: char, following: &[&str]) -> Result<(String, usize), String> {
    let mut value = String::new();
    let mut line = first.to_string();
    let mut used = 0;
    loop {
        let mut chars = line.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                let after = line[i + 1..].trim_start_matches([' ', '\t']);
                if !after.is_empty() && !after.starts_with('#') {
                    return Err(format!("unexpected text after the closing quote: {after}"));
                }
                return Ok((value, used));
            }
            if c == '\\' && quote == '"' {
                match chars.next().map(|(_, c)| c) {
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    Some('t') => value.push('\t'),
                    Some(c @ ('"' | '\\' | '$' | '`')) => value.push(c),
                    Some(other) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => value.push('\\'),
                }
                continue;
            }
            value.push(c);
        }
        let Some(next) = following.get(used) else {
            return Err(format!("the value's {quote} quote is never closed"));
        };
        used += 1;
        value.push('\n');
        line = next.strip_suffix('\r').unwrap_or(next).to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn values(text: &str) -> Vec<(String, String)> {
        parse(text)
            .entries
            .into_iter()
            .map(|e| (e.name, e.value.expose().to_string()))
            .collect()
    }

    #[test]
    fn values_are_kept_as_written() {
        let text = "# comment\nexport A=plain\nB = 'single $HOME \"q\" # not a comment'\nC=\"dq \\\"x\\\" \\\\ \\n$PATH\"\nD=abc#def # comment\nE=\"line1\nline2\"\n  F=trailing   \n";
        assert_eq!(
            values(text),
            [
                ("A", "plain"),
                ("B", "single $HOME \"q\" # not a comment"),
                ("C", "dq \"x\" \\ \n$PATH"),
                ("D", "abc#def"),
                ("E", "line1\nline2"),
                ("F", "trailing"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
    }

    #[test]
    fn every_line_is_imported_or_skipped_with_a_reason() {
        let parsed = parse("GOOD=1\nno equals here\n9BAD=x\nEMPTY=\nOPEN=\"never closed\nLAST=2\n");
        let names: Vec<&str> = parsed.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["GOOD", "LAST"]);
        let reasons: Vec<&str> = parsed.skipped.iter().map(|s| s.entry.as_str()).collect();
        assert_eq!(
            reasons,
            ["line 2", "line 3", "line 4 (EMPTY)", "line 5 (OPEN)"]
        );
    }
}
