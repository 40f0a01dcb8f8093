//! Shared vaults kept in step through a PostgreSQL server that holds only ciphertext.
//!
//! Each member's replica (a vault of its own, `tessera_core::shared`) is the truth for
//! search, copy and verify; a sync round pulls what other members wrote since the
//! replica's cursor, checks every row (the roster chain, the author's signature and
//! role, the record's slot, that no version goes back) before applying any, and then
//! pushes what changed here with a compare-and-swap on each record's version.

pub mod access;
mod roster;
pub mod server;
mod tls;

use server::{Push, Server, ServerRecord};
use std::collections::HashMap;
use tessera_core::keys::VaultKey;
use tessera_core::shared::record::{self, Slot};
use tessera_core::shared::{
    Identity, Incoming, Invite, InviteLogin, MANIFEST_PREFIX, PublicIdentity, RecordBody, Role,
    Roster, RosterMember, SharedVault, manifest_record,
};
use tessera_core::{Error, Result, Vault};
use zeroize::Zeroizing;

/// What one sync round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Records other members wrote, applied here.
    pub pulled: u64,
    /// Changes made here, now on the server.
    pub pushed: u64,
    /// Changes made here that another member's change to the same record overtook:
    /// merged here, pushed at the next round.
    pub deferred: u64,
    /// Tokens changed here and elsewhere in the same field (the other change kept).
    pub conflicts: Vec<String>,
    /// The roster version the round verified.
    pub roster_version: i64,
}

fn info(vault_id: &str, epoch: i64) -> Vec<u8> {
    format!("tessera-vault-key-v1 {vault_id} {epoch}").into_bytes()
}

/// What a login's secret is sealed under: it opens for that vault and login only.
fn login_info(vault_id: &str, user: &str) -> Vec<u8> {
    format!("tessera-login-v1 {vault_id} {user}").into_bytes()
}

fn number(replica: &Vault, key: &str) -> Result<i64> {
    Ok(match replica.sync_state(key)? {
        // The replica's own bookkeeping, read back.
        Some(bytes) => std::str::from_utf8(bytes.expose())
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| Error::Damaged(format!("the replica's {key} is damaged")))?,
        None => 0,
    })
}

fn server_url(personal: &Vault, name: &str) -> Result<Zeroizing<String>> {
    let url = personal.shared_vault_server(name)?;
    // The server's address with its credentials, to connect.
    Ok(Zeroizing::new(
        String::from_utf8_lossy(url.expose()).into_owned(),
    ))
}

/// A shared vault this install belongs to, ready to work on: its identity, the vault
/// as listed, the vault's replica, and the server's address. Opening one reads the
/// person's own vault only; each operation then connects to the server, so the own
/// vault is free meanwhile (the app's other commands go on while the server answers).
pub struct Session {
    me: Identity,
    listed: SharedVault,
    replica: Vault,
    url: Zeroizing<String>,
}

impl Session {
    /// Shared vault `name` of `personal`.
    pub fn open(personal: &mut Vault, name: &str) -> Result<Session> {
        Ok(Session {
            me: personal.identity()?,
            listed: personal.shared_vault(name)?,
            url: server_url(personal, name)?,
            replica: personal.open_shared(name)?,
        })
    }

    /// This install's public identity, as the vault's roster names it.
    pub fn identity(&self) -> String {
        self.me.public().to_string()
    }

