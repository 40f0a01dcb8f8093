import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SearchRequest } from "../ipc";
import { tokenRow } from "../test-utils";
import { PAGE_SIZE, TokenStore } from "./tokens.svelte";

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

  it("fetches pages of 100 by offset and serves repeats from the cache", async () => {
    expect(store.total).toBeNull();
    await store.ensureRange(0, 50);
    expect(searches).toHaveLength(1);
    expect(searches[0]).toMatchObject({ offset: 0, limit: PAGE_SIZE, text: "", sort: "relevance" });
    expect(store.total).toBe(TOTAL);
    expect(store.rowAt(42)?.name).toBe("token-42");

    await store.ensureRange(10, 60);
    expect(searches).toHaveLength(1);

    await store.ensureRange(150, 320);
    expect(searches.map((s) => s.offset)).toEqual([0, 100, 200, 300]);
    expect(store.rowAt(305)?.id).toBe("t305");
    expect(store.rowAt(450)).toBeUndefined();
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
