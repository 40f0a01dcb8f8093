//! What a password change killed part-way must leave, shared by the core's crash test
//! (a child process) and the CLI's (`tessera passwd`): exactly one of the two
//! passwords opens the vault, the vault passes its integrity check, and a change the
//! process acknowledged is the one that holds.

use tessera_core::keys::MemoryKeyStore;
use tessera_core::{Error, Secret, Vault, VaultPaths};

/// Checks the vault after round `round`'s change from `current` to `next` was run
/// (and perhaps killed); `acked` says whether the process reported it done. Returns
/// whether the new password is the one that opens it now.
pub fn settled(
    paths: &VaultPaths,
    keys: &MemoryKeyStore,
    round: usize,
    current: &str,
    next: &str,
    acked: bool,
) -> bool {
    let opens = |pw: &str| match Vault::open(paths, keys, Some(&Secret::new(pw.into()))) {
        Ok(vault) => {
            vault
                .check_integrity()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
            true
        }
        Err(Error::WrongPassword) => false,
        Err(e) => panic!("round {round}: opening gave {e}"),
    };
    let (old_opens, new_opens) = (opens(current), opens(next));
    assert!(
        old_opens != new_opens,
        "round {round}: old password opens: {old_opens}, new: {new_opens}"
    );
    if acked {
        assert!(new_opens, "round {round}: an acknowledged change was lost");
    }
    new_opens
}
