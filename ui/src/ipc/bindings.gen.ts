// Generated from crates/tessera-ipc/src/dto.rs by `make bindings`. Do not edit.

export type VaultState = "no_vault" | "locked" | "unlocked";

export type AppStatus = { state: VaultState, 
/**
 * When a vault exists.
 */
protection: Protection | null, vault_dir: string, settings: Settings, 
/**
 * While unlocked: a number that changes when another process (the CLI) changes
 * the vault, so the window knows to reload its list and counts.
 */
outside_changes: number | null, 
/**
 * What a new master password must be: the core's one policy.
 */
password_policy: PasswordPolicy, };

export type PasswordPolicy = { 
/**
 * The fewest characters (Unicode code points).
 */
min_chars: number, 
/**
 * The most.
 */
max_chars: number, };

export type Settings = { 
/**
 * Seconds before a copied secret is cleared; 0 = never.
 */
clipboard_clear_seconds: number, 
/**
 * Minutes of inactivity before the vault locks; 0 = never.
 */
auto_lock_minutes: number, 
/**
 * Days before expiry from which a warning is shown.
 */
expiry_warning_days: number, 
/**
 * "system", "light" or "dark".
 */
theme: string, };

export type TokenRow = { id: string, name: string, description: string, kind: TokenKind, status: Status, created_at: number, expires_at: number | null, revoked_at: number | null, last_used_at: number | null, use_count: number, rotation_days: number | null, rotation_due_at: number | null, 
/**
 * Authorized for every API ("All APIs"); `apis` is then empty.
 */
all_apis: boolean, apis: Array<string>, projects: Array<string>, users: Array<string>, service_account: string | null, service: string | null, key_id: string | null, algorithm: JwtAlg | null, 
/**
 * Matched character positions in the name.
 */
positions: Array<number>, };

export type SearchRequest = { text: string, kind: TokenKind | null, status: Status | null, sort: Sort, offset: number, limit: number, };

export type Sort = "relevance" | "name" | "created" | "expires" | "last_used";

export type TokenKind = "workspace" | "personal" | "service" | "rsa" | "jwt" | "external";

export type KindFields = { 
/**
 * The kind.
 */
kind: TokenKind, 
/**
 * Scoped to named APIs.
 */
apis: boolean, 
/**
 * May be given every API (`*`) by the person's choice.
 */
all_apis: boolean, 
/**
 * Scoped to projects.
 */
projects: boolean, 
/**
 * Scoped to users.
 */
users: boolean, 
/**
 * Owned by a service account (required).
 */
service_account: boolean, 
/**
 * Has an RSA key size.
 */
rsa_bits: boolean, 
/**
 * Has a JWT algorithm.
 */
jwt_alg: boolean, 
/**
 * Holds a value pasted in, and the service that issued it.
 */
value: boolean, };

export type Status = "active" | "expiring" | "rotation_due" | "expired" | "revoked";

export type JwtAlg = "HS256" | "RS256" | "EdDSA";

export type Protection = "keyring" | "password";

export type TokenPage = { total: number, offset: number, rows: Array<TokenRow>, };

export type KindCount = { kind: TokenKind, count: number, };

export type CreateRequest = { kind: TokenKind, name: string, description: string, 
/**
 * "never", a duration such as "30d", or a date "YYYY-MM-DD".
 */
expires: string, apis: Array<string>, projects: Array<string>, users: Array<string>, service_account: string | null, rsa_bits: number | null, jwt_alg: JwtAlg | null, rotation_days: number | null, value: string | null, service: string | null, };

export type EditRequest = { name: string | null, description: string | null, expires: string | null, apis: Array<string> | null, projects: Array<string> | null, users: Array<string> | null, service_account: string | null, 
/**
 * Days; 0 removes the security period.
 */
rotation_days: number | null, service: string | null, };

export type Created = { token: TokenRow, secret: string | null, };

export type CopyResult = { name: string, 
/**
 * Seconds until it is cleared; 0 = never.
 */
clear_after: number, };

