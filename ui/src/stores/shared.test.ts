import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { session } from "./session.svelte";
import { shared } from "./shared.svelte";
import { ui } from "./ui.svelte";

describe("shared vaults", () => {
  afterEach(() => clearMocks());

  it("switching shows the chosen vault's list from the start, and a lost server as offline", async () => {
    const calls: Array<{ cmd: string; args: unknown }> = [];
    let active: string | null = null;
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "switch_vault") {
        active = (args as { name: string | null }).name;
        return { state: "unlocked", protection: "keyring", vault_dir: "/v", settings: session.settings, outside_changes: 1 };
      }
      if (cmd === "shared_vaults") {
        return {
          active,
          vaults: [
            { name: "team", server: "postgres://db.example/team", last_synced: null, offline: "cannot connect", offline_since: 1_700_000_000, conflicts: [] },
          ],
        };
      }
      if (cmd === "search_tokens") return { total: 0, offset: 0, rows: [] };
      if (cmd === "token_counts" || cmd === "expiring_tokens") return [];
      return null;
    });
    session.screen = "unlocked";
    ui.view = { section: "activity" };
    await shared.switchTo("team");
    expect(calls.find((c) => c.cmd === "switch_vault")?.args).toEqual({ name: "team" });
    expect(ui.view).toEqual({ section: "tokens", kind: null });
    await shared.refresh();
    expect(shared.active).toBe("team");
    expect(shared.shown?.offline).toBe("cannot connect");
    await shared.switchTo(null);
    expect(shared.active).toBeNull();
    expect(shared.shown).toBeNull();
  });
});
