//! What SQLite's errors mean to a person: the store's errors become the core's
//! [`Error`], each saying what can be done.

use crate::model::error::Error;

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match err.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
                Error::Damaged("the vault file cannot be decrypted or is corrupt".into())
            }
            Some(ErrorCode::DiskFull) => Error::Storage(
                "the disk is full: free some space and try again; nothing was changed".into(),
            ),
            Some(ErrorCode::ReadOnly)
            | Some(ErrorCode::CannotOpen)
            | Some(ErrorCode::PermissionDenied) => Error::Storage(format!(
                "the vault cannot be written ({err}): make sure its folder is writable by you and not on a read-only disk; nothing was changed"
            )),
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
                Error::Storage("the vault is busy in another Tessera process: try again".into())
            }
            _ => Error::Storage(err.to_string()),
        }
    }
}
