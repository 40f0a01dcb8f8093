//! Errors as the UI receives them: `{ kind, message, field }`, where `kind` is the core's
//! `ErrorCode` (a generated TypeScript union) and `field` names the form field an
//! invalid value belongs to. Never holds a secret.

use serde::Serialize;
use tessera_core::error::ErrorCode;
use ts_rs::TS;

/// An error crossing IPC.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub kind: ErrorCode,
    pub message: String,
    /// For `invalid`: the field it is about ("expiry", "name", ...).
    pub field: Option<String>,
}

impl IpcError {
    pub fn new(kind: ErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            kind,
            message: message.into(),
            field: None,
        }
    }

    /// The vault is locked: the UI shows the unlock screen.
    pub fn locked() -> Self {
        IpcError::new(
            ErrorCode::Locked,
            "Tessera is locked: unlock it to continue",
        )
    }
}

impl From<tessera_core::Error> for IpcError {
    fn from(err: tessera_core::Error) -> Self {
        IpcError {
            kind: err.code(),
            field: err.field().map(str::to_string),
            message: err.to_string(),
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
