//! The server enforces the roster too, as defence in depth: a member who takes the
//! login their invite carries and speaks SQL to the server directly, past Tessera's
//! client, is refused each write the roster does not allow them, reads no vault they
//! are not in, and once removed reads nothing but the roster. A real PostgreSQL server
//! that checks passwords with SCRAM.

#[path = "../../tessera-cli/tests/common/postgres.rs"]
mod postgres;

use postgres::Postgres;
use tessera_core::keys::MemoryKeyStore;
use tessera_core::lifecycle::NewToken;
use tessera_core::shared::Role;
use tessera_core::token::TokenKind;
use tessera_core::{NewProtection, Vault, VaultPaths};

fn vault(dir: &std::path::Path, name: &str) -> Vault {
    let paths = VaultPaths::in_dir(dir.join(name)).with_state(dir.join(format!("{name}.state")));
    Vault::create(&paths, NewProtection::Keyring, &MemoryKeyStore::new()).expect("vault")
}

fn identity(v: &mut Vault) -> String {
    v.identity().expect("identity").public().to_string()
}

/// The user and password of the login `v` keeps for shared vault `name`.
fn login(v: &Vault, name: &str) -> (String, String) {
    let url = v.shared_vault_server(name).expect("server");
    let url = std::str::from_utf8(url.expose())
        .expect("utf-8")
        .to_string();
    let userinfo = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('@').next())
        .expect("credentials");
    let (user, password) = userinfo.split_once(':').expect("a password");
    (user.to_string(), password.to_string())
}

/// Runs `sql` as `who`: its output, or the server's refusal (which must be one).
fn refused(pg: &Postgres, who: &(String, String), sql: &str) -> String {
    match pg.sql_as(&who.0, &who.1, sql) {
        Ok(out) => panic!("the server took `{sql}` from a member: {out}"),
        Err(err) => err,
    }
}

fn took(pg: &Postgres, who: &(String, String), sql: &str) -> String {
    pg.sql_as(&who.0, &who.1, sql)
        .unwrap_or_else(|err| panic!("`{sql}`: {err}"))
        .trim()
        .to_string()
}

#[test]
fn a_member_speaking_sql_directly_is_held_to_the_roster() {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut a, mut b) = (vault(dir.path(), "a"), vault(dir.path(), "b"));
    let shared = tessera_sync::create(&mut a, "team", &pg.url()).expect("create");
    let other = tessera_sync::create(&mut a, "elsewhere", &pg.url()).expect("create");
    {
        let mut replica = a.open_shared("elsewhere").expect("replica");
        replica
            .create_token(NewToken::new(TokenKind::Personal, "not b's"))
            .expect("token");
    }
    tessera_sync::sync(&mut a, "elsewhere").expect("sync");
    let (a_id, b_id) = (identity(&mut a), identity(&mut b));
    let invite = tessera_sync::add_member(&mut a, "team", &b_id, Role::Member).expect("add");
    tessera_sync::join(&mut b, &invite.to_text(), None).expect("join");
    let b_login = login(&b, "team");
    assert!(b_login.0.starts_with("tessera_"), "{b_login:?}");
    let v = &shared.vault_id;

    // The login is B's alone: a wrong password does not connect.
    let wrong = pg
        .sql_as(&b_login.0, "not-the-password", "SELECT 1")
        .expect_err("a wrong password");
    assert!(wrong.contains("password authentication failed"), "{wrong}");

    // Through its own client, B works as a member: a token it makes reaches A.
    {
        let mut replica = b.open_shared("team").expect("replica");
        replica
            .create_token(NewToken::new(TokenKind::Personal, "b's token"))
            .expect("token");
    }
    assert_eq!(tessera_sync::sync(&mut b, "team").expect("sync").pushed, 1);
    assert_eq!(tessera_sync::sync(&mut a, "team").expect("sync").pulled, 2);

    // It reads only the vault it is in, and only its own sealed keys.
    assert_eq!(took(&pg, &b_login, "SELECT id FROM tessera_vaults"), *v);
    let foreign = format!(
        "SELECT count(*) FROM tessera_records WHERE vault_id = '{}'",
        other.vault_id
    );
    assert_eq!(took(&pg, &b_login, &foreign), "0");
    let keys = format!("SELECT count(*) FROM tessera_members WHERE identity <> '{b_id}'");
    assert_eq!(took(&pg, &b_login, &keys), "0");

    // Each write only an admin may make, refused by the server itself.
    let cases = [
        (
            "a roster version of its own",
            format!("INSERT INTO tessera_rosters VALUES ('{v}', 3, '\\x00', '{b_id}', '\\x00')"),
            "row-level security",
        ),
        (
            "a vault key sealed to someone",
            format!("INSERT INTO tessera_members VALUES ('{v}', 'tessera-id1:x', 1, '\\x00')"),
            "row-level security",
        ),
        (
            "a new epoch",
            format!("UPDATE tessera_vaults SET epoch = epoch + 1 WHERE id = '{v}'"),
            "only an admin",
        ),
        (
            "the vault's head moved back",
            format!("UPDATE tessera_vaults SET head = 0 WHERE id = '{v}'"),
            "only go forward",
        ),
        (
            "a record in another member's name",
            format!(
                "INSERT INTO tessera_records (vault_id, record_id, version, epoch, seq, nonce, ciphertext, author, signature) \
                 VALUES ('{v}', 'forged', 1, 1, 99, '\\x00', '\\x00', '{a_id}', '\\x00')"
            ),
            "row-level security",
        ),
        (
            "the vault's signing keys",
            format!(
                "UPDATE tessera_records SET author = '{b_id}', version = version + 1 \
                 WHERE vault_id = '{v}' AND record_id = 'meta:signing-keys'"
            ),
            "row-level security",
        ),
        (
            "a record of another vault",
            format!(
                "INSERT INTO tessera_records (vault_id, record_id, version, epoch, seq, nonce, ciphertext, author, signature) \
                 VALUES ('{}', 'planted', 1, 1, 99, '\\x00', '\\x00', '{b_id}', '\\x00')",
                other.vault_id
            ),
            "row-level security",
        ),
        (
            "a record deleted",
            format!("DELETE FROM tessera_records WHERE vault_id = '{v}'"),
            "permission denied",
        ),
        (
            "itself made admin",
            format!("UPDATE tessera_access SET role = 'admin' WHERE vault_id = '{v}'"),
            "permission denied",
        ),
        (
            "a login minted for a friend",
            format!(
                "SELECT tessera_grant('{v}', 'tessera-id1:friend', 'admin', 'tessera_{}', 'SCRAM-SHA-256$x')",
                "0".repeat(32)
            ),
            "only an admin",
        ),
        (
            "another member removed",
            format!("SELECT tessera_revoke('{v}', '{a_id}')"),
            "only an admin",
        ),
        (
            "the tables changed",
            "ALTER TABLE tessera_records DISABLE ROW LEVEL SECURITY".to_string(),
            "must be owner",
        ),
    ];
    for (what, sql, why) in &cases {
        let err = refused(&pg, &b_login, sql);
        assert!(err.contains(why), "{what}: {err}");
    }
    // None of it reached the server: A's next round finds nothing to refuse.
    tessera_sync::sync(&mut a, "team").expect("A syncs after the attempts");

    // Removed, B's login reads the signed roster (so its client learns why) and
    // nothing else; its own client is told it was removed.
    tessera_sync::remove_member(&mut a, "team", &b_id).expect("remove");
    for table in ["tessera_records", "tessera_members", "tessera_vaults"] {
        let sql = format!("SELECT count(*) FROM {table}");
        assert_eq!(took(&pg, &b_login, &sql), "0", "{table} after removal");
    }
    assert_eq!(
        took(&pg, &b_login, "SELECT count(*) FROM tessera_rosters"),
        "3"
    );
    let err = tessera_sync::sync(&mut b, "team").expect_err("B is removed");
    assert!(err.to_string().contains("removed"), "{err}");
}

