//! The vault key: 256 random bits used as a raw SQLCipher key. It is kept in the OS
//! keyring (behind the [`KeyStore`] trait, with an in-memory fake for tests) or derived
//! from a master password with Argon2id, whose salt and parameters live in the plaintext
//! header beside the vault. Every keyring call has a timeout: a keyring that never
//! answers must not hang Tessera.

use crate::model::error::{Error, Result};
use crate::model::secret::Secret;
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zeroize::Zeroizing;

/// The keyring service name under which vault keys are stored.
pub const KEYRING_SERVICE: &str = "dev.tessera";
/// Bytes in a vault key.
pub const KEY_BYTES: usize = 32;

/// A vault key, zeroized when dropped and never printed.
pub struct VaultKey(Zeroizing<[u8; KEY_BYTES]>);

impl VaultKey {
    /// A new key from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, key.as_mut());
        VaultKey(key)
    }

    /// A key from exactly 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let array: [u8; KEY_BYTES] = bytes
            .try_into()
            .map_err(|_| Error::Damaged(format!("a vault key must be {KEY_BYTES} bytes")))?;
        Ok(VaultKey(Zeroizing::new(array)))
    }

    /// The key bytes: for SQLCipher and the keyring only.
    pub fn expose(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// The SQLCipher raw-key literal `x'…'`, in a zeroizing string.
    pub(crate) fn sqlcipher_literal(&self) -> Zeroizing<String> {
        use std::fmt::Write;
        let mut out = Zeroizing::new(String::with_capacity(2 * KEY_BYTES + 3));
        out.push_str("x'");
        for byte in self.0.iter() {
            // Writing to a String cannot fail.
            let _ = write!(out, "{byte:02x}");
        }
        out.push('\'');
        out
    }
}

impl std::fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VaultKey(<redacted>)")
    }
}

/// Where vault keys are kept when no master password protects the vault.
pub trait KeyStore: Send + Sync {
    /// The key of vault `vault_id`.
    fn load(&self, vault_id: &str) -> Result<VaultKey>;
    /// Saves the key of vault `vault_id`, replacing any earlier one.
    fn store(&self, vault_id: &str, key: &VaultKey) -> Result<()>;
    /// Forgets the key of vault `vault_id`; forgetting a missing key is not an error.
    fn remove(&self, vault_id: &str) -> Result<()>;
}

/// The operating system's keyring (Secret Service on Linux, Keychain on macOS,
/// Credential Manager on Windows), each call bounded by a timeout.
#[derive(Debug, Clone, Copy)]
pub struct OsKeyring {
    timeout: Duration,
}

impl OsKeyring {
    /// A keyring client whose calls give up after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        OsKeyring { timeout }
    }

    /// Runs one keyring call on a helper thread and waits at most the timeout.
    fn call<T: Send + 'static>(
        &self,
        vault_id: &str,
        op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = mpsc::channel();
        let vault_id = vault_id.to_string();
        std::thread::Builder::new()
            .name("tessera-keyring".into())
            .spawn(move || {
                let result =
                    keyring::Entry::new(KEYRING_SERVICE, &vault_id).and_then(|entry| op(&entry));
                let _ = tx.send(result);
            })
            .map_err(|e| Error::KeyringUnavailable(format!("cannot start keyring call: {e}")))?;
        match rx.recv_timeout(self.timeout) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(keyring::Error::NoEntry)) => Err(Error::KeyMissing),
            Ok(Err(err)) => Err(Error::KeyringUnavailable(describe(&err))),
            Err(_) => Err(Error::KeyringUnavailable(format!(
                "no answer within {} s",
                self.timeout.as_secs_f32()
            ))),
        }
    }
}

impl Default for OsKeyring {
    fn default() -> Self {
        OsKeyring::new(Duration::from_secs(5))
    }
}

/// A keyring error as a short phrase that never includes secret material.
fn describe(err: &keyring::Error) -> String {
    match err {
        keyring::Error::PlatformFailure(_) => "no keyring service answered".into(),
        keyring::Error::NoStorageAccess(_) => "the keyring is locked or refused access".into(),
        keyring::Error::BadEncoding(_) => "the stored key is not readable".into(),
        other => other.to_string(),
    }
}

impl KeyStore for OsKeyring {
    fn load(&self, vault_id: &str) -> Result<VaultKey> {
        let bytes = Zeroizing::new(self.call(vault_id, |entry| entry.get_secret())?);
        VaultKey::from_bytes(&bytes)
    }

    fn store(&self, vault_id: &str, key: &VaultKey) -> Result<()> {
        let bytes = Zeroizing::new(key.expose().to_vec());
        self.call(vault_id, move |entry| entry.set_secret(&bytes))?;
        // A keyring that accepts writes but keeps nothing (a mock backend) must not be
        // trusted with the only copy of the key.
        let back = self.load(vault_id)?;
        if back.expose() != key.expose() {
            return Err(Error::KeyringUnavailable(
                "the keyring did not keep the key".into(),
            ));
        }
        Ok(())
    }

    fn remove(&self, vault_id: &str) -> Result<()> {
        match self.call(vault_id, |entry| entry.delete_credential()) {
            Ok(()) | Err(Error::KeyMissing) => Ok(()),
            Err(err) => Err(err),
        }
    }
}

/// An in-memory key store for tests; it can also play a keyring that is unavailable.
/// Clones share their contents, as handles on one keyring do.
#[derive(Debug, Default, Clone)]
pub struct MemoryKeyStore {
    keys: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    unavailable: bool,
}

impl MemoryKeyStore {
    /// An empty, working store.
    pub fn new() -> Self {
        MemoryKeyStore::default()
    }

