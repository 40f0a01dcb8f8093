// Starts tauri-driver and the built Tessera app against a temporary vault, and offers
// the small vocabulary the end-to-end tests speak: click, type, wait, read the clipboard,
// take a screenshot of the whole (virtual) screen.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, openSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { remote } from "webdriverio";

const repo = path.resolve(import.meta.dirname, "../..");
export const app = process.env.TESSERA_APP ?? path.join(repo, "target/debug/tessera-app");
export const cli = process.env.TESSERA_CLI ?? path.join(repo, "target/debug/tessera");
export const screenshots = path.join(repo, "docs/screenshots");

let driver;

/** Everything the app (and tauri-driver) wrote to stderr, with IPC tracing on: the
 * tests check that no secret ever reaches it. */
export const appLog = path.join(mkdtempSync(path.join(tmpdir(), "tessera-e2e-log-")), "app.log");

/** Starts tauri-driver (it starts WebKitWebDriver, which starts the app) with the
 * environment the app must see: its vault folder and download folder. */
async function startDriver(env) {
  stopDriver();
  // The driver before may still hold its port for a moment after it was stopped.
  await until(async () => !(await listening(4444)), 10_000, "the previous tauri-driver kept port 4444");
  driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", "4444"], {
    stdio: ["ignore", "ignore", openSync(appLog, "a")],
    env: { ...process.env, TESSERA_TRACE_IPC: "1", ...env },
    // Its own process group, so stopping it also stops WebKitWebDriver and the app.
    detached: true,
  });
  await until(() => listening(4444), 15_000, "tauri-driver did not listen on port 4444");
  await new Promise((resolve) => setTimeout(resolve, 300));
}

/** Whether something accepts connections on a loopback port. */
function listening(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Polls `ok` every 100 ms until it holds, or fails with `message` after `timeout` ms. */
async function until(ok, timeout, message) {
  const end = Date.now() + timeout;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function stopDriver() {
  if (driver?.pid) {
    try {
      process.kill(-driver.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  driver = undefined;
}

/** A fresh vault folder and download folder; the app and CLI both use it. */
export function freshHome() {
  const root = mkdtempSync(path.join(tmpdir(), "tessera-e2e-"));
  const home = path.join(root, "vault");
  const downloads = path.join(root, "downloads");
  mkdirSync(downloads);
  return { root, home, downloads };
}

/** Opens the app on `home` and returns a WebDriver session. A native confirmation
 * (which WebDriver cannot reach) is refused unless `env` says otherwise. */
export async function openApp(home, env = {}) {
  await startDriver({ TESSERA_HOME: home.home, TESSERA_DOWNLOAD_DIR: home.downloads, TESSERA_TEST_CONFIRM: "no", ...env });
  const browser = await remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "error",
    capabilities: {
      "tauri:options": { application: app },
    },
  });
  await browser.setTimeout({ implicit: 0 });
  await watchProblems(browser);
  return browser;
}

/** From now on, the page records CSP violations, uncaught errors, unhandled rejections
 * and console errors; `problems` reads them. (The app never reloads its page, so this
 * stays installed for the whole session.) */
async function watchProblems(browser) {
  await browser.execute(() => {
    const seen = [];
    window.__e2eProblems = seen;
    document.addEventListener("securitypolicyviolation", (e) =>
      seen.push(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
    window.addEventListener("error", (e) => seen.push(`uncaught error: ${e.message}`));
    window.addEventListener("unhandledrejection", (e) => seen.push(`unhandled rejection: ${e.reason}`));
    const error = console.error.bind(console);
    console.error = (...args) => {
      seen.push(`console.error: ${args.map(String).join(" ")}`);
      error(...args);
    };
  });
}

/** What the page recorded since the session opened (see watchProblems), and forgets it. */
export async function problems(browser) {
  return browser.execute(() => window.__e2eProblems.splice(0));
}

/** `[data-testid=...]` */
export const tid = (id) => `[data-testid="${id}"]`;

export async function click(browser, selector) {
  const el = await browser.$(selector);
  await el.waitForClickable({ timeout: 10_000 });
  await el.click();
}

/** Replaces an input's value the way typing does (events included). */
export async function type(browser, selector, text) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 10_000 });
  await el.clearValue();
  if (text.length > 0) {
    await el.setValue(text);
  } else {
    // Clearing fires no input event in WebKitWebDriver; the app must hear it.
    await browser.execute((sel) => {
      const input = document.querySelector(sel);
      input.value = "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }, selector);
  }
}

export async function select(browser, selector, value) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout: 10_000 });
  await el.selectByAttribute("value", value);
}

export async function waitFor(browser, selector, timeout = 10_000) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout });
  return el;
}

