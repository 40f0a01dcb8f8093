//! The one error type of the core. Every message is short, says what to do next where
//! there is something to do, and never holds a secret.

/// Result alias used across the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of error it is: stable names for scripts (`--json`) and for the window,
/// which branches on them (the TypeScript union is generated from this enum).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum ErrorCode {
    /// [`Error::NoVault`].
    NoVault,
    /// [`Error::VaultExists`].
    VaultExists,
    /// [`Error::WrongPassword`].
    WrongPassword,
    /// [`Error::WrongKey`].
    WrongKey,
    /// [`Error::PasswordRequired`].
    PasswordRequired,
    /// [`Error::KeyringUnavailable`].
    KeyringUnavailable,
    /// [`Error::KeyMissing`].
    KeyMissing,
    /// [`Error::Damaged`].
    Damaged,
    /// [`Error::RolledBack`].
    RolledBack,
    /// [`Error::NewerSchema`].
    NewerSchema,
    /// [`Error::NotFound`].
    NotFound,
    /// [`Error::NameTaken`].
    NameTaken,
    /// [`Error::Invalid`].
    Invalid,
    /// [`Error::InvalidState`].
    InvalidState,
    /// [`Error::InUse`].
    InUse,
    /// [`Error::BadTokenFile`].
    BadTokenFile,
    /// [`Error::WrongPassphrase`].
    WrongPassphrase,
    /// [`Error::WrongRecoveryKey`].
    WrongRecoveryKey,
    /// [`Error::NoRecoveryKey`].
    NoRecoveryKey,
    /// [`Error::BadBackup`].
    BadBackup,
    /// [`Error::WrongBackupKey`].
    WrongBackupKey,
    /// [`Error::Clipboard`].
    Clipboard,
    /// [`Error::Io`].
    Io,
    /// [`Error::DiskFull`]: free some space.
    DiskFull,
    /// [`Error::ReadOnly`]: make the folder writable.
    ReadOnly,
    /// [`Error::Busy`]: try again.
    Busy,
    /// [`Error::Storage`].
    Storage,
    /// [`Error::Crypto`].
    Crypto,
    /// The app's vault is locked: unlock it (the app only).
    Locked,
    /// The person declined a confirmation (the app only).
    Cancelled,
    /// Something inside the app failed that the person cannot act on (the app only).
    Internal,
}

impl ErrorCode {
    /// The code as text, as scripts see it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Everything that can go wrong in Tessera, one variant per case a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No vault exists at the location.
    #[error("no vault at {0}: create one with `tessera init`")]
    NoVault(String),
    /// A vault already exists where a new one was to be made.
    #[error("a vault already exists at {0}")]
    VaultExists(String),
    /// The master password does not open the vault.
    #[error("wrong master password")]
    WrongPassword,
    /// The key from the keyring does not open the vault.
    #[error("the key in the system keyring does not open this vault")]
    WrongKey,
    /// The vault needs a master password and none was given.
    #[error(
        "this vault is protected by a master password: give it with --password-stdin, TESSERA_PASSWORD or at the prompt"
    )]
    PasswordRequired,
    /// The system keyring did not answer or refused.
    #[error("the system keyring is unavailable ({0}); use a master password instead")]
    KeyringUnavailable(String),
    /// The keyring answered but holds no key for this vault.
    #[error(
        "the system keyring holds no key for this vault; if it was lost, open the vault with `tessera recover` and its recovery key"
    )]
    KeyMissing,
    /// The vault file or its header is damaged or not a Tessera vault.
    #[error("vault damaged: {0}")]
    Damaged(String),
    /// The vault file is older than its last recorded change (or that record was
    /// altered): an older copy was put back.
    #[error(
        "{0}. If you restored a backup on purpose, you can keep it: tokens revoked after that backup was made become active again"
    )]
    RolledBack(String),
    /// The vault was written by a newer Tessera.
    #[error("this vault was written by a newer Tessera (schema {found}, this build knows {known})")]
    NewerSchema {
        /// The schema version in the file.
        found: i64,
        /// The newest schema this build knows.
        known: i64,
    },
    /// A token, catalog entry or other named thing does not exist.
    #[error("no {what} named or with id '{name}'")]
    NotFound {
        /// What was looked for ("token", "API", ...).
        what: &'static str,
        /// The name or id given.
        name: String,
    },
    /// A name is already used.
    #[error("the name '{name}' is already used by another {what}")]
    NameTaken {
        /// What holds the name.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A field failed validation.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why, phrased so a person can correct it.
        reason: String,
    },
    /// The action does not apply to the token in its current state.
    #[error("cannot {action} '{name}': {reason}")]
    InvalidState {
        /// The refused action.
        action: &'static str,
        /// The token's name.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A catalog entry cannot be removed while tokens refer to it.
    #[error("cannot remove {what} '{name}': {count} token(s) still refer to it")]
    InUse {
        /// The catalog ("API", "project", ...).
        what: &'static str,
        /// The entry's name.
        name: String,
        /// How many tokens refer to it.
        count: i64,
    },
    /// A token file could not be read back.
    #[error("cannot import token file: {0}")]
    BadTokenFile(String),
    /// The passphrase does not decrypt a token file's private key.
    #[error("wrong passphrase for the token file's private key")]
    WrongPassphrase,
    /// The recovery key given does not open this vault.
    #[error(
        "this recovery key does not open this vault: check it character by character (a recovery key that was replaced no longer works)"
    )]
    WrongRecoveryKey,
    /// The vault has no recovery key to open it with.
    #[error(
        "this vault has no recovery key: it was made before recovery keys existed; open it as usual and make one with `tessera recovery-key --new`"
    )]
    NoRecoveryKey,
    /// A backup file is damaged, altered, or not a Tessera backup.
    #[error("cannot use this backup: {0}; nothing was changed")]
    BadBackup(String),
    /// The passphrase, identity or recovery key given does not open a backup.
    #[error("this backup does not open with what was given: {0}")]
    WrongBackupKey(String),
    /// A backup older than the vault's latest change, restored without saying so.
    #[error(
        "this backup is older than the vault (it holds change {backup}, the vault is at change {vault}): restoring it would make tokens revoked since active again; add --accept-older to restore it anyway"
    )]
    OlderBackup {
        /// The generation the backup holds.
        backup: u64,
        /// The vault's generation (or its rollback anchor's).
        vault: u64,
    },
    /// The clipboard could not be used.
    #[error("clipboard unavailable: {0}")]
    Clipboard(String),
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The disk is full: free some space, then the same action succeeds.
    #[error("the disk is full: free some space and try again; nothing was changed")]
    DiskFull,
    /// The vault's files cannot be written (a read-only disk, the folder's permissions).
    #[error(
        "the vault cannot be written ({0}): make sure its folder is writable by you and not on a read-only disk; nothing was changed"
    )]
    ReadOnly(String),
    /// Another Tessera process holds the vault longer than the wait: try again.
    #[error("the vault is busy in another Tessera process: try again")]
    Busy,
    /// The database reported an error that is not one of the cases above.
    #[error("vault storage error: {0}")]
    Storage(String),
    /// A cryptographic operation failed unexpectedly.
    #[error("cryptographic failure: {0}")]
    Crypto(String),
    /// A shared vault's server could not be reached or refused the request.
    #[error("the shared vault's server: {0}")]
    Server(String),
    /// The server sent what no member wrote (an inserted, moved, replayed or withheld
    /// row, a roster rolled back): refused, and nothing of it applied.
    #[error("refused what the server sent: {0}; nothing of it was applied")]
    Tampered(String),
}

