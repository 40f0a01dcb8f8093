//! Files in the age format (age-encryption.org/v1), as the `age` tool writes and reads
//! them: encrypted to a passphrase (scrypt) or to X25519 recipients, streamed in 64 KiB
//! authenticated chunks, so a payload is encrypted on its way to the disk and checked
//! chunk by chunk on its way back.

use crate::crypto::recovery::RecoveryKey;
use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use std::io::{Read, Write};
use std::str::FromStr;

/// Who can open a file being written.
#[derive(Debug, Clone, Copy)]
pub enum Lock<'a> {
    /// Whoever knows this passphrase.
    Passphrase(&'a Secret),
    /// The holder of any of these age recipients' identities (`age1…`).
    Recipients(&'a [String]),
}

/// What opens a file being read.
#[derive(Debug, Clone, Copy)]
pub enum Unlock<'a> {
    /// The passphrase it was encrypted with.
    Passphrase(&'a Secret),
    /// The text of an age identity file (`AGE-SECRET-KEY-1…` lines, as `age-keygen`
    /// writes them).
    Identities(&'a Secret),
    /// A vault's recovery key: opens what was encrypted to its recipient.
    RecoveryKey(&'a RecoveryKey),
}

/// Checks recipients given by a person, each an age X25519 recipient.
pub fn parse_recipients(recipients: &[String]) -> Result<Vec<age::x25519::Recipient>> {
    if recipients.is_empty() {
        return Err(Error::invalid(
            "recipient",
            "give at least one age recipient",
        ));
    }
    recipients
        .iter()
        .map(|text| {
            age::x25519::Recipient::from_str(text.trim()).map_err(|_| {
                Error::invalid(
                    "recipient",
                    format!(
                        "'{}' is not an age recipient: expected age1… as `age-keygen` prints it",
                        text.trim()
                    ),
                )
            })
        })
        .collect()
}

/// An age file being written: call [`Sealed::finish`] once everything is written, or
/// the last chunk is missing and the file does not decrypt.
pub struct Sealed<W: Write>(age::stream::StreamWriter<W>);

impl<W: Write> Sealed<W> {
    /// Writes the last chunk and returns the output.
    pub fn finish(self) -> Result<W> {
        self.0
            .finish()
            .map_err(|e| Error::Crypto(format!("finishing the encrypted file: {e}")))
    }
}

impl<W: Write> Write for Sealed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Starts an age file on `output` that `lock` opens.
pub fn seal<W: Write>(lock: Lock<'_>, output: W) -> Result<Sealed<W>> {
    let encryptor = match lock {
        Lock::Passphrase(passphrase) => {
            if passphrase.expose().is_empty() {
                return Err(Error::invalid("passphrase", "the passphrase is empty"));
            }
            age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from(
                passphrase.expose().to_string(),
            ))
        }
        Lock::Recipients(texts) => {
            let recipients = parse_recipients(texts)?;
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| Error::Crypto(format!("encrypting to the recipients: {e}")))?
        }
    };
    let writer = encryptor
        .wrap_output(output)
        .map_err(|e| Error::Crypto(format!("starting the encrypted file: {e}")))?;
    Ok(Sealed(writer))
}

/// Opens an age file read from `input` with `unlock`. The stream returned fails with
/// [`std::io::ErrorKind::InvalidData`] at the first chunk that does not authenticate.
pub fn open<R: Read>(unlock: Unlock<'_>, input: R) -> Result<impl Read> {
    let not_age = || {
        Error::BadBackup(
            "the file is damaged or not in the age format (age-encryption.org/v1)".into(),
        )
    };
    let decryptor = age::Decryptor::new(input).map_err(|e| match e {
        age::DecryptError::Io(e) if e.kind() != std::io::ErrorKind::InvalidData => {
            Error::BadBackup(format!("cannot read it: {e}"))
        }
        _ => not_age(),
    })?;
    let scrypt = decryptor.is_scrypt();
    let wrong_kind = |wanted: &str| {
        Error::WrongBackupKey(format!(
            "it is encrypted to {}; give {wanted}",
            if scrypt {
                "a passphrase"
            } else {
                "age recipients"
            }
        ))
    };
    let identities: Vec<Box<dyn age::Identity>> = match unlock {
        Unlock::Passphrase(_) if !scrypt => {
            return Err(wrong_kind("the identity file or recovery key it was made for"));
        }
        Unlock::Identities(_) | Unlock::RecoveryKey(_) if scrypt => {
            return Err(wrong_kind("its passphrase"));
        }
        Unlock::Passphrase(passphrase) => vec![Box::new(age::scrypt::Identity::new(
            age::secrecy::SecretString::from(passphrase.expose().to_string()),
        ))],
        Unlock::Identities(text) => age::IdentityFile::from_buffer(text.expose().as_bytes())
            .and_then(|file| {
                file.into_identities()
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            })
            .ok()
            .filter(|identities| !identities.is_empty())
            .ok_or_else(|| {
                Error::invalid(
                    "identity file",
                    "it is not an age identity file: expected AGE-SECRET-KEY-1… lines, as `age-keygen` writes them",
                )
            })?,
        Unlock::RecoveryKey(key) => vec![Box::new(key.identity()?)],
    };
    decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed => {
                Error::WrongBackupKey(
                    match unlock {
                        Unlock::Passphrase(_) => "the passphrase is wrong",
                        Unlock::Identities(_) => "no identity in the file is one it was encrypted to",
                        Unlock::RecoveryKey(_) => {
                            "it was not encrypted to this recovery key (a replaced recovery key opens only the backups made before)"
                        }
                    }
                    .into(),
                )
            }
            age::DecryptError::ExcessiveWork { .. } => Error::BadBackup(
                "its passphrase work factor is far above what this machine takes in seconds".into(),
            ),
            age::DecryptError::InvalidMac => {
                Error::BadBackup("its header was altered or is damaged".into())
            }
            age::DecryptError::InvalidHeader => not_age(),
            other => Error::BadBackup(other.to_string()),
        })
}
