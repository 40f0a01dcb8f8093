//! `tessera scan`: the leak check, printed for people (path:line:column, what, the
//! masked line) or as JSON; exit 0 clean, 1 findings, 2 error.

use crate::commands::{Context, Exit};
use crate::output::{self, line, note, print_json};
use serde_json::json;
use std::path::PathBuf;
use tessera_core::{Error, Result};

pub fn run(ctx: &mut Context, paths: Vec<PathBuf>, history: bool, json: bool) -> Result<Exit> {
    let paths = if paths.is_empty() && !history {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let home = match history {
        true => Some(std::env::var_os("HOME").map(PathBuf::from).ok_or_else(|| {
            Error::invalid(
                "--history",
                "HOME is not set, so the history files cannot be found",
            )
        })?),
        false => None,
    };
    let mut vault = ctx.open()?;
    let report = vault.scan(&paths, home.as_deref())?;
    // The status is the answer's, decided before a byte is printed.
    let found = !report.findings.is_empty();
    output::decide_status(if found { 1 } else { 0 });
    if json {
        print_json(&json!({
            "findings": report.findings,
            "files_scanned": report.files_scanned,
            "binary_files": report.binary_files,
            "skipped": report.skipped.iter().map(|(path, why)| json!({"path": path, "reason": why})).collect::<Vec<_>>(),
        }));
    } else {
        for finding in &report.findings {
            let what = match &finding.token_name {
                Some(name) => format!("token '{name}' of this vault"),
                None => finding.rule.to_string(),
            };
            line(&format!(
                "{}:{}:{}: {what}: {}",
                finding.path.display(),
                finding.line,
                finding.column,
                finding.preview
            ));
        }
        for (path, why) in &report.skipped {
            note(&format!("skipped {}: {why}", path.display()));
        }
        let ours = report
            .findings
            .iter()
            .filter(|f| f.token_id.is_some())
            .count();
        note(&format!(
            "{} found ({} of this vault's tokens) in {} files read ({} binary passed over).{}",
            report.findings.len(),
            ours,
            report.files_scanned,
            report.binary_files,
            if ours > 0 {
                " Rotate each of this vault's tokens found (tessera rotate NAME), then remove the copy."
            } else {
                ""
            }
        ));
    }
    Ok(if found { Exit::Inactive } else { Exit::Ok })
}
