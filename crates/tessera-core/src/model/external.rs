//! Tokens issued elsewhere: recognising the issuing service from a known prefix, and
//! checking the CRC32 checksum GitHub puts in its tokens so a truncated paste is caught.

use crate::model::token_shape::{CHECKSUM_CHARS, base62_checksum};

/// What Tessera can tell about a pasted token without asking anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// The issuing service, when the prefix is known.
    pub service: Option<&'static str>,
    /// What the prefix denotes ("personal access token", ...).
    pub label: Option<&'static str>,
    /// `Some(true/false)` when the format carries a checksum, `None` otherwise.
    pub checksum_ok: Option<bool>,
}

/// Known prefixes: (prefix, service, label, carries a GitHub checksum).
const PREFIXES: &[(&str, &str, &str, bool)] = &[
    (
        "github_pat_",
        "GitHub",
        "fine-grained personal access token",
        false,
    ),
    ("ghp_", "GitHub", "personal access token", true),
    ("gho_", "GitHub", "OAuth access token", true),
    ("ghu_", "GitHub", "user-to-server token", true),
    ("ghs_", "GitHub", "server-to-server token", true),
    ("ghr_", "GitHub", "refresh token", true),
    ("glpat-", "GitLab", "personal access token", false),
    ("gldt-", "GitLab", "deploy token", false),
    ("glrt-", "GitLab", "runner token", false),
    ("hvs.", "HashiCorp Vault", "service token", false),
    ("hvb.", "HashiCorp Vault", "batch token", false),
    ("xoxb-", "Slack", "bot token", false),
    ("xoxp-", "Slack", "user token", false),
    ("xapp-", "Slack", "app-level token", false),
    ("npm_", "npm", "access token", true),
    ("sk_live_", "Stripe", "live secret key", false),
    ("sk_test_", "Stripe", "test secret key", false),
    ("AKIA", "AWS", "access key id", false),
    ("glc_", "Grafana", "cloud token", false),
    ("dop_v1_", "DigitalOcean", "personal access token", false),
    ("pypi-", "PyPI", "API token", false),
    ("tsp_", "Tessera", "personal access token", false),
    ("tss_", "Tessera", "service token", false),
    ("tsw_", "Tessera", "workspace token", false),
];

/// Recognises the service from the token's prefix and checks its checksum where the
/// format has one.
pub fn recognise(token: &str) -> Recognised {
    let token = token.trim();
    let Some(&(prefix, service, label, checksummed)) = PREFIXES
        .iter()
        .find(|(prefix, ..)| token.starts_with(prefix))
    else {
        return Recognised {
            service: None,
            label: None,
            checksum_ok: None,
        };
    };
    let checksum_ok = checksummed.then(|| github_checksum_ok(&token[prefix.len()..]));
    Recognised {
        service: Some(service),
        label: Some(label),
        checksum_ok,
    }
}

/// GitHub's layout after the prefix: 30 base62 characters and 6 of CRC32 over those 30.
fn github_checksum_ok(body: &str) -> bool {
    if body.len() != 36 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let (random, checksum) = body.split_at(body.len() - CHECKSUM_CHARS);
    base62_checksum(crc32fast::hash(random.as_bytes())) == checksum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_like(prefix: &str, random: &str) -> String {
        format!(
            "{prefix}{random}{}",
            base62_checksum(crc32fast::hash(random.as_bytes()))
        )
    }

    #[test]
    fn services_are_recognised_from_prefixes() {
        let check = |token: &str, service: Option<&str>| {
            assert_eq!(recognise(token).service, service, "{token}")
        };
        check(
            "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz",
            Some("GitHub"),
        );
        check("glpat-xxxxxxxxxxxxxxxxxxxx", Some("GitLab"));
        check("hvs.CAESIJ", Some("HashiCorp Vault"));
        check("xoxb-1234-5678-abc", Some("Slack"));
        check("some-random-api-key", None);
    }

    #[test]
    fn github_checksums_are_checked() {
        let good = github_like("ghp_", "abcdefghijklmnopqrstuvwxyzABCD");
        assert_eq!(recognise(&good).checksum_ok, Some(true));
        let mut truncated = good.clone();
        truncated.pop();
        assert_eq!(recognise(&truncated).checksum_ok, Some(false));
        let typo = good.replacen('a', "b", 1);
        assert_eq!(recognise(&typo).checksum_ok, Some(false));
        assert_eq!(recognise("glpat-abc").checksum_ok, None);
    }
}
