// App benchmark on a 100,000-token vault: start to interactive list, keystroke to painted
// rows (p50/p99, measured inside the page from the input event to the next frame after
// the list changed), and memory of every app process (RSS and PSS from smaps_rollup).
// Run by scripts/bench-app.sh, which seeds the vault and starts the keyring session.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { openApp, stopDriver, tid, type, waitFor } from "./harness.mjs";

const home = { home: process.env.BENCH_HOME, downloads: process.env.BENCH_HOME };
const browser = await openApp(home);
await waitFor(browser, tid("token-row"), 120_000);

// Start to interactive list: from the moment the kernel started the tessera-app process
// (its start time in /proc, which the window it becomes in place keeps, so WebDriver's
// own start-up is not counted) to the frame that
// painted the first rows (a performance mark the list sets, on the page's clock, which is
// wall-clock time from performance.timeOrigin). The start time counts clock ticks since
// boot; the boot's wall-clock time is taken from /proc/uptime (to 10 ms), not from
// /proc/stat's `btime`, which is whole seconds and put every start up to 1 s late.
function processStartEpochMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  const booted = Date.now() - Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1000;
  return booted + (ticks / hz) * 1000;
}
const appPid = readdirSync("/proc").find((p) => {
  try {
    return /^\d+$/.test(p) && readFileSync(`/proc/${p}/comm`, "utf8").trim() === "tessera-window";
  } catch {
    return false;
  }
});
const page = await browser.execute(() => ({
  origin: performance.timeOrigin,
  rows: performance.getEntriesByName("tessera:first-rows")[0]?.startTime,
}));
const processStart = processStartEpochMs(appPid);
const toPage = page.origin - processStart;
const interactive = page.origin + page.rows - processStart;

// One keystroke: set the search text as typing does, then wait until the list shows the
// results for that text (the grid's data-query attribute) and the frame that shows them
// has been painted (the task after the next animation frame). Besides the total, each
// keystroke reports when its search request left the page and when its answer came
// back (the IPC request is a fetch of ipc://localhost/search_tokens, which the page's
// fetch is wrapped to time), and when the list changed: where the time goes.
await browser.execute(() => {
  const original = window.fetch;
  window.__searches = [];
  window.fetch = function (url, init) {
    const answer = original.apply(this, arguments);
    if (String(url).endsWith("/search_tokens")) {
      const sent = performance.now();
      let text = null;
      try {
        text = JSON.parse(init.body).request.text;
      } catch {
        // Not the shape asked for: counted without a text.
      }
      answer.then(() => window.__searches.push({ text, sent, answered: performance.now() }), () => undefined);
    }
    return answer;
  };
});
async function keystroke(text) {
  return browser.executeAsync(function (text, done) {
    const input = document.querySelector("#search");
    const grid = document.querySelector('[role="grid"]');
    let finished = false;
    let shown = -1;
    const finish = (value) => {
      if (finished) return;
      finished = true;
      observer.disconnect();
      clearTimeout(limit);
      const search = window.__searches.find((s) => s.text === text && s.sent >= t0);
      done({
        ms: value,
        sent: search ? search.sent - t0 : null,
        answered: search ? search.answered - t0 : null,
        shown: shown - t0,
      });
    };
    const painted = () => requestAnimationFrame(() => setTimeout(() => finish(performance.now() - t0), 0));
    const observer = new MutationObserver(() => {
      if (grid.dataset.query === text) {
        shown = performance.now();
        painted();
      }
    });
    observer.observe(grid, { attributes: true, attributeFilter: ["data-query"] });
    const limit = setTimeout(() => finish(-1), 5000);
    window.__searches.length = 0;
    const t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, text);
}
// The app's programs: tessera-app (which becomes tessera-window in place: its `comm`
// changes, its command line keeps the name it was started by) and the WebKit processes
// it starts. /proc's `comm` cuts a name to 15 characters, so a name matches also as its
// first 15.
const PROGRAMS = ["tessera-app", "tessera-window", "WebKitWebProcess", "WebKitNetworkProcess"];
const isApp = (name) => PROGRAMS.some((program) => program === name || program.slice(0, 15) === name);
// Where the machine's CPU went while the keystrokes ran: the app's processes, every
// other process by name, and time the host took from this virtual machine (steal). A
// slow run that is the machine's shows up here, not in the app's own figures.
function cpuTicks() {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const processes = new Map();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      processes.set(pid, { name, ticks: Number(fields[11]) + Number(fields[12]), faults: Number(fields[9]) });
    } catch {
      // Ended meanwhile.
    }
  }
  return { total: line.slice(0, 8).reduce((a, b) => a + b, 0), idle: line[3] + line[4], steal: line[7], processes };
}
function cpuSince(before) {
  const after = cpuTicks();
  const total = after.total - before.total;
  const share = (ticks) => (100 * ticks) / total;
  let mine = 0;
  let faults = 0;
  const byName = new Map();
  for (const [pid, { name, ticks, faults: now }] of after.processes) {
    const was = before.processes.get(pid);
    const used = ticks - (was?.ticks ?? 0);
    if (isApp(name)) {
      mine += used;
      faults += now - (was?.faults ?? 0);
    } else if (used > 0) {
      byName.set(name, (byName.get(name) ?? 0) + used);
    }
  }
  const others = [...byName];
  others.sort((a, b) => b[1] - a[1]);
  const rest = others.reduce((sum, [, ticks]) => sum + ticks, 0);
  return {
    app: share(mine),
    others: share(rest),
    top: others.slice(0, 3).map(([name, ticks]) => `${name} ${share(ticks).toFixed(1)}%`).join(", ") || "none",
    steal: share(after.steal - before.steal),
    idle: share(after.idle - before.idle),
    faults,
  };
}
// BENCH_PERF=FILE: the whole machine sampled by `perf record` while the keystrokes run,
// for `perf report -i FILE --sort comm,dso,sym` (where the CPU went, by function).
const perf = process.env.BENCH_PERF
  ? spawn("perf", ["record", "-a", "-F", "1999", "-o", process.env.BENCH_PERF], { stdio: "ignore" })
  : null;
