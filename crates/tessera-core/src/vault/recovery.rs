//! The recovery key of a vault (`crypto::recovery`): made with the vault or later,
//! replaced on request, and used to open the vault when its master password or keyring
//! entry is lost, after which the vault gets a new password or keyring entry.

use crate::crypto::keys::{KdfParams, KeyStore, VaultKey};
use crate::crypto::recovery::RecoveryKey;
use crate::model::audit::{AuditAction, AuditOutcome};
use crate::model::error::{Error, Result};
use crate::store;
use crate::store::header::{Header, Protection};
use crate::vault::{Consent, NewProtection, Vault, VaultPaths};

/// Where a vault stands with its recovery key, for the reminder a person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum RecoveryState {
    /// No recovery key (a vault made before they existed).
    None,
    /// A recovery key the person has not yet said they kept.
    Unconfirmed,
    /// The person said they kept the current recovery key (its recovery kit).
    Confirmed,
}

/// The `meta` entry that holds the recipient of the recovery key the person confirmed
/// keeping: a new recovery key has another recipient, so it starts unconfirmed.
const CONFIRMED_META: &str = "recovery_kit_confirmed";

impl Vault {
    /// Where the vault stands with its recovery key.
    pub fn recovery_state(&self) -> Result<RecoveryState> {
        let Some(seal) = &self.header.recovery else {
            return Ok(RecoveryState::None);
        };
        let confirmed = store::meta_get(&self.conn, CONFIRMED_META)?;
        Ok(if confirmed.as_deref() == Some(seal.recipient.as_bytes()) {
            RecoveryState::Confirmed
        } else {
            RecoveryState::Unconfirmed
        })
    }

    /// Records that the person kept the current recovery key (printed or saved its
    /// recovery kit), which ends the reminder.
    pub fn confirm_recovery_kit(&mut self) -> Result<()> {
        let recipient = self
            .header
            .recovery
            .as_ref()
            .ok_or(Error::NoRecoveryKey)?
            .recipient
            .clone();
        self.transact(|tx, _| store::meta_set(tx, CONFIRMED_META, recipient.as_bytes()))
    }

    /// Creates a new vault, as [`Vault::create`], with a recovery key: the key is
    /// returned to be shown once, and only its public half is kept.
    pub fn create_recoverable(
        paths: &VaultPaths,
        protection: NewProtection,
        keys: &dyn KeyStore,
    ) -> Result<(Vault, RecoveryKey)> {
        let recovery = RecoveryKey::generate();
        let recipient = recovery.recipient()?;
        let vault = Vault::create_sealed(paths, protection, Some(&recipient), keys)?;
        Ok((vault, recovery))
    }

    /// Whether the vault has a recovery key.
    pub fn has_recovery_key(&self) -> bool {
        self.header.recovery.is_some()
    }

    /// Makes a new recovery key and returns it, to be shown once. The vault is re-keyed
    /// with a new vault key sealed to the new recovery key only, so the old recovery key
    /// opens neither the vault nor any copy of its header made from now on. `consent` as
    /// for [`Vault::change_password`]: whoever merely holds the open vault cannot give
    /// themselves a way back in.
    pub fn new_recovery_key(
        &mut self,
        consent: Consent<'_>,
        keys: &dyn KeyStore,
    ) -> Result<RecoveryKey> {
        self.check_consent(consent)?;
        self.flush_usage()?;
        let recovery = RecoveryKey::generate();
        let recipient = recovery.recipient()?;
        let vault_id = self.header.vault_id.clone();
        let (key, kdf) = match (self.header.protection, consent) {
            (Protection::Password, Consent::CurrentPassword(password)) => {
                let kdf = KdfParams::fresh();
                (kdf.derive(password)?, Some(kdf))
            }
            (Protection::Password, Consent::Confirmed) => {
                return Err(Error::PasswordRequired);
            }
            (Protection::Keyring, _) => {
                let key = VaultKey::generate();
                keys.store(&vault_id, &key)?;
                (key, None)
            }
        };
        self.rekey_sealed(&key, Header::new(vault_id, kdf), Some(&recipient), keys)?;
        self.record_event(store::NewAuditEvent::vault(
            AuditAction::RecoveryKey,
            AuditOutcome::Ok,
            "",
        ))?;
        Ok(recovery)
    }

    /// Opens the vault at `paths` with its recovery key, when its master password is
    /// forgotten or its keyring entry lost (also on another machine, from a copy of the
    /// vault folder), and protects it anew: a new master password, or a new key in
    /// `keys`. A key that does not open the vault changes no file.
    pub fn recover(
        paths: &VaultPaths,
        recovery: &RecoveryKey,
        protection: NewProtection,
        keys: &dyn KeyStore,
    ) -> Result<Vault> {
        paths.check_places()?;
        let header = paths.read_header()?;
        let key = match Vault::recovered_key(&header, recovery) {
            // An interrupted change of password left its header pending: the re-keyed
            // file answers to the pending header's key.
            Err(Error::WrongRecoveryKey) if paths.pending_header().exists() => {
                let pending = Header::read(&paths.pending_header())?;
                let key = Vault::recovered_key(&pending, recovery)?;
                return Vault::recover_with(paths, pending, key, protection, keys);
            }
            other => other?,
        };
        Vault::recover_with(paths, header, key, protection, keys)
    }

    /// The vault key `recovery` unseals from `header`, if the header's recovery copy is
    /// for this recovery key and vouched for by the key it holds.
    fn recovered_key(header: &Header, recovery: &RecoveryKey) -> Result<VaultKey> {
        let seal = header.recovery.as_ref().ok_or(Error::NoRecoveryKey)?;
        let key = recovery.open(&header.vault_id, &seal.sealed)?;
        let ours = recovery.recipient()?;
        if header.key_matches(&key) == Some(false)
            || header.recovery_recipient(&key) != Some(ours.as_str())
        {
            return Err(Error::WrongRecoveryKey);
        }
        Ok(key)
    }

    fn recover_with(
        paths: &VaultPaths,
        header: Header,
        key: VaultKey,
        protection: NewProtection,
        keys: &dyn KeyStore,
    ) -> Result<Vault> {
        let mut vault = Vault::open_keyed(paths, header, key, Error::WrongRecoveryKey)?;
        vault.anchor_check()?;
        crate::store::seal::check(&vault.conn)?;
        crate::store::seal::check_all_if_small(&vault.conn)?;
        match &protection {
            NewProtection::Password(password) => vault.set_password(password, keys)?,
            NewProtection::Keyring => vault.move_to_keyring(keys)?,
        }
        vault.record_event(store::NewAuditEvent::vault(
            AuditAction::Recover,
            AuditOutcome::Ok,
            match protection {
                NewProtection::Password(_) => "a new master password was set",
                NewProtection::Keyring => "a new key was put in the system keyring",
            },
        ))?;
        Ok(vault)
    }
}
