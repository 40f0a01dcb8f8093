import type { Status, TokenKind, TokenRow } from "../ipc";

/** A list row before its page has loaded: a row with no kind or status yet. */
export type PlaceholderRow = Omit<TokenRow, "kind" | "status"> & { kind: TokenKind | ""; status: Status | "" };

/** A row with every field empty: what a list row shows while its page loads. */
export const BLANK_ROW: Readonly<PlaceholderRow> = Object.freeze({
  id: "",
  name: "",
  description: "",
  kind: "",
  status: "",
  created_at: 0,
  expires_at: null,
  revoked_at: null,
  last_used_at: null,
  use_count: 0,
  rotation_days: null,
  rotation_due_at: null,
  rotated_at: 0,
  all_apis: false,
  apis: [],
  projects: [],
  users: [],
  service_account: null,
  service: null,
  key_id: null,
  algorithm: null,
  positions: [],
  token_file_stale_since: null,
  found_in: null,
  found_at: null,
});
