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
    stop();
  });
});