    /// Adds `identity` to the vault as `role`: a new roster version signed by
    /// this install (an admin), the vault key sealed to the new member. Returns the
    /// invite the new member joins with.
    pub fn add_member(mut self, identity: &str, role: Role) -> Result<Invite> {
        let member: PublicIdentity = identity.parse()?;
        let mut conn = self.connect()?;
        let (latest, mut next) = self.next_roster(&mut conn, "add members")?;
        let member_text = member.to_string();
        if latest.member(&member_text).is_some() {
            return Err(Error::invalid(
                "member",
                format!(
                    "{} is already a member of '{}'",
                    member.fingerprint(),
                    self.listed.name
                ),
            ));
        }
        next.members.push(RosterMember {
            identity: member_text.clone(),
            role,
        });
        let vault_id = self.listed.vault_id.clone();
        let key = epoch_key(
            &mut conn,
            &mut self.replica,
            &self.me,
            &vault_id,
            latest.epoch,
        )?;
        let sealed = member.seal_key(&info(&vault_id, latest.epoch), key.expose())?;
        let login = access::Login::mint();
        let sealed_login =
            member.seal_key(&login_info(&vault_id, &login.name), login.secret.expose())?;
        let role_text = role.to_string();
        conn.add_member(
            &vault_id,
            &roster::sign(&next, &self.me),
            &server::Grant {
                identity: &member_text,
                role: &role_text,
                epoch: latest.epoch,
                login: &login,
            },
            &sealed,
        )?;
        self.replica
            .set_sync_state(&[("roster_version", next.version.to_string().as_bytes())])?;
        Ok(Invite {
            vault_id,
            name: self.listed.name.clone(),
            // The address without this admin's password; the member connects with the
            // login below.
            server: self.listed.server.clone(),
            // The key the roster chain starts from (the creator's, which this install
            // pinned itself): the joiner checks every version from the first, so an
            // invite from an admin other than the creator holds too.
            admin: self.listed.admin.clone(),
            member: member_text,
            login: Some(InviteLogin::new(&login.name, &sealed_login)),
        })
    }

    /// Removes `identity` from the vault: a new epoch key sealed to the other
    /// members, every record re-encrypted under it, and the next roster version signed,
    /// in one server transaction. This install must be an admin.
    pub fn remove_member(mut self, identity: &str) -> Result<Removed> {
        let member: PublicIdentity = identity.parse()?;
        let member_text = member.to_string();
        let mut conn = self.connect()?;
        // Up to date first: what is re-encrypted is what the server holds now.
        self.round(&mut conn)?;
        let (latest, mut next) = self.next_roster(&mut conn, "remove members")?;
        let Session {
            me,
            listed,
            mut replica,
            ..
        } = self;
        let my_text = me.public().to_string();
        if member_text == my_text {
            return Err(Error::invalid(
                "member",
                "you cannot remove yourself: another admin can",
            ));
        }
        if latest.member(&member_text).is_none() {
            return Err(Error::invalid(
                "member",
                format!(
                    "{} is not a member of '{}'",
                    member.fingerprint(),
                    listed.name
                ),
            ));
        }
        let epoch = latest.epoch + 1;
        next.epoch = epoch;
        next.members.retain(|m| m.identity != member_text);
        let key = VaultKey::generate();
        let mut sealed = Vec::new();
        for m in &next.members {
            let public: PublicIdentity = m.identity.parse()?;
            sealed.push((
                m.identity.clone(),
                epoch,
                public.seal_key(&info(&listed.vault_id, epoch), key.expose())?,
            ));
        }
        // Every record the server holds, checked as a pull checks it, then sealed anew.
        let authors: HashMap<String, Role> = next
            .members
            .iter()
            .chain(&latest.members)
            .map(|m| (m.identity.clone(), m.role))
            .collect();
        let mut pushes = Vec::new();
        let mut plaintexts = Vec::new();
        let mut readable = Vec::new();
        for row in conn.records_after(&listed.vault_id, 0)? {
            let old = epoch_key(&mut conn, &mut replica, &me, &listed.vault_id, row.epoch)?;
            let (body, plaintext) = check(&row, &listed.vault_id, &old, &authors)?;
            if let RecordBody::Token(state) = &body {
                readable.push(Readable {
                    name: state.name.clone(),
                    id: state.id.clone(),
                });
            }
            let version = row.version + 1;
            pushes.push(sealed_push(
                &key,
                &me,
                &listed.vault_id,
                &row.record_id,
                (version, epoch),
                &plaintext,
                row.version,
            )?);
            plaintexts.push((row.record_id.clone(), version, plaintext));
        }
        let epoch_text = epoch.to_string();
        let key_name = format!("key.{epoch}");
        // Kept before the server has it: a crash after the commit must not lose the key.
        replica.set_sync_state(&[(key_name.as_str(), key.expose().as_slice())])?;
        conn.rekey(
            &listed.vault_id,
            &member_text,
            &roster::sign(&next, &me),
            &sealed,
            &pushes,
        )?;
        replica.mark_synced(&plaintexts)?;
        replica.set_sync_state(&[
            ("epoch", epoch_text.as_bytes()),
            ("roster_version", next.version.to_string().as_bytes()),
        ])?;
        readable.sort();
        Ok(Removed { epoch, readable })
    }