export async function waitGone(browser, selector, timeout = 10_000) {
  await browser.waitUntil(async () => !(await (await browser.$(selector)).isDisplayed()), { timeout });
}

/** The row of the token named `name`. */
export const row = (name) => `${tid("token-row")}[data-name="${name}"]`;

/** Dismisses every toast, so none covers what the next step clicks. */
export async function dismissToasts(browser) {
  await browser.execute(() => {
    for (const button of document.querySelectorAll('[data-testid="toast"] button')) button.click();
  });
  await browser.waitUntil(async () => (await toasts(browser)).length === 0, { timeout: 5000 });
}

/** Opens a row's ⋮ menu and picks an action. */
export async function rowAction(browser, name, action) {
  await dismissToasts(browser);
  // A menu still open (an Escape the window did not get, with the focus just back
  // from the palette) is used as it is: a click on ⋮ would close it.
  if (!(await (await browser.$(`${row(name)} ${tid(`action-${action}`)}`)).isDisplayed())) {
    await click(browser, `${row(name)} ${tid("row-menu")}`);
  }
  await click(browser, tid(`action-${action}`));
}

/** An element's text content, whitespace collapsed (WebKitWebDriver's rendered-text
 * answer is empty for some styled elements). */
export async function text(browser, selector) {
  const el = await browser.$(selector);
  await el.waitForExist({ timeout: 10_000 });
  return String(await el.getProperty("textContent")).replace(/\s+/g, " ").trim();
}

/** How many elements match. */
export async function count(browser, selector) {
  return (await browser.$$(selector)).length;
}

/** The text of every toast shown. */
export async function toasts(browser) {
  return browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="toast"]')).map((e) => e.textContent ?? ""),
  );
}

export async function waitToast(browser, text, timeout = 10_000) {
  await browser.waitUntil(async () => (await toasts(browser)).some((t) => t.includes(text)), {
    timeout,
    timeoutMsg: `no toast saying "${text}"`,
  });
}

/** The clipboard, as another program sees it. */
export function clipboard() {
  try {
    return execFileSync("xclip", ["-o", "-selection", "clipboard"], { timeout: 3000 }).toString();
  } catch {
    return "";
  }
}

/** A screenshot of the whole virtual screen, as a person would see it. */
export function screenshot(name) {
  mkdirSync(screenshots, { recursive: true });
  execFileSync("import", ["-window", "root", path.join(screenshots, `${name}.png`)]);
}

/** Runs the tessera CLI on the same vault. */
export function tessera(home, ...args) {
  return execFileSync(cli, args, { env: { ...process.env, TESSERA_HOME: home.home } }).toString();
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The quick-access palette's window title. */
export const PALETTE_TITLE = "Tessera quick access";

/** Whether the palette's window is on screen (mapped), as the X server says. */
export function paletteShown() {
  return spawnSync("xdotool", ["search", "--onlyvisible", "--name", `^${PALETTE_TITLE}$`]).status === 0;
}

/** The name of the window that holds the keyboard focus. */
export function focusedWindow() {
  return spawnSync("xdotool", ["getwindowfocus", "getwindowname"], { encoding: "utf8" }).stdout.trim();
}

/** Keys pressed and text typed on the X keyboard (XTEST), where the focus is. */
export function keys(...names) {
  execFileSync("xdotool", ["key", "--delay", "40", ...names]);
}
export function typeKeys(text) {
  execFileSync("xdotool", ["type", "--delay", "40", text]);
}

/** Runs `steps` with the WebDriver session in the palette's window (it exists once the
 * palette first opened), then back in the window it was in. */
export async function inPalette(browser, steps) {
  const back = await browser.getWindowHandle();
  let found = false;
  await browser.waitUntil(
    async () => {
      for (const handle of await browser.getWindowHandles()) {
        await browser.switchToWindow(handle);
        if ((await browser.getTitle()) === PALETTE_TITLE) {
          found = true;
          return true;
        }
      }
      return false;
    },
    { timeout: 20_000, timeoutMsg: "WebDriver sees no palette window" },
  );
  try {
    return await steps();
  } finally {
    if (found) await browser.switchToWindow(back);
  }
}
