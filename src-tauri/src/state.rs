//! The app's one state: the open vault (or none: locked), the clipboard duty, settings,
//! and the time of the last user activity for auto-lock.

use crate::error::{IpcError, IpcResult};
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;
use tauri::{AppHandle, Runtime};
use tessera_core::clipboard::Keeper;
use tessera_core::error::ErrorCode;
use tessera_core::keys::OsKeyring;
use tessera_core::{Vault, VaultPaths};
use tessera_ipc::dto::{AppStatus, PasswordPolicy, Settings, VaultState};

/// Everything the commands share.
pub struct AppState {
    /// `None` while locked. Never hold the guard across an `.await`.
    pub vault: Mutex<Option<Vault>>,
    pub paths: VaultPaths,
    pub keyring: OsKeyring,
    /// The secret put on the clipboard last, cleared at its deadline or at Lock.
    pub clipboard: Keeper,
    pub settings: Mutex<Settings>,
    pub last_activity: Mutex<Instant>,
    /// The file the person chose to import (in a native dialog), until it is imported.
    pub import_file: Mutex<Option<std::path::PathBuf>>,
    /// Shared vaults: the one shown instead of the own vault, and their sync threads.
    pub shared: crate::shared::Shared,
}

impl AppState {
    pub fn new(paths: VaultPaths) -> Self {
        let settings = crate::settings::load(&paths);
        AppState {
            vault: Mutex::new(None),
            paths,
            keyring: OsKeyring::default(),
            clipboard: Keeper::new(),
            settings: Mutex::new(settings),
            last_activity: Mutex::new(Instant::now()),
            import_file: Mutex::new(None),
            shared: crate::shared::Shared::default(),
        }
    }

    /// Notes a person's activity: their input (`note_activity`) and unlocking. Nothing
    /// else does, so that a window reloading after the CLI wrote, or a script calling
    /// commands, never keeps the vault from locking itself.
    pub fn touch(&self) {
        if let Ok(mut at) = self.last_activity.lock() {
            *at = Instant::now();
        }
    }

    /// The vault shown, locked for this caller (`None`: locked).
    fn shown(&self) -> IpcResult<std::sync::MutexGuard<'_, Option<Vault>>> {
        self.vault
            .lock()
            .map_err(|_| IpcError::new(ErrorCode::Internal, "the vault lock was poisoned"))
    }

    /// Runs `f` on the open vault, or fails with "locked".
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> tessera_core::Result<T>,
    ) -> IpcResult<T> {
        let mut guard = self.shown()?;
        let vault = guard.as_mut().ok_or_else(IpcError::locked)?;
        Ok(f(vault)?)
    }

    /// Runs `f` on the person's own vault (settings of the vault, its password,
    /// recovery key, backups), also while a shared vault is shown; or fails with
    /// "locked".
    pub fn with_own<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> tessera_core::Result<T>,
    ) -> IpcResult<T> {
        let mut guard = self.shown()?;
        let shown = guard.as_mut().ok_or_else(IpcError::locked)?;
        self.shared.with_own(shown, f)
    }

    /// Shows shared vault `name`, or with none the own vault.
    pub fn switch(&self, name: Option<String>) -> IpcResult<AppStatus> {
        {
            let mut guard = self.shown()?;
            if guard.is_none() {
                return Err(IpcError::locked());
            }
            self.shared.switch(&mut guard, name)?;
            if let Some(vault) = guard.as_ref()
                && let Err(err) = vault.limit_page_cache(PAGE_CACHE_MIB)
            {
                eprintln!("tessera: keeping the default page cache: {err}");
            }
        }
        Ok(self.status())
    }

    pub fn settings(&self) -> Settings {
        self.settings.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Locks: flushes and closes the vault (its key is zeroized) and clears the
    /// clipboard if it still holds a Tessera secret.
    pub fn lock(&self) {
        if let Ok(mut guard) = self.vault.lock()
            && let Some(vault) = guard.take()
        {
            let _ = vault.lock();
        }
        self.shared.stop();
        self.clear_clipboard();
    }

    /// Clears the clipboard now if it still holds the secret Tessera put there.
    pub fn clear_clipboard(&self) {
        self.clipboard.clear_now();
    }
}

/// The app's decrypted page cache: enough for the name index that a page of the plain
/// list steps through (about 4 MB at 100,000 tokens), so a jump anywhere in the list is
/// read from memory. A page at a random offset takes 1.9 ms at 5 MiB, 3.8 ms at 4 and
/// 7.7 ms at 2 (docs/benchmarks.md).
const PAGE_CACHE_MIB: u32 = 5;

impl AppState {
    /// What the window shows: locked or not, protection, settings, outside changes.
    pub fn status(&self) -> AppStatus {
        let state = self;
        // The window asks every 2 s while unlocked: then the open vault knows its
        // protection and whether another process changed it, and the header file is read
        // only while locked.
        let open = state.vault.lock().ok().and_then(|mut v| {
            v.as_mut().map(|vault| {
                // Protection and recovery are the own vault's, also while a shared
                // vault is shown; changes are the shown one's.
                let changes = vault.outside_changes().ok();
                let own = state
                    .shared
                    .with_own(vault, |own| {
                        Ok((own.protection(), own.recovery_state().ok()))
                    })
                    .ok();
                let protection = own.as_ref().map(|(p, _)| *p).unwrap_or(vault.protection());
                (protection, (changes, own.and_then(|(_, r)| r)))
            })
        });
        let unlocked = open.is_some();
        let (open, facts) = open.unzip();
        let (outside_changes, recovery) = facts.unzip();
        let protection = open.or_else(|| state.paths.protection().ok());
        AppStatus {
            state: match (unlocked, &protection) {
                (true, _) => VaultState::Unlocked,
                (false, Some(_)) => VaultState::Locked,
                (false, None) if state.paths.exists() => VaultState::Locked,
                (false, None) => VaultState::NoVault,
            },
            protection,
            vault_dir: state.paths.dir.display().to_string(),
            settings: state.settings(),
            outside_changes: outside_changes.flatten(),
            password_policy: PasswordPolicy::current(),
            recovery: recovery.flatten(),
        }
    }

    /// Keeps a vault just opened (unlock, first run) and answers the new status.
    pub fn open<R: Runtime>(&self, app: &AppHandle<R>, vault: Vault) -> AppStatus {
        let state = self;
        if let Err(err) = vault.limit_page_cache(PAGE_CACHE_MIB) {
            eprintln!("tessera: keeping the default page cache: {err}");
        }
        // Shared vaults start syncing when the window first asks for them
        // (`shared_vaults`), off the unlock path.
        if let Ok(mut guard) = state.vault.lock() {
            *guard = Some(vault);
        }
        state.touch();
        // Off the unlock path, and a moment later: the first rows come first, and a slow
        // notification service cannot delay the window.
        let app = app.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(2));
            crate::warnings::notify_expiring(&app);
        });
        state.status()
    }
}
