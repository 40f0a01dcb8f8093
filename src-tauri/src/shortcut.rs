//! The global shortcut that opens the quick-access palette (a setting, Ctrl+Shift+Space
//! by default). On X11, macOS and Windows the global-shortcut plugin grabs it; on a
//! Wayland session, where no program may grab keys, the desktop's GlobalShortcuts
//! portal binds it (`portal_shortcut`). Everywhere, `tessera palette` opens the
//! palette too, for a desktop's own shortcut settings.

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{
    GlobalShortcut, Modifiers, Shortcut, ShortcutEvent, ShortcutState,
};

/// The shortcut a setting names, `None` for an empty setting (no shortcut), or why the
/// text is not one a person can use.
pub fn parse(text: &str) -> Result<Option<Shortcut>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let shortcut: Shortcut = text.parse().map_err(|_| {
        format!("'{text}' is not a shortcut: write it as Ctrl+Shift+Space, Alt+Super+K or the like")
    })?;
    let typing = Modifiers::SHIFT;
    if (shortcut.mods - typing).is_empty() {
        return Err(format!(
            "'{text}' would take a key from typing everywhere: add Ctrl, Alt or Super"
        ));
    }
    Ok(Some(shortcut))
}

/// The plugin's handler: each press of the registered shortcut opens the palette, or
/// hides it when it is open.
pub fn on_press<R: Runtime>(app: &AppHandle<R>, _: &Shortcut, event: ShortcutEvent) {
    if event.state() == ShortcutState::Pressed {
        crate::palette::toggle(app);
    }
}

/// Whether keys are grabbed through the portal: a Wayland session (the plugin grabs keys
/// only from X11, which a Wayland desktop does not let a program do for all windows).
#[cfg(target_os = "linux")]
fn on_wayland() -> bool {
    std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// Makes `text` the palette's shortcut: the one before is let go, the new one grabbed.
/// Fails, keeping none, when another program holds it.
pub fn apply<R: Runtime>(app: &AppHandle<R>, text: &str) -> Result<(), String> {
    let shortcut = parse(text)?;
    #[cfg(target_os = "linux")]
    if on_wayland() {
        crate::portal_shortcut::bind(app, text.trim());
        return Ok(());
    }
    // Absent only where the plugin is not installed (the IPC tests' mock runtime).
    let Some(plugin) = app.try_state::<GlobalShortcut<R>>() else {
        return Ok(());
    };
    plugin
        .unregister_all()
        .map_err(|e| format!("cannot let go of the shortcut before: {e}"))?;
    let Some(shortcut) = shortcut else {
        return Ok(());
    };
    plugin.register(shortcut).map_err(|e| {
        format!(
            "{} is taken by another program ({e}): choose another, or leave it empty and bind `tessera palette` in your desktop's settings",
            text.trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri_plugin_global_shortcut::Code;

    #[test]
    fn a_shortcut_needs_a_modifier_beyond_shift() {
        let shortcut = parse("Ctrl+Shift+Space").expect("valid").expect("some");
        assert_eq!(shortcut.key, Code::Space);
        assert_eq!(shortcut.mods, Modifiers::CONTROL | Modifiers::SHIFT);
        assert!(parse("alt+super+k").expect("valid").is_some());
        assert_eq!(parse("  ").expect("empty is none"), None);
        for bad in ["Space", "Shift+K", "Ctrl+Nothing", "Ctrl++"] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains(bad), "{err}");
        }
    }
}
