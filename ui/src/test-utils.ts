/** Shared fixtures for unit tests. */
import type { TokenRow } from "./ipc";
import { BLANK_ROW } from "./lib/rows";

export function tokenRow(overrides: Partial<TokenRow> = {}): TokenRow {
  return {
    ...BLANK_ROW,
    id: "tok_1",
    name: "deploy-bot",
    kind: "personal",
    status: "active",
    created_at: 1_700_000_000,
    apis: [],
    projects: [],
    users: [],
    positions: [],
    token_file_stale_since: null,
    found_in: null,
    found_at: null,
    ...overrides,
  };
}

