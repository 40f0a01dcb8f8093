//! Settings live in `settings.json` beside the vault: plain preferences, nothing secret.

use tessera_core::VaultPaths;
use tessera_ipc::dto::Settings;

fn path(paths: &VaultPaths) -> std::path::PathBuf {
    paths.dir.join("settings.json")
}

/// The saved settings, or the defaults.
pub fn load(paths: &VaultPaths) -> Settings {
    std::fs::read(path(paths))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Checks and saves settings.
pub fn save(paths: &VaultPaths, settings: &Settings) -> Result<(), String> {
    if settings.clipboard_clear_seconds > 3_600 {
        return Err("clear the clipboard within an hour (0 keeps it)".into());
    }
    if settings.auto_lock_minutes > 24 * 60 {
        return Err("auto-lock within a day (0 never locks)".into());
    }
    if !(1..=90).contains(&settings.expiry_warning_days) {
        return Err("warn 1 to 90 days before expiry".into());
    }
    if !["system", "light", "dark"].contains(&settings.theme.as_str()) {
        return Err("the theme is system, light or dark".into());
    }
    std::fs::create_dir_all(&paths.dir).map_err(|e| e.to_string())?;
    let json = serde_json::to_vec_pretty(settings).map_err(|e| e.to_string())?;
    std::fs::write(path(paths), json).map_err(|e| format!("cannot save settings: {e}"))
}
