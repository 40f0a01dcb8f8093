import { fireEvent, render, screen } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { shared } from "../stores/shared.svelte";
import VaultSwitcher from "./VaultSwitcher.svelte";

describe("VaultSwitcher", () => {
  afterEach(() => clearMocks());

  it("lists the shown vault's conflicts, and Keep mine resolves one with this machine's values", async () => {
    const calls: Array<{ cmd: string; args: unknown }> = [];
    let conflicts = [{ token_id: "tok_1", name: "stripe live", fields: ["description", "expires_at"], at: 1_700_000_000 }];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "shared_vaults") {
        return {
          active: "team",
          vaults: [{ name: "team", server: "postgres://db/team", last_synced: 1_700_000_000, offline: null, offline_since: null, conflicts }],
        };
      }
      if (cmd === "resolve_conflict") conflicts = [];
      if (cmd === "search_tokens") return { total: 0, offset: 0, rows: [] };
      if (cmd === "token_counts" || cmd === "expiring_tokens") return [];
      return null;
    });
    await shared.refresh();
    render(VaultSwitcher);
    const item = screen.getByTestId("conflict-item");
    expect(item.getAttribute("data-name")).toBe("stripe live");
    expect(item.textContent).toContain("description, expiry");
    await fireEvent.click(screen.getByTestId("keep-mine"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls.find((c) => c.cmd === "resolve_conflict")?.args).toEqual({ id: "tok_1", keepMine: true });
    expect(screen.queryByTestId("conflict-item")).toBeNull();
  });
});
