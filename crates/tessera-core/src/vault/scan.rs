//! The leak check (`tessera scan`): files, and with `history` the shell's history,
//! searched for the vault's own tokens and for well-known token formats.
//!
//! The vault's tokens are found by keyed fingerprints: HMAC-SHA256 of each value under
//! the vault's scan key (32 random bytes in `meta`), kept beside each token
//! (`token_fingerprints`) and brought up to date one secret at a time when a scan
//! starts. A scan holds the fingerprints, never the values; every string in a file
//! that could be a token is fingerprinted and looked up. A finding carries where it is
//! and a masked preview, never the value. Each of the vault's tokens found is audited.

use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::error::{Error, Result};
use crate::model::leak::{self, Span};
use crate::model::token_shape::{self, Shape};
use crate::store::{self, NewAuditEvent};
use crate::vault::Vault;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use zeroize::Zeroize;

/// The `meta` entry of the scan key.
const SCAN_KEY_META: &str = "scan_key";
/// Files larger than this are skipped (and said so).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// Bytes read to tell a binary file (a NUL among them) from text.
const SNIFF_BYTES: usize = 8192;
/// Shell and REPL history files under the home folder that `history` adds.
const HISTORY_FILES: &[&str] = &[
    ".bash_history",
    ".zsh_history",
    ".local/share/fish/fish_history",
    ".python_history",
    ".node_repl_history",
    ".psql_history",
    ".mysql_history",
    ".sqlite_history",
];

/// One thing found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The file.
    pub path: PathBuf,
    /// Line, from 1.
    pub line: usize,
    /// Column (characters), from 1.
    pub column: usize,
    /// The well-known format, or `vault-token` for one of the vault's own.
    pub rule: &'static str,
    /// The vault's token it is, by id.
    pub token_id: Option<String>,
    /// … and by name.
    pub token_name: Option<String>,
    /// The line with every value found masked.
    pub preview: String,
}

/// What a scan found and read.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ScanReport {
    /// Everything found, by file and line.
    pub findings: Vec<Finding>,
    /// Files read.
    pub files_scanned: usize,
    /// Files not read, and why (binary files are counted, not listed).
    pub skipped: Vec<(PathBuf, String)>,
    /// Binary files passed over.
    pub binary_files: usize,
}

/// The vault's fingerprints, for one scan.
struct Fingerprints {
    key: zeroize::Zeroizing<Vec<u8>>,
    tokens: HashMap<Vec<u8>, (String, String)>,
}

impl Fingerprints {
    fn of(&self, value: &str) -> Option<&(String, String)> {
        if self.tokens.is_empty() {
            return None;
        }
        self.tokens.get(&fingerprint(&self.key, value))
    }
}

