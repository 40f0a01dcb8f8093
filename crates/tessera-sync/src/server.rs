//! Every statement Tessera sends a shared vault's PostgreSQL server. The server holds
//! ids, versions, sequence numbers, sizes, times, public identities and roles; every
//! name, secret, scope and audit entry is inside a ciphertext it cannot open.

use tessera_core::{Error, Result};

/// The server's tables, made on first use (`IF NOT EXISTS`, under an advisory lock so
/// two first uses at once do not race).
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tessera_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS tessera_vaults (
    id         text PRIMARY KEY,
    head       bigint NOT NULL DEFAULT 0,
    epoch      bigint NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS tessera_rosters (
    vault_id  text NOT NULL REFERENCES tessera_vaults(id),
    version   bigint NOT NULL,
    body      bytea NOT NULL,
    signer    text NOT NULL,
    signature bytea NOT NULL,
    PRIMARY KEY (vault_id, version)
);
CREATE TABLE IF NOT EXISTS tessera_members (
    vault_id   text NOT NULL REFERENCES tessera_vaults(id),
    identity   text NOT NULL,
    epoch      bigint NOT NULL,
    sealed_key bytea NOT NULL,
    PRIMARY KEY (vault_id, identity, epoch)
);
CREATE TABLE IF NOT EXISTS tessera_records (
    vault_id   text NOT NULL REFERENCES tessera_vaults(id),
    record_id  text NOT NULL,
    version    bigint NOT NULL,
    epoch      bigint NOT NULL,
    seq        bigint NOT NULL,
    nonce      bytea NOT NULL,
    ciphertext bytea NOT NULL,
    author     text NOT NULL,
    signature  bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vault_id, record_id)
);
CREATE INDEX IF NOT EXISTS tessera_records_seq ON tessera_records (vault_id, seq);
";

/// The channel a push notifies, with the vault id as payload.
pub const CHANNEL: &str = "tessera_sync";

/// A roster version as the server keeps it.
#[derive(Debug, Clone)]
pub struct SignedRoster {
    pub version: i64,
    pub body: Vec<u8>,
    pub signer: String,
    pub signature: Vec<u8>,
}

/// A record as the server keeps it.
#[derive(Debug, Clone)]
pub struct ServerRecord {
    pub record_id: String,
    pub version: i64,
    pub epoch: i64,
    pub seq: i64,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub author: String,
    pub signature: Vec<u8>,
}

/// A record to push: written over `base_version` (0: new).
#[derive(Debug)]
pub struct Push {
    pub record: ServerRecord,
    pub base_version: i64,
}

/// A member to let in: their identity, role (`admin` or `member`), the epoch their
/// key is sealed under, and the login minted for them.
pub struct Grant<'a> {
    pub identity: &'a str,
    pub role: &'a str,
    pub epoch: i64,
    pub login: &'a crate::access::Login,
}

/// A connection to the server.
pub struct Server {
    client: postgres::Client,
}

pub(crate) fn server_error(err: postgres::Error) -> Error {
    // rust-postgres never puts the password into its messages.
    let detail = match err.as_db_error() {
        Some(db) => db.message().to_string(),
        None => err.to_string(),
    };
    crate::access::refusal(&detail).unwrap_or(Error::Server(detail))
}

