import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import type { SearchRequest } from "./ipc";
import { DEFAULT_SETTINGS, LOCK_CHECK_INTERVAL_MS, session } from "./stores/session.svelte";
import { tokenRow } from "./test-utils";


const status = (state: string, protection: string | null) => ({
  state,
  protection,
  vault_dir: "/vault",
  settings: { ...DEFAULT_SETTINGS, theme: "dark" },
  outside_changes: null,
  password_policy: { min_chars: 8, max_chars: 1024 },
  recovery: state === "unlocked" ? ("confirmed" as const) : null,
});

describe("App shell", () => {
  beforeEach(() => {
    session.screen = "loading";
    session.unlockError = null;
  });
  afterEach(() => clearMocks());

  it("first run creates a password vault after inline validation, then shows its recovery kit", async () => {
    let created: unknown = null;
    let kept = false;
    const key = "TSR-28RF5-M5ZP3-91RQQ-PN2TT-Y1C55-D6BXT-48J";
    mockIPC((cmd, args) => {
      if (cmd === "app_status") return status("no_vault", null);
      if (cmd === "create_vault") {
        created = args;
        return {
          status: { ...status("unlocked", "password"), recovery: "unconfirmed" },
          kit: { vault_id: "01a2", vault_dir: "/vault", created_at: 1_800_000_000, recovery_key: key },
        };
      }
      if (cmd === "confirm_recovery_kit") {
        kept = true;
        return status("unlocked", "password");
      }
      if (cmd === "search_tokens") return { total: 0, offset: 0, rows: [] };
      if (cmd === "token_counts" || cmd === "expiring_tokens") return [];
      return null;
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("setup-password"));
    const pw = document.getElementById("setup-password-input") as HTMLInputElement;
    await fireEvent.input(pw, { target: { value: "short" } });
    await fireEvent.click(screen.getByTestId("setup-submit"));
    expect(await screen.findByText("Use at least 8 characters")).toBeTruthy();
    await fireEvent.input(pw, { target: { value: "long enough" } });
    await fireEvent.input(document.getElementById("setup-password-confirm") as HTMLInputElement, { target: { value: "long enough" } });
    await fireEvent.click(screen.getByTestId("setup-submit"));
    await waitFor(() => expect(created).toEqual({ protection: "password", password: "long enough" }));
    const shown = await screen.findByTestId("recovery-key");
    expect(shown.textContent).toBe(key);
    const done = screen.getByTestId("recovery-done") as HTMLButtonElement;
    expect(done.disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("recovery-kept"));
    await fireEvent.click(done);
    await waitFor(() => expect(kept).toBe(true));
    expect(await screen.findByText("Create your first token")).toBeTruthy();
    expect(screen.queryByTestId("recovery-key"), "the key is shown once").toBeNull();
    expect(screen.queryByTestId("recovery-reminder")).toBeNull();
    expect(document.documentElement.dataset.theme).toBe("dark");
  });

  it("unlocks a keyring vault automatically, shows the list and locks on 'locked' errors", async () => {
    let locked = false;
    mockIPC((cmd, args) => {
      if (cmd === "app_status") return status("locked", "keyring");
      if (cmd === "unlock") return status("unlocked", "keyring");
      if (cmd === "search_tokens") {
        if (locked) throw { kind: "locked", message: "Tessera is locked: unlock it to continue" };
        const request = (args as { request: SearchRequest }).request;
        const rows = [tokenRow({ id: "a", name: "alpha" }), tokenRow({ id: "b", name: "beta", status: "revoked" })];
        return { total: 2, offset: request.offset, rows: request.offset === 0 ? rows : [] };
      }
      if (cmd === "token_counts") return [{ kind: "personal", count: 2 }];
      if (cmd === "expiring_tokens") return [tokenRow({ id: "a", name: "alpha", status: "expiring" })];
      return null;
    });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId("token-row")).toHaveLength(2));
    expect((await screen.findByTestId("expiry-banner")).textContent).toContain("1 token expires soon");
    expect(screen.getByTestId("nav-all").textContent).toContain("2");
    locked = true;
    await fireEvent.change(document.getElementById("sort") as HTMLSelectElement, { target: { value: "name" } });
    await waitFor(() => expect(screen.getByTestId("unlock-submit")).toBeTruthy());
  });

  it("reloads the list and counts when another process changed the vault", async () => {
    let names = ["alpha"];
    let version = 7;
    let unlocked = false;
    mockIPC((cmd, args) => {
      if (cmd === "unlock") unlocked = true;
      if (cmd === "app_status" || cmd === "unlock") return { ...status(unlocked ? "unlocked" : "locked", "keyring"), outside_changes: version };
      if (cmd === "search_tokens") {
        const request = (args as { request: SearchRequest }).request;
        const rows = names.map((name) => tokenRow({ id: name, name }));
        return { total: rows.length, offset: request.offset, rows: request.offset === 0 ? rows : [] };
      }
      if (cmd === "token_counts") return [{ kind: "personal", count: names.length }];
      if (cmd === "expiring_tokens") return [];
      return null;
    });
    render(App);
    await waitFor(() => expect(screen.getAllByTestId("token-row")).toHaveLength(1));
    // The check every LOCK_CHECK_INTERVAL_MS sees the same vault: nothing reloads.
    await new Promise((resolve) => setTimeout(resolve, LOCK_CHECK_INTERVAL_MS + 200));
    expect(session.outsideChanges).toBe(0);
    names = ["alpha", "from the cli"];
    version = 8;
    await waitFor(() => expect(screen.getAllByTestId("token-row")).toHaveLength(2), { timeout: LOCK_CHECK_INTERVAL_MS + 1000 });
    expect(screen.getByTestId("nav-personal").textContent).toContain("2");
    expect(session.outsideChanges).toBe(1);
  }, 10_000);
});