    /// The members, as the verified roster on the server says.
    pub fn members(mut self) -> Result<Vec<RosterMember>> {
        let mut conn = self.connect()?;
        let rosters = self.rosters(&mut conn)?;
        Ok(rosters
            .last()
            .map(|r| r.members.clone())
            .unwrap_or_default())
    }

    /// One sync round.
    pub fn sync(mut self) -> Result<SyncReport> {
        let mut conn = self.connect()?;
        self.round(&mut conn)
    }

    /// Keeps the vault in step until `stop` is set: a round at once, then one
    /// whenever the server announces another member's push (LISTEN/NOTIFY) or this
    /// replica changed (a token command in another process), and at least every
    /// `heartbeat` (so a replica that can reach its server never turns stale). Each round's
    /// report goes to `on_round`; a round that fails (the server gone) is reported as an
    /// error and retried at the next heartbeat, with a new connection.
    pub fn watch(
        mut self,
        heartbeat: std::time::Duration,
        stop: &std::sync::atomic::AtomicBool,
        mut on_round: impl FnMut(Result<SyncReport>),
    ) -> Result<()> {
        use std::sync::atomic::Ordering;
        use std::time::{Duration, Instant};
        let mut conn: Option<Server> = None;
        let mut due = true;
        let mut last_round = Instant::now();
        let mut seen_local = self.replica.outside_changes()?;
        while !stop.load(Ordering::SeqCst) {
            if conn.is_none() {
                match self.connect().and_then(|mut c| c.listen().map(|()| c)) {
                    Ok(c) => {
                        conn = Some(c);
                        due = true;
                    }
                    Err(err) => {
                        on_round(Err(err));
                        // Until the next attempt, or until told to stop.
                        let until = Instant::now() + heartbeat.min(Duration::from_secs(5));
                        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                            std::thread::sleep(Duration::from_millis(100));
                        }
                        continue;
                    }
                }
            }
            let Some(server) = conn.as_mut() else {
                continue;
            };
            let local = self.replica.outside_changes()?;
            if local != seen_local {
                seen_local = local;
                due = true;
            }
            if due || last_round.elapsed() >= heartbeat {
                let round = self.round(server);
                let failed = round.is_err();
                on_round(round);
                seen_local = self.replica.outside_changes()?;
                last_round = Instant::now();
                due = false;
                if failed {
                    conn = None;
                    continue;
                }
            }
            // Short waits, so that a change made here is seen within a quarter second.
            match server.wait(&self.listed.vault_id, Duration::from_millis(250)) {
                Ok(announced) => due |= announced,
                Err(err) => {
                    on_round(Err(err));
                    conn = None;
                }
            }
        }
        Ok(())
    }
}

impl Session {
    fn connect(&self) -> Result<Server> {
        Server::connect(&self.url)
    }

    /// One sync round on `conn`.
    fn round(&mut self, conn: &mut Server) -> Result<SyncReport> {
        sync_replica(
            conn,
            &mut self.replica,
            &self.me,
            &self.listed.vault_id,
            &self.listed.admin,
        )
    }

    /// The latest verified roster and the next version to sign (linked to it), once
    /// this install is found an admin of it; `what` names the change for the error.
    fn next_roster(&mut self, conn: &mut Server, what: &str) -> Result<(Roster, Roster)> {
        let rosters = self.rosters(conn)?;
        let chain = conn.rosters(&self.listed.vault_id)?;
        let latest = rosters
            .last()
            .cloned()
            .ok_or_else(|| Error::Tampered("no roster".into()))?;
        if !latest.is_admin(&self.me.public().to_string()) {
            return Err(Error::invalid(
                "member",
                format!("only an admin of '{}' can {what}", self.listed.name),
            ));
        }
        let mut next = latest.clone();
        next.version += 1;
        next.prev = chain.last().map(roster::link);
        Ok((latest, next))
    }

