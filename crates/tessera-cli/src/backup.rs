//! `tessera backup create|verify|restore` and `tessera export --all`: read the key,
//! one core call, print what it did. The backup's passphrase or recovery key is always
//! the first line of stdin; a master password comes after it.

use crate::cli::{BackupAction, BackupKeyArgs};
use crate::commands::{Context, Exit, show_recovery_key};
use crate::input;
use crate::output::{line, note, print_json};
use serde_json::json;
use std::io::IsTerminal;
use std::path::Path;
use tessera_core::auto_backup::AutoBackup;
use tessera_core::backup::{Backup, BackupKey, BackupLock, Kept, Manifest, RestoreMode};
use tessera_core::{Error, RecoveryKey, Result, Secret};

pub fn run(ctx: &mut Context, action: BackupAction) -> Result<Exit> {
    match action {
        BackupAction::Create { output, lock, json } => {
            create(ctx, &output, lock.passphrase_stdin, &lock.recipient, json)
        }
        BackupAction::Verify { file, key, json } => verify(ctx, &file, &key, json),
        BackupAction::Auto {
            folder,
            every,
            keep,
            off,
            now,
            if_due,
            json,
        } => {
            let change = match (off, folder) {
                (true, _) => Some(None),
                (false, Some(folder)) => Some(Some(folder)),
                (false, None) => None,
            };
            auto(ctx, change, every, keep, now, if_due, json)
        }
        BackupAction::Restore {
            file,
            key,
            replace,
            merge,
            accept_older,
            keyring,
            dry_run,
            json,
        } => {
            let mode = match (replace, merge) {
                (true, _) => Some(RestoreMode::Replace),
                (_, true) => Some(RestoreMode::Merge),
                _ => None,
            };
            let how = Restore {
                mode,
                accept_older,
                keyring,
                dry_run,
                json,
            };
            restore(ctx, &file, &key, how)
        }
    }
}

/// Writes a backup (also `export --all`).
pub fn create(
    ctx: &mut Context,
    output: &Path,
    passphrase_stdin: bool,
    recipients: &[String],
    json: bool,
) -> Result<Exit> {
    let passphrase = match (passphrase_stdin, recipients.is_empty()) {
        (true, _) => Some(new_passphrase(ctx)?),
        (false, false) => {
            tessera_core::backup::parse_recipients(recipients)?;
            None
        }
        (false, true) => {
            return Err(Error::invalid(
                "backup",
                "say who can open it: --passphrase-stdin, or --recipient AGE_RECIPIENT",
            ));
        }
    };
    let lock = match &passphrase {
        Some(passphrase) => BackupLock::Passphrase(passphrase),
        None => BackupLock::Recipients(recipients),
    };
    let mut vault = ctx.open()?;
    let manifest = vault.backup(output, lock)?;
    if json {
        print_json(&json!({ "file": output.display().to_string(), "manifest": manifest }));
    } else {
        note(&format!(
            "Wrote a backup of {} to {} (mode 0600). Check it with `tessera backup verify`.",
            tokens(manifest.tokens),
            output.display()
        ));
    }
    Ok(Exit::Ok)
}

/// A passphrase for a new backup: stdin's first line, or prompted twice.
fn new_passphrase(ctx: &mut Context) -> Result<Secret> {
    let passphrase = if std::io::stdin().is_terminal() {
        let first = input::prompt("Backup passphrase: ")?;
        let again = input::prompt("Repeat it: ")?;
        if first != again {
            return Err(Error::invalid("passphrase", "the two entries differ"));
        }
        first
    } else {
        ctx.input.line("backup passphrase")?
    };
    if passphrase.expose().is_empty() {
        return Err(Error::invalid("passphrase", "the passphrase is empty"));
    }
    Ok(passphrase)
}

/// What opens the backup, as given on the command line.
enum Key {
    Passphrase(Secret),
    Identity(std::path::PathBuf),
    Recovery(RecoveryKey),
}

