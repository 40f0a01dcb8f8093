import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../stores/session.svelte";
import { tokenRow } from "../test-utils";
import Palette from "./Palette.svelte";

const status = (state: string) => ({
  state,
  protection: "password",
  vault_dir: "/v",
  settings: DEFAULT_SETTINGS,
  outside_changes: 0,
  password_policy: { min_chars: 12, max_chars: 1024 },
  recovery: null,
});

/** The commands the palette sent, in order, answered by `answer`. */
function mockPalette(answer: (cmd: string, args: Record<string, unknown>) => unknown): string[] {
  const sent: string[] = [];
  mockIPC((cmd, args) => {
    sent.push(cmd);
    return answer(cmd, (args ?? {}) as Record<string, unknown>);
  });
  return sent;
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
}

describe("Palette", () => {
  afterEach(() => clearMocks());

  const rows = [tokenRow({ id: "a", name: "prod deploy" }), tokenRow({ id: "b", name: "deploy rsa", kind: "rsa" })];

  it("searches as you type, keeps only the newest answer, and Enter copies the selected token", async () => {
    let copied: unknown = null;
    const sent = mockPalette((cmd, args) => {
      if (cmd === "app_status") return status("unlocked");
      if (cmd === "search_tokens") {
        const text = (args.request as { text: string }).text;
        return { total: text ? 2 : 0, offset: 0, rows: text ? rows : [] };
      }
      if (cmd === "copy_secret") {
        copied = args.id;
        return { name: "prod deploy", clear_after: 30 };
      }
      return null;
    });
    render(Palette);
    const input = await screen.findByTestId("palette-search");
    await fireEvent.input(input, { target: { value: "dep" } });
    await until(() => screen.queryAllByTestId("palette-row").length === 2);
    await fireEvent.keyDown(window, { key: "Enter" });
    expect((await screen.findByTestId("palette-done")).textContent).toBe("Copied prod deploy: the clipboard clears in 30 s");
    expect(copied).toBe("a");
    await until(() => sent.includes("hide_palette"));
  });

  it("Shift+Enter copies the reference; an RSA token's Enter says what to do instead", async () => {
    const sent = mockPalette((cmd) => {
      if (cmd === "app_status") return status("unlocked");
      if (cmd === "search_tokens") return { total: 2, offset: 0, rows };
      if (cmd === "copy_reference") return "tessera://deploy%20rsa";
      return null;
    });
    render(Palette);
    await until(() => screen.queryAllByTestId("palette-row").length === 2);
    await fireEvent.keyDown(window, { key: "ArrowDown" });
    await fireEvent.keyDown(window, { key: "Enter" });
    expect((await screen.findByTestId("palette-problem")).textContent).toMatch(/token file/);
    expect(sent).not.toContain("copy_secret");
    await fireEvent.keyDown(window, { key: "Enter", shiftKey: true });
    expect((await screen.findByTestId("palette-done")).textContent).toBe("Copied tessera://deploy%20rsa");
  });

  it("asks a locked vault's password, and Esc hides the palette", async () => {
    let password: unknown = null;
    const sent = mockPalette((cmd, args) => {
      if (cmd === "app_status") return status(password ? "unlocked" : "locked");
      if (cmd === "unlock") {
        password = args.password;
        return status("unlocked");
      }
      if (cmd === "search_tokens") return { total: 0, offset: 0, rows: [] };
      return null;
    });
    render(Palette);
    const box = await screen.findByTestId("palette-password");
    await fireEvent.input(box, { target: { value: "a long master password" } });
    await fireEvent.click(screen.getByTestId("palette-unlock"));
    await screen.findByTestId("palette-search");
    expect(password).toBe("a long master password");
    await fireEvent.keyDown(window, { key: "Escape" });
    await until(() => sent.includes("hide_palette"));
  });
});