impl Server {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/db`, or key=value
    /// form) and makes the tables if they are missing.
    pub fn connect(url: &str) -> Result<Server> {
        let (rest, tls) = crate::tls::split(url);
        let mut config: postgres::Config = rest.parse().map_err(|_| {
            Error::Server(
                "the address does not read: give postgres://user[:password]@host[:port]/database"
                    .into(),
            )
        })?;
        crate::tls::apply(&mut config, &tls)?;
        // A server that does not answer is told as offline within seconds, not minutes.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        let connected = if config.get_ssl_mode() == postgres::config::SslMode::Disable {
            config.connect(postgres::NoTls)
        } else {
            config.connect(crate::tls::connector(&tls)?)
        };
        let client = connected.map_err(|e| {
            let detail = match e.as_db_error() {
                Some(db) => db.message().to_string(),
                None => {
                    // The cause too (a TLS handshake's says what was wrong).
                    let mut text = e.to_string();
                    let mut source = std::error::Error::source(&e);
                    while let Some(cause) = source {
                        text.push_str(": ");
                        text.push_str(&cause.to_string());
                        source = cause.source();
                    }
                    text
                }
            };
            let hint = if detail.contains("certificate") {
                "the server's certificate is not one this machine trusts for that host name: give its authority with sslrootcert=PATH in the address"
            } else if detail.contains("does not support TLS") {
                "the server speaks no TLS: turn on ssl in its postgresql.conf, or add sslmode=disable to the address on a network you trust"
            } else {
                "check the address, that the server runs, and the credentials"
            };
            Error::Server(format!("cannot connect ({detail}): {hint}"))
        })?;
        let mut server = Server { client };
        server.install()?;
        Ok(server)
    }

    /// Brings the server's tables and access rules up to this build's version. A
    /// member's login may not make tables, and need not: they are made once, by the
    /// account that creates the first vault.
    fn install(&mut self) -> Result<()> {
        if schema_version(&mut self.client)? >= crate::access::VERSION {
            return Ok(());
        }
        let mut tx = self.client.transaction().map_err(server_error)?;
        tx.execute("SELECT pg_advisory_xact_lock(7662)", &[])
            .map_err(server_error)?;
        if schema_version(&mut tx)? >= crate::access::VERSION {
            return tx.commit().map_err(server_error);
        }
        let made = tx.batch_execute(SCHEMA).and_then(|()| {
            let schema: String = tx
                .query_one("SELECT quote_ident(current_schema())", &[])?
                .get(0);
            tx.batch_execute(&crate::access::rules(&schema))?;
            tx.execute("DELETE FROM tessera_schema", &[])?;
            tx.execute(
                "INSERT INTO tessera_schema (version) VALUES ($1)",
                &[&crate::access::VERSION],
            )?;
            Ok(())
        });
        if let Err(err) = made {
            let detail = err
                .as_db_error()
                .map_or_else(|| err.to_string(), |db| db.message().to_string());
            return Err(Error::Server(format!(
                "cannot make Tessera's tables on this server ({detail}): connect once with the account that is to own them, the database's owner or the server's superuser"
            )));
        }
        tx.commit().map_err(server_error)
    }

    /// Creates vault `vault_id` with its first roster and its creator's sealed key.
    pub fn create_vault(
        &mut self,
        vault_id: &str,
        roster: &SignedRoster,
        member: &str,
        epoch: i64,
        sealed: &[u8],
    ) -> Result<()> {
        let mut tx = self.client.transaction().map_err(server_error)?;
        tx.execute("SELECT tessera_create_vault($1, $2)", &[&vault_id, &member])
            .map_err(server_error)?;
        insert_roster(&mut tx, vault_id, roster)?;
        tx.execute(
            "INSERT INTO tessera_members (vault_id, identity, epoch, sealed_key) VALUES ($1, $2, $3, $4)",
            &[&vault_id, &member, &epoch, &sealed],
        )
        .map_err(server_error)?;
        tx.commit().map_err(server_error)
    }

    /// Adds member `grant` with roster version `roster` and the key sealed to them, in
    /// one transaction: the server mints the member's login and lets it in as the
    /// roster's role. Refused if that version exists (another admin changed the
    /// roster meanwhile).
    pub fn add_member(
        &mut self,
        vault_id: &str,
        roster: &SignedRoster,
        grant: &Grant<'_>,
        sealed: &[u8],
    ) -> Result<()> {
        let mut tx = self.client.transaction().map_err(server_error)?;
        insert_roster(&mut tx, vault_id, roster)?;
        let verifier = grant.login.verifier();
        tx.execute(
            "SELECT tessera_grant($1, $2, $3, $4, $5)",
            &[
                &vault_id,
                &grant.identity,
                &grant.role,
                &grant.login.name,
                &verifier,
            ],
        )
        .map_err(server_error)?;
        tx.execute(
            "INSERT INTO tessera_members (vault_id, identity, epoch, sealed_key) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (vault_id, identity, epoch) DO UPDATE SET sealed_key = excluded.sealed_key",
            &[&vault_id, &grant.identity, &grant.epoch, &sealed],
        )
        .map_err(server_error)?;
        tx.commit().map_err(server_error)
    }

    /// Every roster version of `vault_id`, oldest first.
    pub fn rosters(&mut self, vault_id: &str) -> Result<Vec<SignedRoster>> {
        rosters_in(&mut self.client, vault_id)
    }

    /// The vault key of `epoch` sealed to `identity`, if the server has it.
    pub fn sealed_key(
        &mut self,
        vault_id: &str,
        identity: &str,
        epoch: i64,
    ) -> Result<Option<Vec<u8>>> {
        let row = self
            .client
            .query_opt(
                "SELECT sealed_key FROM tessera_members WHERE vault_id = $1 AND identity = $2 AND epoch = $3",
                &[&vault_id, &identity, &epoch],
            )
            .map_err(server_error)?;
        Ok(row.map(|row| row.get(0)))
    }

    /// The records of `vault_id` written after sequence number `after`, in order.
    pub fn records_after(&mut self, vault_id: &str, after: i64) -> Result<Vec<ServerRecord>> {
        records_in(&mut self.client, vault_id, after)
    }

    /// Writes `pushes` in one transaction, each only if the server still has its base
    /// version (compare-and-swap), under sequence numbers that follow the vault's head
    /// with no gap. Returns, per push, its sequence number, or none when another
    /// member's version came first.
    ///
    /// `closing` is told those outcomes before the transaction commits, and what it
    /// returns (the pusher's manifest) is written last in the same transaction, so that
    /// it says exactly what the server holds once the push is in.
    pub fn push(
        &mut self,
        vault_id: &str,
        pushes: &[Push],
        closing: impl FnOnce(&[Option<i64>]) -> Result<Option<Push>>,
    ) -> Result<Vec<Option<i64>>> {
        let mut tx = self.client.transaction().map_err(server_error)?;
        let (head, current) = lock_vault(&mut tx, vault_id)?;
        if pushes.iter().any(|p| p.record.epoch != current) {
            return Err(Error::Server(
                "the vault's key changed meanwhile (a member was removed): sync again".into(),
            ));
        }
        let writes = Writes::prepare(&mut tx)?;
        let mut seq = head;
        let mut out = Vec::with_capacity(pushes.len());
        for push in pushes {
            if writes.write(&mut tx, vault_id, push, seq + 1)? {
                seq += 1;
                out.push(Some(seq));
            } else {
                out.push(None);
            }
        }
        if let Some(last) = closing(&out)? {
            if !writes.write(&mut tx, vault_id, &last, seq + 1)? {
                return Err(Error::Server(
                    "this member's manifest changed meanwhile: sync again".into(),
                ));
            }
            seq += 1;
        }
        if seq != head {
            advance(&mut tx, vault_id, seq, current)?;
        }
        tx.commit().map_err(server_error)?;
        Ok(out)
    }
}

impl Server {
    /// A new epoch in one transaction: roster version `roster` (without the removed
    /// member), the new key sealed to each remaining member, and every record
    /// re-encrypted under it, each only over the version it was read at. Any record
    /// changed meanwhile aborts the whole transaction.
    pub fn rekey(
        &mut self,
        vault_id: &str,
        removed: &str,
        roster: &SignedRoster,
        sealed: &[(String, i64, Vec<u8>)],
        records: &[Push],
    ) -> Result<()> {
        let mut tx = self.client.transaction().map_err(server_error)?;
        let (head, _) = lock_vault(&mut tx, vault_id)?;
        insert_roster(&mut tx, vault_id, roster)?;
        tx.execute("SELECT tessera_revoke($1, $2)", &[&vault_id, &removed])
            .map_err(server_error)?;
        for (identity, epoch, key) in sealed {
            tx.execute(
                "INSERT INTO tessera_members (vault_id, identity, epoch, sealed_key) VALUES ($1, $2, $3, $4)",
                &[&vault_id, identity, epoch, key],
            )
            .map_err(server_error)?;
        }
        let writes = Writes::prepare(&mut tx)?;
        let mut seq = head;
        for push in records {
            seq += 1;
            if !writes.write(&mut tx, vault_id, push, seq)? {
                return Err(Error::Server(
                    "a member changed the vault meanwhile: sync, then remove the member again"
                        .into(),
                ));
            }
        }
        advance(&mut tx, vault_id, seq, roster_epoch(roster)?)?;
        tx.commit().map_err(server_error)
    }

    /// Listens for pushes to any vault on this server (`LISTEN`).
    pub fn listen(&mut self) -> Result<()> {
        self.client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(server_error)
    }

    /// Waits up to `timeout` for a push to `vault_id` to be announced; whether one was.
    pub fn wait(&mut self, vault_id: &str, timeout: std::time::Duration) -> Result<bool> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut notifications = self.client.notifications();
        let mut announced = false;
        {
            let mut iter = notifications.timeout_iter(timeout);
            while let Some(note) = iter.next().map_err(server_error)? {
                if note.payload() == vault_id {
                    announced = true;
                    break;
                }
            }
        }
        // Any others already waiting belong to the same moment.
        let mut pending = notifications.iter();
        while let Some(note) = pending.next().map_err(server_error)? {
            announced |= note.payload() == vault_id;
        }
        Ok(announced)
    }

    /// The roster chain and the records after `after`, read in one snapshot, so both
    /// are of the same moment (never a record of an epoch the roster read does not know).
    pub fn snapshot(
        &mut self,
        vault_id: &str,
        after: i64,
    ) -> Result<(Vec<SignedRoster>, Vec<ServerRecord>)> {
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(server_error)?;
        let rosters = rosters_in(&mut tx, vault_id)?;
        let records = records_in(&mut tx, vault_id, after)?;
        tx.commit().map_err(server_error)?;
        Ok((rosters, records))
    }
}

/// Locks vault `vault_id` for this transaction: one writer per vault at a time, so
/// sequence numbers commit in order and a reader that saw N never misses one below
/// it. Its head sequence number and current epoch.
fn lock_vault(tx: &mut postgres::Transaction<'_>, vault_id: &str) -> Result<(i64, i64)> {
    let row = tx
        .query_opt(
            "SELECT head, epoch FROM tessera_vaults WHERE id = $1 FOR UPDATE",
            &[&vault_id],
        )
        .map_err(server_error)?
        .ok_or_else(|| {
            Error::Server(format!(
                "the server has no vault {vault_id} this login may write to (was it removed?)"
            ))
        })?;
    Ok((row.get(0), row.get(1)))
}

/// The two statements a write takes, prepared once per transaction: each write is
/// then one round trip to the server, not two (parse, then execute).
struct Writes {
    insert: postgres::Statement,
    update: postgres::Statement,
}

impl Writes {
    fn prepare(tx: &mut postgres::Transaction<'_>) -> Result<Writes> {
        Ok(Writes {
            insert: tx
                .prepare(
                    "INSERT INTO tessera_records (vault_id, record_id, version, epoch, seq, nonce, ciphertext, author, signature) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (vault_id, record_id) DO NOTHING",
                )
                .map_err(server_error)?,
            update: tx
                .prepare(
                    "UPDATE tessera_records SET version = $3, epoch = $4, seq = $5, nonce = $6, ciphertext = $7, \
                     author = $8, signature = $9, updated_at = now() \
                     WHERE vault_id = $1 AND record_id = $2 AND version = $10",
                )
                .map_err(server_error)?,
        })
    }

    /// Writes `push` under sequence number `seq` if the server still has its base
    /// version (none for a new record); whether it did.
    fn write(
        &self,
        tx: &mut postgres::Transaction<'_>,
        vault_id: &str,
        push: &Push,
        seq: i64,
    ) -> Result<bool> {
        let r = &push.record;
        let written = if push.base_version == 0 {
            tx.execute(
                &self.insert,
                &[
                    &vault_id,
                    &r.record_id,
                    &r.version,
                    &r.epoch,
                    &seq,
                    &r.nonce,
                    &r.ciphertext,
                    &r.author,
                    &r.signature,
                ],
            )
        } else {
            tx.execute(
                &self.update,
                &[
                    &vault_id,
                    &r.record_id,
                    &r.version,
                    &r.epoch,
                    &seq,
                    &r.nonce,
                    &r.ciphertext,
                    &r.author,
                    &r.signature,
                    &push.base_version,
                ],
            )
        }
        .map_err(server_error)?;
        Ok(written == 1)
    }
}

/// Moves the vault's head to `seq` at `epoch` and announces it to listeners.
fn advance(tx: &mut postgres::Transaction<'_>, vault_id: &str, seq: i64, epoch: i64) -> Result<()> {
    tx.execute(
        "UPDATE tessera_vaults SET head = $2, epoch = $3 WHERE id = $1",
        &[&vault_id, &seq, &epoch],
    )
    .map_err(server_error)?;
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &vault_id])
        .map_err(server_error)?;
    Ok(())
}

/// The epoch a signed roster names.
fn roster_epoch(roster: &SignedRoster) -> Result<i64> {
    Ok(tessera_core::shared::Roster::from_bytes(&roster.body)?.epoch)
}

/// The version of the tables the server holds (0: none yet).
fn schema_version(client: &mut impl postgres::GenericClient) -> Result<i32> {
    let exists: bool = client
        .query_one("SELECT to_regclass('tessera_schema') IS NOT NULL", &[])
        .map_err(server_error)?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one("SELECT coalesce(max(version), 0) FROM tessera_schema", &[])
        .map_err(server_error)?
        .get(0))
}

fn rosters_in(
    client: &mut impl postgres::GenericClient,
    vault_id: &str,
) -> Result<Vec<SignedRoster>> {
    let rows = client
        .query(
            "SELECT version, body, signer, signature FROM tessera_rosters WHERE vault_id = $1 ORDER BY version",
            &[&vault_id],
        )
        .map_err(server_error)?;
    Ok(rows
        .iter()
        .map(|row| SignedRoster {
            version: row.get(0),
            body: row.get(1),
            signer: row.get(2),
            signature: row.get(3),
        })
        .collect())
}

fn records_in(
    client: &mut impl postgres::GenericClient,
    vault_id: &str,
    after: i64,
) -> Result<Vec<ServerRecord>> {
    let rows = client
        .query(
            "SELECT record_id, version, epoch, seq, nonce, ciphertext, author, signature \
             FROM tessera_records WHERE vault_id = $1 AND seq > $2 ORDER BY seq",
            &[&vault_id, &after],
        )
        .map_err(server_error)?;
    Ok(rows
        .iter()
        .map(|row| ServerRecord {
            record_id: row.get(0),
            version: row.get(1),
            epoch: row.get(2),
            seq: row.get(3),
            nonce: row.get(4),
            ciphertext: row.get(5),
            author: row.get(6),
            signature: row.get(7),
        })
        .collect())
}

fn insert_roster(
    tx: &mut postgres::Transaction<'_>,
    vault_id: &str,
    roster: &SignedRoster,
) -> Result<()> {
    let inserted = tx
        .execute(
            "INSERT INTO tessera_rosters (vault_id, version, body, signer, signature) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (vault_id, version) DO NOTHING",
            &[&vault_id, &roster.version, &roster.body, &roster.signer, &roster.signature],
        )
        .map_err(server_error)?;
    if inserted == 0 {
        return Err(Error::Server(
            "another admin changed the members meanwhile: sync, then try again".into(),
        ));
    }
    Ok(())
}
