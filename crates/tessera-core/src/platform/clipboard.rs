//! The clipboard: Rust puts a secret on it (arboard), marked to be kept out of
//! clipboard-manager history where the platform has such a mark, and clears it after a
//! delay only if the clipboard still holds that secret. On X11 the copying process owns
//! the clipboard content, so the [`Copied`] guard must live until it clears.

use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use std::time::{Duration, Instant};

/// Default seconds before a copied secret is cleared.
pub const DEFAULT_CLEAR_SECS: u64 = 30;

/// How a copy ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClearOutcome {
    /// The secret was still on the clipboard and has been cleared.
    Cleared,
    /// Something else was copied meanwhile; it was left alone.
    Replaced,
}

/// A secret on the clipboard, and the duty to clear it.
pub struct Copied {
    clipboard: arboard::Clipboard,
    secret: Secret,
    deadline: Option<Instant>,
}

impl std::fmt::Debug for Copied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Copied")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

fn clipboard_error(err: arboard::Error) -> Error {
    Error::Clipboard(match err {
        arboard::Error::ClipboardNotSupported => {
            "no clipboard on this system (is there a display?)".into()
        }
        arboard::Error::ClipboardOccupied => {
            "another program holds the clipboard; try again".into()
        }
        other => other.to_string(),
    })
}

/// Puts `secret` on the clipboard. With `clear_after` zero it is never cleared.
pub fn copy(secret: Secret, clear_after: Duration) -> Result<Copied> {
    let mut clipboard = arboard::Clipboard::new().map_err(clipboard_error)?;
    // Placing the secret on the clipboard is what the user asked for. Lent, not copied:
    // arboard keeps the one copy the X selection serves (SECURITY.md).
    let text = secret.expose();
    #[cfg(target_os = "linux")]
    {
        use arboard::SetExtLinux;
        clipboard
            .set()
            .exclude_from_history()
            .text(text)
            .map_err(clipboard_error)?;
    }
    #[cfg(not(target_os = "linux"))]
    clipboard.set_text(text).map_err(clipboard_error)?;
    let deadline = (!clear_after.is_zero()).then(|| Instant::now() + clear_after);
    Ok(Copied {
        clipboard,
        secret,
        deadline,
    })
}

impl Copied {
    /// When the clipboard will be cleared, if ever.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether the clipboard still holds the secret.
    pub fn still_holds(&mut self) -> bool {
        match self.clipboard.get_text() {
            Ok(text) => {
                let same = self.secret.ct_eq(text.as_bytes());
                crate::model::secret::wipe(text);
                same
            }
            Err(_) => false,
        }
    }

    /// Clears the clipboard now if it still holds the secret.
    pub fn clear_now(mut self) -> Result<ClearOutcome> {
        if !self.still_holds() {
            return Ok(ClearOutcome::Replaced);
        }
        self.clipboard.clear().map_err(clipboard_error)?;
        Ok(ClearOutcome::Cleared)
    }

    /// Blocks until the deadline (checking now and then whether something else was
    /// copied), then clears. With no deadline, blocks until something else is copied.
    pub fn wait_and_clear(self) -> Result<ClearOutcome> {
        self.wait_and_clear_unless(&std::sync::atomic::AtomicBool::new(false))
    }

    /// As [`Copied::wait_and_clear`], but clears at once when `stop` is set (by a signal
    /// handler: Ctrl-C must not leave the secret behind), within a quarter second.
    pub fn wait_and_clear_unless(
        mut self,
        stop: &std::sync::atomic::AtomicBool,
    ) -> Result<ClearOutcome> {
        loop {
            if !self.still_holds() {
                return Ok(ClearOutcome::Replaced);
            }
            if stop.load(std::sync::atomic::Ordering::SeqCst) {
                return self.clear_now();
            }
            match self.deadline {
                Some(deadline) if Instant::now() >= deadline => return self.clear_now(),
                Some(deadline) => {
                    std::thread::sleep(
                        deadline
                            .saturating_duration_since(Instant::now())
                            .min(Duration::from_millis(250)),
                    );
                }
                None => std::thread::sleep(Duration::from_millis(250)),
            }
        }
    }
}

