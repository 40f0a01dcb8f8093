//! One Tauri command per user action: take the arguments, call one core function on the
//! open vault (off the main thread), map the result to a DTO.

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};
use tessera_core::audit::AuditEvent;
use tessera_core::auto_backup::{AutoBackup, AutoBackupStatus};
use tessera_core::catalog::CatalogEntry;
use tessera_core::error::ErrorCode;
use tessera_core::header::Protection;
use tessera_core::keys::KeyStore;
use tessera_core::lifecycle::Purpose;
use tessera_core::{
    Consent, MasterPassword, NewProtection, RecoveryKey, Secret, Vault, VaultPaths,
};
use tessera_ipc::dto::*;
use tessera_ipc::requests::catalog;

/// Runs blocking work (vault, keyring, KDF, RSA) on the blocking pool.
async fn blocking<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    f: impl FnOnce(&AppState, &AppHandle<R>) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(move || f(&app.state::<AppState>(), &app))
        .await
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?
}

#[tauri::command]
pub async fn app_status<R: Runtime>(app: AppHandle<R>) -> IpcResult<AppStatus> {
    blocking(app, |state, _| Ok(state.status())).await
}

#[tauri::command]
pub async fn create_vault<R: Runtime>(
    app: AppHandle<R>,
    protection: Protection,
    password: Option<String>,
) -> IpcResult<VaultCreated> {
    blocking(app, move |state, app| {
        let protection = match (protection, password) {
            (Protection::Keyring, _) => NewProtection::Keyring,
            (Protection::Password, Some(pw)) => {
                NewProtection::Password(MasterPassword::new(Secret::new(pw))?)
            }
            (Protection::Password, None) => {
                return Err(IpcError::new(
                    ErrorCode::Invalid,
                    "choose a master password",
                ));
            }
        };
        let (vault, recovery) =
            Vault::create_recoverable(&state.paths, protection, &state.keyring)?;
        let kit = recovery_kit(&vault, &recovery);
        Ok(VaultCreated {
            status: state.open(app, vault),
            kit,
        })
    })
    .await
}

/// The recovery kit of `vault` for a recovery key just made.
fn recovery_kit(vault: &Vault, recovery: &RecoveryKey) -> RecoveryKit {
    RecoveryKit {
        vault_id: vault.id().to_string(),
        vault_dir: vault.paths().dir.display().to_string(),
        created_at: vault.now(),
        recovery_key: recovery.text().expose().to_string(),
    }
}

/// The person kept the recovery kit: the reminder ends.
#[tauri::command]
pub async fn confirm_recovery_kit<R: Runtime>(app: AppHandle<R>) -> IpcResult<AppStatus> {
    blocking(app, |state, _| {
        state.with_own(|v| v.confirm_recovery_kit())?;
        Ok(state.status())
    })
    .await
}

/// A new recovery key, replacing the vault's (or its first). Consent as for a change of
/// password: the current master password, or for a keyring vault a native
/// confirmation, so that a script in the page cannot give itself a way in.
#[tauri::command]
pub async fn new_recovery_kit<R: Runtime>(
    app: AppHandle<R>,
    current_password: Option<String>,
) -> IpcResult<RecoveryKit> {
    blocking(app, move |state, app| {
        let current = current_password.map(Secret::new);
        let consent = consent(
            state,
            app,
            current.as_ref(),
            [
                "Make a new recovery key",
                "Tessera will show a new recovery key once. Any earlier recovery key stops working.",
                "Make recovery key",
            ],
        )?;
        state.with_own(|v| {
            let recovery = v.new_recovery_key(consent, &state.keyring)?;
            Ok(recovery_kit(v, &recovery))
        })
    })
    .await
}

/// How the unlock screen opens the vault: `Vault::open`, or `Vault::open_restored`.
type Opener = fn(&VaultPaths, &dyn KeyStore, Option<&Secret>) -> tessera_core::Result<Vault>;

async fn unlock_with<R: Runtime>(
    app: AppHandle<R>,
    password: Option<String>,
    opener: Opener,
) -> IpcResult<AppStatus> {
    blocking(app, move |state, app| {
        let password = password.map(Secret::new);
        let vault = opener(&state.paths, &state.keyring, password.as_ref())?;
        Ok(state.open(app, vault))
    })
    .await
}