fn fingerprint(key: &[u8], value: &str) -> Vec<u8> {
    // An HMAC key may have any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(value.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

impl Vault {
    /// Scans `paths` (files, or folders walked whole, hidden files included, `.git`
    /// folders and binary files passed over, symbolic links not followed) and, with
    /// `history`, the history files under `home`. A path given that cannot be read is
    /// an error; a file inside a folder that cannot be read is listed as skipped.
    pub fn scan(&mut self, paths: &[PathBuf], history: Option<&Path>) -> Result<ScanReport> {
        let prints = self.fingerprints()?;
        let mut report = ScanReport::default();
        for path in paths {
            let meta =
                std::fs::symlink_metadata(path).map_err(|e| Error::io("cannot read", path, e))?;
            if meta.is_dir() {
                walk(path, &prints, &mut report);
            } else {
                scan_file(path, &prints, &mut report);
            }
        }
        if let Some(home) = history {
            let mut files: Vec<PathBuf> = HISTORY_FILES.iter().map(|f| home.join(f)).collect();
            if let Some(histfile) = std::env::var_os("HISTFILE") {
                files.push(PathBuf::from(histfile));
            }
            files.sort();
            files.dedup();
            for file in files.iter().filter(|f| f.is_file()) {
                scan_file(file, &prints, &mut report);
            }
        }
        self.audit_findings(&report)?;
        Ok(report)
    }

    /// The scan key, made on first use, and every token's fingerprint, brought up to
    /// date first (one secret read at a time, in one transaction).
    fn fingerprints(&mut self) -> Result<Fingerprints> {
        let key = match store::meta_get(&self.conn, SCAN_KEY_META)? {
            Some(key) => key,
            None => {
                let mut key = vec![0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
                // The scan key is kept inside the encrypted vault.
                self.transact(|tx, _| store::meta_set(tx, SCAN_KEY_META, &key))?;
                key
            }
        };
        let key = zeroize::Zeroizing::new(key);
        // Asked first outside a transaction, so that a scan with nothing to bring up to
        // date writes nothing; then inside it, as the tokens are at that moment.
        if !store::stale_fingerprints(&self.conn)?.is_empty() {
            self.transact(|tx, _| {
                for id in store::stale_fingerprints(tx)? {
                    let (mut value, _) = store::secret_of(tx, &id)?;
                    let text = std::str::from_utf8(&value).unwrap_or_default();
                    let print = fingerprint(&key, text);
                    let hash = crate::vault::lifecycle::hash(text);
                    value.zeroize();
                    store::set_fingerprint(tx, &id, &print, &hash)?;
                }
                Ok(())
            })?;
        }
        let tokens = store::fingerprints(&self.conn)?
            .into_iter()
            .map(|(print, id, name)| (print, (id, name)))
            .collect();
        Ok(Fingerprints { key, tokens })
    }

    /// Where and when a scan last found each of `ids`' current value on this machine
    /// (`path:line`), for those it found; a new secret ends it.
    pub fn scan_findings(
        &self,
        ids: &[&str],
    ) -> Result<HashMap<String, (String, crate::model::clock::Timestamp)>> {
        store::findings(&self.conn, ids)
    }

    /// One audit event per token of the vault's found, naming where, and the token's
    /// finding kept for its row.
    fn audit_findings(&mut self, report: &ScanReport) -> Result<()> {
        let found: Vec<(&String, &Finding)> = report
            .findings
            .iter()
            .filter_map(|f| f.token_id.as_ref().map(|id| (id, f)))
            .collect();
        if found.is_empty() {
            return Ok(());
        }
        self.transact(|tx, now| {
            for (id, finding) in &found {
                let place = format!("{}:{}", finding.path.display(), finding.line);
                store::record_finding(tx, id, &place, now)?;
                let event = NewAuditEvent {
                    at: now,
                    action: AuditAction::Scan,
                    token_id: Some((*id).clone()),
                    token_name: finding.token_name.clone(),
                    outcome: AuditOutcome::Failed,
                    detail: format!("found in {place}"),
                };
                store::insert_audit(tx, &event)?;
            }
            Ok(())
        })
    }
}

fn walk(dir: &Path, prints: &Fingerprints, report: &mut ScanReport) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            report.skipped.push((dir.to_path_buf(), err.to_string()));
            return;
        }
    };
    let mut paths: Vec<(PathBuf, std::fs::FileType)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_type().ok().map(|t| (e.path(), t)))
        .collect();
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in paths {
        if kind.is_dir() {
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            walk(&path, prints, report);
        } else if kind.is_file() {
            scan_file(&path, prints, report);
        }
    }
}

fn scan_file(path: &Path, prints: &Fingerprints, report: &mut ScanReport) {
    let text = match read_text(path) {
        Ok(Some(text)) => text,
        Ok(None) => {
            report.binary_files += 1;
            return;
        }
        Err(why) => {
            report.skipped.push((path.to_path_buf(), why));
            return;
        }
    };
    report.files_scanned += 1;
    for (n, line) in text.lines().enumerate() {
        scan_line(path, n + 1, line, prints, &mut report.findings);
    }
}

/// The file as text, or `None` for a binary file.
fn read_text(path: &Path) -> std::result::Result<Option<String>, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!("larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0) {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end && b.start < a.end
}

/// Where in a line, how many characters the mask shows, the rule, and the vault's
/// token (id, name) if it is one.
type Hit<'a> = (Span, usize, &'static str, Option<&'a (String, String)>);

fn scan_line(
    path: &Path,
    line_no: usize,
    line: &str,
    prints: &Fingerprints,
    out: &mut Vec<Finding>,
) {
    // The vault's own tokens first, by fingerprint; then well-known formats elsewhere.
    let mut found: Vec<Hit<'_>> = Vec::new();
    for span in leak::candidates(line) {
        let value = &line[span.start..span.end];
        if let Some(token) = prints.of(value) {
            if !found.iter().any(|(s, ..)| overlaps(*s, span)) {
                found.push((span, 4, "vault-token", Some(token)));
            }
        } else if matches!(token_shape::parse(value), Shape::Valid(_))
            && !found.iter().any(|(s, ..)| overlaps(*s, span))
        {
            found.push((span, 4, "tessera-token", None));
        }
    }
    for (rule, span) in leak::rule_matches(line) {
        if !found.iter().any(|(s, ..)| overlaps(*s, span)) {
            found.push((span, rule.shown, rule.name, None));
        }
    }
    if found.is_empty() {
        return;
    }
    let masks: Vec<(Span, usize)> = found
        .iter()
        .map(|(span, shown, ..)| (*span, *shown))
        .collect();
    let preview = leak::masked_line(line, &masks);
    found.sort_by_key(|(span, ..)| span.start);
    for (span, _, rule, token) in found {
        out.push(Finding {
            path: path.to_path_buf(),
            line: line_no,
            column: line[..span.start].chars().count() + 1,
            rule,
            token_id: token.map(|(id, _)| id.clone()),
            token_name: token.map(|(_, name)| name.clone()),
            preview: preview.clone(),
        });
    }
}