impl Key {
    fn read(ctx: &mut Context, args: &BackupKeyArgs) -> Result<Key> {
        if let Some(path) = &args.identity {
            return Ok(Key::Identity(path.clone()));
        }
        if args.recovery_key_stdin {
            let text = ctx.input.secret("Recovery key")?;
            return Ok(Key::Recovery(RecoveryKey::parse(text.expose())?));
        }
        Ok(Key::Passphrase(ctx.input.secret("Backup passphrase")?))
    }

    fn backup_key(&self) -> BackupKey<'_> {
        match self {
            Key::Passphrase(passphrase) => BackupKey::Passphrase(passphrase),
            Key::Identity(path) => BackupKey::IdentityFile(path),
            Key::Recovery(key) => BackupKey::RecoveryKey(key),
        }
    }
}

fn describe(manifest: &Manifest) -> String {
    format!(
        "{} of vault {}, made {} (at its change {})",
        tokens(manifest.tokens),
        manifest.vault_id,
        manifest.created_at,
        manifest.generation
    )
}

fn tokens(count: u64) -> String {
    match count {
        1 => "1 token".into(),
        n => format!("{n} tokens"),
    }
}

fn verify(ctx: &mut Context, file: &Path, args: &BackupKeyArgs, json: bool) -> Result<Exit> {
    let key = Key::read(ctx, args)?;
    let backup = Backup::read(file, key.backup_key())?;
    if json {
        print_json(&json!({ "ok": true, "manifest": backup.manifest() }));
    } else {
        line(&format!(
            "The backup is sound: {}.",
            describe(backup.manifest())
        ));
    }
    Ok(Exit::Ok)
}

struct Restore {
    mode: Option<RestoreMode>,
    accept_older: bool,
    keyring: bool,
    dry_run: bool,
    json: bool,
}

fn restore(ctx: &mut Context, file: &Path, args: &BackupKeyArgs, how: Restore) -> Result<Exit> {
    let key = Key::read(ctx, args)?;
    // Checked in full before anything is written.
    let backup = Backup::read(file, key.backup_key())?;
    let dir = ctx.paths.dir.display().to_string();
    if !ctx.paths.exists() {
        return restore_new(ctx, &backup, &key, &how);
    }
    let Some(mode) = how.mode else {
        return Err(Error::invalid(
            "restore",
            format!(
                "a vault exists at {dir}: add --replace to make its tokens the backup's, or --merge to add the backup's tokens to it"
            ),
        ));
    };
    let mut vault = ctx.open()?;
    let restored = vault.restore_backup(&backup, mode, how.accept_older, how.dry_run)?;
    if how.json {
        print_json(&json!({
            "vault": dir,
            "mode": if mode == RestoreMode::Replace { "replace" } else { "merge" },
            "dry_run": how.dry_run,
            "tokens": restored.tokens,
            "manifest": restored.manifest,
            "merged": restored.merged,
        }));
        return Ok(Exit::Ok);
    }
    let would = if how.dry_run {
        "Would restore"
    } else {
        "Restored"
    };
    match &restored.merged {
        None => note(&format!(
            "{would} {}: the vault's tokens are the backup's{}.",
            describe(&restored.manifest),
            if how.dry_run { "" } else { " now" }
        )),
        Some(merged) if merged.is_empty() => {
            note("Nothing to merge: the vault already holds everything the backup has.");
        }
        Some(merged) => {
            note(&format!(
                "{} from {}: {} tokens added, {} replaced by a newer change, {} with newer uses, {} audit events added.",
                if how.dry_run { "Would merge" } else { "Merged" },
                describe(&restored.manifest),
                merged.added,
                merged.updated,
                merged.usage,
                merged.events_added
            ));
            if merged.deleted_here > 0 {
                note(&format!(
                    "{} tokens of the backup were deleted here since, and stay deleted.",
                    merged.deleted_here
                ));
            }
        }
    }
    if let Some(merged) = &restored.merged {
        for conflict in &merged.conflicts {
            let kept = match conflict.kept {
                Kept::Vault => "kept this vault's",
                Kept::Backup => "took the backup's",
                Kept::Neither => "not added",
            };
            note(&format!(
                "conflict: '{}' ({}): {kept}: {}",
                conflict.name, conflict.token_id, conflict.reason
            ));
        }
        for text in &merged.notes {
            note(text);
        }
    }
    Ok(Exit::Ok)
}

