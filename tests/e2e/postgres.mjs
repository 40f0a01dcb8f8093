// A real PostgreSQL 15 server for the shared-vault tests: `initdb` into a temporary
// folder and `pg_ctl` on a free loopback port (as the `postgres` user when root, which
// `initdb` requires), stopped at once by `stop`.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const BIN = "/usr/lib/postgresql/15/bin";
const root = process.getuid?.() === 0;

function asServerUser(program, args) {
  const bin = path.join(BIN, program);
  return root
    ? execFileSync("runuser", ["-u", "postgres", "--", bin, ...args], { stdio: "pipe" })
    : execFileSync(bin, args, { stdio: "pipe" });
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The superuser's password. */
const PASSWORD = "tessera-pg";

/** Starts a server; resolves to { url, stop, start }. */
export async function startPostgres() {
  const dir = mkdtempSync(path.join(tmpdir(), "tessera-e2e-pg-"));
  chmodSync(dir, 0o755);
  if (root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    chownSync(dir, uid, -1);
  }
  const data = path.join(dir, "data");
  // Passwords are checked over TCP (SCRAM), as on a real server: each member's login
  // Tessera mints is then tested with its own.
  const pwfile = path.join(dir, "pwfile");
  writeFileSync(pwfile, PASSWORD);
  asServerUser("initdb", [
    "-D", data, "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${pwfile}`, "-U", "postgres", "--no-sync",
  ]);
  const port = await freePort();
  const start = () =>
    asServerUser("pg_ctl", [
      "-D", data, "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "-l", path.join(dir, "log"), "-w", "start",
    ]);
  const stop = () => {
    try {
      asServerUser("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } catch {
      // Already stopped.
    }
  };
  start();
  return { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`, stop, start };
}
