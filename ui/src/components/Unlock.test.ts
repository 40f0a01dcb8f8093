import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, session } from "../stores/session.svelte";
import Unlock from "./Unlock.svelte";

describe("Unlock", () => {
  beforeEach(() => {
    session.screen = "locked";
    session.protection = "password";
    session.unlockError = null;
  });
  afterEach(() => clearMocks());

  it("shows the wrong-password error inline", async () => {
    mockIPC((cmd) => {
      if (cmd === "unlock") throw { kind: "wrong_password", message: "wrong master password" };
      return null;
    });
    render(Unlock);
    const input = document.getElementById("unlock-password") as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "not-it-at-all" } });
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    expect((await screen.findByTestId("unlock-error")).textContent).toBe("Wrong master password");
    expect(session.screen).toBe("locked");
  });

  it("opens the vault with the right password", async () => {
    let sent: unknown = undefined;
    mockIPC((cmd, args) => {
      if (cmd === "unlock") {
        sent = (args as { password: string }).password;
        return { state: "unlocked", protection: "password", vault_dir: "/v", settings: DEFAULT_SETTINGS };
      }
      return null;
    });
    render(Unlock);
    await fireEvent.input(document.getElementById("unlock-password") as HTMLInputElement, { target: { value: "correct horse" } });
    await fireEvent.click(screen.getByTestId("unlock-submit"));
    await vi_wait(() => session.screen === "unlocked");
    expect(sent).toBe("correct horse");
  });
});

async function vi_wait(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
}
