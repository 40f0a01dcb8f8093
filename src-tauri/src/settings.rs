//! Settings live in `settings.json` beside the vault: plain preferences, nothing secret,
//! but two of them weaken protection when turned off (auto-lock, clearing the
//! clipboard). So the file is written atomically with mode 0600 in the vault's private
//! folder, only while the vault is unlocked (`save_settings`), and a value out of its
//! bounds, saved or read back, is refused: a hand-edited file falls back to the
//! defaults.

use tessera_core::VaultPaths;
use tessera_ipc::dto::Settings;

fn path(paths: &VaultPaths) -> std::path::PathBuf {
    paths.dir.join("settings.json")
}

/// The saved settings, or the defaults when there are none or they are out of bounds.
pub fn load(paths: &VaultPaths) -> Settings {
    std::fs::read(path(paths))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Settings>(&bytes).ok())
        .filter(|settings| check(settings).is_ok())
        .unwrap_or_default()
}

/// The bounds of every value.
pub fn check(settings: &Settings) -> Result<(), String> {
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
    crate::shortcut::parse(&settings.palette_shortcut)?;
    Ok(())
}

/// Checks and saves settings, atomically and privately.
pub fn save(paths: &VaultPaths, settings: &Settings) -> Result<(), String> {
    check(settings)?;
    let json = serde_json::to_vec_pretty(settings).map_err(|e| e.to_string())?;
    tessera_core::write_private_file(&path(paths), &json)
        .map_err(|e| format!("cannot save settings: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_private_and_bounded_when_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let paths = VaultPaths::in_dir(dir.path());
        let quiet = Settings {
            auto_lock_minutes: 0,
            ..Settings::default()
        };
        save(&paths, &quiet).expect("save");
        let mode = std::fs::metadata(path(&paths))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load(&paths).auto_lock_minutes, 0);
        // A hand-edited file with a value out of bounds: the defaults.
        std::fs::write(path(&paths), br#"{"clipboard_clear_seconds":999999,"auto_lock_minutes":0,"expiry_warning_days":7,"theme":"system","palette_shortcut":""}"#)
            .expect("edit");
        assert_eq!(load(&paths), Settings::default());
        // A file from before the palette: its shortcut is the default one.
        std::fs::write(path(&paths), br#"{"clipboard_clear_seconds":5,"auto_lock_minutes":0,"expiry_warning_days":7,"theme":"dark"}"#)
            .expect("older file");
        let older = load(&paths);
        assert_eq!(
            (
                older.clipboard_clear_seconds,
                older.palette_shortcut.as_str()
            ),
            (5, "Ctrl+Shift+Space")
        );
        // A shortcut that would take a key from typing is refused.
        let bare = Settings {
            palette_shortcut: "K".into(),
            ..Settings::default()
        };
        assert!(save(&paths, &bare).is_err());
    }
}