#[tauri::command]
pub async fn unlock<R: Runtime>(
    app: AppHandle<R>,
    password: Option<String>,
) -> IpcResult<AppStatus> {
    unlock_with(app, password, Vault::open).await
}

/// Opens a vault that `unlock` refused as an older copy, because the person restored it
/// on purpose (the audit log records it).
#[tauri::command]
pub async fn accept_restore<R: Runtime>(
    app: AppHandle<R>,
    password: Option<String>,
) -> IpcResult<AppStatus> {
    unlock_with(app, password, Vault::open_restored).await
}

#[tauri::command]
pub async fn lock<R: Runtime>(app: AppHandle<R>) -> IpcResult<AppStatus> {
    blocking(app, |state, _| {
        state.lock();
        Ok(state.status())
    })
    .await
}

#[tauri::command]
pub fn note_activity(state: tauri::State<'_, AppState>) {
    state.touch();
}

#[tauri::command]
pub async fn search_tokens<R: Runtime>(
    app: AppHandle<R>,
    request: SearchRequest,
) -> IpcResult<TokenPage> {
    blocking(app, move |state, _| {
        let query = request.to_query()?;
        state.with_vault(|vault| {
            let page = vault.search(&query)?;
            let now = vault.now();
            let rows = page
                .rows
                .into_iter()
                .map(|hit| TokenRow::from_hit(hit, now))
                .collect();
            Ok(TokenPage {
                total: page.total as u32,
                offset: request.offset,
                rows: with_notices(vault, rows)?,
            })
        })
    })
    .await
}

/// Builds the search index in the background, so the first keystroke is fast.
#[tauri::command]
pub async fn prepare_search<R: Runtime>(app: AppHandle<R>) -> IpcResult<()> {
    blocking(app, |state, _| {
        state.with_vault(|vault| vault.prepare_search())
    })
    .await
}

#[tauri::command]
pub async fn token_counts<R: Runtime>(app: AppHandle<R>) -> IpcResult<Vec<KindCount>> {
    blocking(app, |state, _| {
        state.with_vault(|vault| {
            Ok(vault
                .kind_counts()?
                .into_iter()
                .map(|(kind, count)| KindCount {
                    kind,
                    count: count as u32,
                })
                .collect())
        })
    })
    .await
}

#[tauri::command]
pub async fn get_token<R: Runtime>(app: AppHandle<R>, id: String) -> IpcResult<TokenRow> {
    blocking(app, move |state, _| {
        state.with_vault(|v| {
            let row = TokenRow::of(&v.token(&id)?, v.now());
            Ok(with_notices(v, vec![row])?.remove(0))
        })
    })
    .await
}

/// Rows with what they tell the holder to act on: an RSA token's file out of date, a
/// value a scan found on this machine (two statements a page).
fn with_notices(
    vault: &tessera_core::Vault,
    mut rows: Vec<TokenRow>,
) -> tessera_core::Result<Vec<TokenRow>> {
    let ids = TokenRow::ids(&rows);
    let stale = vault.stale_token_files(&ids)?;
    let found = vault.scan_findings(&ids)?;
    TokenRow::mark_stale_files(&mut rows, &stale);
    TokenRow::mark_findings(&mut rows, &found);
    Ok(rows)
}

#[tauri::command]
pub async fn name_available<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    except: Option<String>,
) -> IpcResult<bool> {
    blocking(app, move |state, _| {
        state.with_vault(|v| v.name_available(&name, except.as_deref()))
    })
    .await
}

#[tauri::command]
pub fn recognise_token(value: String) -> Recognised {
    // Wrapped so the pasted value is zeroized when done.
    let value = Secret::new(value);
    let r = tessera_core::external::recognise(value.expose());
    Recognised {
        service: r.service.map(Into::into),
        label: r.label.map(Into::into),
        checksum_ok: r.checksum_ok,
    }
}

