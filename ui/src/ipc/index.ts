/**
 * The only file that calls Tauri's `invoke`: one typed async function per Rust command.
 * Errors reject with an `IpcError` (`{ kind, message, field }`, kind one of the generated
 * `ErrorCode`s, field the form field an "invalid" value belongs to); kind "locked" means the vault
 * locked itself (idle) and the UI should show the unlock screen.
 */
import { invoke } from "@tauri-apps/api/core";
import type {
  AppStatus,
  AutoBackupStatus,
  BackupSchedule,
  AuditQuery,
  AuditEvent,
  CatalogInput,
  CatalogEntry,
  CopyResult,
  CreateRequest,
  Created,
  Download,
  EditRequest,
  ImportPreview,
  ImportRequest,
  IpcError,
  KindCount,
  Members,
  Protection,
  Recognised,
  RecoveryKit,
  RemovedMember,
  SearchRequest,
  Settings,
  SharedVaults,
  TokenPage,
  TokenRow,
  VaultCreated,
} from "./types";

export type * from "./types";

/** The four catalogs, as the commands name them. */
export type CatalogName = "api" | "project" | "user" | "service-account";

/** Whether a rejection is an IpcError from Rust. */
export function isIpcError(err: unknown): err is IpcError {
  return typeof err === "object" && err !== null && "kind" in err && "message" in err;
}

/** A message a person can act on, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (isIpcError(err)) return err.message.charAt(0).toUpperCase() + err.message.slice(1);
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Vault state, protection and settings. */
export const appStatus = () => invoke<AppStatus>("app_status");
/** First run: create the vault, its key in the keyring or from a master password. */
export const createVault = (protection: Protection, password: string | null) =>
  invoke<VaultCreated>("create_vault", { protection, password });
/** The person kept the recovery kit: the reminder ends. */
export const confirmRecoveryKit = () => invoke<AppStatus>("confirm_recovery_kit");
/** A new recovery key (the old one stops working): the current password, or for a keyring vault a native confirmation. */
export const newRecoveryKit = (currentPassword: string | null) =>
  invoke<RecoveryKit>("new_recovery_kit", { currentPassword });
/** Automatic backups: folder, interval, the last one written. */
export const backupStatus = () => invoke<AutoBackupStatus>("backup_status");
/** The person picks the backup folder in a native dialog; that turns automatic backups on. */
export const chooseBackupFolder = () => invoke<AutoBackupStatus>("choose_backup_folder");
/** How often backups are made and how many are kept; null turns them off. */
export const setAutoBackup = (schedule: BackupSchedule | null) =>
  invoke<AutoBackupStatus>("set_auto_backup", { schedule });
/** Writes an automatic backup now. */
export const backUpNow = () => invoke<AutoBackupStatus>("back_up_now");
/** The person picks a file to import in a native dialog: what importing it would do, or null when cancelled. */
export const chooseImportFile = (request: ImportRequest) =>
  invoke<ImportPreview | null>("choose_import_file", { request });
/** What importing the chosen file would do, read again (another format or password). */
export const previewImport = (request: ImportRequest) => invoke<ImportPreview>("preview_import", { request });
/** Imports the chosen file. */
export const runImport = (request: ImportRequest) => invoke<ImportPreview>("run_import", { request });
/** Opens the vault: no password for a keyring vault. */
export const unlock = (password: string | null) => invoke<AppStatus>("unlock", { password });
/** Opens a vault refused as an older copy, because the user restored it on purpose. */
export const acceptRestore = (password: string | null) => invoke<AppStatus>("accept_restore", { password });
/** Locks: drops the key and clears a copied secret. */
export const lock = () => invoke<AppStatus>("lock");
/** Resets the idle timer. */
export const noteActivity = () => invoke<void>("note_activity");