    /// A store that fails every call as an absent keyring does.
    pub fn unavailable() -> Self {
        MemoryKeyStore {
            keys: Arc::default(),
            unavailable: true,
        }
    }

    fn keys(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>>> {
        if self.unavailable {
            return Err(Error::KeyringUnavailable(
                "no keyring service answered".into(),
            ));
        }
        self.keys
            .lock()
            .map_err(|_| Error::KeyringUnavailable("poisoned".into()))
    }
}

impl KeyStore for MemoryKeyStore {
    fn load(&self, vault_id: &str) -> Result<VaultKey> {
        let keys = self.keys()?;
        VaultKey::from_bytes(keys.get(vault_id).ok_or(Error::KeyMissing)?)
    }

    fn store(&self, vault_id: &str, key: &VaultKey) -> Result<()> {
        self.keys()?.insert(vault_id.into(), key.expose().to_vec());
        Ok(())
    }

    fn remove(&self, vault_id: &str) -> Result<()> {
        self.keys()?.remove(vault_id);
        Ok(())
    }
}

/// Argon2id parameters as stored in the vault header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KdfParams {
    /// Always "argon2id".
    pub algorithm: String,
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Parallelism.
    pub p: u32,
    /// Salt, base64.
    pub salt: String,
}

impl KdfParams {
    /// Minimums Tessera accepts: m = 64 MiB, t = 3, p = 1.
    pub const MIN_M_KIB: u32 = 64 * 1024;
    /// Minimum iterations.
    pub const MIN_T: u32 = 3;
    /// Upper bound on memory, so a tampered header cannot exhaust the machine.
    pub const MAX_M_KIB: u32 = 256 * 1024;
    /// Upper bound on iterations.
    pub const MAX_T: u32 = 12;
    /// Upper bound on the work, memory times iterations: four times Tessera's own
    /// (64 MiB, 3 passes), so that a tampered header cannot stall every unlock
    /// (`make bench`: "argon2id unlock", "the largest parameters a header may give").
    pub const MAX_WORK_KIB: u64 = 4 * 64 * 1024 * 3;

    /// Fresh parameters with a new random salt.
    pub fn fresh() -> Self {
        use base64::Engine;
        let mut salt = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
        KdfParams {
            algorithm: "argon2id".into(),
            m_kib: Self::MIN_M_KIB,
            t: Self::MIN_T,
            p: 1,
            salt: base64::engine::general_purpose::STANDARD.encode(salt),
        }
    }

    /// Derives the vault key from a password. The caller wipes the password.
    pub fn derive(&self, password: &Secret) -> Result<VaultKey> {
        use base64::Engine;
        if self.algorithm != "argon2id"
            || !(Self::MIN_M_KIB..=Self::MAX_M_KIB).contains(&self.m_kib)
            || !(Self::MIN_T..=Self::MAX_T).contains(&self.t)
            || u64::from(self.m_kib) * u64::from(self.t) > Self::MAX_WORK_KIB
            || !(1..=4).contains(&self.p)
        {
            return Err(Error::Damaged(
                "the vault header's key-derivation parameters are out of range".into(),
            ));
        }
        let salt = base64::engine::general_purpose::STANDARD
            .decode(&self.salt)
            .map_err(|_| Error::Damaged("the vault header's salt is not base64".into()))?;
        if salt.len() < 16 {
            return Err(Error::Damaged(
                "the vault header's salt is too short".into(),
            ));
        }
        if password.is_empty() {
            return Err(Error::invalid("master password", "it cannot be empty"));
        }
        let params = argon2::Params::new(self.m_kib, self.t, self.p, Some(KEY_BYTES))
            .map_err(|e| Error::Crypto(format!("argon2 parameters: {e}")))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        // The KDF needs the password's bytes.
        argon
            .hash_password_into(password.expose().as_bytes(), &salt, key.as_mut())
            .map_err(|e| Error::Crypto(format!("argon2: {e}")))?;
        Ok(VaultKey(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips_and_can_be_unavailable() {
        let store = MemoryKeyStore::new();
        let key = VaultKey::generate();
        store.store("v1", &key).expect("store");
        assert_eq!(store.load("v1").expect("load").expose(), key.expose());
        store.remove("v1").expect("remove");
        assert!(matches!(store.load("v1"), Err(Error::KeyMissing)));
        let absent = MemoryKeyStore::unavailable();
        assert!(matches!(
            absent.store("v1", &key),
            Err(Error::KeyringUnavailable(_))
        ));
    }

    #[test]
    fn argon2id_is_deterministic_per_salt_and_refuses_weak_params() {
        let params = KdfParams::fresh();
        let pw = Secret::new("correct horse".into());
        let a = params.derive(&pw).expect("derive");
        let b = params.derive(&pw).expect("derive");
        assert_eq!(a.expose(), b.expose());
        let other = KdfParams::fresh().derive(&pw).expect("derive");
        assert_ne!(a.expose(), other.expose());
        let weak = KdfParams {
            m_kib: 1024,
            ..params.clone()
        };
        assert!(matches!(weak.derive(&pw), Err(Error::Damaged(_))));
        let huge = KdfParams {
            m_kib: u32::MAX,
            ..params
        };
        assert!(matches!(huge.derive(&pw), Err(Error::Damaged(_))));
    }

    #[test]
    fn key_debug_and_literal() {
        let key = VaultKey::from_bytes(&[0xab; 32]).expect("key");
        assert_eq!(format!("{key:?}"), "VaultKey(<redacted>)");
        assert_eq!(key.sqlcipher_literal().len(), 67);
        assert!(VaultKey::from_bytes(&[1; 31]).is_err());
    }
}
