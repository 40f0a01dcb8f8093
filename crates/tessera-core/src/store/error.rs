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
            Some(ErrorCode::DiskFull) => Error::DiskFull,
            Some(ErrorCode::ReadOnly)
            | Some(ErrorCode::CannotOpen)
            | Some(ErrorCode::PermissionDenied) => Error::ReadOnly(err.to_string()),
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::Busy,
            _ => Error::Storage(err.to_string()),
        }
    }
}