fn restore_new(ctx: &mut Context, backup: &Backup, key: &Key, how: &Restore) -> Result<Exit> {
    let dir = ctx.paths.dir.display().to_string();
    if how.dry_run {
        note(&format!(
            "Would create a vault at {dir} from {}.",
            describe(backup.manifest())
        ));
        return Ok(Exit::Ok);
    }
    let protection = input::new_protection(&mut ctx.input, how.keyring, ctx.password_stdin)?;
    let recovery = match key {
        Key::Recovery(recovery) => Some(recovery),
        _ => None,
    };
    let (vault, made) = backup.restore_new(
        &ctx.paths,
        protection,
        recovery,
        &ctx.keyring,
        how.accept_older,
    )?;
    drop(vault);
    let made = made.map(|key| key.text());
    if how.json {
        print_json(&json!({
            "vault": dir,
            "mode": "new",
            "tokens": backup.manifest().tokens,
            "manifest": backup.manifest(),
            "recovery_key": made.as_ref().map(|key| key.expose()),
        }));
        return Ok(Exit::Ok);
    }
    note(&format!(
        "Created a vault at {dir} from {}.",
        describe(backup.manifest())
    ));
    match &made {
        Some(key) => show_recovery_key(key),
        None => note("The recovery key that opened the backup opens this vault too."),
    }
    Ok(Exit::Ok)
}

/// `backup auto`: `change` is `Some(None)` for off, `Some(Some(folder))` for on.
fn auto(
    ctx: &mut Context,
    change: Option<Option<std::path::PathBuf>>,
    every: Option<u32>,
    keep: Option<u32>,
    now: bool,
    if_due: bool,
    json: bool,
) -> Result<Exit> {
    let mut vault = ctx.open()?;
    let current = vault.auto_backup()?;
    let settings = match change {
        Some(None) => Some(None),
        Some(Some(folder)) => {
            let folder = std::path::absolute(&folder).map_err(|e| {
                Error::invalid("backup folder", format!("{}: {e}", folder.display()))
            })?;
            let base = current
                .clone()
                .unwrap_or_else(|| AutoBackup::to_folder(&folder));
            Some(Some(AutoBackup { folder, ..base }))
        }
        None if every.is_some() || keep.is_some() => match current.clone() {
            Some(settings) => Some(Some(settings)),
            None => {
                return Err(Error::invalid(
                    "automatic backups",
                    "they are off: turn them on with --folder DIR",
                ));
            }
        },
        None => None,
    };
    if let Some(mut settings) = settings {
        if let Some(settings) = &mut settings {
            settings.every_minutes = every.unwrap_or(settings.every_minutes);
            settings.keep = keep.unwrap_or(settings.keep);
        }
        vault.set_auto_backup(settings)?;
    }
    let written = if now {
        Some(vault.back_up_now()?)
    } else if if_due {
        vault.auto_backup_if_due()?
    } else {
        None
    };
    let status = vault.auto_backup_status()?;
    if json {
        print_json(&json!({ "status": status, "written": written }));
        return Ok(Exit::Ok);
    }
    if let Some(file) = &written {
        note(&format!("Wrote {}.", file.display()));
    }
    match &status.settings {
        None => {
            line("Automatic backups are off. Turn them on with `tessera backup auto --folder DIR`.")
        }
        Some(settings) => line(&format!(
            "Automatic backups go to {}, at most every {} minutes after a change, keeping the last {}; they open with the vault's recovery key.",
            settings.folder.display(),
            settings.every_minutes,
            settings.keep
        )),
    }
    match (status.last_at, &status.last_file) {
        (Some(at), Some(file)) => line(&format!(
            "Last automatic backup: {} ({}).",
            tessera_core::clock::rfc3339(at),
            file.display()
        )),
        _ if status.settings.is_some() => {
            line("No automatic backup has been written on this machine yet.")
        }
        _ => {}
    }
    if let Some(error) = &status.last_error {
        line(&format!("The last attempt failed: {error}"));
    }
    Ok(Exit::Ok)
}
