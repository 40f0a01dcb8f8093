//! Shared vaults in the window: which vault the window shows (the person's own, or a
//! shared vault's replica), one thread per shared vault that keeps its replica in step
//! with the server while the app is unlocked, and what each last heard.

use crate::error::{IpcError, IpcResult};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tessera_core::error::ErrorCode;
use tessera_core::shared::SharedVault;
use tessera_core::{Result, Vault};
use tessera_ipc::dto::{ConflictRow, SharedVaultStatus, SharedVaults};
use tessera_sync::Session;

/// How often a replica hears from its server at the least, so that it never turns
/// stale while the server can be reached.
const HEARTBEAT: Duration = Duration::from_secs(60);

/// What one shared vault's thread last heard.
#[derive(Debug, Default, Clone)]
struct Heard {
    last_synced: Option<i64>,
    /// The last round failed: why, and since when rounds fail.
    offline: Option<(String, i64)>,
}

/// The shared vaults' side of the app's state.
#[derive(Default)]
pub struct Shared {
    /// The person's own vault, while a shared vault's replica is the one shown (in
    /// `AppState::vault`). Lock `AppState::vault` first, then this.
    own: Mutex<Option<Vault>>,
    /// The shared vault shown; none: the person's own.
    active: Mutex<Option<String>>,
    heard: Arc<Mutex<BTreeMap<String, Heard>>>,
    /// Each thread's shared vault and stop flag.
    threads: Mutex<Vec<(String, Arc<AtomicBool>)>>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

fn poisoned() -> IpcError {
    IpcError::new(ErrorCode::Internal, "the vault lock was poisoned")
}

impl Shared {
    /// Keeps each of `vaults` (the shared vaults of `own`) in step that is not yet:
    /// called whenever the window asks for the list, so one joined or created since
    /// (by the CLI) starts within seconds.
    fn start(&self, own: &mut Vault, vaults: &[SharedVault]) {
        let watched: Vec<String> = match self.threads.lock() {
            Ok(threads) => threads.iter().map(|(name, _)| name.clone()).collect(),
            Err(_) => return,
        };
        for listed in vaults {
            if watched.contains(&listed.name) {
                continue;
            }
            match Session::open(own, &listed.name) {
                Ok(session) => self.watch(listed.name.clone(), session),
                Err(err) => self.heard_now(&listed.name, Err(err.to_string())),
            }
        }
    }

    fn watch(&self, name: String, session: Session) {
        let stop = Arc::new(AtomicBool::new(false));
        if let Ok(mut threads) = self.threads.lock() {
            threads.push((name.clone(), stop.clone()));
        }
        let heard = self.heard.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("tessera-sync-{name}"))
            .spawn(move || {
                let result = session.watch(HEARTBEAT, &stop, |round| {
                    record(&heard, &name, round.map(|_| ()).map_err(|e| e.to_string()));
                });
                if let Err(err) = result {
                    record(&heard, &name, Err(err.to_string()));
                }
            });
        if let Err(err) = spawned {
            eprintln!("tessera: a shared vault is not kept in step: {err}");
        }
    }

    fn heard_now(&self, name: &str, round: std::result::Result<(), String>) {
        record(&self.heard, name, round);
    }

    /// At lock: every thread stops, the own vault is closed, the window's next unlock
    /// shows the own vault.
    pub fn stop(&self) {
        if let Ok(mut threads) = self.threads.lock() {
            for (_, stop) in threads.drain(..) {
                stop.store(true, Ordering::SeqCst);
            }
        }
        if let Ok(mut own) = self.own.lock()
            && let Some(vault) = own.take()
        {
            let _ = vault.lock();
        }
        if let Ok(mut active) = self.active.lock() {
            *active = None;
        }
        if let Ok(mut heard) = self.heard.lock() {
            heard.clear();
        }
    }

    /// Runs `f` on the person's own vault: `shown` (what `AppState::vault` holds) when
    /// it is the own one, else the one kept aside.
    pub fn with_own<T>(
        &self,
        shown: &mut Vault,
        f: impl FnOnce(&mut Vault) -> Result<T>,
    ) -> IpcResult<T> {
        let mut own = self.own.lock().map_err(|_| poisoned())?;
        Ok(match own.as_mut() {
            Some(vault) => f(vault)?,
            None => f(shown)?,
        })
    }

    /// Shows shared vault `name` (its replica replaces what `shown` holds), or with
    /// none the person's own vault again.
    pub fn switch(&self, shown: &mut Option<Vault>, name: Option<String>) -> IpcResult<()> {
        let mut own = self.own.lock().map_err(|_| poisoned())?;
        let mut active = self.active.lock().map_err(|_| poisoned())?;
        match name {
            None => {
                if let Some(vault) = own.take() {
                    *shown = Some(vault);
                }
            }
            Some(name) => {
                let replica = {
                    let personal = match own.as_mut() {
                        Some(vault) => vault,
                        None => shown.as_mut().ok_or_else(IpcError::locked)?,
                    };
                    personal.open_shared(&name)?
                };
                if own.is_none() {
                    *own = shown.take();
                }
                *shown = Some(replica);
                *active = Some(name);
                return Ok(());
            }
        }
        *active = None;
        Ok(())
    }

    /// The shared vault shown, if one is.
    pub fn active(&self) -> Option<String> {
        self.active.lock().ok().and_then(|a| a.clone())
    }

    /// The shared vaults of `own` with what each last heard, and `conflicts` (the
    /// shown vault's) on the one shown; any not kept in step yet starts.
    pub fn list(&self, own: &mut Vault, conflicts: Vec<ConflictRow>) -> Result<SharedVaults> {
        let listed = own.shared_vaults()?;
        self.start(own, &listed);
        let active = self.active();
        let mut conflicts = Some(conflicts);
        let heard = self.heard.lock().unwrap_or_else(|e| e.into_inner());
        let vaults = listed
            .into_iter()
            .map(|listed| {
                let h = heard.get(&listed.name).cloned().unwrap_or_default();
                SharedVaultStatus {
                    name: listed.name.clone(),
                    server: listed.server,
                    last_synced: h.last_synced,
                    offline: h.offline.as_ref().map(|(why, _)| why.clone()),
                    offline_since: h.offline.map(|(_, since)| since),
                    conflicts: if active.as_deref() == Some(listed.name.as_str()) {
                        conflicts.take().unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        Ok(SharedVaults { active, vaults })
    }
}

/// Notes a round of shared vault `name`: that it held, or why it failed.
fn record(
    heard: &Mutex<BTreeMap<String, Heard>>,
    name: &str,
    round: std::result::Result<(), String>,
) {
    let Ok(mut heard) = heard.lock() else {
        return;
    };
    let h = heard.entry(name.to_string()).or_default();
    match round {
        Ok(()) => {
            h.last_synced = Some(now());
            h.offline = None;
        }
        Err(why) => {
            let since = h.offline.as_ref().map(|(_, since)| *since).unwrap_or(now());
            h.offline = Some((why, since));
        }
    }
}