#[tauri::command]
pub async fn create_token<R: Runtime>(
    app: AppHandle<R>,
    request: CreateRequest,
) -> IpcResult<Created> {
    blocking(app, move |state, _| {
        state.with_vault(|vault| {
            let issued = vault.create_token(request.into_new_token(vault.now())?)?;
            Ok(Created {
                token: TokenRow::of(&issued.token, vault.now()),
                // The new secret is shown this once, as the user just asked for it.
                secret: issued.secret.map(|s| s.expose().to_string()),
            })
        })
    })
    .await
}

#[tauri::command]
pub async fn edit_token<R: Runtime>(
    app: AppHandle<R>,
    id: String,
    request: EditRequest,
) -> IpcResult<TokenRow> {
    blocking(app, move |state, _| {
        state.with_vault(|vault| {
            let issued = vault.modify_token(&id, request.into_changes(vault.now())?)?;
            let row = TokenRow::of(&issued.token, vault.now());
            Ok(with_notices(vault, vec![row])?.remove(0))
        })
    })
    .await
}

#[tauri::command]
pub async fn rotate_token<R: Runtime>(
    app: AppHandle<R>,
    id: String,
    value: Option<String>,
) -> IpcResult<Created> {
    blocking(app, move |state, _| {
        state.with_vault(|vault| {
            let issued = vault.rotate_token(&id, value.map(Secret::new))?;
            Ok(Created {
                token: TokenRow::of(&issued.token, vault.now()),
                // The replacement is shown once, as for a new token.
                secret: issued.secret.map(|s| s.expose().to_string()),
            })
        })
    })
    .await
}

#[tauri::command]
pub async fn revoke_token<R: Runtime>(app: AppHandle<R>, id: String) -> IpcResult<TokenRow> {
    blocking(app, move |state, _| {
        state.with_vault(|v| Ok(TokenRow::of(&v.revoke_token(&id)?, v.now())))
    })
    .await
}

#[tauri::command]
pub async fn restore_token<R: Runtime>(app: AppHandle<R>, id: String) -> IpcResult<TokenRow> {
    blocking(app, move |state, _| {
        state.with_vault(|v| Ok(TokenRow::of(&v.restore_token(&id)?, v.now())))
    })
    .await
}

#[tauri::command]
pub async fn delete_token<R: Runtime>(app: AppHandle<R>, id: String) -> IpcResult<()> {
    blocking(app, move |state, _| {
        state.with_vault(|v| v.delete_token(&id).map(|_| ()))
    })
    .await
}

#[tauri::command]
pub async fn copy_secret<R: Runtime>(app: AppHandle<R>, id: String) -> IpcResult<CopyResult> {
    blocking(app, move |state, _| {
        let (name, secret) =
            state.with_vault(|v| Ok((v.token(&id)?.name, v.reveal_secret(&id, Purpose::Copy)?)))?;
        let seconds = state.settings().clipboard_clear_seconds;
        state
            .clipboard
            .copy(secret, Duration::from_secs(seconds.into()))?;
        Ok(CopyResult {
            name,
            clear_after: seconds,
        })
    })
    .await
}

/// Puts a token's `tessera://` reference on the clipboard (the palette's Shift+Enter):
/// what a script or an env file names it by, not a secret.
#[tauri::command]
pub async fn copy_reference<R: Runtime>(app: AppHandle<R>, id: String) -> IpcResult<String> {
    blocking(app, move |state, _| {
        let name = state.with_vault(|v| Ok(v.token(&id)?.name))?;
        let reference = tessera_core::reference::Reference {
            token: name,
            field: tessera_core::reference::Field::Secret,
        }
        .text();
        state.clipboard.copy_text(&reference)?;
        Ok(reference)
    })
    .await
}

/// Hides the quick-access palette (Esc, or after a copy).
#[tauri::command]
pub fn hide_palette<R: Runtime>(app: AppHandle<R>) {
    crate::palette::hide(&app);
}

#[tauri::command]
pub async fn download_token_file<R: Runtime>(
    app: AppHandle<R>,
    id: String,
    passphrase: Option<String>,
) -> IpcResult<Download> {
    blocking(app, move |state, app| {
        let name = state.with_vault(|v| Ok(v.token(&id)?.name))?;
        let Some(path) = crate::download::choose_path(app, &name) else {
            return Ok(Download { path: None });
        };
        let passphrase = passphrase.filter(|p| !p.is_empty()).map(Secret::new);
        let file = state.with_vault(|v| v.export_token_file(&id, passphrase.as_ref()))?;
        tessera_core::export::write_secret_file(&path, &file)?;
        Ok(Download {
            path: Some(path.display().to_string()),
        })
    })
    .await
}