    /// The verified roster chain, its latest version recorded.
    fn rosters(&mut self, conn: &mut Server) -> Result<Vec<Roster>> {
        verified_roster(
            conn,
            &mut self.replica,
            &self.listed.vault_id,
            &self.listed.admin,
        )
    }
}

/// Creates shared vault `name` on `server`; this install is its first admin.
pub fn create(personal: &mut Vault, name: &str, server: &str) -> Result<SharedVault> {
    let me = personal.identity()?;
    if personal.shared_vault(name).is_ok() {
        return Err(Error::NameTaken {
            what: "shared vault",
            name: name.trim().to_string(),
        });
    }
    let mut conn = Server::connect(server)?;
    let vault_id = uuid::Uuid::now_v7().to_string();
    let key = VaultKey::generate();
    let first = roster::first(&vault_id, me.public());
    let signed = roster::sign(&first, &me);
    let sealed = me.public().seal_key(&info(&vault_id, 1), key.expose())?;
    let mut replica = personal.add_shared_vault(name, &vault_id, server, me.public())?;
    let prepared = replica.make_signing_keys().and_then(|()| {
        replica.set_sync_state(&[
            ("epoch", b"1".as_slice()),
            ("key.1", key.expose().as_slice()),
            ("roster_version", b"1".as_slice()),
        ])
    });
    let made = prepared
        .and_then(|()| conn.create_vault(&vault_id, &signed, &me.public().to_string(), 1, &sealed));
    if let Err(err) = made {
        drop(replica);
        let _ = personal.forget_shared_vault(name);
        return Err(err);
    }
    sync_replica(
        &mut conn,
        &mut replica,
        &me,
        &vault_id,
        &me.public().to_string(),
    )?;
    personal.shared_vault(name)
}

/// The verified roster chain of the replica's vault, its latest version recorded.
fn verified_roster(
    conn: &mut Server,
    replica: &mut Vault,
    vault_id: &str,
    pinned_admin: &str,
) -> Result<Vec<Roster>> {
    let known = number(replica, "roster_version")?;
    let chain = conn.rosters(vault_id)?;
    let rosters = roster::verify(vault_id, pinned_admin, &chain, known)?;
    let latest = rosters.len().to_string();
    replica.set_sync_state(&[("roster_version", latest.as_bytes())])?;
    Ok(rosters)
}

/// Adds `identity` to shared vault `name` as `role`: a new roster version signed by
/// this install (an admin), the vault key sealed to the new member. Returns the
/// invite the new member joins with.
pub fn add_member(personal: &mut Vault, name: &str, identity: &str, role: Role) -> Result<Invite> {
    Session::open(personal, name)?.add_member(identity, role)
}

/// Joins the shared vault an invite names, with this install's identity (the one the
/// invite was made for), and pulls its tokens. `server` replaces the invite's address
/// (for credentials of one's own).
pub fn join(
    personal: &mut Vault,
    invite: &str,
    server: Option<&str>,
) -> Result<(SharedVault, SyncReport)> {
    let invite = Invite::from_text(invite)?;
    let me = personal.identity()?;
    let my_text = me.public().to_string();
    if invite.member != my_text {
        return Err(Error::invalid(
            "invite",
            "it was made for another identity: ask for one made for the identity `tessera identity` prints here",
        ));
    }
    let url = join_address(&invite, server, &me)?;
    let admin: PublicIdentity = invite.admin.parse()?;
    let mut conn = Server::connect(&url)?;
    let chain = conn.rosters(&invite.vault_id)?;
    let rosters = roster::verify(&invite.vault_id, &invite.admin, &chain, 0)?;
    let latest = rosters
        .last()
        .ok_or_else(|| Error::Tampered("no roster".into()))?;
    if latest.member(&my_text).is_none() {
        return Err(Error::invalid(
            "invite",
            format!(
                "this identity is not a member of '{}' (yet): ask the admin to add it again",
                invite.name
            ),
        ));
    }
    let sealed = conn
        .sealed_key(&invite.vault_id, &my_text, latest.epoch)?
        .ok_or_else(|| Error::Tampered("the server holds no vault key for this member".into()))?;
    let key = me.open_key(&info(&invite.vault_id, latest.epoch), &sealed)?;
    let mut replica = personal.add_shared_vault(&invite.name, &invite.vault_id, &url, &admin)?;
    let epoch = latest.epoch.to_string();
    let key_name = format!("key.{epoch}");
    replica.set_sync_state(&[
        ("epoch", epoch.as_bytes()),
        (key_name.as_str(), key.as_slice()),
    ])?;
    let report = match sync_replica(
        &mut conn,
        &mut replica,
        &me,
        &invite.vault_id,
        &invite.admin,
    ) {
        Ok(report) => report,
        Err(err) => {
            // Not joined until the first round holds: nothing stays behind.
            drop(replica);
            let _ = personal.forget_shared_vault(&invite.name);
            return Err(err);
        }
    };
    Ok((personal.shared_vault(&invite.name)?, report))
}

