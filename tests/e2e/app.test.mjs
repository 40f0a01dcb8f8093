// End-to-end: the built Tessera app in its real WebView, driven through WebDriver under
// Xvfb, against a temporary vault, a headless gnome-keyring and the real X clipboard.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash, createPublicKey } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  app, appLog, cli, click, clipboard, problems, dismissToasts, focusedWindow, freshHome, inPalette, keys, openApp,
  PALETTE_TITLE, paletteShown, row, rowAction, screenshot, select, sleep, stopDriver, tessera, text, count, tid, type,
  typeKeys, waitFor, waitGone, waitToast,
} from "./harness.mjs";
import { keyForms, scanProcess } from "./memscan.mjs";
import { startPostgres } from "./postgres.mjs";

after(stopDriver);

/** The recovery kit shown after setup: its key, as the page writes it (groups joined by "-"). */
async function recoveryKey(browser) {
  await waitFor(browser, tid("recovery-kit"), 30_000);
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="recovery-key"] .recovery-group')].map((span) => span.textContent).join("-"));
}

/** Keeps the recovery kit on screen: ticks "I have printed…" and continues to the vault. */
async function keepKit(browser) {
  await click(browser, tid("recovery-kept"));
  await click(browser, tid("recovery-done"));
  await waitFor(browser, tid("new-token"), 20_000);
}

/** Fills and submits the generate dialog; returns the created secret (if any). */
async function createToken(browser, kind, name, { apis = [], projects = [], users = [], serviceAccount, value, expiry = "30d", shot } = {}) {
  await click(browser, tid("new-token"));
  await select(browser, "#gen-kind", kind);
  await type(browser, "#gen-name", name);
  if (kind === "external") await type(browser, "#gen-value", value);
  await select(browser, "#gen-expiry", expiry);
  for (const api of apis) await click(browser, `${tid("api-option")}[data-name="${api}"]`);
  for (const project of projects) await click(browser, `${tid("project-option")}[data-name="${project}"]`);
  for (const user of users) await click(browser, `${tid("user-option")}[data-name="${user}"]`);
  if (serviceAccount) await select(browser, "#gen-service-account", serviceAccount);
  if (shot) {
    await sleep(400); // let the dialog finish fading in
    screenshot(shot);
  }
  await click(browser, tid("gen-submit"));
  await waitFor(browser, tid("created-panel"), 30_000);
  let secret = null;
  if (kind !== "rsa") {
    await click(browser, tid("created-reveal"));
    await browser.waitUntil(async () => !(await text(browser, tid("created-secret"))).includes("•"));
    secret = (await text(browser, tid("created-secret"))).replace(/\s/g, "");
  }
  return secret;
}

async function closeCreated(browser) {
  await click(browser, tid("created-done"));
  await waitGone(browser, tid("created-panel"));
}

async function addCatalog(browser, nav, name) {
  await click(browser, tid(nav));
  await type(browser, "#catalog-name", name);
  await click(browser, tid("catalog-add"));
  await waitFor(browser, `${tid("catalog-row")}[data-name="${name}"]`);
}

/** Waits until the palette's search box has the focus with its text selected, as a
 * person sees it when the palette opens. */
async function readyToType(browser) {
  await browser.waitUntil(
    async () =>
      browser.execute(() => {
        const input = document.querySelector('[data-testid="palette-search"]');
        return document.hasFocus() && document.activeElement === input &&
          input.selectionStart === 0 && input.selectionEnd === input.value.length;
      }),
    { timeout: 5000, timeoutMsg: "the palette's search box is not ready for typing" },
  );
}

async function rowAttr(browser, name, attr) {
  return (await browser.$(row(name))).getAttribute(attr);
}

