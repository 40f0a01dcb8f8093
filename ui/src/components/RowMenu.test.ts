import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { menuItems } from "../lib/actions";
import { tokenRow } from "../test-utils";
import RowMenu from "./RowMenu.svelte";

async function open(overrides: Parameters<typeof tokenRow>[0]) {
  const onaction = vi.fn();
  render(RowMenu, { props: { row: tokenRow(overrides), onaction } });
  await fireEvent.click(screen.getByTestId("row-menu"));
  return onaction;
}

const present = (id: string) => screen.queryByTestId(`action-${id}`) !== null;

describe("RowMenu", () => {
  it("offers Delete only for revoked tokens", async () => {
    await open({ status: "active" });
    expect(present("delete")).toBe(false);
    expect(present("revoke")).toBe(true);
    expect(present("restore")).toBe(false);
  });

  it("offers Restore and Delete for a revoked token", async () => {
    const onaction = await open({ status: "revoked" });
    expect(present("delete")).toBe(true);
    expect(present("restore")).toBe(true);
    expect(present("revoke")).toBe(false);
    expect(present("rotate")).toBe(false);
    await fireEvent.click(screen.getByTestId("action-delete"));
    expect(onaction).toHaveBeenCalledWith("delete");
    expect(present("delete")).toBe(false);
  });

  it("offers the kind-specific actions", async () => {
    await open({ kind: "rsa" });
    expect(present("copy")).toBe(false);
    expect(present("download")).toBe(true);
  });

  it("labels rotation Replace for workspace and external tokens", () => {
    expect(menuItems({ kind: "jwt", status: "active" }).map((i) => i.action)).toEqual([
      "copy",
      "copy-secret-id",
      "edit",
      "rotate",
      "revoke",
    ]);
    expect(menuItems({ kind: "external", status: "expiring" }).find((i) => i.action === "rotate")?.label).toBe("Replace");
    expect(menuItems({ kind: "workspace", status: "active" }).find((i) => i.action === "rotate")?.label).toBe("Replace");
    expect(menuItems({ kind: "personal", status: "expired" }).find((i) => i.action === "delete")).toBeUndefined();
  });

  it("closes on Escape and is reachable from the keyboard", async () => {
    await open({});
    const first = screen.getAllByRole("menuitem")[0];
    expect(first).toBeDefined();
    await fireEvent.keyDown(screen.getByRole("menu"), { key: "Escape" });
    expect(screen.queryByRole("menu")).toBeNull();
  });

  it("stays open when a refresh hands in the same token anew", async () => {
    const onaction = vi.fn();
    const { rerender } = render(RowMenu, { props: { row: tokenRow({ id: "a", status: "active" }), onaction } });
    await fireEvent.click(screen.getByTestId("row-menu"));
    await rerender({ row: tokenRow({ id: "a", status: "revoked" }), onaction });
    expect(screen.queryByRole("menu")).not.toBeNull();
    expect(present("delete")).toBe(true);
  });

  it("closes when its row element is reused for another token", async () => {
    const onaction = vi.fn();
    const { rerender } = render(RowMenu, { props: { row: tokenRow({ id: "a" }), onaction } });
    await fireEvent.click(screen.getByTestId("row-menu"));
    expect(screen.queryByRole("menu")).not.toBeNull();
    await rerender({ row: tokenRow({ id: "b" }), onaction });
    expect(screen.queryByRole("menu")).toBeNull();
  });
});