impl Error {
    /// An [`Error::Invalid`] for `field`.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn not_found(what: &'static str, name: impl Into<String>) -> Self {
        Error::NotFound {
            what,
            name: name.into(),
        }
    }

    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    /// A stable machine-readable code for this error, for `--json` output and the UI.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NoVault(_) => ErrorCode::NoVault,
            Error::VaultExists(_) => ErrorCode::VaultExists,
            Error::WrongPassword => ErrorCode::WrongPassword,
            Error::WrongKey => ErrorCode::WrongKey,
            Error::PasswordRequired => ErrorCode::PasswordRequired,
            Error::KeyringUnavailable(_) => ErrorCode::KeyringUnavailable,
            Error::KeyMissing => ErrorCode::KeyMissing,
            Error::Damaged(_) => ErrorCode::Damaged,
            Error::RolledBack(_) => ErrorCode::RolledBack,
            Error::NewerSchema { .. } => ErrorCode::NewerSchema,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::NameTaken { .. } => ErrorCode::NameTaken,
            Error::Invalid { .. } => ErrorCode::Invalid,
            Error::InvalidState { .. } => ErrorCode::InvalidState,
            Error::InUse { .. } => ErrorCode::InUse,
            Error::BadTokenFile(_) => ErrorCode::BadTokenFile,
            Error::WrongPassphrase => ErrorCode::WrongPassphrase,
            Error::WrongRecoveryKey => ErrorCode::WrongRecoveryKey,
            Error::NoRecoveryKey => ErrorCode::NoRecoveryKey,
            Error::BadBackup(_) => ErrorCode::BadBackup,
            Error::WrongBackupKey(_) => ErrorCode::WrongBackupKey,
            Error::OlderBackup { .. } => ErrorCode::RolledBack,
            Error::Clipboard(_) => ErrorCode::Clipboard,
            Error::Io { .. } => ErrorCode::Io,
            Error::DiskFull => ErrorCode::DiskFull,
            Error::ReadOnly(_) => ErrorCode::ReadOnly,
            Error::Busy => ErrorCode::Busy,
            Error::Storage(_) => ErrorCode::Storage,
            Error::Crypto(_) => ErrorCode::Crypto,
            // The window has no shared vaults yet: the nearest codes it knows.
            Error::Server(_) => ErrorCode::Io,
            Error::Tampered(_) => ErrorCode::Damaged,
        }
    }

    /// The field an `Invalid` error is about, for a form to show it beside that field.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}
