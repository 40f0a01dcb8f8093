import { execFileSync } from "node:child_process";
import { openApp, freshHome, click, tid, waitFor, stopDriver, cli } from "./harness.mjs";
const home = freshHome();
const browser = await openApp(home);
await click(browser, tid("setup-keyring"));
await click(browser, tid("setup-submit"));
await waitFor(browser, tid("new-token"), 20_000);
const invoke = (cmd, args) => browser.executeAsync((c, a, done) => window.__TAURI_INTERNALS__.invoke(c, a).then((ok) => done({ ok }), (err) => done({ err })), cmd, args);
const req = (name) => ({ request: { kind: "personal", name, description: "", expires: "never", apis: [], projects: [], users: [], service_account: null, rsa_bits: null, jwt_alg: null, rotation_days: null, value: null, service: null } });
for (let i = 0; i < 400; i++) {
  const r = await invoke("create_token", req(`app-${i}`));
  if (r.err) { console.log("app err", i, JSON.stringify(r.err)); break; }
  if (i % 25 === 0) {
    const pid = execFileSync("pgrep", ["-n", "-x", "tessera-app"]).toString().trim();
    const fds = execFileSync("sh", ["-c", `ls /proc/${pid}/fd | wc -l; ls /proc/${pid}/task | wc -l; ls -l /proc/${pid}/fd | grep -c socket`]).toString().trim().split("\n");
    console.log("i", i, "fds", fds[0], "threads", fds[1], "sockets", fds[2]);
    try { execFileSync(cli, ["list", "--limit", "1"], { env: { ...process.env, TESSERA_HOME: home.home }, stdio: "pipe" }); }
    catch (e) { console.log("cli failed after", i, String(e.stderr)); break; }
  }
}
console.log("done");
await browser.deleteSession();
stopDriver();