if (perf) await new Promise((resolve) => setTimeout(resolve, 1000));
const cpuBefore = cpuTicks();
// Major page faults (pages read from disk) of the app's processes since they started:
// a start slowed by files no longer in the page cache shows here.
let startFaults = 0;
for (const { name, faults } of cpuBefore.processes.values()) if (isApp(name)) startFaults += faults;
const timed = [];
for (let round = 0; round < 10; round++) {
  for (const word of ["prod", "billing", "deploy", "search", "writer"]) {
    for (let end = 1; end <= word.length; end++) {
      const text = word.slice(0, end);
      timed.push({ ...(await keystroke(text)), text, round });
    }
    await keystroke("");
  }
}
const cpu = cpuSince(cpuBefore);
if (perf) {
  perf.kill("SIGINT");
  await new Promise((resolve) => perf.on("exit", resolve));
}
const samples = timed.map((t) => t.ms);
if (process.env.BENCH_WORST) console.error("worst keystrokes:", JSON.stringify([...timed].sort((a, b) => b.ms - a.ms).slice(0, 8)));
const timedOut = samples.filter((ms) => ms < 0).length;
if (timedOut > 0) throw new Error(`${timedOut} keystrokes never showed their results within 5 s`);
samples.sort((a, b) => a - b);
const pct = (p) => samples[Math.min(samples.length - 1, Math.round((samples.length - 1) * p))];
// Where a keystroke's time goes, over the keystrokes that asked the backend (the
// others were answered from the page's cache of recent queries).
const asked = timed.filter((t) => t.sent !== null && t.ms >= 0);
const stages = [
  ["input to request sent (the page: input event, store, effect)", (t) => t.sent],
  ["request to answer (IPC both ways, the search, the rows' JSON)", (t) => t.answered - t.sent],
  ["answer to list changed (store update, rows rendered into the DOM)", (t) => t.shown - t.answered],
  ["list changed to painted (style, layout, paint, next frame)", (t) => t.ms - t.shown],
];

// Every process of the app: its window and the WebKit processes it started.
function memory() {
  let rss = 0;
  let pss = 0;
  const names = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmd;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    // By the program's name, not anywhere in its command line (a `grep tessera-app`).
    const program = cmd.split("\0")[0].split("/").pop();
    if (!PROGRAMS.includes(program)) continue;
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const processPss = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    pss += processPss;
    names.push(`${program} ${(processPss / 1024).toFixed(0)}`);
  }
  return { rss: rss / 1024, pss: pss / 1024, names };
}
// Right after the last keystroke, and again once the app has been idle for 3 s (the
// JavaScript heap collects the results of 290 searches by then).
const busy = memory();
await new Promise((resolve) => setTimeout(resolve, 3000));
const mem = memory();