/** One window of the token list: metadata only, never a secret. */
export const searchTokens = (request: SearchRequest) => invoke<TokenPage>("search_tokens", { request });
/** Builds the search index ahead of the first keystroke. */
export const prepareSearch = () => invoke<void>("prepare_search");
/** Tokens per kind. */
export const tokenCounts = () => invoke<KindCount[]>("token_counts");
/** One token's metadata. */
export const getToken = (id: string) => invoke<TokenRow>("get_token", { id });
/** Whether a name is free (case-insensitive), ignoring the token `except`. */
export const nameAvailable = (name: string, except: string | null = null) =>
  invoke<boolean>("name_available", { name, except });
/** The service and checksum of a pasted token, recognised from its prefix. */
export const recogniseToken = (value: string) => invoke<Recognised>("recognise_token", { value });

/** Creates a token; the secret is in the answer this once. */
export const createToken = (request: CreateRequest) => invoke<Created>("create_token", { request });
/** Changes metadata (a JWT is re-signed). */
export const editToken = (id: string, request: EditRequest) => invoke<TokenRow>("edit_token", { id, request });
/** A new secret (external tokens: the pasted new value). */
export const rotateToken = (id: string, value: string | null = null) =>
  invoke<Created>("rotate_token", { id, value });
export const revokeToken = (id: string) => invoke<TokenRow>("revoke_token", { id });
export const restoreToken = (id: string) => invoke<TokenRow>("restore_token", { id });
/** Deletes a revoked token for good. */
export const deleteToken = (id: string) => invoke<void>("delete_token", { id });

/** Rust puts the secret on the clipboard and clears it after the configured time. */
export const copySecret = (id: string) => invoke<CopyResult>("copy_secret", { id });
/** Puts a token's `tessera://` reference on the clipboard (not a secret); answers it. */
export const copyReference = (id: string) => invoke<string>("copy_reference", { id });
/** Hides the quick-access palette. */
export const hidePalette = () => invoke<void>("hide_palette");
/** Saves an RSA token file through a native dialog; path null when cancelled. */
export const downloadTokenFile = (id: string, passphrase: string | null) =>
  invoke<Download>("download_token_file", { id, passphrase });

export const catalogList = (catalog: CatalogName) => invoke<CatalogEntry[]>("catalog_list", { catalogName: catalog });
export const catalogAdd = (catalog: CatalogName, entry: CatalogInput) =>
  invoke<CatalogEntry>("catalog_add", { catalogName: catalog, entry });
export const catalogRename = (catalog: CatalogName, old: string, renamed: string) =>
  invoke<void>("catalog_rename", { catalogName: catalog, old, new: renamed });
export const catalogRemove = (catalog: CatalogName, name: string) =>
  invoke<void>("catalog_remove", { catalogName: catalog, name });

/** Audit events, newest first. */
export const auditEvents = (query: AuditQuery) => invoke<AuditEvent[]>("audit_events", { query });
export const saveSettings = (settings: Settings) => invoke<Settings>("save_settings", { settings });
/**
 * Sets a new master password; the vault is re-keyed. A password vault needs its current
 * password; for a keyring vault (null) Rust asks the person in a native dialog.
 */
export const changePassword = (currentPassword: string | null, newPassword: string) =>
  invoke<void>("change_password", { currentPassword, newPassword });
/** Tokens expiring within the warning window or due for rotation. */
export const expiringTokens = () => invoke<TokenRow[]>("expiring_tokens");

/** The shared vaults this install belongs to, which one is shown, and how each syncs. */
export const sharedVaults = () => invoke<SharedVaults>("shared_vaults");
/** Shows shared vault `name`, or with null the person's own vault. */
export const switchVault = (name: string | null) => invoke<AppStatus>("switch_vault", { name });
/** The members of shared vault `name`, from its signed roster on the server. */
export const vaultMembers = (name: string) => invoke<Members>("vault_members", { name });
/** Removes a member (admins only): a new key for the others; answers the tokens to rotate. */
export const removeMember = (name: string, identity: string) =>
  invoke<RemovedMember>("remove_member", { name, identity });
/** Ends token `id`'s conflict in the vault shown: keepMine puts this machine's values back over the other member's. */
export const resolveConflict = (id: string, keepMine: boolean) => invoke<void>("resolve_conflict", { id, keepMine });