describe("a keyring vault", () => {
  const home = freshHome();
  let browser;
  const secrets = {};

  before(async () => {
    browser = await openApp(home);
  });
  after(async () => {
    await browser?.deleteSession();
  });

  test("the page's CSP violations and errors are caught (so the last test can fail)", async () => {
    // eval is refused by script-src 'self'; the watcher must see it.
    await browser.execute(() => {
      try {
        // eslint-disable-next-line no-eval
        eval("1");
      } catch {
        // Refused, as it should be.
      }
    });
    await browser.waitUntil(async () => (await browser.execute(() => window.__e2eProblems.length)) > 0, {
      timeout: 5000,
      timeoutMsg: "the eval was not reported as a CSP violation",
    });
    const seen = await problems(browser);
    assert.match(seen.join("\n"), /CSP violation: script-src/);
  });

  test("first run keeps the key in the keyring and shows the recovery kit once", async () => {
    await click(browser, tid("setup-keyring"));
    await click(browser, tid("setup-submit"));
    const key = await recoveryKey(browser);
    assert.match(key, /^TSR(-[0-9A-HJKMNP-TV-Z]{5}){6}-[0-9A-HJKMNP-TV-Z]{2}[0-9A-HJKMNP-TV-Z*~$=U]$/);
    assert.equal(await (await browser.$(tid("recovery-done"))).isEnabled(), false, "continue waits for the tick");
    await sleep(300);
    screenshot("recovery-kit");
    await keepKit(browser);
    assert.equal(await (await browser.$(tid("recovery-reminder"))).isExisting(), false, "a kept kit ends the reminder");
    for (const [nav, name] of [
      ["nav-apis", "billing"], ["nav-apis", "search"], ["nav-projects", "apollo"],
      ["nav-users", "ada"], ["nav-service-accounts", "ci-bot"],
    ]) {
      await addCatalog(browser, nav, name);
    }
    await click(browser, tid("nav-all"));
  });

  test("a page script cannot move a keyring vault to its own password: Rust asks the person", async () => {
    // The native dialog is answered "Cancel" in this test build (TESSERA_TEST_CONFIRM=no).
    const changed = await browser.executeAsync((done) =>
      window.__TAURI_INTERNALS__
        .invoke("change_password", { currentPassword: null, newPassword: "taken over by a script" })
        .then(() => done("changed"), (err) => done(err.kind)));
    assert.equal(changed, "cancelled");
    const status = await browser.executeAsync((done) => window.__TAURI_INTERNALS__.invoke("app_status").then(done));
    assert.equal(status.protection, "keyring");
  });

  test("a page script cannot make itself a recovery key: Rust asks the person", async () => {
    // A recovery key is a way into the vault for whoever reads it; the dialog says "Cancel" here.
    const made = await browser.executeAsync((done) =>
      window.__TAURI_INTERNALS__
        .invoke("new_recovery_kit", { currentPassword: null })
        .then((kit) => done(kit.recovery_key ? "made" : "empty"), (err) => done(err.kind)));
    assert.equal(made, "cancelled");
    const status = await browser.executeAsync((done) => window.__TAURI_INTERNALS__.invoke("app_status").then(done));
    assert.equal(status.recovery, "confirmed", "the kept kit still stands");
  });

  test("the app and its web process start with the memory settings (environment.rs)", () => {
    const environ = (pid) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    const appPid = execFileSync("pgrep", ["-n", "-x", "tessera-window"]).toString().trim();
    const webPid = execFileSync("pgrep", ["-n", "-f", "WebKitWebProcess"]).toString().trim();
    for (const pid of [appPid, webPid]) {
      const variables = environ(pid);
      assert.ok(variables.includes("WEBKIT_DISABLE_DMABUF_RENDERER=1"), `pid ${pid}`);
      assert.ok(variables.includes("GDK_GL=disable"), `pid ${pid}`);
      assert.ok(variables.includes("JSC_smallHeapGrowthFactor=1.27"), `pid ${pid}`);
      // Mini mode's 5 ms allocator scavenger stalled keystrokes (environment.rs).
      assert.ok(!variables.some((v) => v.startsWith("JSC_forceMiniVMMode=")), `pid ${pid}`);
      assert.ok(variables.includes("JSC_largeHeapSize=8388608"), `pid ${pid}`);
      assert.ok(variables.includes("JSC_useGenerationalGC=false"), `pid ${pid}`);
    }
  });

  test("each kind is created and shows active and Not used", async () => {
    secrets.workspace = await createToken(browser, "workspace", "team workspace", { expiry: "never" });
    await closeCreated(browser);
    secrets.personal = await createToken(browser, "personal", "prod deploy", { apis: ["billing"], shot: "generate-modal" });
    await sleep(400);
    screenshot("created-panel");
    await closeCreated(browser);
    secrets.service = await createToken(browser, "service", "search indexer", { apis: ["search"], serviceAccount: "ci-bot" });
    await closeCreated(browser);
    await createToken(browser, "rsa", "partner integration", { apis: ["billing"], projects: ["apollo"], expiry: "90d" });
    await closeCreated(browser);
    secrets.jwt = await createToken(browser, "jwt", "web session", { apis: ["billing"], users: ["ada"], expiry: "7d" });
    await closeCreated(browser);
    secrets.external = await createToken(browser, "external", "gitlab ci", { value: "glpat-e2eE2Ee2eE2Ee2eE2E" });
    await closeCreated(browser);

    for (const [name, kind] of [
      ["team workspace", "workspace"], ["prod deploy", "personal"], ["search indexer", "service"],
      ["partner integration", "rsa"], ["web session", "jwt"], ["gitlab ci", "external"],
    ]) {
      await waitFor(browser, row(name));
      assert.equal(await rowAttr(browser, name, "data-kind"), kind);
      const status = await rowAttr(browser, name, "data-status");
      assert.ok(status === "active" || status === "expiring", `${name} is ${status}`);
      assert.equal(await text(browser, `${row(name)} ${tid("token-usage")}`), "Not used");
    }
    assert.match(secrets.personal, /^tsp_[0-9A-Za-z]{36}$/);
    assert.match(secrets.jwt, /^eyJ/);
    await dismissToasts(browser);
    screenshot("token-list");
  });

  test("the CLI verifies what the app created, and the app shows the use", async () => {
    const out = tessera(home, "verify", secrets.personal, "--api", "billing");
    assert.match(out, /^active/);
    // No click: the window notices the CLI's change by itself.
    await browser.waitUntil(async () => (await text(browser, `${row("prod deploy")} ${tid("token-usage")}`)).startsWith("Last used"), {
      timeout: 6000,
      timeoutMsg: "the use recorded by the CLI is not shown",
    });
  });

  test("the list and counts follow tokens the CLI creates and deletes while the app is open", async () => {
    const personal = async () => Number(await text(browser, `${tid("nav-personal")} .nav-count`));
    const before = await personal();
    tessera(home, "create", "personal", "--name", "made by the cli", "--api", "billing");
    await browser.waitUntil(async () => (await count(browser, row("made by the cli"))) === 1, {
      timeout: 6000,
      timeoutMsg: "the CLI's new token is not listed",
    });
    assert.equal(await personal(), before + 1);
    tessera(home, "revoke", "made by the cli");
    await browser.waitUntil(async () => (await rowAttr(browser, "made by the cli", "data-status")) === "revoked", { timeout: 6000 });
    tessera(home, "delete", "--yes", "made by the cli");
    await browser.waitUntil(async () => (await count(browser, row("made by the cli"))) === 0, {
      timeout: 6000,
      timeoutMsg: "the CLI's deleted token is still listed",
    });
    assert.equal(await personal(), before);
  });

  test("copy puts the secret on the clipboard and clears it", async () => {
    await click(browser, tid("nav-settings"));
    await type(browser, "#set-clipboard", "3");
    await click(browser, tid("settings-save"));
    await waitToast(browser, "Settings saved");
    await click(browser, tid("nav-all"));
    await rowAction(browser, "prod deploy", "copy");
    await browser.waitUntil(async () => clipboard() === secrets.personal, { timeout: 5000, timeoutMsg: "secret not on the clipboard" });
    await waitToast(browser, "Clipboard clears");
    await browser.waitUntil(async () => clipboard() === "", { timeout: 8000, timeoutMsg: "clipboard not cleared" });
    await rowAction(browser, "web session", "copy-secret-id");
    await browser.waitUntil(async () => clipboard() === secrets.jwt, { timeout: 5000 });
  });

  test("search narrows and highlights", async () => {
    await click(browser, tid("nav-all"));
    const rows = () => count(browser, tid("token-row"));
    await browser.waitUntil(async () => (await rows()) === 6, { timeoutMsg: "not 6 rows" });
    await type(browser, "#search", "dep");
    await browser.waitUntil(async () => (await rows()) === 1, { timeoutMsg: "search did not narrow" });
    const marks = await browser.execute(() =>
      Array.from(document.querySelectorAll('[data-testid="token-name"] mark')).map((m) => m.textContent).join(""),
    );
    assert.equal(marks, "dep");
    await type(browser, "#search", "");
    await browser.waitUntil(async () => (await rows()) === 6);
  });

  test("the quick-access palette: tessera-app --palette and the shortcut open it, Enter copies, Shift+Enter copies the reference, Esc hides", async () => {
    // A desktop's own key binding runs this: the running app takes it and it exits.
    const started = Date.now();
    const opened = spawnSync(app, ["--palette"], { env: { ...process.env, TESSERA_HOME: home.home }, timeout: 20_000 });
    assert.equal(opened.status, 0, "tessera-app --palette did not hand over to the running app");
    assert.ok(Date.now() - started < 5000, "the hand-over took over 5 s");
    await browser.waitUntil(async () => paletteShown(), { timeout: 15_000, timeoutMsg: "the palette did not show" });
    await browser.waitUntil(async () => focusedWindow() === PALETTE_TITLE, { timeout: 5000, timeoutMsg: "the palette has no focus" });
    await inPalette(browser, async () => {
      await waitFor(browser, tid("palette-search"));
      // Typed on the keyboard: the search box has the focus without a click.
      await readyToType(browser);
      typeKeys("dep");
      await browser.waitUntil(async () => (await count(browser, tid("palette-row"))) === 1, { timeoutMsg: "the palette did not find 'dep'" });
      const found = await browser.execute(() => ({
        name: document.querySelector('[data-testid="palette-row"]').dataset.name,
        marks: Array.from(document.querySelectorAll('[data-testid="palette-row"] mark')).map((m) => m.textContent).join(""),
      }));
      assert.deepEqual(found, { name: "prod deploy", marks: "dep" });
      await sleep(300);
      screenshot("palette");
      keys("Return");
      await browser.waitUntil(async () => clipboard() === secrets.personal, { timeout: 5000, timeoutMsg: "Enter did not copy the token" });
      assert.match(await text(browser, tid("palette-done")), /Copied prod deploy: the clipboard clears in \d+ s/);
    });
    await browser.waitUntil(async () => !paletteShown(), { timeout: 5000, timeoutMsg: "the palette stayed after the copy" });

    // The shortcut is a setting; one that would take a key from typing is refused.
    await click(browser, tid("nav-settings"));
    await type(browser, tid("settings-shortcut"), "Shift+K");
    await click(browser, tid("settings-save"));
    await waitFor(browser, tid("settings-error"));
    assert.match(await text(browser, tid("settings-error")), /would take a key from typing everywhere: add Ctrl, Alt or Super/);
    await type(browser, tid("settings-shortcut"), "Ctrl+Shift+Space");
    await click(browser, tid("settings-save"));
    await waitToast(browser, "Settings saved");
    await click(browser, tid("nav-all"));

    // The global shortcut, pressed as a keyboard does (the X server's XTEST).
    keys("ctrl+shift+space");
    await browser.waitUntil(async () => paletteShown() && focusedWindow() === PALETTE_TITLE, { timeout: 5000, timeoutMsg: "Ctrl+Shift+Space did not open the palette" });
    await inPalette(browser, async () => {
      // What was typed before is selected: typing replaces it.
      await readyToType(browser);
      typeKeys("gitl");
      await browser.waitUntil(async () => (await browser.execute(() =>
        Array.from(document.querySelectorAll('[data-testid="palette-row"]')).map((r) => r.dataset.name).join(","))) === "gitlab ci",
      { timeoutMsg: "the palette did not find 'gitl'" });
      keys("shift+Return");
      await browser.waitUntil(async () => clipboard() === "tessera://gitlab%20ci", { timeout: 5000, timeoutMsg: "Shift+Enter did not copy the reference" });
    });
    await browser.waitUntil(async () => !paletteShown(), { timeout: 5000 });
    // The reference resolves to the token, as tessera run hands it to a program.
    assert.equal(tessera(home, "get", "gitlab ci").trim(), secrets.external);

    keys("ctrl+shift+space");
    await browser.waitUntil(async () => paletteShown(), { timeout: 5000 });
    keys("Escape");
    await browser.waitUntil(async () => !paletteShown(), { timeout: 5000, timeoutMsg: "Esc did not hide the palette" });
    // The main window is as it was, and the shortcut toggles: pressed twice, it hides again.
    await waitFor(browser, tid("new-token"));
    keys("ctrl+shift+space");
    await browser.waitUntil(async () => paletteShown() && focusedWindow() === PALETTE_TITLE, { timeout: 5000 });
    keys("ctrl+shift+space");
    await browser.waitUntil(async () => !paletteShown(), { timeout: 5000, timeoutMsg: "the shortcut did not hide the palette" });
  });

  test("no Delete on an active token; revoke, restore, revoke, delete", async () => {
    await click(browser, `${row("search indexer")} ${tid("row-menu")}`);
    assert.equal(await (await browser.$(tid("action-delete"))).isExisting(), false);
    await browser.keys("Escape");
    await rowAction(browser, "search indexer", "revoke");
    await waitToast(browser, "Token successfully revoked");
    await browser.waitUntil(async () => (await rowAttr(browser, "search indexer", "data-status")) === "revoked");
    await rowAction(browser, "search indexer", "restore");
    await waitToast(browser, "Token successfully restored");
    await browser.waitUntil(async () => (await rowAttr(browser, "search indexer", "data-status")) === "active");
    await rowAction(browser, "search indexer", "revoke");
    await browser.waitUntil(async () => (await rowAttr(browser, "search indexer", "data-status")) === "revoked");
    await rowAction(browser, "search indexer", "delete");
    await waitFor(browser, tid("confirm-dialog"));
    const dialogText = await text(browser, tid("confirm-dialog"));
    assert.match(dialogText, /Delete Token/);
    assert.match(dialogText, /cannot be undone/i);
    await sleep(400);
    screenshot("delete-confirm");
    await click(browser, tid("confirm-ok"));
    await waitToast(browser, "Token successfully deleted");
    await waitGone(browser, row("search indexer"));
    assert.match(tessera(home, "audit", "--token", "search indexer"), /delete/);
  });

  test("RSA download gives a private, parseable token file matching the vault", async () => {
    await rowAction(browser, "partner integration", "download");
    await waitFor(browser, "#download-passphrase");
    await sleep(400);
    screenshot("rsa-token");
    await click(browser, tid("download-submit"));
    await waitToast(browser, "saved");
    const files = readdirSync(home.downloads);
    assert.equal(files.length, 1);
    const file = path.join(home.downloads, files[0]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const parsed = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(parsed.type, "tessera_rsa_token");
    assert.equal(parsed.name, "partner integration");
    const der = createPublicKey(parsed.public_key).export({ type: "spki", format: "der" });
    const keyId = createHash("sha256").update(der).digest("base64url");
    assert.equal(parsed.key_id, keyId);
    const shown = JSON.parse(tessera(home, "show", "partner integration", "--json"));
    assert.equal(shown.key_id, keyId, "the file's public key is the vault's");
  });

  test("an RSA token's edited APIs: its new token file from the success view, the old one marked out of date until then", async () => {
    const stale = `${row("partner integration")} ${tid("file-stale")}`;
    assert.equal(await (await browser.$(stale)).isExisting(), false, "the file just downloaded is current");
    await rowAction(browser, "partner integration", "edit");
    await waitFor(browser, "#gen-name");
    await click(browser, `${tid("api-option")}[data-name="search"]`);
    await click(browser, tid("gen-submit"));
    await waitFor(browser, tid("created-edited"), 20_000);
    assert.match(await text(browser, tid("created-panel")), /What the token file says changed/);
    await sleep(400);
    screenshot("rsa-edited");
    // Before the new file is downloaded: the list and `show` say the old one is out of date.
    await waitFor(browser, stale);
    const before = JSON.parse(tessera(home, "show", "partner integration", "--json"));
    assert.notEqual(before.token_file_out_of_date_since, null);
    assert.match(tessera(home, "show", "partner integration"), /Token file: +out of date since/);
    await click(browser, tid("created-download"));
    await waitFor(browser, "#download-passphrase");
    await click(browser, tid("download-submit"));
    await waitToast(browser, "saved");
    await click(browser, tid("created-done"));
    await waitGone(browser, tid("created-panel"));
    await waitGone(browser, stale);
    const after = JSON.parse(tessera(home, "show", "partner integration", "--json"));
    assert.equal(after.token_file_out_of_date_since, null);
    const newest = readdirSync(home.downloads)
      .map((name) => path.join(home.downloads, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    const parsed = JSON.parse(readFileSync(newest, "utf8"));
    assert.deepEqual([...parsed.authorized_apis].sort(), ["billing", "search"], "the new file says what the token now is");
  });

  test("a token a scan found on this machine shows a notice, and Rotate ends it", async () => {
    await createToken(browser, "personal", "leaky key", { apis: ["billing"] });
    await closeCreated(browser);
    const secret = tessera(home, "get", "leaky key").trim();
    const project = path.join(home.root, "project");
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, ".env"), `# local\nLEAKY=${secret}\n`);
    const scan = spawnSync(cli, ["scan", project], { env: { ...process.env, TESSERA_HOME: home.home } });
    assert.equal(scan.status, 1, `a finding exits 1: ${scan.stderr}`);
    assert.match(String(scan.stdout), /\.env:2:7: token 'leaky key' of this vault/);
    assert.ok(!String(scan.stdout).includes(secret.slice(8)), "the scan printed the value");
    // The list shows it the next time it loads.
    await click(browser, tid("nav-personal"));
    await click(browser, tid("nav-all"));
    const notice = `${row("leaky key")} ${tid("found-notice")}`;
    await waitFor(browser, notice, 20_000);
    assert.match(await text(browser, notice), /Found on this machine/);
    assert.match(await (await browser.$(notice)).getAttribute("title"), /project\/\.env:2 on /);
    await dismissToasts(browser);
    await sleep(300);
    screenshot("found-on-this-machine");
    await click(browser, `${row("leaky key")} ${tid("found-rotate")}`);
    await waitFor(browser, tid("created-panel"), 20_000);
    await closeCreated(browser);
    await waitGone(browser, notice);
    assert.notEqual(tessera(home, "get", "leaky key").trim(), secret, "Rotate gave it a new secret");
  });

  test("empty, duplicate and past inputs show inline errors and create nothing", async () => {
    const before = JSON.parse(tessera(home, "list", "--json")).total;
    await click(browser, tid("new-token"));
    await select(browser, "#gen-kind", "personal");
    await click(browser, tid("gen-submit"));
    await waitFor(browser, tid("name-error"));
    await type(browser, "#gen-name", "PROD DEPLOY");
    await browser.waitUntil(async () => (await text(browser, tid("name-error"))).toLowerCase().includes("already"));
    await type(browser, "#gen-name", "fresh name");
    await select(browser, "#gen-expiry", "custom");
    await type(browser, "#gen-expiry-date", "2020-01-01");
    await click(browser, tid("gen-submit"));
    await waitFor(browser, tid("expiry-error"));
    await browser.keys("Escape");
    assert.equal(JSON.parse(tessera(home, "list", "--json")).total, before);
  });

  test("JWT row, activity log and dark theme look right", async () => {
    await click(browser, tid("nav-jwt"));
    await waitFor(browser, row("web session"));
    screenshot("jwt-token");
    await click(browser, tid("nav-activity"));
    await waitFor(browser, tid("audit-row"));
    assert.ok((await count(browser, tid("audit-row"))) >= 10);
    await dismissToasts(browser);
    screenshot("activity");
    await click(browser, tid("nav-settings"));
    await select(browser, "#set-theme", "dark");
    await click(browser, tid("settings-save"));
    await click(browser, tid("nav-all"));
    await waitFor(browser, row("prod deploy"));
    await sleep(300);
    screenshot("dark-theme");
    await click(browser, tid("nav-settings"));
    await select(browser, "#set-theme", "system");
    await click(browser, tid("settings-save"));
  });

  test("a locked app's memory holds no copy of the vault key", async (t) => {
    const { vault_id: vaultId } = JSON.parse(readFileSync(path.join(home.home, "vault.header.json"), "utf8"));
    const key = execFileSync("secret-tool", ["lookup", "service", "dev.tessera", "username", vaultId]);
    assert.equal(key.length, 32, "the vault key, read back from the keyring");
    const appPid = execFileSync("pgrep", ["-n", "-x", "tessera-window"]).toString().trim();
    const webPids = execFileSync("pgrep", ["-f", "WebKitWebProcess"]).toString().trim().split("\n");
    // The scan finds the key while the vault is open: SQLCipher holds it.
    const open = scanProcess(appPid, keyForms(key));
    assert.ok(open.found.length > 0, "the scan finds the key in an unlocked app");

    await click(browser, tid("lock-button"));
    await waitFor(browser, tid("unlock-submit"));
    assert.equal(await text(browser, tid("unlock-submit")), "Unlock", "a keyring vault locked on purpose offers Unlock");
    await sleep(1000);
    const locked = scanProcess(appPid, keyForms(key));
    t.diagnostic(`unlocked: ${open.found.length} copies of the key; locked: ${locked.found.length} ` +
      `(${Math.round(locked.scanned / 2 ** 20)} MiB of resident memory scanned)`);
    assert.deepEqual(locked.found, [], "the vault key is in a locked app's memory");
    for (const pid of webPids) {
      assert.deepEqual(scanProcess(pid, keyForms(key)).found, [], "the vault key is in the web process");
    }
    // Secrets the user saw are reported, not asserted: the web process keeps the strings
    // it displayed until its memory is reused (SECURITY.md).
    const shown = Object.entries(secrets)
      .filter(([, value]) => value)
      .map(([label, value]) => ({ label, bytes: Buffer.from(value) }));
    const inApp = scanProcess(appPid, shown).found.length;
    const inWeb = webPids.reduce((n, pid) => n + scanProcess(pid, shown).found.length, 0);
    t.diagnostic(`token secrets shown this session, after lock: ${inApp} copies in the app process, ${inWeb} in the web process`);

    await click(browser, tid("unlock-submit"));
    await waitFor(browser, tid("new-token"), 20_000);
  });

  test("lock clears a copied secret; at unlock, expiring tokens are announced in a desktop notification", async () => {
    // What the app asks the desktop's notification service, seen on the session bus (no
    // notification daemon runs under Xvfb; the call is what Tessera controls).
    const monitor = spawn("dbus-monitor", [
      "--session", "type=method_call,interface=org.freedesktop.Notifications,member=Notify",
    ]);
    let seen = "";
    monitor.stdout.on("data", (chunk) => (seen += chunk));
    try {
      // A copied secret kept on the clipboard (clearing off) is cleared by the lock.
      await click(browser, tid("nav-settings"));
      await type(browser, "#set-clipboard", "0");
      await click(browser, tid("settings-save"));
      await waitToast(browser, "Settings saved");
      await click(browser, tid("nav-all"));
      await rowAction(browser, "prod deploy", "copy");
      await browser.waitUntil(async () => clipboard() === secrets.personal, { timeout: 5000 });
      await click(browser, tid("lock-button"));
      await waitFor(browser, tid("unlock-submit"));
      await browser.waitUntil(async () => clipboard() === "", { timeout: 5000, timeoutMsg: "the lock left the secret on the clipboard" });
      await click(browser, tid("unlock-submit"));
      await waitFor(browser, tid("new-token"), 20_000);
      // The JWT made earlier expires in 7 days, inside the 7-day warning window.
      await browser.waitUntil(async () => seen.includes("web session"), {
        timeout: 15_000,
        timeoutMsg: `no Notify call named the expiring token; the bus saw: ${seen}`,
      });
      assert.match(seen, /member=Notify/);
      assert.match(seen, /need attention/);
      for (const secret of Object.values(secrets).filter(Boolean)) {
        assert.equal(seen.includes(secret), false, "a secret in a notification");
      }
    } finally {
      monitor.kill();
    }
  });

  test("no CSP violation, uncaught error or console error in the whole session", async () => {
    assert.deepEqual(await problems(browser), []);
  });

  test("the app's trace log names every action and holds no secret", async () => {
    const log = readFileSync(appLog, "utf8");
    for (const command of ["create_token", "copy_secret", "revoke_token", "delete_token", "download_token_file"]) {
      assert.match(log, new RegExp(`tessera ipc: ${command}\\b`), `${command} was traced`);
    }
    const values = Object.values(secrets).filter(Boolean);
    assert.ok(values.length >= 4, "the secrets of the created tokens were collected");
    for (const secret of values) {
      assert.equal(log.includes(secret), false, "a secret is in the app's log");
    }
  });
});

describe("a master-password vault", () => {
  const home = freshHome();
  const backups = path.join(home.root, "synced backups");
  const importFile = path.join(home.root, "deploy.env");
  let browser;
  let recovery;

  before(async () => {
    browser = await openApp(home, { TESSERA_BACKUP_DIR: backups, TESSERA_IMPORT_FILE: importFile });
  });
  after(async () => {
    await browser?.deleteSession();
  });

  test("lock, a wrong password is refused with a message, unlock", async () => {
    await click(browser, tid("setup-password"));
    await type(browser, "#setup-password-input", "a long master password");
    await type(browser, "#setup-password-confirm", "a long master password");
    await click(browser, tid("setup-submit"));
    const first = await recoveryKey(browser);
    // Put off: the reminder stays until a kit is kept, and the first key is never shown again.
    await click(browser, tid("recovery-later"));
    await waitFor(browser, tid("recovery-reminder"), 20_000);
    await sleep(300);
    screenshot("recovery-reminder");
    await click(browser, tid("recovery-start"));
    await type(browser, tid("recovery-password"), "a long master password");
    await click(browser, tid("recovery-make"));
    const second = await recoveryKey(browser);
    recovery = second;
    assert.notEqual(second, first, "a new kit has a new key");
    await keepKit(browser);
    await waitGone(browser, tid("recovery-reminder"));

    // The kit's key opens a copy of the vault folder with the CLI, as on a new machine.
    const copy = freshHome();
    cpSync(home.home, copy.home, { recursive: true });
    const recovered = spawnSync(cli, ["--password-stdin", "recover"], {
      input: `${second}\nthe password on the new machine\n`,
      env: { ...process.env, TESSERA_HOME: copy.home, TESSERA_STATE_HOME: path.join(copy.root, "state") },
    });
    assert.equal(recovered.status, 0, recovered.stderr.toString());
    const refused = spawnSync(cli, ["--password-stdin", "recover"], {
      input: `${first}\nthe password on the new machine\n`,
      env: { ...process.env, TESSERA_HOME: copy.home, TESSERA_STATE_HOME: path.join(copy.root, "state") },
    });
    assert.equal(refused.status, 2, "the replaced key no longer opens it");

    await click(browser, tid("lock-button"));
    await waitFor(browser, "#unlock-password");
    await type(browser, "#unlock-password", "not the password");
    await click(browser, tid("unlock-submit"));
    await waitFor(browser, tid("unlock-error"), 20_000);
    assert.match(await text(browser, tid("unlock-error")), /wrong master password/i);
    await type(browser, "#unlock-password", "a long master password");
    await click(browser, tid("unlock-submit"));
    await waitFor(browser, tid("new-token"), 30_000);
    assert.equal(await (await browser.$("#unlock-password")).isExisting(), false);
  });

  test("Settings: backups go to the chosen folder, Back up now writes one, and it restores with the recovery key alone", async () => {
    await click(browser, tid("nav-settings"));
    await waitFor(browser, tid("backup-choose"), 20_000);
    assert.match(await text(browser, tid("backup-folder")), /no folder chosen/i);
    assert.match(await text(browser, tid("recovery-state")), /You kept the recovery kit/);
    await click(browser, tid("backup-choose"));
    await browser.waitUntil(async () => (await text(browser, tid("backup-folder"))).includes(backups), {
      timeout: 20_000,
      timeoutMsg: "the chosen folder is not shown",
    });
    assert.match(await text(browser, tid("backup-last")), /None yet/);
    await click(browser, tid("backup-now"));
    await waitToast(browser, "Backup written", 30_000);
    await browser.waitUntil(async () => /just now|ago/.test(await text(browser, tid("backup-last"))), { timeout: 10_000 });
    // The app's own schedule may have written one a moment before: the newest is shown.
    const files = readdirSync(backups).filter((name) => name.endsWith(".age")).sort().reverse();
    assert.ok(files.length >= 1 && files.length <= 2, `backups: ${files}`);
    assert.match(await text(browser, tid("backup-last")), new RegExp(files[0].replace(/[.]/g, "[.]")));
    await type(browser, "#backup-keep", "3");
    await click(browser, tid("backup-save"));
    await waitToast(browser, "Backup settings saved");
    await browser.execute(() => document.querySelector('[data-testid="recovery-card"]').scrollIntoView());
    await sleep(400);
    screenshot("settings-backups");

    // A new machine: the file and the recovery key, nothing else.
    const fresh = freshHome();
    const env = { ...process.env, TESSERA_HOME: fresh.home, TESSERA_STATE_HOME: path.join(fresh.root, "state") };
    const restored = spawnSync(cli, ["--password-stdin", "backup", "restore", path.join(backups, files[0]), "--recovery-key-stdin"], {
      input: `${recovery}\nthe new machine's password\n`,
      env,
    });
    assert.equal(restored.status, 0, restored.stderr.toString());
    const listed = spawnSync(cli, ["list"], { env: { ...env, TESSERA_PASSWORD: "the new machine's password" } });
    assert.equal(listed.status, 0, listed.stderr.toString());
    await click(browser, tid("nav-all"));
  });

  test("Import: a .env file is previewed with what it skips and why, then imported byte for byte", async () => {
    writeFileSync(importFile, 'export STRIPE_KEY=sk_live_51Hx$abc\nDEPLOY_KEY="-----BEGIN KEY-----\nMIIBOg\n-----END KEY-----"\nEMPTY=\nnot an assignment\n');
    await click(browser, tid("nav-import"));
    await select(browser, "#import-format", "dotenv");
    await click(browser, tid("import-choose"));
    await waitFor(browser, tid("import-preview"), 20_000);
    assert.match(await text(browser, tid("import-summary")), /2 tokens to import, 2 skipped/);
    assert.equal(await count(browser, tid("import-row")), 2);
    assert.match(await text(browser, tid("import-skipped")), /the value is empty/);
    await dismissToasts(browser);
    await sleep(300);
    screenshot("import-preview");
    await click(browser, tid("import-run"));
    await waitToast(browser, "Imported 2 tokens", 20_000);
    await waitFor(browser, tid("import-done"));
    const got = spawnSync(cli, ["get", "DEPLOY_KEY"], {
      env: { ...process.env, TESSERA_HOME: home.home, TESSERA_PASSWORD: "a long master password" },
    });
    assert.equal(got.status, 0, got.stderr.toString());
    assert.equal(got.stdout.toString().trimEnd(), "-----BEGIN KEY-----\nMIIBOg\n-----END KEY-----");
    await click(browser, tid("import-see"));
    await waitFor(browser, row("STRIPE_KEY"), 20_000);
    // The same file again: every entry is skipped, nothing is imported twice.
    await click(browser, tid("nav-import"));
    await click(browser, tid("import-choose"));
    await waitFor(browser, tid("import-preview"), 20_000);
    assert.match(await text(browser, tid("import-summary")), /0 tokens to import, 4 skipped/);
    await click(browser, tid("nav-all"));
  });

  test("an older copy of the vault put back is refused at unlock, and kept on request", async () => {
    const unlockWith = async (password) => {
      await type(browser, "#unlock-password", password);
      await click(browser, tid("unlock-submit"));
    };
    await createToken(browser, "personal", "rollback probe");
    await closeCreated(browser);
    await click(browser, tid("lock-button"));
    await waitFor(browser, "#unlock-password");
    const backup = path.join(home.root, "backup");
    cpSync(home.home, backup, { recursive: true });
    await unlockWith("a long master password");
    await waitFor(browser, row("rollback probe"), 30_000);
    await rowAction(browser, "rollback probe", "revoke");
    await browser.waitUntil(async () => (await rowAttr(browser, "rollback probe", "data-status")) === "revoked");
    await click(browser, tid("lock-button"));
    await waitFor(browser, "#unlock-password");
    // The older copy goes back in place of the vault.
    rmSync(home.home, { recursive: true });
    cpSync(backup, home.home, { recursive: true });

    await unlockWith("a long master password");
    await waitFor(browser, tid("unlock-error"), 30_000);
    assert.match(await text(browser, tid("unlock-error")), /older copy was put back/);
    assert.equal(await (await browser.$(tid("new-token"))).isExisting(), false, "the older copy did not open");
    await dismissToasts(browser);
    await sleep(300);
    screenshot("rollback-refused");
    await click(browser, tid("accept-restore"));
    await waitFor(browser, row("rollback probe"), 30_000);
    assert.equal(await rowAttr(browser, "rollback probe", "data-status"), "active", "the restored copy's state");
    const audit = execFileSync(cli, ["audit", "--action", "restore"], {
      env: { ...process.env, TESSERA_HOME: home.home, TESSERA_PASSWORD: "a long master password" },
    }).toString();
    assert.match(audit, /older copy of the vault was accepted/);
  });

  /** Sends a D-Bus signal (`dbus-send` arguments), sees the unlock screen, unlocks. */
  async function lockedBy(signal) {
    execFileSync("dbus-send", ["--type=signal", ...signal, "boolean:true"]);
    await waitFor(browser, "#unlock-password", 10_000);
    await type(browser, "#unlock-password", "a long master password");
    await click(browser, tid("unlock-submit"));
    await waitFor(browser, tid("new-token"), 30_000);
  }

  test("the screen locking locks the vault and the window shows the unlock screen", async () => {
    // What a desktop's screen saver says when the screen locks, on the session bus.
    await lockedBy(["--session", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver.ActiveChanged"]);
  });

  test("the machine suspending locks the vault", async () => {
    // What logind says before a suspend, on the (stand-in) system bus.
    await lockedBy(["--system", "/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep"]);
  });

  test("a locked vault opens from the quick-access palette, opened by tessera palette, with the master password", async () => {
    await click(browser, tid("lock-button"));
    await waitFor(browser, "#unlock-password");
    // Opened by the command line's `tessera palette`, as a desktop's key binding runs it.
    const opened = spawnSync(cli, ["palette"], { env: { ...process.env, TESSERA_HOME: home.home }, timeout: 20_000 });
    assert.equal(opened.status, 0, `tessera palette: ${opened.stderr}`);
    await browser.waitUntil(async () => paletteShown(), { timeout: 15_000, timeoutMsg: "the palette did not show" });
    await inPalette(browser, async () => {
      await waitFor(browser, tid("palette-password"));
      typeKeys("not the password");
      keys("Return");
      await waitFor(browser, tid("palette-problem"), 20_000);
      assert.match(await text(browser, tid("palette-problem")), /wrong master password/i);
      typeKeys("a long master password");
      keys("Return");
      await waitFor(browser, tid("palette-search"), 30_000);
      await sleep(300);
      screenshot("palette-unlocked");
    });
    keys("Escape");
    await browser.waitUntil(async () => !paletteShown(), { timeout: 5000 });
    // The main window follows: the vault is open.
    await waitFor(browser, tid("new-token"), 10_000);
  });

  test("a second start hands over to the running window and exits", async () => {
    const second = spawnSync(app, [], { env: { ...process.env, TESSERA_HOME: home.home }, timeout: 20_000 });
    assert.equal(second.error, undefined, "the second instance was still running after 20 s");
    assert.equal(second.status, 0);
    // The first window is still there and unlocked.
    await waitFor(browser, tid("new-token"));
  });

  test("no CSP violation, uncaught error or console error in the whole session", async () => {
    assert.deepEqual(await problems(browser), []);
  });
});

describe("the app and the CLI on one vault at once", () => {
  // The real app through its real IPC (the page's own invoke, as the UI calls it) and
  // the real `tessera` binary, a new process per action, on one vault at once:
  // TESSERA_CONCURRENCY_ACTIONS each (200 in `make test`, 1,000 in `make soak`). A
  // master-password vault: with a keyring vault, hundreds of CLI processes asking the
  // keyring at once sometimes made this headless gnome-keyring restart locked.
  const PASSWORD = "concurrent horse battery";
  const home = freshHome();
  const actions = Number(process.env.TESSERA_CONCURRENCY_ACTIONS ?? 200);
  let browser;

  before(async () => {
    browser = await openApp(home);
    await click(browser, tid("setup-password"));
    await type(browser, "#setup-password-input", PASSWORD);
    await type(browser, "#setup-password-confirm", PASSWORD);
    await click(browser, tid("setup-submit"));
    await recoveryKey(browser);
    await keepKit(browser);
  });
  after(async () => {
    await browser?.deleteSession();
  });

  /** Calls an app command through the page's IPC; resolves to { ok } or { err }. */
  const invoke = (cmd, args) =>
    browser.executeAsync(
      (c, a, done) => window.__TAURI_INTERNALS__.invoke(c, a).then((ok) => done({ ok }), (err) => done({ err })),
      cmd,
      args,
    );
  /** Runs the CLI; resolves to { code, stdout, stderr }. */
  const run = (...args) =>
    new Promise((resolve) => {
      execFile(cli, args, { env: { ...process.env, TESSERA_HOME: home.home, TESSERA_PASSWORD: PASSWORD } }, (error, stdout, stderr) =>
        resolve({ code: error ? error.code ?? -1 : 0, stdout: stdout.trim(), stderr: stderr.trim() }),
      );
    });
  /** A small deterministic generator, so a failing run can be repeated. */
  const rng = (seed) => () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = (list, next) => list[Math.floor(next() * list.length)];
  const SHARED = 8;

  test("the app and the CLI on one vault: no failed action, no busy vault, no lost update", { timeout: 1_800_000 }, async () => {
    for (let k = 0; k < SHARED; k++) {
      assert.equal((await run("create", "personal", "--name", `shared-${k}`)).code, 0);
    }
    const shared = await invoke("search_tokens", {
      request: { text: "shared", kind: null, status: null, sort: "name", offset: 0, limit: 50 },
    });
    const sharedIds = Object.fromEntries(shared.ok.rows.map((r) => [r.name, r.id]));
    assert.equal(Object.keys(sharedIds).length, SHARED);

    const failures = [];
    const descriptions = {};
    const expiries = {};
    const appOwn = new Map(); // id -> "active" | "revoked" | "deleted"
    const cliOwn = new Map(); // name -> { secret, state }
    let cliDone = 0;

    const appLoop = async () => {
      const next = rng(7);
      for (let i = 0; i < actions; i++) {
        while (cliDone < Math.min(i, actions - 1)) await sleep(5);
        const inState = (state) => [...appOwn].filter(([, s]) => s === state).map(([id]) => id);
        const roll = Math.floor(next() * 10);
        let result;
        if (roll < 2 || appOwn.size === 0) {
          result = await invoke("create_token", {
            request: {
              kind: "personal", name: `app-${i}`, description: "", expires: "never", apis: [], projects: [],
              users: [], service_account: null, rsa_bits: null, jwt_alg: null, rotation_days: null, value: null,
              service: null,
            },
          });
          if (result.ok) appOwn.set(result.ok.token.id, "active");
        } else if (roll < 4) {
          const name = `shared-${Math.floor(next() * SHARED)}`;
          const description = `set by the app in action ${i}`;
          result = await invoke("edit_token", {
            id: sharedIds[name],
            request: {
              name: null, description, expires: null, apis: null, projects: null, users: null,
              service_account: null, rotation_days: null, service: null,
            },
          });
          if (result.ok) descriptions[name] = description;
        } else if (roll < 8) {
          const [command, from, to] = pick(
            [["revoke_token", "active", "revoked"], ["restore_token", "revoked", "active"],
              ["delete_token", "revoked", "deleted"], ["rotate_token", "active", "active"]],
            next,
          );
          const candidates = inState(from);
          if (candidates.length === 0) continue;
          const id = pick(candidates, next);
          result = await invoke(command, command === "rotate_token" ? { id, value: null } : { id });
          if (!result.err) appOwn.set(id, to);
        } else {
          result = await invoke("search_tokens", {
            request: { text: "cli", kind: null, status: null, sort: "relevance", offset: 0, limit: 50 },
          });
          if (result.ok && cliOwn.size > 0 && result.ok.total === 0) failures.push(`app #${i}: the CLI's tokens are not listed`);
        }
        if (result?.err) failures.push(`app #${i}: ${JSON.stringify(result.err)}`);
      }
    };

    const cliLoop = async () => {
      const next = rng(11);
      const names = () => [...cliOwn.keys()];
      for (let j = 0; j < actions; j++, cliDone = j) {
        const roll = Math.floor(next() * 10);
        const fail = (what, out) => failures.push(`cli #${j}: ${what}: exit ${out.code} ${out.stderr}`);
        if (roll < 2 || cliOwn.size === 0) {
          const out = await run("create", "personal", "--name", `cli-${j}`);
          if (out.code === 0) cliOwn.set(`cli-${j}`, { secret: out.stdout, state: "active" });
          else fail("create", out);
        } else if (roll < 4) {
          const name = `shared-${Math.floor(next() * SHARED)}`;
          const date = `2031-${String(1 + Math.floor(next() * 12)).padStart(2, "0")}-${String(1 + Math.floor(next() * 28)).padStart(2, "0")}`;
          const out = await run("edit", name, "--expires", date);
          if (out.code === 0) expiries[name] = `${date}T23:59:59Z`;
          else fail("edit", out);
        } else if (roll < 8) {
          const [args, from, to] = pick(
            [[["revoke"], "active", "revoked"], [["restore"], "revoked", "active"],
              [["delete", "--yes"], "revoked", "deleted"], [["rotate"], "active", "active"]],
            next,
          );
          // Never the newest few: the app may be searching for them.
          const candidates = names().slice(0, -3).filter((n) => cliOwn.get(n).state === from);
          if (candidates.length === 0) continue;
          const name = pick(candidates, next);
          const out = await run(args[0], name, ...args.slice(1));
          if (out.code !== 0) {
            fail(args[0], out);
            continue;
          }
          let secret = cliOwn.get(name).secret;
          if (args[0] === "rotate") {
            const got = await run("get", name);
            if (got.code === 0) secret = got.stdout;
            else fail("get", got);
          }
          cliOwn.set(name, { secret, state: to });
        } else {
          const live = names().filter((n) => ["active", "revoked"].includes(cliOwn.get(n).state));
          if (live.length === 0) continue;
          const name = pick(live, next);
          const { secret, state } = cliOwn.get(name);
          const out = await run("verify", secret);
          if (out.code !== (state === "active" ? 0 : 1)) fail(`verify ${name} (${state})`, out);
        }
      }
      cliDone = actions;
    };

    const started = Date.now();
    await Promise.all([appLoop(), cliLoop()]);
    console.log(`# ${actions} app and ${actions} CLI actions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} actions failed`);

    // Every acknowledged change is there.
    const show = async (ref) => {
      const out = await run("show", ref, "--json");
      return out.code === 0 ? JSON.parse(out.stdout) : null;
    };
    for (let k = 0; k < SHARED; k++) {
      const token = await show(`shared-${k}`);
      assert.equal(token.description, descriptions[`shared-${k}`] ?? "", `shared-${k}: the app's edit`);
      assert.equal(token.expires_at, expiries[`shared-${k}`] ?? null, `shared-${k}: the CLI's edit`);
    }
    for (const [id, state] of appOwn) {
      const token = await show(id);
      assert.equal(token === null ? "deleted" : token.status === "revoked" ? "revoked" : "active", state, `app's ${id}`);
    }
    for (const [name, { state }] of cliOwn) {
      const token = await show(name);
      assert.equal(token === null ? "deleted" : token.status === "revoked" ? "revoked" : "active", state, `CLI's ${name}`);
    }
    assert.deepEqual(await problems(browser), []);
  });
});

describe("a shared vault on PostgreSQL", () => {
  // The app's home A and a second machine B (the CLI alone, a home of its own), kept
  // in step through a real PostgreSQL server.
  const home = freshHome();
  const other = freshHome();
  const B_PASSWORD = "second machine password";
  let browser;
  let pg;

  /** The CLI on machine B. */
  const onB = (args, input) =>
    execFileSync(cli, args, {
      env: { ...process.env, TESSERA_HOME: other.home, TESSERA_STATE_HOME: path.join(other.root, "state"), TESSERA_PASSWORD: B_PASSWORD },
      input,
      stdio: ["pipe", "pipe", "pipe"],
    }).toString();

  before(async () => {
    pg = await startPostgres();
    // The native confirmation of a removal, answered yes (WebDriver cannot reach it).
    browser = await openApp(home, { TESSERA_TEST_CONFIRM: "yes" });
    await click(browser, tid("setup-keyring"));
    await click(browser, tid("setup-submit"));
    await recoveryKey(browser);
    await keepKit(browser);
  });
  after(async () => {
    await browser?.deleteSession();
    pg?.stop();
  });

  test("a shared vault: B's token reaches the app, Members lists both, removing B lists what to rotate, offline shows", { timeout: 180_000 }, async () => {
    // A creates the vault (its CLI, on the app's vault) and adds B; B joins and adds a token.
    tessera(home, "vault", "create", "team", "--server", pg.url);
    onB(["init", "--password-stdin"], B_PASSWORD);
    const identity = JSON.parse(onB(["identity", "--json"]));
    const invite = tessera(home, "vault", "member", "add", "team", identity.identity).trim();
    onB(["vault", "join", invite]);
    onB(["--vault", "team", "create", "personal", "--name", "deploy key", "--description", "from B"]);
    const bSecret = onB(["--vault", "team", "get", "deploy key"]).trim();
    onB(["sync", "team"]);

    // The app finds the vault, keeps it in step, and shows B's token once switched to.
    await waitFor(browser, tid("vault-switcher"), 15_000);
    await select(browser, tid("vault-switcher"), "team");
    await waitFor(browser, row("deploy key"), 15_000);
    await waitFor(browser, tid("sync-synced"), 15_000);
    assert.match(await text(browser, tid("sync-status")), /Synced just now/);
    await dismissToasts(browser);
    await sleep(300);
    screenshot("shared-vault");
    await rowAction(browser, "deploy key", "copy");
    await browser.waitUntil(async () => clipboard() === bSecret, { timeout: 5000, timeoutMsg: "B's secret is not on the clipboard byte for byte" });

    // Members, from the signed roster: this install (admin) and B.
    await click(browser, tid("nav-members"));
    await browser.waitUntil(async () => (await count(browser, tid("member-row"))) === 2, { timeout: 15_000, timeoutMsg: "two members" });
    assert.equal(await count(browser, tid("member-you")), 1);
    const bRow = `${tid("member-row")}[data-fingerprint="${identity.fingerprint}"]`;
    assert.equal(await (await browser.$(bRow)).getAttribute("data-role"), "member");
    await dismissToasts(browser);
    screenshot("shared-members");

    // Removing B: a new key for the others, and the list of what B could read.
    await click(browser, `${bRow} ${tid("remove-member")}`);
    await waitFor(browser, tid("rotate-list"), 20_000);
    await browser.waitUntil(async () => (await count(browser, tid("member-row"))) === 1, { timeout: 15_000, timeoutMsg: "B still listed" });
    assert.equal(await count(browser, `${tid("rotate-item")}[data-name="deploy key"]`), 1);
    await dismissToasts(browser);
    screenshot("shared-rotate-after-removal");
    await click(browser, `${tid("rotate-item")}[data-name="deploy key"] ${tid("rotate-now")}`);
    await waitFor(browser, tid("created-panel"), 20_000);
    await closeCreated(browser);
    await waitFor(browser, `${tid("rotate-item")}[data-name="deploy key"] ${tid("rotated")}`);
    const refused = spawnSync(cli, ["sync", "team"], {
      env: { ...process.env, TESSERA_HOME: other.home, TESSERA_STATE_HOME: path.join(other.root, "state"), TESSERA_PASSWORD: B_PASSWORD },
    });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr.toString(), /removed/);

    // The server gone: the status says offline, and the tokens stay usable.
    pg.stop();
    await waitFor(browser, tid("sync-offline"), 20_000);
    await click(browser, tid("nav-all"));
    await waitFor(browser, row("deploy key"));
    pg.start();
    await waitFor(browser, tid("sync-synced"), 30_000);

    // Back to the own vault: its list, without the shared token.
    await select(browser, tid("vault-switcher"), "");
    await browser.waitUntil(async () => (await count(browser, row("deploy key"))) === 0, { timeout: 10_000, timeoutMsg: "the shared token shows in the own vault" });
    assert.equal(await count(browser, tid("nav-members")), 0);
    assert.deepEqual(await problems(browser), []);
  });
});

describe("a script that got into the page", () => {
  // What a compromised web view would try, written out: take secrets out, carry them
  // away by navigating or opening a window, take the vault over by changing its
  // password, keep it from locking. A master-password vault; a minute of auto-lock
  // lasts 6 s in this test build.
  const PASSWORD = "the real master password";
  const home = freshHome();
  const other = freshHome();
  let browser;
  let pg;
  let member;
  const invoke = (cmd, args) =>
    browser.executeAsync(
      (c, a, done) => window.__TAURI_INTERNALS__.invoke(c, a).then((ok) => done({ ok }), (err) => done({ err: String(err?.message ?? err) })),
      cmd,
      args,
    );
  const run = (...args) =>
    spawnSync(cli, args, { env: { ...process.env, TESSERA_HOME: home.home, TESSERA_PASSWORD: PASSWORD }, encoding: "utf8" });

  before(async () => {
    browser = await openApp(home, { TESSERA_TEST_MINUTE_SECS: "6" });
    await click(browser, tid("setup-password"));
    await type(browser, "#setup-password-input", PASSWORD);
    await type(browser, "#setup-password-confirm", PASSWORD);
    await click(browser, tid("setup-submit"));
    await recoveryKey(browser);
    await keepKit(browser);
    assert.equal(run("create", "personal", "--name", "target").status, 0);
    // A shared vault with a second member, for the removal below.
    pg = await startPostgres();
    assert.equal(run("vault", "create", "team", "--server", pg.url).status, 0);
    const onB = (...args) =>
      spawnSync(cli, args, {
        env: { ...process.env, TESSERA_HOME: other.home, TESSERA_STATE_HOME: path.join(other.root, "state"), TESSERA_PASSWORD: PASSWORD },
        input: PASSWORD,
        encoding: "utf8",
      });
    assert.equal(onB("init", "--password-stdin").status, 0);
    member = JSON.parse(onB("identity", "--json").stdout).identity;
    assert.equal(run("vault", "member", "add", "team", member).status, 0);
  });
  after(async () => {
    await browser?.deleteSession();
    pg?.stop();
  });

  test("it cannot remove a member of a shared vault: Rust asks the person", async () => {
    const removed = await invoke("remove_member", { name: "team", identity: member });
    assert.ok(removed.err, "removed without the person's say");
    assert.match(removed.err, /not removed/);
    const members = JSON.parse(run("vault", "member", "list", "team", "--json").stdout);
    assert.equal(members.length, 2, "both members are still on the roster");
  });

  test("it cannot reveal a secret: there is no such command", async () => {
    const page = await invoke("search_tokens", {
      request: { text: "target", kind: null, status: null, sort: "name", offset: 0, limit: 10 },
    });
    const id = page.ok.rows[0].id; // positive control: the page can call Tessera's commands
    const revealed = await invoke("reveal_secret", { id });
    assert.ok(revealed.err, "reveal_secret answered");
    assert.ok(!JSON.stringify(page).includes("tsp_"), "no secret in search rows");
  });

  test("it cannot navigate away or open a window", async () => {
    const before = await browser.execute(() => location.href);
    const handles = (await browser.getWindowHandles()).length;
    await browser.execute(() => {
      location.href = "https://example.invalid/?x";
    });
    await sleep(1500);
    const opened = await browser.execute(() => window.open("https://example.invalid/?y") === null);
    await sleep(1000);
    assert.equal(await browser.execute(() => location.href), before);
    assert.ok(await (await browser.$(tid("new-token"))).isExisting(), "the page is still the app");
    assert.equal((await browser.getWindowHandles()).length, handles, "no new window");
    assert.ok(opened, "window.open gave the page no window");
    assert.match(readFileSync(appLog, "utf8"), /refused a navigation away from the app/);
  });

  test("in the quick-access palette, it can call only the palette's few commands", async () => {
    const opened = spawnSync(app, ["--palette"], { env: { ...process.env, TESSERA_HOME: home.home }, timeout: 20_000 });
    assert.equal(opened.status, 0);
    await inPalette(browser, async () => {
      const page = await invoke("search_tokens", {
        request: { text: "target", kind: null, status: null, sort: "name", offset: 0, limit: 10 },
      });
      const id = page.ok.rows[0].id; // positive control: the palette finds tokens
      for (const [command, args] of [
        ["get_token", { id }],
        ["revoke_token", { id }],
        ["delete_token", { id }],
        ["rotate_token", { id, value: "tsp_chosenByTheScript000000000000000000" }],
        ["download_token_file", { id, passphrase: null }],
        ["save_settings", { settings: { clipboard_clear_seconds: 0, auto_lock_minutes: 0, expiry_warning_days: 7, theme: "system", palette_shortcut: "" } }],
        ["lock", {}],
        ["audit_events", { query: {} }],
      ]) {
        const answer = await invoke(command, args);
        assert.ok(answer.err, `${command} answered in the palette`);
        assert.match(answer.err, /not allowed/i, `${command}: ${answer.err}`);
      }
      await invoke("hide_palette", {});
    });
    assert.equal(run("show", "target", "--json").status, 0, "the token is still there");
    assert.match(run("show", "target", "--json").stdout, /"status":\s*"active"/);
  });

  test("it cannot send backups to a folder of its choice: only the native folder dialog chooses", async () => {
    const moved = await invoke("set_auto_backup", { schedule: { every_minutes: 1, keep: 1, folder: "/tmp/taken" } });
    assert.ok(moved.err, "a folder was accepted from the page");
    const off = await invoke("set_auto_backup", { schedule: { every_minutes: 1, keep: 1 } });
    assert.ok(off.err, "backups were scheduled with no folder chosen");
    const status = await invoke("backup_status", {});
    assert.equal(status.ok.settings, null, "automatic backups stay off");
  });

  test("it cannot change the master password without the current one", async () => {
    for (const currentPassword of [null, "a guess"]) {
      const changed = await invoke("change_password", { currentPassword, newPassword: "taken over by a script" });
      assert.ok(changed.err, `changed with ${currentPassword}`);
    }
    assert.equal(run("list").status, 0, "the real password still opens the vault");
  });

  test("CLI writes every second do not keep the vault from locking", { timeout: 60_000 }, async () => {
    const saved = await invoke("save_settings", {
      settings: { clipboard_clear_seconds: 30, auto_lock_minutes: 1, expiry_warning_days: 7, theme: "system" },
    });
    assert.ok(saved.ok, JSON.stringify(saved));
    // The person's last input: a key press the page reports as activity.
    await browser.keys(["Shift"]);
    await invoke("note_activity", {});
    const started = Date.now();
    const secret = run("get", "target").stdout.trim();
    let locked = false;
    while (Date.now() - started < 20_000 && !locked) {
      assert.equal(run("verify", secret).status, 0);
      await sleep(1000);
      locked = await (await browser.$(tid("unlock-submit"))).isExisting();
    }
    const after = (Date.now() - started) / 1000;
    assert.ok(locked, "still unlocked 20 s after the last input");
    assert.ok(after >= 5, `locked after ${after} s, before its deadline`);
  });
});
