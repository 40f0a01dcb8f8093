import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CreateRequest } from "../ipc";
import { tokenRow } from "../test-utils";
import GenerateDialog from "./GenerateDialog.svelte";

describe("GenerateDialog", () => {
  let calls: Array<{ cmd: string; args: unknown }>;
  let taken: Set<string>;

  beforeEach(() => {
    calls = [];
    taken = new Set(["prod-deploy"]);
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      switch (cmd) {
        case "catalog_list":
          return [{ name: "billing.read", detail: "GET /v1/invoices", extra: null, created_at: 1 }];
        case "name_available":
          return !taken.has(String((args as { name: string }).name).toLowerCase());
        case "create_token": {
          const request = (args as { request: CreateRequest }).request;
          return { token: tokenRow({ name: request.name, kind: request.kind }), secret: "tsr_secretvalue1234" };
        }
        default:
          return null;
      }
    });
  });

  afterEach(() => clearMocks());

  function setup() {
    const oncreated = vi.fn();
    const onclose = vi.fn();
    render(GenerateDialog, { props: { mode: { mode: "create", kind: "personal" }, onclose, oncreated, onsaved: vi.fn() } });
    return { oncreated, onclose };
  }

  const created = () => calls.filter((c) => c.cmd === "create_token");

  it("shows the core's refusal beside the field it names, from the error's field, not its wording", async () => {
    mockIPC((cmd) => {
      if (cmd === "catalog_list") return [];
      if (cmd === "name_available") return true;
      if (cmd === "create_token") {
        throw { kind: "invalid", field: "expiry", message: "the date is too far ahead" };
      }
      return null;
    });
    setup();
    const name = document.getElementById("gen-name") as HTMLInputElement;
    await fireEvent.input(name, { target: { value: "far" } });
    await fireEvent.click(screen.getByTestId("gen-submit"));
    expect((await screen.findByTestId("expiry-error")).textContent).toBe("The date is too far ahead");
    expect(screen.queryByTestId("form-error")).toBeNull();
  });

    it("requires a name", async () => {
    setup();
    await fireEvent.click(screen.getByTestId("gen-submit"));
    expect((await screen.findByTestId("name-error")).textContent).toMatch(/enter a name/i);
    expect(created()).toHaveLength(0);
  });

  it("reports a duplicate name and creates nothing", async () => {
    setup();
    const name = document.getElementById("gen-name") as HTMLInputElement;
    await fireEvent.input(name, { target: { value: "Prod-Deploy" } });
    await fireEvent.click(screen.getByTestId("gen-submit"));
    await waitFor(() => expect(screen.getByTestId("name-error").textContent).toBe("A token named 'Prod-Deploy' already exists"));
    expect(created()).toHaveLength(0);
  });

  it("checks the name as you type", async () => {
    setup();
    const name = document.getElementById("gen-name") as HTMLInputElement;
    await fireEvent.input(name, { target: { value: "prod-deploy" } });
    await waitFor(() => expect(screen.getByTestId("name-error").textContent).toContain("already exists"), { timeout: 2000 });
  });

  it("rejects a custom date in the past without calling createToken", async () => {
    setup();
    await fireEvent.input(document.getElementById("gen-name") as HTMLInputElement, { target: { value: "fresh" } });
    await fireEvent.change(document.getElementById("gen-expiry") as HTMLSelectElement, { target: { value: "custom" } });
    const date = (await waitFor(() => {
      const el = document.getElementById("gen-expiry-date");
      expect(el).not.toBeNull();
      return el;
    })) as HTMLInputElement;
    await fireEvent.input(date, { target: { value: "2020-01-01" } });
    await fireEvent.click(screen.getByTestId("gen-submit"));
    expect((await screen.findByTestId("expiry-error")).textContent).toMatch(/future/);
    expect(created()).toHaveLength(0);
  });

  it("creates a token with the chosen APIs and expiry", async () => {
    const { oncreated } = setup();
    await fireEvent.input(document.getElementById("gen-name") as HTMLInputElement, { target: { value: "fresh" } });
    await fireEvent.change(document.getElementById("gen-expiry") as HTMLSelectElement, { target: { value: "90d" } });
    const api = await screen.findByTestId("api-option");
    expect(api.getAttribute("data-name")).toBe("billing.read");
    await fireEvent.click(api);
    await fireEvent.click(screen.getByTestId("gen-submit"));
    await waitFor(() => expect(oncreated).toHaveBeenCalledTimes(1));
    const request = (created()[0]?.args as { request: CreateRequest }).request;
    expect(request).toMatchObject({ kind: "personal", name: "fresh", expires: "90d", apis: ["billing.read"], rsa_bits: null });
  });

  it("shows server errors inline: name_taken under the name, other errors for the form", async () => {
    mockIPC((cmd) => {
      if (cmd === "name_available") return true;
      if (cmd === "catalog_list") return [];
      if (cmd === "create_token") throw { kind: "storage", message: "disk full" };
      return null;
    });
    setup();
    await fireEvent.input(document.getElementById("gen-name") as HTMLInputElement, { target: { value: "fresh" } });
    await fireEvent.click(screen.getByTestId("gen-submit"));
    expect((await screen.findByTestId("form-error")).textContent).toBe("Disk full");
  });
});
