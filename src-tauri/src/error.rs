//! Errors as the UI receives them: `{ kind, message }`, where `kind` is the core error's
//! stable code (or "locked" when the vault is not open). Never holds a secret.

use serde::Serialize;
use ts_rs::TS;

/// An error crossing IPC.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IpcError {
    pub kind: String,
    pub message: String,
}

impl IpcError {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        IpcError {
            kind: kind.into(),
            message: message.into(),
        }
    }

    /// The vault is locked: the UI shows the unlock screen.
    pub fn locked() -> Self {
        IpcError::new("locked", "Tessera is locked: unlock it to continue")
    }
}

impl From<tessera_core::Error> for IpcError {
    fn from(err: tessera_core::Error) -> Self {
        IpcError::new(err.code(), err.to_string())
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
