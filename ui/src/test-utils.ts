/** Shared fixtures for unit tests. */
import type { TokenRow } from "./ipc";

export function tokenRow(overrides: Partial<TokenRow> = {}): TokenRow {
  return {
    id: "tok_1",
    name: "deploy-bot",
    description: "",
    kind: "personal",
    status: "active",
    created_at: 1_700_000_000,
    expires_at: null,
    revoked_at: null,
    last_used_at: null,
    use_count: 0,
    usage: "Not used",
    rotation_days: null,
    rotation_due_at: null,
    apis: [],
    projects: [],
    users: [],
    service_account: null,
    service: null,
    key_id: null,
    algorithm: null,
    positions: [],
    ...overrides,
  };
}