/// The address a joining member connects with: `server` where given (with its own
/// user, as it is), else the invite's; with the login the invite carries, its secret
/// opened with this install's key.
fn join_address(invite: &Invite, server: Option<&str>, me: &Identity) -> Result<Zeroizing<String>> {
    let address = server.unwrap_or(&invite.server);
    let Some(login) = &invite.login else {
        return Ok(Zeroizing::new(address.to_string()));
    };
    if server.is_some_and(access::names_user) {
        return Ok(Zeroizing::new(address.to_string()));
    }
    let secret = me
        .open_key(
            &login_info(&invite.vault_id, &login.user),
            &login.sealed_bytes()?,
        )
        .map_err(|_| {
            Error::invalid(
                "invite",
                "its login was not sealed to this identity: ask for one made for the identity `tessera identity` prints here",
            )
        })?;
    let password = access::password_of(secret.as_slice());
    Ok(access::with_login(address, &login.user, &password))
}

/// What removing a member did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The new epoch: what is written from now on, the removed member holds no key of.
    pub epoch: i64,
    /// The tokens the removed member could read, by name: rotate them (cryptography
    /// cannot make anyone forget what they saw).
    pub readable: Vec<Readable>,
}

/// A token a removed member could read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Readable {
    pub name: String,
    pub id: String,
}

/// Removes `identity` from shared vault `name`: a new epoch key sealed to the other
/// members, every record re-encrypted under it, and the next roster version signed,
/// in one server transaction. This install must be an admin.
pub fn remove_member(personal: &mut Vault, name: &str, identity: &str) -> Result<Removed> {
    Session::open(personal, name)?.remove_member(identity)
}

/// The members of shared vault `name`, as the verified roster on the server says.
pub fn members(personal: &mut Vault, name: &str) -> Result<Vec<RosterMember>> {
    Session::open(personal, name)?.members()
}

/// One sync round of shared vault `name`.
pub fn sync(personal: &mut Vault, name: &str) -> Result<SyncReport> {
    Session::open(personal, name)?.sync()
}

/// Keeps shared vault `name` in step until `stop` is set: a round at once, then one
/// whenever the server announces another member's push (LISTEN/NOTIFY) or this
/// replica changed (a token command in another process), and at least every
/// `heartbeat` (so a replica that can reach its server never turns stale). Each round's
/// report goes to `on_round`; a round that fails (the server gone) is reported as an
/// error and retried at the next heartbeat, with a new connection.
pub fn watch(
    personal: &mut Vault,
    name: &str,
    heartbeat: std::time::Duration,
    stop: &std::sync::atomic::AtomicBool,
    on_round: impl FnMut(Result<SyncReport>),
) -> Result<()> {
    Session::open(personal, name)?.watch(heartbeat, stop, on_round)
}

