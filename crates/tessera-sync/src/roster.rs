//! The roster chain: each version signed by an admin of the version before, the first
//! by the admin the invite (or the creator's own vault) pins, each naming the hash of
//! the one before. What the server serves is checked whole before anything is used.

use crate::server::SignedRoster;
use sha2::{Digest, Sha256};
use tessera_core::shared::{PublicIdentity, Role, Roster, RosterMember};
use tessera_core::{Error, Result};

/// What an admin signs for a roster version.
pub(crate) fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut out = b"tessera-roster-v1".to_vec();
    out.extend_from_slice(body);
    out
}

/// The hash the next version names.
pub(crate) fn link(signed: &SignedRoster) -> String {
    let mut hash = Sha256::new();
    hash.update(&signed.body);
    hash.update(&signed.signature);
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs `roster` as `admin`.
pub(crate) fn sign(roster: &Roster, admin: &tessera_core::shared::Identity) -> SignedRoster {
    let body = roster.to_bytes();
    SignedRoster {
        version: roster.version,
        signature: admin.sign(&signed_message(&body)),
        signer: admin.public().to_string(),
        body,
    }
}

/// The first roster of a new vault: its creator, admin.
pub(crate) fn first(vault_id: &str, creator: &PublicIdentity) -> Roster {
    Roster {
        vault_id: vault_id.to_string(),
        version: 1,
        prev: None,
        epoch: 1,
        members: vec![RosterMember {
            identity: creator.to_string(),
            role: Role::Admin,
        }],
    }
}

/// Checks the whole chain the server sent and returns it, oldest first. `known` is the
/// latest version this replica verified before: a shorter chain is a rollback.
pub(crate) fn verify(
    vault_id: &str,
    pinned_admin: &str,
    chain: &[SignedRoster],
    known: i64,
) -> Result<Vec<Roster>> {
    let tampered = |why: String| Error::Tampered(why);
    if chain.is_empty() {
        return Err(tampered("the server has no roster for this vault".into()));
    }
    let mut out: Vec<Roster> = Vec::with_capacity(chain.len());
    let mut prev_link: Option<String> = None;
    for (i, signed) in chain.iter().enumerate() {
        let expected = i as i64 + 1;
        let roster = Roster::from_bytes(&signed.body)?;
        if signed.version != expected || roster.version != expected {
            return Err(tampered(format!(
                "roster version {} stands where version {expected} belongs",
                roster.version
            )));
        }
        if roster.vault_id != vault_id {
            return Err(tampered(format!(
                "roster version {expected} belongs to another vault"
            )));
        }
        if roster.prev != prev_link {
            return Err(tampered(format!(
                "roster version {expected} does not follow the version before it"
            )));
        }
        let allowed = match out.last() {
            None => signed.signer == pinned_admin && roster.is_admin(&signed.signer),
            Some(before) => before.is_admin(&signed.signer),
        };
        if !allowed {
            return Err(tampered(format!(
                "roster version {expected} is signed by someone who was not an admin"
            )));
        }
        let signer: PublicIdentity = signed.signer.parse()?;
        if !signer.verifies(&signed_message(&signed.body), &signed.signature) {
            return Err(tampered(format!(
                "roster version {expected} does not carry a valid signature"
            )));
        }
        prev_link = Some(link(signed));
        out.push(roster);
    }
    let latest = out.len() as i64;
    if latest < known {
        return Err(tampered(format!(
            "the roster was rolled back from version {known} to {latest}"
        )));
    }
    Ok(out)
}
