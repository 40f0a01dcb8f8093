//! The server's own enforcement of the roster, as defence in depth behind the
//! clients' checks: every member connects with a login of their own, minted when an
//! admin adds them, and row-level security lets that login read only the vaults it
//! belongs to, write rows only under its own identity, and change the roster, the
//! sealed keys and the vault's epoch only as an admin. A removed member's login keeps
//! reading the roster (so it learns, from the signed chain, that it was removed) and
//! nothing else.
//!
//! What the server cannot see it cannot enforce: it cannot tell a service token from
//! a personal one (the kind is inside the ciphertext), so that rule stays the
//! clients', who refuse such a record from a non-admin.

use tessera_core::Error;
use tessera_core::keys::VaultKey;
use zeroize::Zeroizing;

/// The schema version this build installs; a server below it is brought up to it.
pub(crate) const VERSION: i32 = 2;

/// The role every minted login is a member of: it carries the table privileges.
pub const CLIENT_ROLE: &str = "tessera_client";

/// Row-level security, its helper functions and the privileges of `tessera_client`,
/// installed (again) by the tables' owner. `@schema@` is the quoted schema the tables
/// are in: the security-definer functions search only it.
const ACCESS: &str = "
CREATE TABLE IF NOT EXISTS tessera_access (
    vault_id text NOT NULL REFERENCES tessera_vaults(id),
    identity text NOT NULL,
    login    name NOT NULL,
    role     text NOT NULL CHECK (role IN ('admin', 'member', 'removed')),
    minted   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (vault_id, identity),
    UNIQUE (vault_id, login)
);
CREATE INDEX IF NOT EXISTS tessera_access_login ON tessera_access (login);

DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tessera_client') THEN
        CREATE ROLE tessera_client NOLOGIN;
    END IF;
END $$;