/// The vault key of `epoch`: kept in the replica, or opened from the server once.
fn epoch_key(
    conn: &mut Server,
    replica: &mut Vault,
    me: &Identity,
    vault_id: &str,
    epoch: i64,
) -> Result<VaultKey> {
    let name = format!("key.{epoch}");
    if let Some(bytes) = replica.sync_state(&name)? {
        return VaultKey::from_bytes(bytes.expose());
    }
    let sealed = conn
        .sealed_key(vault_id, &me.public().to_string(), epoch)?
        .ok_or_else(|| {
            Error::invalid(
                "shared vault",
                format!("this member holds no key of epoch {epoch}: it may have been removed"),
            )
        })?;
    let key = me.open_key(&info(vault_id, epoch), &sealed)?;
    replica.set_sync_state(&[(name.as_str(), key.as_slice())])?;
    VaultKey::from_bytes(key.as_slice())
}

/// `plaintext` sealed for record `record_id` at `(version, epoch)` and signed by `me`,
/// to be written over `base_version`.
fn sealed_push(
    key: &VaultKey,
    me: &Identity,
    vault_id: &str,
    record_id: &str,
    (version, epoch): (i64, i64),
    plaintext: &[u8],
    base_version: i64,
) -> Result<Push> {
    let slot = Slot {
        vault_id,
        record_id,
        version,
        epoch,
    };
    let (nonce, ciphertext) = record::seal(key, &slot, plaintext)?;
    let signature = me.sign(&slot.signed_message(&nonce, &ciphertext));
    Ok(Push {
        record: ServerRecord {
            record_id: record_id.to_string(),
            version,
            epoch,
            seq: 0,
            nonce,
            ciphertext,
            author: me.public().to_string(),
            signature,
        },
        base_version,
    })
}

/// The version of each record this replica holds once `incoming` is applied over
/// `synced`; refused when a record is held back while later ones are served: a
/// manifest among `incoming` names a version of a record newer than that.
fn held_after(
    mut synced: HashMap<String, i64>,
    incoming: &[Incoming],
) -> Result<HashMap<String, i64>> {
    for record in incoming {
        synced.insert(record.record_id.clone(), record.version);
    }
    for record in incoming {
        let RecordBody::Manifest { versions } = &record.body else {
            continue;
        };
        for (id, version) in versions {
            let held = synced.get(id).copied().unwrap_or(0);
            if held < *version {
                return Err(Error::Tampered(format!(
                    "record {id} is withheld: a member's manifest says the server holds version {version}, and it served {}",
                    if held == 0 {
                        "none".to_string()
                    } else {
                        format!("version {held}")
                    }
                )));
            }
        }
    }
    Ok(synced)
}

/// Whether only an admin may write a record like `body`: a service token's (the product
/// brief's rule), and the vault's signing keys.
fn admin_only(body: &RecordBody) -> bool {
    match body {
        RecordBody::Token(state) => state.kind == "service",
        RecordBody::SigningKeys { .. } => true,
        RecordBody::Deleted { .. } | RecordBody::Manifest { .. } => false,
    }
}

/// Checks one record the server sent; its body when it holds.
fn check(
    record: &ServerRecord,
    vault_id: &str,
    key: &VaultKey,
    authors: &HashMap<String, Role>,
) -> Result<(RecordBody, Zeroizing<Vec<u8>>)> {
    let slot = Slot {
        vault_id,
        record_id: &record.record_id,
        version: record.version,
        epoch: record.epoch,
    };
    let Some(role) = authors.get(&record.author) else {
        return Err(Error::Tampered(format!(
            "record {} is written by someone who is not a member",
            record.record_id
        )));
    };
    let author: PublicIdentity = record.author.parse()?;
    if !author.verifies(
        &slot.signed_message(&record.nonce, &record.ciphertext),
        &record.signature,
    ) {
        return Err(Error::Tampered(format!(
            "record {} does not carry its author's signature",
            record.record_id
        )));
    }
    let plaintext = record::open(key, &slot, &record.nonce, &record.ciphertext).map_err(|_| {
        Error::Tampered(format!(
            "record {} does not decrypt in its place",
            record.record_id
        ))
    })?;
    // The record's plaintext, checked and parsed to apply.
    let plaintext = Zeroizing::new(plaintext.expose().to_vec());
    let body = RecordBody::from_plaintext(&plaintext)?;
    if admin_only(&body) && *role != Role::Admin {
        return Err(Error::Tampered(format!(
            "record {} changes what only an admin may, and its author is not one",
            record.record_id
        )));
    }
    // A manifest is its author's own (an admin re-encrypting every record at a removal
    // writes the others' too): one under another member's id could stall their sync.
    let is_manifest = matches!(body, RecordBody::Manifest { .. });
    let own = record.record_id == manifest_record(&author.fingerprint());
    if is_manifest != record.record_id.starts_with(MANIFEST_PREFIX)
        || (is_manifest && !own && *role != Role::Admin)
    {
        return Err(Error::Tampered(format!(
            "record {} is a manifest out of its place: only its own member writes one",
            record.record_id
        )));
    }
    Ok((body, plaintext))
}

