//! A real PostgreSQL server for a test: `initdb` into a temp folder and `pg_ctl` on a
//! free loopback port, stopped (immediately) when dropped. As root, the server runs as
//! the `postgres` user, which `initdb` requires.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = "/usr/lib/postgresql/15/bin";

/// The superuser's password. Connections over TCP are checked with SCRAM, as a real
/// server's are, so a member's minted login is tested with its own password.
pub const PASSWORD: &str = "tessera-pg";

pub struct Postgres {
    pub dir: tempfile::TempDir,
    pub port: u16,
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// `program args…` in the server's folder, as the `postgres` user when root.
fn as_server_user(program: &str, args: &[&str]) -> Command {
    let path = format!("{BIN}/{program}");
    let mut cmd = if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--", &path]).args(args);
        cmd
    } else {
        let mut cmd = Command::new(path);
        cmd.args(args);
        cmd
    };
    cmd.env("PGPASSWORD", PASSWORD);
    cmd
}

fn run(mut cmd: Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{what}: {e} (PostgreSQL 15's server is the `postgresql` package; `make test` installs it)")
    });
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Postgres {
    pub fn start() -> Postgres {
        let pg = Postgres::init();
        pg.ctl_start();
        pg
    }

    /// A server that speaks TLS with `cert` and `key` (PEM), as well as plain.
    pub fn start_with_tls(cert: &str, key: &str) -> Postgres {
        let pg = Postgres::init();
        let data = pg.data();
        std::fs::write(data.join("server.crt"), cert).expect("cert");
        std::fs::write(data.join("server.key"), key).expect("key");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            data.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("key mode");
        if is_root() {
            let uid = std::fs::metadata(&data)
                .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
                .expect("owner");
            for file in ["server.crt", "server.key"] {
                std::os::unix::fs::chown(data.join(file), Some(uid), None).expect("chown");
            }
        }
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str("\nssl = on\n");
        std::fs::write(&conf, text).expect("postgresql.conf");
        pg.ctl_start();
        pg
    }

    fn init() -> Postgres {
        let dir = tempfile::Builder::new()
            .prefix("tessera-pg")
            .tempdir()
            .expect("tempdir");
        if is_root() {
            let postgres = run(
                {
                    let mut c = Command::new("id");
                    c.args(["-u", "postgres"]);
                    c
                },
                "the postgres user",
            );
            let uid: u32 = postgres.trim().parse().expect("uid");
            std::os::unix::fs::chown(dir.path(), Some(uid), None).expect("chown");
        }
        let data = dir.path().join("data");
        let pwfile = dir.path().join("pwfile");
        std::fs::write(&pwfile, PASSWORD).expect("pwfile");
        run(
            as_server_user(
                "initdb",
                &[
                    "-D",
                    data.to_str().expect("path"),
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    &format!("--pwfile={}", pwfile.display()),
                    "-U",
                    "postgres",
                    "--no-sync",
                ],
            ),
            "initdb",
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        Postgres { dir, port }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `pg_ctl start` on the test's port and socket folder, waiting until it is up.
    fn start_command(&self) -> Command {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        as_server_user(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().expect("path"),
                "-o",
                &options,
                "-l",
                log.to_str().expect("path"),
                "-w",
                "start",
            ],
        )
    }

    fn ctl_start(&self) {
        run(self.start_command(), "pg_ctl start");
    }

    /// Stops the server at once, as a crash would (SIGQUIT to every backend).
    pub fn stop(&self) {
        let _ = as_server_user(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().expect("path"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        )
        .output();
    }

    /// Starts the server again after [`Postgres::stop`] or a kill, its data kept.
    pub fn start_again(&self) {
        let pid_file = self.data().join("postmaster.pid");
        for _ in 0..100 {
            // A killed server's process may linger as a zombie no one reaps (it was
            // daemonized): then its pid file is stale, and is removed.
            if let Ok(text) = std::fs::read_to_string(&pid_file) {
                let pid = text.lines().next().unwrap_or_default().trim().to_string();
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                let state = stat
                    .rsplit(')')
                    .next()
                    .unwrap_or_default()
                    .trim_start()
                    .chars()
                    .next();
                if matches!(state, None | Some('Z')) {
                    let _ = std::fs::remove_file(&pid_file);
                }
            }
            let ok = self
                .start_command()
                .output()
                .is_ok_and(|o| o.status.success());
            if ok {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        panic!("the server did not start again");
    }

    /// Kills the server's main process with SIGKILL, as a crash or the OOM killer would.
    pub fn kill(&self) {
        let pid =
            std::fs::read_to_string(self.data().join("postmaster.pid")).expect("postmaster.pid");
        let pid: i32 = pid
            .lines()
            .next()
            .expect("pid")
            .trim()
            .parse()
            .expect("pid");
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }

    pub fn url(&self) -> String {
        format!(
            "postgres://postgres:{PASSWORD}@127.0.0.1:{}/postgres",
            self.port
        )
    }

    /// Runs SQL as the server's superuser (psql), as a malicious server would.
    pub fn sql(&self, sql: &str) -> String {
        self.sql_as("postgres", PASSWORD, sql)
            .unwrap_or_else(|err| panic!("psql: {err}"))
    }

    /// Runs SQL as login `user` with `password` (psql over TCP, so the password is
    /// checked): what it prints, or the server's refusal.
    pub fn sql_as(&self, user: &str, password: &str, sql: &str) -> Result<String, String> {
        let port = self.port.to_string();
        let mut cmd = as_server_user(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                user,
                "-d",
                "postgres",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
        );
        cmd.env("PGPASSWORD", password);
        let out = cmd.output().expect("psql");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// Everything the server holds, as `pg_dump` writes it.
    pub fn dump(&self) -> String {
        let port = self.port.to_string();
        run(
            as_server_user(
                "pg_dump",
                &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "postgres"],
            ),
            "pg_dump",
        )
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}
