import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SearchRequest } from "../ipc";
import { tokenRow } from "../test-utils";
import { MAX_PAGES_PER_QUERY, PAGE_SIZE, TokenStore } from "./tokens.svelte";

const TOTAL = 1000;

describe("token store", () => {
  let searches: SearchRequest[];
  let store: TokenStore;

  beforeEach(() => {
    searches = [];
    store = new TokenStore();
    mockIPC((cmd, args) => {
      if (cmd === "search_tokens") {
        const request = (args as { request: SearchRequest }).request;
        searches.push(request);
        const total = request.text === "" ? TOTAL : 3;
        const rows = [];
        for (let i = request.offset; i < Math.min(total, request.offset + request.limit); i++) {
          rows.push(tokenRow({ id: `t${i}`, name: `${request.text || "token"}-${i}` }));
        }
        return { total, offset: request.offset, rows };
      }
      if (cmd === "token_counts") return [{ kind: "personal", count: TOTAL }];
      if (cmd === "expiring_tokens") return [];
      return null;
    });
  });

  afterEach(() => clearMocks());

  it("fetches pages of 50 by offset and serves repeats from the cache", async () => {
    expect(PAGE_SIZE).toBe(50);
    expect(store.total).toBeNull();
    await store.ensureRange(0, 50);
    expect(searches).toHaveLength(1);
    expect(searches[0]).toMatchObject({ offset: 0, limit: PAGE_SIZE, text: "", sort: "relevance" });
    expect(store.total).toBe(TOTAL);
    expect(store.rowAt(42)?.name).toBe("token-42");

    await store.ensureRange(10, 40);
    expect(searches).toHaveLength(1);

    await store.ensureRange(120, 320);
    expect(searches.map((s) => s.offset)).toEqual([0, 100, 150, 200, 250, 300]);
    expect(store.rowAt(305)?.id).toBe("t305");
    expect(store.rowAt(450)).toBeUndefined();
  });

  it("keeps showing the previous results until the new query's first page arrives", async () => {
    await store.ensureRange(0, 10);
    expect(store.shownText).toBe("");
    store.text = "db";
    const loading = store.ensureRange(0, 10);
    // Typing never blanks the list: the old rows stay until the new ones are here.
    expect(store.total).toBe(TOTAL);
    expect(store.rowAt(0)?.name).toBe("token-0");
    await loading;
    expect(store.shownText).toBe("db");
    expect(store.total).toBe(3);
    expect(store.rowAt(0)?.name).toBe("db-0");
    // Back to a cached query: shown at once.
    store.text = "";
    expect(store.shownText).toBe("");
    expect(store.rowAt(0)?.name).toBe("token-0");
  });

  it("asks the backend to build its search index once rows are on screen, again after a refresh", async () => {
    const commands: string[] = [];
    mockIPC((cmd) => {
      commands.push(cmd);
      if (cmd === "search_tokens") return { total: 0, offset: 0, rows: [] };
      if (cmd === "token_counts") return [];
      return null;
    });
    await store.ensureRange(0, 10);
    await store.ensureRange(0, 10);
    expect(commands.filter((c) => c === "prepare_search")).toHaveLength(1);
    await store.refresh();
    expect(commands.filter((c) => c === "prepare_search")).toHaveLength(2);
  });

  it("keeps a bounded number of pages per query, dropping the farthest", async () => {
    for (let page = 0; page < MAX_PAGES_PER_QUERY + 4; page++) {
      await store.ensureRange(page * PAGE_SIZE, page * PAGE_SIZE + 10);
    }
    const last = (MAX_PAGES_PER_QUERY + 3) * PAGE_SIZE;
    expect(store.rowAt(last)?.id).toBe(`t${last}`);
    // The first pages were dropped; asking again fetches them again.
    expect(store.rowAt(0)).toBeUndefined();
    const before = searches.length;
    await store.ensureRange(0, 10);
    expect(searches.length).toBe(before + 1);
    expect(store.rowAt(0)?.id).toBe("t0");
  });

  it("does not fetch the same page twice while it is on its way", async () => {
    await Promise.all([store.ensureRange(0, 10), store.ensureRange(0, 20)]);
    expect(searches).toHaveLength(1);
  });

  it("keeps a cache per query, filters and sort", async () => {
    await store.ensureRange(0, 10);
    store.text = "db";
    await store.ensureRange(0, 10);
    expect(store.total).toBe(3);
    expect(searches[1]).toMatchObject({ text: "db", offset: 0 });

    store.sort = "name";
    await store.ensureRange(0, 10);
    expect(searches).toHaveLength(3);

    store.text = "";
    store.sort = "relevance";
    await store.ensureRange(0, 10);
    expect(searches).toHaveLength(3);
    expect(store.total).toBe(TOTAL);

    store.status = "revoked";
    store.kind = "rsa";
    await store.ensureRange(0, 10);
    expect(searches[3]).toMatchObject({ status: "revoked", kind: "rsa" });
  });

  it("never asks for pages beyond the total", async () => {
    store.text = "db";
    await store.ensureRange(0, 10);
    await store.ensureRange(0, 500);
    expect(searches).toHaveLength(1);
  });

  it("refresh drops the cache and refetches what is on screen plus the counts", async () => {
    await store.ensureRange(200, 250);
    expect(searches.map((s) => s.offset)).toEqual([200]);
    await store.refresh();
    expect(searches.map((s) => s.offset)).toEqual([200, 200]);
    expect(store.counts).toEqual({ personal: TOTAL });
    expect(store.allCount).toBe(TOTAL);
  });

  it("shows only the attention rows when the expiry filter is on", async () => {
    store.expiring = [tokenRow({ id: "x", name: "soon" })];
    store.showAttention();
    expect(store.total).toBe(1);
    expect(store.rowAt(0)?.name).toBe("soon");
    store.clearAttention();
    expect(store.total).toBeNull();
  });
});
