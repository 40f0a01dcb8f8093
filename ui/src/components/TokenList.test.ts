import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SearchRequest } from "../ipc";
import { tokens } from "../stores/tokens.svelte";
import { tokenRow } from "../test-utils";
import TokenList from "./TokenList.svelte";

const TOTAL = 100_000;


describe("TokenList", () => {
  let searches: SearchRequest[];
  let copied: string[];
  /** While set, pages past row 1,000 wait for it. */
  let farPages: Promise<void> | null;

  beforeEach(() => {
    tokens.reset();
    searches = [];
    copied = [];
    farPages = null;
    mockIPC(async (cmd, args) => {
      if (cmd === "search_tokens") {
        const request = (args as { request: SearchRequest }).request;
        searches.push(request);
        if (request.offset > 1_000 && farPages) await farPages;
        const total = request.text === "zzz" ? 0 : TOTAL;
        const rows = [];
        for (let i = request.offset; i < Math.min(total, request.offset + request.limit); i++) {
          rows.push(tokenRow({ id: `t${i}`, name: `token-${i}`, positions: request.text ? [0, 1] : [] }));
        }
        return { total, offset: request.offset, rows };
      }
      if (cmd === "copy_secret") {
        copied.push((args as { id: string }).id);
        return { name: "token-1", clear_after: 30 };
      }
      return null;
    });
  });

  afterEach(() => clearMocks());

  it("mounts only the visible rows of 100,000", async () => {
    render(TokenList);
    await waitFor(() => expect(screen.getByTestId("result-count").textContent?.trim()).toBe("100,000 tokens"));
    const rows = screen.getAllByTestId("token-row");
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    const spacer = document.querySelector(".spacer") as HTMLElement;
    expect(spacer.style.height).toBe(`${TOTAL * 56}px`);
    expect(searches).toHaveLength(1);
    expect(rows[0]?.getAttribute("data-name")).toBe("token-0");
  });

  it("keeps each row's elements through a jump: placeholders while the page loads, then the rows", async () => {
    render(TokenList);
    await screen.findAllByTestId("token-row");
    const block = document.querySelector(".rows") as HTMLElement;
    const elements = Array.from(block.children);
    let arrive = () => {};
    farPages = new Promise((resolve) => (arrive = resolve));
    const viewport = document.querySelector(".viewport") as HTMLElement;
    Object.defineProperty(viewport, "scrollTop", { value: 50_000 * 56, writable: true });
    await fireEvent.scroll(viewport);
    await waitFor(() => expect(block.querySelectorAll(".token-row.placeholder").length).toBeGreaterThan(5));
    expect(screen.queryAllByTestId("token-row")).toHaveLength(0);
    expect(block.querySelector("#token-row-50000")).toBeNull();
    arrive();
    await waitFor(() => expect(block.querySelector("#token-row-50000")?.getAttribute("data-name")).toBe("token-50000"));
    expect(block.querySelectorAll(".placeholder")).toHaveLength(0);
    // The same elements, now showing other tokens: nothing was rebuilt.
    expect(Array.from(block.children).slice(0, elements.length)).toEqual(elements);
  });

  it("moves the selection with the arrow keys and copies with Enter", async () => {
    render(TokenList);
    await screen.findAllByTestId("token-row");
    const grid = screen.getByRole("grid");
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    await fireEvent.keyDown(grid, { key: "ArrowDown" });
    const selected = document.querySelector("[data-testid=token-row][aria-selected=true]");
    expect(selected?.getAttribute("data-id")).toBe("t1");
    await fireEvent.keyDown(grid, { key: "Enter" });
    await waitFor(() => expect(copied).toEqual(["t1"]));
  });

  it("highlights matches and shows a friendly empty state", async () => {
    render(TokenList);
    const search = document.getElementById("search") as HTMLInputElement;
    await fireEvent.input(search, { target: { value: "to" } });
    await fireEvent.keyDown(search, { key: "Enter" });
    await waitFor(() => expect(screen.getAllByTestId("token-name")[0]?.querySelector("mark")?.textContent).toBe("to"));
    await fireEvent.input(search, { target: { value: "zzz" } });
    await fireEvent.keyDown(search, { key: "Enter" });
    expect(await screen.findByText("No tokens match 'zzz'")).toBeTruthy();
  });
});