export type Recognised = { service: string | null, label: string | null, checksum_ok: boolean | null, };

export type CatalogEntry = { 
/**
 * Unique name within its catalog (case-insensitive).
 */
name: string, 
/**
 * API: HTTP method; user: email; service account: description.
 */
detail: string | null, 
/**
 * API: path pattern.
 */
extra: string | null, 
/**
 * When it was added.
 */
created_at: number, };

export type CatalogInput = { name: string, detail: string | null, extra: string | null, };

export type AuditEvent = { 
/**
 * Sequence number; higher is newer.
 */
id: number, 
/**
 * When it happened.
 */
at: number, 
/**
 * The action.
 */
action: AuditAction, 
/**
 * The token concerned, if any (kept after the token is deleted).
 */
token_id: string | null, 
/**
 * The token's name at the time.
 */
token_name: string | null, 
/**
 * How it ended.
 */
outcome: AuditOutcome, 
/**
 * More about it: the reason a verification failed, the error of a failed action.
 */
detail: string, };

export type AuditAction = "create" | "modify" | "rotate" | "revoke" | "restore" | "delete" | "reveal" | "copy" | "export" | "import" | "verify" | "passwd" | "catalog_add" | "catalog_rename" | "catalog_remove";

export type AuditOutcome = "ok" | "failed" | "active" | "inactive";

export type AuditQuery = { action: AuditAction | null, token: string | null, failed_only: boolean, limit: number, };

export type Download = { 
/**
 * The file written, or null when the user cancelled the dialog.
 */
path: string | null, };

export type IpcError = { kind: ErrorCode, message: string, 
/**
 * For `invalid`: the field it is about ("expiry", "name", ...).
 */
field: string | null, };

export type ErrorCode = "no_vault" | "vault_exists" | "wrong_password" | "wrong_key" | "password_required" | "keyring_unavailable" | "key_missing" | "damaged" | "rolled_back" | "newer_schema" | "not_found" | "name_taken" | "invalid" | "invalid_state" | "in_use" | "bad_token_file" | "wrong_passphrase" | "clipboard" | "io" | "disk_full" | "read_only" | "busy" | "storage" | "crypto" | "locked" | "cancelled" | "internal";

/** The fields each kind of token takes: `TokenKind::fields` in the core. */
export const KIND_FIELDS: ReadonlyArray<KindFields> = [
  {
    "kind": "workspace",
    "apis": false,
    "all_apis": false,
    "projects": false,
    "users": false,
    "service_account": false,
    "rsa_bits": false,
    "jwt_alg": false,
    "value": false
  },
  {
    "kind": "personal",
    "apis": true,
    "all_apis": true,
    "projects": false,
    "users": false,
    "service_account": false,
    "rsa_bits": false,
    "jwt_alg": false,
    "value": false
  },
  {
    "kind": "service",
    "apis": true,
    "all_apis": true,
    "projects": false,
    "users": false,
    "service_account": true,
    "rsa_bits": false,
    "jwt_alg": false,
    "value": false
  },
  {
    "kind": "rsa",
    "apis": true,
    "all_apis": false,
    "projects": true,
    "users": false,
    "service_account": false,
    "rsa_bits": true,
    "jwt_alg": false,
    "value": false
  },
  {
    "kind": "jwt",
    "apis": true,
    "all_apis": false,
    "projects": false,
    "users": true,
    "service_account": false,
    "rsa_bits": false,
    "jwt_alg": true,
    "value": false
  },
  {
    "kind": "external",
    "apis": false,
    "all_apis": false,
    "projects": false,
    "users": false,
    "service_account": false,
    "rsa_bits": false,
    "jwt_alg": false,
    "value": true
  }
];

/** Every action the audit log records: `AuditAction::ALL` in the core. */
export const AUDIT_ACTIONS: ReadonlyArray<AuditAction> = ["create","modify","rotate","revoke","restore","delete","reveal","copy","export","import","verify","passwd","catalog_add","catalog_rename","catalog_remove"];
