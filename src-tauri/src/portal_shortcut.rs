//! The palette's shortcut on a Wayland session, through the desktop's GlobalShortcuts
//! portal (org.freedesktop.portal.GlobalShortcuts): Tessera asks for the shortcut, the
//! desktop confirms it with the person (and may let them choose another), and the
//! portal says each time it is pressed. One task keeps the portal session: a new
//! setting closes the session before and binds the new shortcut in a new one. Where the
//! desktop has no such portal, there is no shortcut, and README.md says how to bind
//! `tessera palette` in the desktop's own settings instead.

use std::sync::OnceLock;
use tauri::{AppHandle, Runtime};
use tokio::sync::watch;

/// The portal's name for Tessera's one shortcut.
const PALETTE_ID: &str = "palette";

/// The shortcut the task should hold ("" for none); set by `bind`.
static WANTED: OnceLock<watch::Sender<String>> = OnceLock::new();

/// Asks the portal for `trigger` (as the setting writes it), in place of the shortcut
/// bound before.
pub fn bind<R: Runtime>(app: &AppHandle<R>, trigger: &str) {
    let mut started = false;
    let sender = WANTED.get_or_init(|| {
        started = true;
        watch::channel(String::new()).0
    });
    sender.send_replace(trigger.to_string());
    if started {
        let app = app.clone();
        let wanted = sender.subscribe();
        tauri::async_runtime::spawn(async move {
            if let Err(err) = keep(app, wanted).await {
                eprintln!(
                    "tessera: the desktop offers no global shortcut ({err}); bind `tessera palette` in its keyboard settings"
                );
            }
        });
    }
}

/// Holds the wanted shortcut in a portal session until the app ends.
async fn keep<R: Runtime>(
    app: AppHandle<R>,
    mut wanted: watch::Receiver<String>,
) -> ashpd::Result<()> {
    use ashpd::desktop::global_shortcuts::{GlobalShortcuts, NewShortcut};
    use futures_util::StreamExt;
    let portal = GlobalShortcuts::new().await?;
    let mut activated = portal.receive_activated().await?;
    loop {
        let trigger = wanted.borrow_and_update().clone();
        let session = if trigger.is_empty() {
            None
        } else {
            let session = portal.create_session().await?;
            let shortcut = NewShortcut::new(PALETTE_ID, "Open Tessera's quick-access palette")
                .preferred_trigger(portal_trigger(&trigger).as_deref());
            portal
                .bind_shortcuts(&session, &[shortcut], None)
                .await?
                .response()?;
            Some(session)
        };
        loop {
            tokio::select! {
                changed = wanted.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    break;
                }
                event = activated.next() => {
                    let Some(event) = event else { return Ok(()) };
                    // One session at a time: the one before is closed first.
                    if session.is_some() && event.shortcut_id() == PALETTE_ID {
                        crate::palette::toggle(&app);
                    }
                }
            }
        }
        if let Some(session) = session {
            session.close().await?;
        }
    }
}

/// The setting's shortcut ("Ctrl+Shift+Space") as the portal writes a trigger
/// ("CTRL+SHIFT+space": the modifiers of the XDG shortcut format, then an XKB key
/// name), or `None` when the key has no simple name (the desktop then asks for one).
fn portal_trigger(setting: &str) -> Option<String> {
    let mut parts: Vec<&str> = setting.split('+').map(str::trim).collect();
    let key = parts.pop()?;
    let mut out: Vec<String> = Vec::new();
    for modifier in parts {
        out.push(
            match modifier.to_ascii_uppercase().as_str() {
                "CTRL" | "CONTROL" => "CTRL",
                "SHIFT" => "SHIFT",
                "ALT" | "OPTION" => "ALT",
                "SUPER" | "META" | "CMD" | "COMMAND" | "COMMANDORCONTROL" => "LOGO",
                _ => return None,
            }
            .to_string(),
        );
    }
    let key = match key.to_ascii_lowercase().as_str() {
        "space" => "space".to_string(),
        "enter" | "return" => "Return".to_string(),
        "tab" => "Tab".to_string(),
        one if one.len() == 1 && one.chars().all(|c| c.is_ascii_alphanumeric()) => one.into(),
        f if f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) => {
            f.to_ascii_uppercase()
        }
        _ => return None,
    };
    out.push(key);
    Some(out.join("+"))
}

#[cfg(test)]
mod tests {
    use super::portal_trigger;

    #[test]
    fn settings_are_written_as_portal_triggers() {
        let cases = [
            ("Ctrl+Shift+Space", Some("CTRL+SHIFT+space")),
            ("alt+super+k", Some("ALT+LOGO+k")),
            ("Ctrl+F5", Some("CTRL+F5")),
            ("Ctrl+Shift+Backquote", None),
        ];
        for (setting, trigger) in cases {
            assert_eq!(portal_trigger(setting).as_deref(), trigger, "{setting}");
        }
    }
}
