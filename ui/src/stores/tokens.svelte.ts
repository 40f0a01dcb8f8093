/**
 * Token list state: the query (text, kind, status, sort), a page cache per query and
 * the sidebar counts. Pages of PAGE_SIZE rows are fetched by offset on demand, so the
 * virtualized list only ever asks for what is on screen.
 */
import { expiringTokens, prepareSearch, searchTokens, tokenCounts, type SearchRequest, type Sort, type Status, type TokenKind, type TokenRow } from "../ipc";
import { handleError } from "./session.svelte";

export type { Sort };
/** Every order the core offers (`Sort` is generated from it), with its label. */
export const SORTS: ReadonlyArray<{ value: Sort; label: string }> = [
  { value: "relevance", label: "Relevance" },
  { value: "name", label: "Name" },
  { value: "created", label: "Newest" },
  { value: "expires", label: "Expires soonest" },
  { value: "last_used", label: "Recently used" },
];
export const PAGE_SIZE = 50;
const MAX_CACHED_QUERIES = 12;
/** Pages kept per query (800 rows); scrolling far drops the farthest, refetched if needed. */
export const MAX_PAGES_PER_QUERY = 16;

type Entry = {
  text: string;
  total: number | null;
  pages: Map<number, TokenRow[]>;
  pending: Map<number, Promise<void>>;
};

export class TokenStore {
  text = $state("");
  kind = $state<TokenKind | null>(null);
  status = $state<Status | null>(null);
  sort = $state<Sort>("relevance");
  /** Tokens per kind, for the navigation. */
  counts = $state<Record<string, number>>({});
  /** The workspace token, when there is one. */
  workspace = $state<TokenRow | null>(null);
  /** Tokens that expire soon or are due for replacement. */
  expiring = $state<TokenRow[]>([]);
  /** When set, the list shows only these rows (from the expiry banner). */
  attention = $state<TokenRow[] | null>(null);
  /** Bumped whenever cached data changes, so readers re-run. */
  private version = $state(0);
  private cache = new Map<string, Entry>();
  /** Whether the search index was asked to be built since the last change. */
  private prepared = false;
  /** The last range asked for, refetched on refresh. */
  private lastRange: [number, number] = [0, PAGE_SIZE];

  /** The cache key of the current query. */
  key = $derived(JSON.stringify([this.text.trim(), this.kind, this.status, this.sort]));