#[test]
fn an_admin_added_by_an_admin_adds_members_with_a_login_of_its_own() {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut a, mut b, mut c) = (
        vault(dir.path(), "a"),
        vault(dir.path(), "b"),
        vault(dir.path(), "c"),
    );
    tessera_sync::create(&mut a, "team", &pg.url()).expect("create");
    let b_id = identity(&mut b);
    let invite = tessera_sync::add_member(&mut a, "team", &b_id, Role::Admin).expect("add");
    tessera_sync::join(&mut b, &invite.to_text(), None).expect("join");
    // B's minted login holds no CREATEROLE: the server mints C's login on its behalf,
    // because the roster makes B an admin.
    let b_login = login(&b, "team");
    let attrs = format!(
        "SELECT rolcreaterole FROM pg_roles WHERE rolname = '{}'",
        b_login.0
    );
    assert_eq!(pg.sql(&attrs).trim(), "f");
    let c_id = identity(&mut c);
    let invite = tessera_sync::add_member(&mut b, "team", &c_id, Role::Member).expect("B adds C");
    let (_, report) = tessera_sync::join(&mut c, &invite.to_text(), None).expect("C joins");
    assert!(report.roster_version >= 3, "{report:?}");
    let c_login = login(&c, "team");
    assert_ne!(c_login.0, b_login.0);
    // An invite read by someone else opens no login: it was sealed to C.
    let mut d = vault(dir.path(), "d");
    let err = tessera_sync::join(&mut d, &invite.to_text(), None).expect_err("not D's invite");
    assert!(err.to_string().contains("another identity"), "{err}");
}

#[test]
fn an_account_of_the_server_not_granted_tessera_client_is_told_how() {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut a, mut x) = (vault(dir.path(), "a"), vault(dir.path(), "x"));
    // The tables made by their owner, with a first vault.
    tessera_sync::create(&mut a, "team", &pg.url()).expect("create");
    pg.sql("CREATE ROLE outsider LOGIN PASSWORD 'outsider-pw'");
    let url = format!(
        "postgres://outsider:outsider-pw@127.0.0.1:{}/postgres",
        pg.port
    );
    let err = tessera_sync::create(&mut x, "own", &url).expect_err("not granted");
    assert!(err.to_string().contains("GRANT tessera_client"), "{err}");
    assert!(x.shared_vault("own").is_err(), "nothing stays behind");
    pg.sql("GRANT tessera_client TO outsider");
    tessera_sync::create(&mut x, "own", &url).expect("granted, it creates a vault");
    // It is that vault's admin, and reads none of the first.
    let outsider = ("outsider".to_string(), "outsider-pw".to_string());
    assert_eq!(
        took(&pg, &outsider, "SELECT count(*) FROM tessera_vaults"),
        "1"
    );
    let mut y = vault(dir.path(), "y");
    let y_id = identity(&mut y);
    let invite = tessera_sync::add_member(&mut x, "own", &y_id, Role::Member).expect("add");
    tessera_sync::join(&mut y, &invite.to_text(), None).expect("join");
}