#[tauri::command]
pub async fn catalog_list<R: Runtime>(
    app: AppHandle<R>,
    catalog_name: String,
) -> IpcResult<Vec<CatalogEntry>> {
    blocking(app, move |state, _| {
        let which = catalog(&catalog_name)?;
        state.with_vault(|v| v.catalog_list(which))
    })
    .await
}

#[tauri::command]
pub async fn catalog_add<R: Runtime>(
    app: AppHandle<R>,
    catalog_name: String,
    entry: CatalogInput,
) -> IpcResult<CatalogEntry> {
    blocking(app, move |state, _| {
        let which = catalog(&catalog_name)?;
        state.with_vault(|v| v.catalog_add(which, entry.into_entry()))
    })
    .await
}

#[tauri::command]
pub async fn catalog_rename<R: Runtime>(
    app: AppHandle<R>,
    catalog_name: String,
    old: String,
    new: String,
) -> IpcResult<()> {
    blocking(app, move |state, _| {
        let which = catalog(&catalog_name)?;
        state.with_vault(|v| v.catalog_rename(which, &old, &new))
    })
    .await
}

#[tauri::command]
pub async fn catalog_remove<R: Runtime>(
    app: AppHandle<R>,
    catalog_name: String,
    name: String,
) -> IpcResult<()> {
    blocking(app, move |state, _| {
        let which = catalog(&catalog_name)?;
        state.with_vault(|v| v.catalog_remove(which, &name))
    })
    .await
}

#[tauri::command]
pub async fn audit_events<R: Runtime>(
    app: AppHandle<R>,
    query: AuditQuery,
) -> IpcResult<Vec<AuditEvent>> {
    blocking(app, move |state, _| {
        let filter = query.into_filter();
        state.with_vault(|v| v.audit(&filter))
    })
    .await
}

#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    settings: Settings,
) -> IpcResult<Settings> {
    blocking(app, move |state, app| {
        // Settings that weaken protection change only while the vault is unlocked.
        state.with_vault(|_| Ok(()))?;
        let invalid = |m| IpcError::new(ErrorCode::Invalid, m);
        crate::settings::check(&settings).map_err(invalid)?;
        let before = state.settings().palette_shortcut;
        if before != settings.palette_shortcut
            && let Err(m) = crate::shortcut::apply(app, &settings.palette_shortcut)
        {
            let _ = crate::shortcut::apply(app, &before);
            return Err(invalid(m));
        }
        crate::settings::save(&state.paths, &settings).map_err(invalid)?;
        if let Ok(mut current) = state.settings.lock() {
            *current = settings.clone();
        }
        Ok(settings)
    })
    .await
}

#[tauri::command]
pub async fn change_password<R: Runtime>(
    app: AppHandle<R>,
    current_password: Option<String>,
    new_password: String,
) -> IpcResult<()> {
    blocking(app, move |state, app| {
        let password = MasterPassword::new(Secret::new(new_password))?;
        let current = current_password.map(Secret::new);
        let consent = consent(
            state,
            app,
            current.as_ref(),
            [
                "Set a master password",
                "The vault key will leave the system keyring: from now on Tessera opens only with this master password.",
                "Set password",
            ],
        )?;
        state.with_own(|v| v.change_password(consent, &password, &state.keyring))
    })
    .await
}

/// The person's consent to a change only they may make (a new password, a new recovery
/// key): the current master password when the page sent one; for a keyring vault, a
/// native dialog (`[title, message, button]`) that page script cannot draw or click. A
/// password vault without its password gets `Confirmed`, which the core refuses.
fn consent<'a, R: Runtime>(
    state: &AppState,
    app: &AppHandle<R>,
    current: Option<&'a Secret>,
    [title, message, button]: [&str; 3],
) -> IpcResult<Consent<'a>> {
    if let Some(current) = current {
        return Ok(Consent::CurrentPassword(current));
    }
    let keyring = state.with_own(|v| Ok(v.protection() == Protection::Keyring))?;
    if !keyring || crate::confirm::ask(app, title, message, button) {
        Ok(Consent::Confirmed)
    } else {
        Err(IpcError::new(
            ErrorCode::Cancelled,
            "the change was not confirmed",
        ))
    }
}