-- The identity this login acts as in vault v (none once removed).
CREATE OR REPLACE FUNCTION tessera_me(v text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @schema@, pg_temp AS $f$
    SELECT identity FROM tessera_access WHERE vault_id = v AND login = session_user AND role <> 'removed'
$f$;
CREATE OR REPLACE FUNCTION tessera_is_admin(v text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @schema@, pg_temp AS $f$
    SELECT EXISTS (SELECT FROM tessera_access WHERE vault_id = v AND login = session_user AND role = 'admin')
$f$;
-- The vaults this login is a member of; with removed: also those it was removed from.
CREATE OR REPLACE FUNCTION tessera_my_vaults(removed boolean) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, @schema@, pg_temp AS $f$
    SELECT vault_id FROM tessera_access WHERE login = session_user AND (removed OR role <> 'removed')
$f$;

-- Whether this login may write record r of vault v as author a: only in its own name,
-- and the vault's signing keys only as an admin.
CREATE OR REPLACE FUNCTION tessera_may_write(v text, r text, a text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, @schema@, pg_temp AS $f$
    SELECT a = tessera_me(v) AND (r <> 'meta:signing-keys' OR tessera_is_admin(v))
$f$;

CREATE OR REPLACE FUNCTION tessera_create_vault(v text, creator text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @schema@, pg_temp AS $f$
BEGIN
    INSERT INTO tessera_vaults (id) VALUES (v);
    INSERT INTO tessera_access (vault_id, identity, login, role) VALUES (v, creator, session_user, 'admin');
END
$f$;

CREATE OR REPLACE FUNCTION tessera_grant(v text, member text, member_role text, member_login text, verifier text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @schema@, pg_temp AS $f$
DECLARE
    old record;
BEGIN
    IF NOT tessera_is_admin(v) THEN
        RAISE EXCEPTION 'only an admin of this vault may add members' USING ERRCODE = '42501';
    END IF;
    IF member_role NOT IN ('admin', 'member') THEN
        RAISE EXCEPTION 'no such role: %', member_role USING ERRCODE = '22023';
    END IF;
    IF member_login !~ '^tessera_[0-9a-f]{32}$' OR verifier !~ '^SCRAM-SHA-256\\$' THEN
        RAISE EXCEPTION 'not a login Tessera mints' USING ERRCODE = '22023';
    END IF;
    SELECT login, minted INTO old FROM tessera_access WHERE vault_id = v AND identity = member;
    IF FOUND AND old.minted THEN
        EXECUTE format('ALTER ROLE %I NOLOGIN', old.login);
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE tessera_client', member_login, verifier);
    INSERT INTO tessera_access (vault_id, identity, login, role, minted)
    VALUES (v, member, member_login, member_role, true)
    ON CONFLICT (vault_id, identity) DO UPDATE
        SET login = excluded.login, role = excluded.role, minted = true;
END
$f$;

CREATE OR REPLACE FUNCTION tessera_revoke(v text, member text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, @schema@, pg_temp AS $f$
BEGIN
    IF NOT tessera_is_admin(v) THEN
        RAISE EXCEPTION 'only an admin of this vault may remove members' USING ERRCODE = '42501';
    END IF;
    UPDATE tessera_access SET role = 'removed' WHERE vault_id = v AND identity = member;
END
$f$;

-- Only an admin moves the vault to a new epoch; no one moves its head back.
CREATE OR REPLACE FUNCTION tessera_vault_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, @schema@, pg_temp AS $f$
BEGIN
    IF NEW.id <> OLD.id OR NEW.head < OLD.head THEN
        RAISE EXCEPTION 'a vault''s id and sequence number only go forward' USING ERRCODE = '42501';
    END IF;
    IF NEW.epoch <> OLD.epoch AND NOT tessera_is_admin(NEW.id) THEN
        RAISE EXCEPTION 'only an admin may change the vault''s key' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END
$f$;
DROP TRIGGER IF EXISTS tessera_vault_guard ON tessera_vaults;
CREATE TRIGGER tessera_vault_guard BEFORE UPDATE ON tessera_vaults
    FOR EACH ROW EXECUTE FUNCTION tessera_vault_guard();

ALTER TABLE tessera_vaults ENABLE ROW LEVEL SECURITY;
ALTER TABLE tessera_rosters ENABLE ROW LEVEL SECURITY;
ALTER TABLE tessera_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE tessera_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE tessera_access ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS tessera_read ON tessera_vaults;
DROP POLICY IF EXISTS tessera_change ON tessera_vaults;
CREATE POLICY tessera_read ON tessera_vaults FOR SELECT
    USING (id IN (SELECT tessera_my_vaults(false)));
CREATE POLICY tessera_change ON tessera_vaults FOR UPDATE
    USING (id IN (SELECT tessera_my_vaults(false)));

DROP POLICY IF EXISTS tessera_read ON tessera_rosters;
DROP POLICY IF EXISTS tessera_add ON tessera_rosters;
CREATE POLICY tessera_read ON tessera_rosters FOR SELECT
    USING (vault_id IN (SELECT tessera_my_vaults(true)));
CREATE POLICY tessera_add ON tessera_rosters FOR INSERT
    WITH CHECK (tessera_is_admin(vault_id) AND signer = tessera_me(vault_id));

DROP POLICY IF EXISTS tessera_read ON tessera_members;
DROP POLICY IF EXISTS tessera_add ON tessera_members;
DROP POLICY IF EXISTS tessera_change ON tessera_members;
CREATE POLICY tessera_read ON tessera_members FOR SELECT
    USING (identity = tessera_me(vault_id) OR tessera_is_admin(vault_id));
CREATE POLICY tessera_add ON tessera_members FOR INSERT
    WITH CHECK (tessera_is_admin(vault_id));
CREATE POLICY tessera_change ON tessera_members FOR UPDATE
    USING (tessera_is_admin(vault_id));

DROP POLICY IF EXISTS tessera_read ON tessera_records;
DROP POLICY IF EXISTS tessera_add ON tessera_records;
DROP POLICY IF EXISTS tessera_change ON tessera_records;
CREATE POLICY tessera_read ON tessera_records FOR SELECT
    USING (vault_id IN (SELECT tessera_my_vaults(false)));
CREATE POLICY tessera_add ON tessera_records FOR INSERT
    WITH CHECK (tessera_may_write(vault_id, record_id, author));
CREATE POLICY tessera_change ON tessera_records FOR UPDATE
    USING (vault_id IN (SELECT tessera_my_vaults(false)))
    WITH CHECK (tessera_may_write(vault_id, record_id, author));

DROP POLICY IF EXISTS tessera_read ON tessera_access;
CREATE POLICY tessera_read ON tessera_access FOR SELECT USING (login = current_user);

REVOKE ALL ON tessera_vaults, tessera_rosters, tessera_members, tessera_records, tessera_access FROM PUBLIC;
GRANT SELECT, UPDATE ON tessera_vaults TO tessera_client;
GRANT SELECT, INSERT ON tessera_rosters TO tessera_client;
GRANT SELECT, INSERT, UPDATE ON tessera_members, tessera_records TO tessera_client;
GRANT SELECT ON tessera_access TO tessera_client;
-- The version alone, to any account: one not yet granted tessera_client is told so.
GRANT SELECT ON tessera_schema TO PUBLIC;
REVOKE ALL ON FUNCTION tessera_create_vault(text, text), tessera_grant(text, text, text, text, text),
    tessera_revoke(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tessera_create_vault(text, text), tessera_grant(text, text, text, text, text),
    tessera_revoke(text, text) TO tessera_client;
";

/// The access rules for tables in schema `schema` (quoted).
pub(crate) fn rules(schema: &str) -> String {
    ACCESS.replace("@schema@", schema)
}

/// A login minted for a new member: its name and secret. The secret is 32 random
/// bytes (sealed to the member like a vault key); the server gets only a SCRAM
/// verifier of it, never the password itself.
pub struct Login {
    pub name: String,
    pub secret: VaultKey,
}

impl Login {
    pub fn mint() -> Login {
        Login {
            name: format!("tessera_{}", uuid::Uuid::now_v7().simple()),
            secret: VaultKey::generate(),
        }
    }

    /// The password the member connects with.
    pub fn password(&self) -> Zeroizing<String> {
        password_of(self.secret.expose())
    }

    /// What the server keeps to check the password.
    pub fn verifier(&self) -> String {
        postgres_protocol::password::scram_sha_256(self.password().as_bytes())
    }
}

/// The password a login secret stands for.
pub(crate) fn password_of(secret: &[u8]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(secret.len() * 2));
    for byte in secret {
        out.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    out
}

/// Where the authority (`user:password@host:port`) of a URL-form address begins and
/// ends.
fn authority(server: &str) -> (usize, usize) {
    let start = server.find("://").map_or(0, |i| i + 3);
    let end = server[start..]
        .find(['/', '?'])
        .map_or(server.len(), |i| i + start);
    (start, end)
}

/// Whether `server` names a user of its own.
pub fn names_user(server: &str) -> bool {
    if !server.contains("://") {
        return server
            .split_whitespace()
            .any(|pair| pair.to_ascii_lowercase().starts_with("user="));
    }
    let (start, end) = authority(server);
    server[start..end].contains('@')
}

/// `server` with `user` and `password` in place of any credentials it names.
pub fn with_login(server: &str, user: &str, password: &str) -> Zeroizing<String> {
    if !server.contains("://") {
        let mut pairs: Vec<&str> = server
            .split_whitespace()
            .filter(|pair| {
                let pair = pair.to_ascii_lowercase();
                !pair.starts_with("user=") && !pair.starts_with("password=")
            })
            .collect();
        let login = format!("user={user}");
        let secret = Zeroizing::new(format!("password={password}"));
        pairs.push(&login);
        pairs.push(&secret);
        return Zeroizing::new(pairs.join(" "));
    }
    let (start, end) = authority(server);
    let host = server[start..end]
        .rfind('@')
        .map_or(start, |i| start + i + 1);
    Zeroizing::new(format!(
        "{}{user}:{password}@{}",
        &server[..start],
        &server[host..]
    ))
}

/// What the server's refusal of a write means for the person who asked.
pub(crate) fn refusal(detail: &str) -> Option<Error> {
    if detail.contains("row-level security") || detail.contains("permission denied for table") {
        return Some(Error::Server(format!(
            "{detail}: the server refuses this login that write (it is not a member of the vault, or not an admin)"
        )));
    }
    if detail.contains("permission denied for function") {
        return Some(Error::Server(format!(
            "{detail}: this account is not one of Tessera's on this server; use the account that made its tables, or have it run GRANT {CLIENT_ROLE} TO the account"
        )));
    }
    if detail.contains("permission denied to create role") {
        return Some(Error::Server(format!(
            "{detail}: Tessera gives each member a login of their own, so the account that made the vault's tables needs CREATEROLE (ALTER ROLE … CREATEROLE), or be the server's superuser"
        )));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_replaces_the_credentials_an_address_names() {
        assert_eq!(
            with_login("postgres://a:b@db:5432/t?sslmode=require", "u", "p").as_str(),
            "postgres://u:p@db:5432/t?sslmode=require"
        );
        assert_eq!(
            with_login("postgresql://db/t", "u", "p").as_str(),
            "postgresql://u:p@db/t"
        );
        assert_eq!(
            with_login("host=db user=a password=b dbname=t", "u", "p").as_str(),
            "host=db dbname=t user=u password=p"
        );
        assert!(names_user("postgres://a@db/t"));
        assert!(!names_user("postgres://db/t?x=a@b"));
        assert!(names_user("host=db user=a"));
        assert!(!names_user("host=db"));
    }

    #[test]
    fn a_minted_login_is_one_the_server_takes() {
        let login = Login::mint();
        assert!(login.name.starts_with("tessera_") && login.name.len() == 40);
        assert_eq!(login.password().len(), 64);
        assert!(login.verifier().starts_with("SCRAM-SHA-256$"));
        assert!(!login.verifier().contains(login.password().as_str()));
    }
}