fn sync_replica(
    conn: &mut Server,
    replica: &mut Vault,
    me: &Identity,
    vault_id: &str,
    pinned_admin: &str,
) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let cursor = number(replica, "cursor")?;
    let (chain, rows) = conn.snapshot(vault_id, cursor)?;
    let known = number(replica, "roster_version")?;
    let rosters = roster::verify(vault_id, pinned_admin, &chain, known)?;
    replica.set_sync_state(&[("roster_version", rosters.len().to_string().as_bytes())])?;
    let latest = rosters
        .last()
        .ok_or_else(|| Error::Tampered("no roster".into()))?;
    report.roster_version = latest.version;
    let my_text = me.public().to_string();
    let Some(mine) = latest.member(&my_text) else {
        return Err(Error::invalid(
            "shared vault",
            "this identity was removed from the vault by an admin: its replica stays here as it was",
        ));
    };
    let my_role = mine.role;
    // Authors: anyone a verified roster ever listed, with the role the latest gives
    // (or member, once removed: what they wrote before stays readable).
    let mut authors: HashMap<String, Role> = HashMap::new();
    for r in &rosters {
        for m in &r.members {
            authors.insert(m.identity.clone(), Role::Member);
        }
    }
    for m in &latest.members {
        authors.insert(m.identity.clone(), m.role);
    }

    // Pull: every row checked before any is applied.
    let synced = replica.synced_versions()?;
    let mut keys: HashMap<i64, VaultKey> = HashMap::new();
    let mut incoming = Vec::new();
    let mut new_cursor = cursor;
    for row in &rows {
        if row.seq <= new_cursor {
            return Err(Error::Tampered(format!(
                "record {} comes out of order",
                row.record_id
            )));
        }
        new_cursor = row.seq;
        if row.epoch != latest.epoch {
            return Err(Error::Tampered(format!(
                "record {} is sealed under epoch {}, not the roster's {}",
                row.record_id, row.epoch, latest.epoch
            )));
        }
        let known = synced.get(&row.record_id).copied().unwrap_or(0);
        if row.version < known {
            return Err(Error::Tampered(format!(
                "record {} is served at version {} after version {known} was seen: an older copy replayed",
                row.record_id, row.version
            )));
        }
        let key = match keys.entry(row.epoch) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(epoch_key(conn, replica, me, vault_id, row.epoch)?)
            }
        };
        let (body, plaintext) = check(row, vault_id, key, &authors)?;
        if row.version == known {
            // This replica's own write, coming back.
            continue;
        }
        incoming.push(Incoming {
            record_id: row.record_id.clone(),
            version: row.version,
            body,
            plaintext,
        });
    }
    // What the server holds once this pull is applied: what the manifest pushed
    // below starts from.
    let mut versions = held_after(synced, &incoming)?;
    let cursor_text = new_cursor.to_string();
    let applied = replica.apply_remote(incoming, &[("cursor", cursor_text.as_bytes())])?;
    report.pulled = applied.records;
    report.conflicts = applied.conflicts;

    // Push what changed here.
    let epoch = latest.epoch;
    let key = epoch_key(conn, replica, me, vault_id, epoch)?;
    let changes = replica.local_changes()?;
    let mut sent = Vec::new();
    let mut batch = Vec::new();
    for change in &changes {
        let body = RecordBody::from_plaintext(&change.plaintext)?;
        if admin_only(&body) && my_role != Role::Admin {
            // Only an admin's change of a service token or the signing keys is taken;
            // a member's stays on this machine.
            report.deferred += 1;
            continue;
        }
        sent.push(change);
        batch.push(sealed_push(
            &key,
            me,
            vault_id,
            &change.record_id,
            (change.base_version + 1, epoch),
            &change.plaintext,
            change.base_version,
        )?);
    }
    if !batch.is_empty() {
        // The manifest: every version this replica knows the server holds, this
        // push's included.
        let manifest_id = manifest_record(&me.public().fingerprint());
        let manifest_base = versions.remove(&manifest_id).unwrap_or(0);
        let mut manifest = None;
        let outcomes = conn.push(vault_id, &batch, |outcomes| {
            for (push, outcome) in batch.iter().zip(outcomes) {
                if outcome.is_some() {
                    versions.insert(push.record.record_id.clone(), push.record.version);
                }
            }
            if outcomes.iter().all(Option::is_none) {
                return Ok(None);
            }
            let mut listed: Vec<(String, i64)> = versions.into_iter().collect();
            listed.sort();
            let plaintext = RecordBody::Manifest { versions: listed }.to_plaintext();
            let version = manifest_base + 1;
            let push = sealed_push(
                &key,
                me,
                vault_id,
                &manifest_id,
                (version, epoch),
                &plaintext,
                manifest_base,
            )?;
            manifest = Some((manifest_id.clone(), version, plaintext));
            Ok(Some(push))
        })?;
        let mut done: Vec<_> = manifest.into_iter().collect();
        for ((change, push), outcome) in sent.iter().zip(&batch).zip(outcomes) {
            match outcome {
                Some(_) => {
                    done.push((
                        change.record_id.clone(),
                        push.record.version,
                        change.plaintext.clone(),
                    ));
                    report.pushed += 1;
                }
                None => report.deferred += 1,
            }
        }
        replica.mark_synced(&done)?;
    }
    let now = replica.now().to_string();
    replica.set_sync_state(&[("last_contact", now.as_bytes())])?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of `body` at `record_id`, sealed under `key` and signed by `author`.
    fn written(
        key: &VaultKey,
        author: &Identity,
        record_id: &str,
        body: &RecordBody,
    ) -> ServerRecord {
        sealed_push(key, author, "v", record_id, (1, 1), &body.to_plaintext(), 0)
            .expect("sealed")
            .record
    }

    #[test]
    fn a_manifest_is_taken_only_from_its_own_member_or_an_admin() {
        let key = VaultKey::generate();
        let (admin, a, b) = (
            Identity::generate(),
            Identity::generate(),
            Identity::generate(),
        );
        let authors: HashMap<String, Role> = [
            (admin.public().to_string(), Role::Admin),
            (a.public().to_string(), Role::Member),
            (b.public().to_string(), Role::Member),
        ]
        .into();
        let manifest = RecordBody::Manifest {
            versions: vec![("t".into(), 7)],
        };
        let a_id = manifest_record(&a.public().fingerprint());
        assert!(check(&written(&key, &a, &a_id, &manifest), "v", &key, &authors).is_ok());
        // At a removal the admin re-seals every record, the members' manifests included.
        assert!(
            check(
                &written(&key, &admin, &a_id, &manifest),
                "v",
                &key,
                &authors
            )
            .is_ok()
        );
        let refused = check(&written(&key, &b, &a_id, &manifest), "v", &key, &authors);
        assert!(
            matches!(refused, Err(Error::Tampered(_))),
            "B's manifest under A's id was taken"
        );
        // Nor a manifest under a token's id, or something else under a manifest's.
        let token_id = "0190aaaa-0000-7000-8000-000000000000";
        assert!(check(&written(&key, &a, token_id, &manifest), "v", &key, &authors).is_err());
        let deleted = RecordBody::Deleted { id: "t".into() };
        assert!(check(&written(&key, &a, &a_id, &deleted), "v", &key, &authors).is_err());
    }
}