/// Automatic backups: their folder, interval, what was last written.
#[tauri::command]
pub async fn backup_status<R: Runtime>(app: AppHandle<R>) -> IpcResult<AutoBackupStatus> {
    blocking(app, |state, _| state.with_own(|v| v.auto_backup_status())).await
}

/// The person picks the backup folder in a native dialog; that turns automatic backups
/// on (with the interval and count kept, or the defaults). Cancelled: nothing changes.
#[tauri::command]
pub async fn choose_backup_folder<R: Runtime>(app: AppHandle<R>) -> IpcResult<AutoBackupStatus> {
    blocking(app, |state, app| {
        state.with_vault(|_| Ok(()))?;
        let Some(folder) = crate::pick::backup_folder(app) else {
            return state.with_own(|v| v.auto_backup_status());
        };
        state.with_own(|v| {
            let settings = match v.auto_backup()? {
                Some(current) => AutoBackup { folder, ..current },
                None => AutoBackup::to_folder(folder),
            };
            v.set_auto_backup(Some(settings))?;
            v.auto_backup_status()
        })
    })
    .await
}

/// Changes how often automatic backups are made and how many are kept (`None`: turns
/// them off). The folder changes only through `choose_backup_folder`.
#[tauri::command]
pub async fn set_auto_backup<R: Runtime>(
    app: AppHandle<R>,
    schedule: Option<BackupSchedule>,
) -> IpcResult<AutoBackupStatus> {
    blocking(app, move |state, _| {
        state.with_own(|v| {
            let settings = match (schedule, v.auto_backup()?) {
                (None, _) => None,
                (Some(schedule), Some(current)) => Some(AutoBackup {
                    every_minutes: schedule.every_minutes,
                    keep: schedule.keep,
                    ..current
                }),
                (Some(_), None) => {
                    return Err(tessera_core::Error::invalid(
                        "backup folder",
                        "choose a folder for the backups first",
                    ));
                }
            };
            v.set_auto_backup(settings)?;
            v.auto_backup_status()
        })
    })
    .await
}

/// Writes an automatic backup now ("Back up now").
#[tauri::command]
pub async fn back_up_now<R: Runtime>(app: AppHandle<R>) -> IpcResult<AutoBackupStatus> {
    blocking(app, |state, _| {
        state.with_own(|v| {
            v.back_up_now()?;
            v.auto_backup_status()
        })
    })
    .await
}

/// The person picks a file to import in a native dialog; the answer is what importing
/// it would do (nothing is written). `None` when they cancel.
#[tauri::command]
pub async fn choose_import_file<R: Runtime>(
    app: AppHandle<R>,
    request: ImportRequest,
) -> IpcResult<Option<ImportPreview>> {
    blocking(app, move |state, app| {
        state.with_vault(|_| Ok(()))?;
        let Some(file) = crate::pick::import_file(app) else {
            return Ok(None);
        };
        if let Ok(mut chosen) = state.import_file.lock() {
            *chosen = Some(file);
        }
        import_chosen(state, &request, true).map(Some)
    })
    .await
}

/// What importing the chosen file would do, read again (another format, a password).
#[tauri::command]
pub async fn preview_import<R: Runtime>(
    app: AppHandle<R>,
    request: ImportRequest,
) -> IpcResult<ImportPreview> {
    blocking(app, move |state, _| import_chosen(state, &request, true)).await
}

/// Imports the chosen file; it is forgotten once imported.
#[tauri::command]
pub async fn run_import<R: Runtime>(
    app: AppHandle<R>,
    request: ImportRequest,
) -> IpcResult<ImportPreview> {
    blocking(app, move |state, _| {
        let done = import_chosen(state, &request, false)?;
        if let Ok(mut chosen) = state.import_file.lock() {
            *chosen = None;
        }
        Ok(done)
    })
    .await
}