  private entry(key: string = this.key): Entry {
    let entry = this.cache.get(key);
    if (!entry) {
      entry = { text: (JSON.parse(key) as [string])[0], total: null, pages: new Map(), pending: new Map() };
      this.cache.set(key, entry);
      if (this.cache.size > MAX_CACHED_QUERIES) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined && oldest !== key) this.cache.delete(oldest);
      }
    }
    return entry;
  }

  /**
   * The results on screen: the current query's once its first page has arrived, until
   * then the previous ones, so typing or a refresh never blanks the list.
   */
  private shownEntry: Entry | null = null;

  private shown(): Entry | null {
    void this.version;
    const current = this.cache.get(this.key);
    return current && current.total !== null ? current : this.shownEntry;
  }

  /** Matching tokens in the query on screen; null until a first page arrives. */
  get total(): number | null {
    if (this.attention) return this.attention.length;
    return this.shown()?.total ?? null;
  }

  /** The search text of the results on screen (the benchmark waits for it). */
  get shownText(): string | null {
    return this.shown()?.text ?? null;
  }

  /** The row at `index` of the results on screen, or undefined while its page loads. */
  rowAt(index: number): TokenRow | undefined {
    if (this.attention) return this.attention[index];
    const page = this.shown()?.pages.get(Math.floor(index / PAGE_SIZE));
    return page?.[index % PAGE_SIZE];
  }

  /** The search request for page `page` of the current query. */
  request(page: number): SearchRequest {
    return {
      text: this.text.trim(),
      kind: this.kind,
      status: this.status,
      sort: this.sort,
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
    };
  }

  /** Fetches one page of the current query unless cached or already on its way. */
  loadPage(page: number): Promise<void> {
    const key = this.key;
    const entry = this.entry(key);
    if (entry.pages.has(page)) return Promise.resolve();
    const pending = entry.pending.get(page);
    if (pending) return pending;
    const promise = searchTokens(this.request(page))
      .then((result) => {
        entry.total = result.total;
        entry.pages.set(page, result.rows);
        if (entry.pages.size > MAX_PAGES_PER_QUERY) {
          let farthest = page;
          for (const kept of entry.pages.keys()) {
            if (Math.abs(kept - page) > Math.abs(farthest - page)) farthest = kept;
          }
          entry.pages.delete(farthest);
        }
      })
      .catch((err: unknown) => {
        handleError(err);
      })
      .finally(() => {
        entry.pending.delete(page);
        if (key === this.key && entry.total !== null) this.shownEntry = entry;
        this.version++;
        this.prepareSearch();
      });
    entry.pending.set(page, promise);
    return promise;
  }

  /**
   * Once rows are on screen, has the backend build its search index, so the first
   * keystroke does not wait for it. Only an optimisation: a failure shows up, if it
   * matters, in the search that follows.
   */
  private prepareSearch(): void {
    if (this.prepared) return;
    this.prepared = true;
    prepareSearch().catch(() => {
      this.prepared = false;
    });
  }

  /** Makes sure rows [start, end) are cached (at least the first page). */
  async ensureRange(start: number, end: number): Promise<void> {
    if (this.attention) return;
    this.lastRange = [start, end];
    const first = Math.max(0, Math.floor(start / PAGE_SIZE));
    const cached = this.cache.get(this.key);
    if (cached && cached.total !== null) this.shownEntry = cached;
    const total = cached?.total;
    let last = Math.max(first, Math.floor(Math.max(end - 1, 0) / PAGE_SIZE));
    if (total !== null && total !== undefined) last = Math.min(last, Math.max(0, Math.ceil(total / PAGE_SIZE) - 1));
    const loads: Promise<void>[] = [];
    for (let page = first; page <= last; page++) loads.push(this.loadPage(page));
    await Promise.all(loads);
  }

  /** Drops every cached page and reloads what is on screen, the counts and the workspace token. */
  async refresh(): Promise<void> {
    this.cache.clear();
    this.prepared = false;
    this.version++;
    if (this.attention) {
      await Promise.all([this.loadExpiring(true), this.loadCounts()]);
      return;
    }
    const [start, end] = this.lastRange;
    await Promise.all([this.ensureRange(start, end), this.loadCounts()]);
  }

  /**
   * Everything from the vault again (after unlocking, or a change by another process):
   * the rows on screen and the counts first, then the expiry warnings, which read more.
   */
  async reloadAll(): Promise<void> {
    await this.refresh();
    // With the expiry filter on, refresh() has reloaded the warnings already.
    if (!this.attention) await this.loadExpiring();
  }

  async loadCounts(): Promise<void> {
    try {
      const counts = await tokenCounts();
      const next: Record<string, number> = {};
      for (const c of counts) next[c.kind] = c.count;
      this.counts = next;
      if ((next["workspace"] ?? 0) > 0) {
        const page = await searchTokens({ text: "", kind: "workspace", status: null, sort: "name", offset: 0, limit: 1 });
        this.workspace = page.rows[0] ?? null;
      } else {
        this.workspace = null;
      }
    } catch (err) {
      handleError(err);
    }
  }

  /** Loads the expiry warnings; `keepFilter` refreshes an active attention filter too. */
  async loadExpiring(keepFilter = false): Promise<void> {
    try {
      this.expiring = await expiringTokens();
      if (keepFilter && this.attention) this.attention = this.expiring;
    } catch (err) {
      handleError(err);
    }
  }

  /** Total tokens across kinds. */
  get allCount(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  showAttention(): void {
    this.attention = this.expiring;
  }

  clearAttention(): void {
    this.attention = null;
  }

  /** Forgets everything (on lock). */
  reset(): void {
    this.cache.clear();
    this.prepared = false;
    this.shownEntry = null;
    this.text = "";
    this.kind = null;
    this.status = null;
    this.sort = "relevance";
    this.counts = {};
    this.workspace = null;
    this.expiring = [];
    this.attention = null;
    this.version++;
  }
}

export const tokens = new TokenStore();
