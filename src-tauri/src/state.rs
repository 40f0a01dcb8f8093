//! The app's one state: the open vault (or none: locked), the clipboard duty, settings,
//! and the time of the last user activity for auto-lock.

use crate::error::{IpcError, IpcResult};
use std::sync::Mutex;
use std::time::Instant;
use tessera_core::clipboard::Keeper;
use tessera_core::keys::OsKeyring;
use tessera_core::{Vault, VaultPaths};
use tessera_ipc::dto::Settings;

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

    /// Runs `f` on the open vault, or fails with "locked".
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> tessera_core::Result<T>,
    ) -> IpcResult<T> {
        let mut guard = self.vault.lock().map_err(|_| {
            IpcError::new(
                tessera_core::error::ErrorCode::Internal,
                "the vault lock was poisoned",
            )
        })?;
        let vault = guard.as_mut().ok_or_else(IpcError::locked)?;
        Ok(f(vault)?)
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
        self.clear_clipboard();
    }

    /// Clears the clipboard now if it still holds the secret Tessera put there.
    pub fn clear_clipboard(&self) {
        self.clipboard.clear_now();
    }
}