/// The clipboard duty of a long-running process (the app): at most one secret on the
/// clipboard at a time, cleared at its deadline by one worker thread, or at once by
/// [`Keeper::clear_now`] (Lock, quit). A newer copy takes the place of the one before,
/// so an older deadline never clears a newer secret.
#[derive(Debug, Default)]
pub struct Keeper {
    shared: std::sync::Arc<KeeperState>,
}

#[derive(Default)]
struct KeeperState {
    current: std::sync::Mutex<Option<Copied>>,
    /// The handle that serves text that is not secret (a reference): on X11 the
    /// clipboard holds it only while a handle lives.
    plain: std::sync::Mutex<Option<arboard::Clipboard>>,
    changed: std::sync::Condvar,
    /// Whether the worker thread started.
    worker: std::sync::OnceLock<bool>,
}

impl Keeper {
    /// A keeper with nothing on the clipboard; its worker starts with the first copy.
    pub fn new() -> Keeper {
        Keeper::default()
    }

    /// Puts `secret` on the clipboard until `clear_after` (zero: until something else is
    /// copied or [`Keeper::clear_now`]).
    pub fn copy(&self, secret: Secret, clear_after: Duration) -> Result<()> {
        let state = &self.shared;
        let shared = std::sync::Arc::clone(&self.shared);
        let started = *state.worker.get_or_init(move || {
            std::thread::Builder::new()
                .name("tessera-clipboard".into())
                .spawn(move || shared.clear_when_due())
                .is_ok()
        });
        if !started {
            return Err(Error::Clipboard(
                "could not start the timer that clears the clipboard; nothing was copied".into(),
            ));
        }
        let copied = copy(secret, clear_after)?;
        if let Ok(mut current) = state.current.lock() {
            *current = Some(copied);
        }
        state.changed.notify_all();
        Ok(())
    }

    /// Puts text that is not secret on the clipboard (a `tessera://` reference): no
    /// history marker and no clearing. A secret copied before is no longer on the
    /// clipboard, so its clearing duty ends.
    pub fn copy_text(&self, text: &str) -> Result<()> {
        let mut plain = self
            .shared
            .plain
            .lock()
            .map_err(|_| Error::Clipboard("the clipboard lock was poisoned".into()))?;
        let clipboard = match plain.as_mut() {
            Some(clipboard) => clipboard,
            None => plain.insert(arboard::Clipboard::new().map_err(clipboard_error)?),
        };
        clipboard.set_text(text).map_err(clipboard_error)?;
        if let Ok(mut current) = self.shared.current.lock() {
            current.take();
        }
        self.shared.changed.notify_all();
        Ok(())
    }

    /// Clears the clipboard now if it still holds the secret put there last.
    pub fn clear_now(&self) -> Option<ClearOutcome> {
        let copied = self.shared.current.lock().ok()?.take()?;
        copied.clear_now().ok()
    }
}

impl std::fmt::Debug for KeeperState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeeperState")
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

impl KeeperState {
    /// The worker: sleeps until the current copy's deadline (or a newer copy), then
    /// clears it. Runs for the life of the process.
    fn clear_when_due(&self) {
        let Ok(mut current) = self.current.lock() else {
            return;
        };
        loop {
            let wait = current
                .as_ref()
                .and_then(Copied::deadline)
                .map(|at| at.saturating_duration_since(Instant::now()));
            current = match wait {
                Some(left) if left.is_zero() => {
                    if let Some(copied) = current.take() {
                        let _ = copied.clear_now();
                    }
                    current
                }
                Some(left) => match self.changed.wait_timeout(current, left) {
                    Ok((guard, _)) => guard,
                    Err(_) => return,
                },
                None => match self.changed.wait(current) {
                    Ok(guard) => guard,
                    Err(_) => return,
                },
            };
        }
    }
}