// Scrolling the full 100,000-token list. A jump sets the list's scroll position to a
// random row and waits until that row is rendered with its data (its page fetched) and
// painted. A glide scrolls 400 px a frame for 240 frames and records the time between
// frames (16.7 ms is 60 frames a second). The list shows all tokens (the last
// keystroke cleared the search).
const jumps = await browser.executeAsync(function (done) {
  const viewport = document.querySelector(".viewport");
  const out = [];
  let n = 0;
  const next = () => {
    if (n++ === 40) return done(out);
    const index = Math.floor(Math.random() * 99_980);
    const t0 = performance.now();
    viewport.scrollTop = index * 56;
    const check = () => {
      if (document.getElementById(`token-row-${index}`)) {
        requestAnimationFrame(() => setTimeout(() => {
          out.push(performance.now() - t0);
          next();
        }, 0));
      } else if (performance.now() - t0 > 5000) {
        out.push(-1);
        next();
      } else {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  };
  next();
});
if (jumps.some((ms) => ms < 0)) throw new Error("a scroll jump never showed its rows within 5 s");
const frames = await browser.executeAsync(function (done) {
  const viewport = document.querySelector(".viewport");
  viewport.scrollTop = 0;
  const out = [];
  let last = performance.now();
  const step = (now) => {
    out.push(now - last);
    last = now;
    if (out.length === 240) return done(out.slice(1));
    viewport.scrollTop += 400;
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
});
const sorted = (list) => [...list].sort((a, b) => a - b);
const at = (list, p) => sorted(list)[Math.min(list.length - 1, Math.round((list.length - 1) * p))];

const scrolled = memory();
await new Promise((resolve) => setTimeout(resolve, 10_000));
const scrolledIdle = memory();

await browser.deleteSession();

// Unlock of a password vault of 100,000 tokens to its first rows painted: from the click
// on Unlock to the frame after the first row shows its data. The Argon2id derivation
// is part of it; the seed example timed one with a new vault's parameters on this
// machine just before (BENCH_KDF_MS), and the target is what comes beyond it.
const locked = await openApp({ home: process.env.BENCH_PASSWORD_HOME, downloads: process.env.BENCH_PASSWORD_HOME });
await type(locked, "#unlock-password", process.env.BENCH_PASSWORD);
const unlocked = await locked.executeAsync(function (done) {
  const t0 = performance.now();
  const check = () => {
    if (document.querySelector('[data-testid="token-row"]')) {
      requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
    } else if (performance.now() - t0 > 30_000) {
      done(-1);
    } else {
      requestAnimationFrame(check);
    }
  };
  document.querySelector('[data-testid="unlock-submit"]').click();
  requestAnimationFrame(check);
});
if (unlocked < 0) throw new Error("the password vault showed no rows within 30 s of Unlock");
await locked.deleteSession();
const kdf = Number(process.env.BENCH_KDF_MS);
const beyondKdf = unlocked - kdf;

// Each target with whether this run held it.
const held = (value, limit) => (value <= limit ? "met" : "missed");
console.log(`| measure | value | target | |`);
console.log(`|---|---:|---|---|`);
console.log(`| start to interactive list (app process start to first rows painted) | ${(interactive / 1000).toFixed(2)} s | ≤ 1.0 s | ${held(interactive, 1000)} |`);
console.log(`| … of which process start to page navigation | ${(toPage / 1000).toFixed(2)} s | | |`);
console.log(`| keystroke to painted rows, p50 (${samples.length} keystrokes) | ${pct(0.5).toFixed(1)} ms | | |`);
console.log(`| keystroke to painted rows, p99 | ${pct(0.99).toFixed(1)} ms | ≤ 35 ms | ${held(pct(0.99), 35)} |`);
for (const [what, of] of stages) {
  const values = asked.map(of);
  console.log(`| … ${what}, p50 / p99 (${asked.length} keystrokes that asked the backend) | ${at(values, 0.5).toFixed(1)} / ${at(values, 0.99).toFixed(1)} ms | | |`);
}
console.log(`| CPU of both cores while typing: app / other processes (${cpu.top}) / taken by the host / idle or waiting on the disk | ${cpu.app.toFixed(0)} / ${cpu.others.toFixed(0)} / ${cpu.steal.toFixed(1)} / ${cpu.idle.toFixed(0)} % | | |`);
console.log(`| … pages the app's processes read from disk (major faults): during the start / while typing | ${startFaults} / ${cpu.faults} | | |`);
console.log(`| scroll jump to a random row, rows painted, p50 / p99 (${jumps.length} jumps) | ${at(jumps, 0.5).toFixed(1)} / ${at(jumps, 0.99).toFixed(1)} ms | | |`);
console.log(`| scrolling 400 px a frame, time between frames, p50 / p95 (${frames.length} frames) | ${at(frames, 0.5).toFixed(1)} / ${at(frames, 0.95).toFixed(1)} ms | | |`);
console.log(`| memory of all app processes right after typing, RSS / PSS (${busy.names.join(", ")}) | ${busy.rss.toFixed(0)} / ${busy.pss.toFixed(0)} MiB | | |`);
console.log(`| memory of all app processes, idle 3 s later, RSS | ${mem.rss.toFixed(0)} MiB | | |`);
console.log(`| memory of all app processes, idle 3 s later, PSS (${mem.names.join(", ")}) | ${mem.pss.toFixed(0)} MiB | ≤ 300 MiB | ${held(mem.pss, 300)} |`);
console.log(`| memory of all app processes right after the scrolling, RSS / PSS (${scrolled.names.join(", ")}) | ${scrolled.rss.toFixed(0)} / ${scrolled.pss.toFixed(0)} MiB | ≤ 300 MiB (PSS) | ${held(scrolled.pss, 300)} |`);
console.log(`| memory of all app processes 10 s after the scrolling, RSS / PSS (${scrolledIdle.names.join(", ")}) | ${scrolledIdle.rss.toFixed(0)} / ${scrolledIdle.pss.toFixed(0)} MiB | ≤ 300 MiB (PSS) | ${held(scrolledIdle.pss, 300)} |`);
console.log(`| unlock of a password vault to first rows painted (Unlock clicked to rows) | ${unlocked.toFixed(0)} ms | | |`);
console.log(`| … beyond the Argon2id derivation (${kdf.toFixed(0)} ms here, timed apart) | ${beyondKdf.toFixed(0)} ms | ≤ 300 ms | ${held(beyondKdf, 300)} |`);
stopDriver();
