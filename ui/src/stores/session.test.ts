import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LOCK_CHECK_INTERVAL_MS, session } from "./session.svelte";

describe("session", () => {
  afterEach(() => {
    clearMocks();
    vi.useRealTimers();
  });

  it("shows the unlock screen when the vault locked itself (idle, screen lock, suspend)", async () => {
    vi.useFakeTimers();
    let state = "unlocked";
    mockIPC((cmd) => {
      if (cmd === "app_status") {
        return { state, protection: "password", vault_dir: "/v", settings: session.settings };
      }
      return null;
    });
    session.screen = "unlocked";
    const stop = session.watchLock();
    await vi.advanceTimersByTimeAsync(LOCK_CHECK_INTERVAL_MS);
    expect(session.screen).toBe("unlocked");
    state = "locked";
    await vi.advanceTimersByTimeAsync(LOCK_CHECK_INTERVAL_MS);
    expect(session.screen).toBe("locked");
    // The quick-access palette unlocked it: the window follows.
    const generation = session.generation;
    state = "unlocked";
    await vi.advanceTimersByTimeAsync(LOCK_CHECK_INTERVAL_MS);
    expect(session.screen).toBe("unlocked");
    expect(session.generation).toBe(generation + 1);
    stop();
  });

  it("offers to keep an older copy of the vault that unlocking refused", async () => {
    const calls: Array<{ cmd: string; args: unknown }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "unlock") {
        throw { kind: "rolled_back", message: "the vault file is older than its last recorded change" };
      }
      if (cmd === "accept_restore") {
        return { state: "unlocked", protection: "password", vault_dir: "/v", settings: session.settings };
      }
      return null;
    });
    session.screen = "locked";
    expect(await session.unlock("pw")).toBe(false);
    expect(session.rolledBack).toBe(true);
    expect(session.unlockError).toMatch(/^The vault file is older/);
    expect(await session.acceptRestore("pw")).toBe(true);
    expect(session.rolledBack).toBe(false);
    expect(session.screen).toBe("unlocked");
    expect(calls.map((c) => c.cmd)).toEqual(["unlock", "accept_restore"]);
    expect(calls[1]?.args).toEqual({ password: "pw" });
  });
});
