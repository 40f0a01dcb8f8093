//! `tessera import --from FORMAT FILE`: the file's password first (when it has one),
//! one core call, the report: what was imported and each entry skipped with why.

use crate::commands::{Context, Exit};
use crate::input;
use crate::output::{line, note, print_json};
use std::io::IsTerminal;
use std::path::Path;
use tessera_core::imports::{Format, ImportReport, OnConflict};
use tessera_core::{Result, Secret};

pub fn run(
    ctx: &mut Context,
    file: &Path,
    format: Format,
    passphrase_stdin: bool,
    on_conflict: OnConflict,
    dry_run: bool,
    json: bool,
) -> Result<Exit> {
    let password = file_password(ctx, format, passphrase_stdin)?;
    let mut vault = ctx.open()?;
    let report = vault.import_file(format, file, password.as_ref(), on_conflict, dry_run)?;
    if json {
        print_json(&serde_json::to_value(&report).unwrap_or_default());
    } else {
        show(&report, file);
    }
    Ok(Exit::Ok)
}

/// The file's own password: stdin's first line when asked, else prompted for a format
/// that needs one.
fn file_password(ctx: &mut Context, format: Format, stdin: bool) -> Result<Option<Secret>> {
    if stdin {
        return ctx.input.line("file's password").map(Some);
    }
    if format.takes_password() && std::io::stdin().is_terminal() {
        return input::prompt("The file's password: ").map(Some);
    }
    Ok(None)
}

fn show(report: &ImportReport, file: &Path) {
    let count = |n: u64| {
        if n == 1 {
            "1 token".to_string()
        } else {
            format!("{n} tokens")
        }
    };
    for token in &report.tokens {
        let service = token
            .service
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        line(&format!("{}{service}", token.name));
    }
    note(&format!(
        "{} {} from {}{}.",
        if report.dry_run {
            "Would import"
        } else {
            "Imported"
        },
        count(report.imported),
        file.display(),
        match report.skipped.len() {
            0 => String::new(),
            n => format!("; skipped {n}"),
        }
    ));
    for skipped in &report.skipped {
        note(&format!("  skipped {}: {}", skipped.entry, skipped.reason));
    }
}