fn import_chosen(
    state: &AppState,
    request: &ImportRequest,
    dry_run: bool,
) -> IpcResult<ImportPreview> {
    let file = state
        .import_file
        .lock()
        .ok()
        .and_then(|chosen| chosen.clone())
        .ok_or_else(|| IpcError::new(ErrorCode::Invalid, "choose a file to import first"))?;
    let password = request
        .password
        .clone()
        .filter(|p| !p.is_empty())
        .map(Secret::new);
    let report = state.with_vault(|v| {
        v.import_file(
            request.format,
            &file,
            password.as_ref(),
            request.on_conflict,
            dry_run,
        )
    })?;
    Ok(ImportPreview {
        file_name: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        report,
    })
}

#[tauri::command]
pub async fn expiring_tokens<R: Runtime>(app: AppHandle<R>) -> IpcResult<Vec<TokenRow>> {
    blocking(app, |state, _| {
        let days = state.settings().expiry_warning_days;
        state.with_vault(|v| {
            let now = v.now();
            Ok(v.needing_attention(days)?
                .iter()
                .map(|token| TokenRow::of(token, now))
                .collect())
        })
    })
    .await
}

/// The shared vaults this install belongs to, which one is shown, and how each syncs.
#[tauri::command]
pub async fn shared_vaults<R: Runtime>(app: AppHandle<R>) -> IpcResult<SharedVaults> {
    blocking(app, |state, _| {
        // The shown vault's conflicts (a shared vault's replica keeps them; the own
        // vault has none).
        let conflicts = state.with_vault(|shown| shown.conflicts())?;
        let conflicts = conflicts.iter().map(ConflictRow::of).collect();
        state.with_own(|own| state.shared.list(own, conflicts))
    })
    .await
}

/// Shows shared vault `name` in the window, or with none the person's own vault.
#[tauri::command]
pub async fn switch_vault<R: Runtime>(
    app: AppHandle<R>,
    name: Option<String>,
) -> IpcResult<AppStatus> {
    blocking(app, move |state, _| state.switch(name)).await
}

/// The members of shared vault `name`, from its roster on the server (verified).
#[tauri::command]
pub async fn vault_members<R: Runtime>(app: AppHandle<R>, name: String) -> IpcResult<Members> {
    blocking(app, move |state, _| {
        let session = state.with_own(|own| tessera_sync::Session::open(own, &name))?;
        let me = session.identity();
        // The server answers with the vault free for other commands.
        let members = session.members()?;
        Ok(Members::of(&members, &me))
    })
    .await
}

/// Removes a member of shared vault `name`: a new key for the others; answers the
/// tokens to rotate. Rust asks the person first (a native dialog a page script cannot
/// answer).
#[tauri::command]
pub async fn remove_member<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    identity: String,
) -> IpcResult<RemovedMember> {
    blocking(app, move |state, app| {
        let member: tessera_core::shared::PublicIdentity = identity.parse()?;
        let message = format!(
            "{} will hold no key to what is written to '{name}' from now on. What they could read, they keep: Tessera lists those tokens to rotate next.",
            member.fingerprint()
        );
        if !crate::confirm::ask(app, "Remove member", &message, "Remove") {
            return Err(IpcError::new(
                ErrorCode::Cancelled,
                "the member was not removed",
            ));
        }
        let session = state.with_own(|own| tessera_sync::Session::open(own, &name))?;
        let removed = session.remove_member(&identity)?;
        Ok(RemovedMember {
            epoch: removed.epoch,
            to_rotate: removed
                .readable
                .into_iter()
                .map(|r| TokenRef {
                    id: r.id,
                    name: r.name,
                })
                .collect(),
        })
    })
    .await
}

/// Ends the conflict of token `id` in the vault shown: `keep_mine` puts this
/// machine's values back over the other member's; otherwise theirs stay.
#[tauri::command]
pub async fn resolve_conflict<R: Runtime>(
    app: AppHandle<R>,
    id: String,
    keep_mine: bool,
) -> IpcResult<()> {
    blocking(app, move |state, _| {
        state.with_vault(|v| v.resolve_conflict(&id, keep_mine).map(|_| ()))
    })
    .await
}
