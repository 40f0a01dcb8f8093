/** Row actions: which apply to a token, and running them. */
import {
  copySecret,
  deleteToken,
  restoreToken,
  revokeToken,
  rotateToken,
  type TokenRow,
} from "../ipc";
import { handleError } from "../stores/session.svelte";
import { toasts } from "../stores/toasts.svelte";
import { tokens } from "../stores/tokens.svelte";
import { ui } from "../stores/ui.svelte";
import type { PlaceholderRow } from "./rows";

export type Action = "copy" | "copy-secret-id" | "download" | "edit" | "rotate" | "revoke" | "restore" | "delete";

export type MenuItem = { action: Action; label: string; danger?: boolean; separated?: boolean };

/** The menu for a token: only the actions that apply (Delete only when revoked). */
export function menuItems(row: Pick<TokenRow | PlaceholderRow, "kind" | "status">): MenuItem[] {
  const items: MenuItem[] = [];
  const revoked = row.status === "revoked";
  if (row.kind !== "rsa") items.push({ action: "copy", label: "Copy" });
  if (row.kind === "jwt") items.push({ action: "copy-secret-id", label: "Copy secret id" });
  if (row.kind === "rsa") items.push({ action: "download", label: "Download token file" });
  items.push({ action: "edit", label: "Edit" });
  if (!revoked) items.push({ action: "rotate", label: rotateLabel(row.kind) });
  if (!revoked) items.push({ action: "revoke", label: "Revoke", danger: true, separated: true });
  if (revoked) items.push({ action: "restore", label: "Restore", separated: true });
  if (revoked) items.push({ action: "delete", label: "Delete", danger: true });
  return items;
}

/** "Replace" for workspace and external tokens, "Rotate" otherwise. */
export function rotateLabel(kind: string): string {
  return kind === "workspace" || kind === "external" ? "Replace" : "Rotate";
}

/** Puts a token's secret on the clipboard (Rust clears it later). */
export async function copyToken(row: Pick<TokenRow, "id">): Promise<void> {
  try {
    const result = await copySecret(row.id);
    toasts.copied(result.name, result.clear_after);
  } catch (err) {
    handleError(err);
  }
}

/** Rotates (or replaces) a token and shows the new secret. */
export async function rotate(row: TokenRow, value: string | null = null): Promise<boolean> {
  try {
    ui.created = await rotateToken(row.id, value);
    await tokens.refresh();
    return true;
  } catch (err) {
    handleError(err);
    return false;
  }
}

export async function runAction(action: Action, row: TokenRow): Promise<void> {
  switch (action) {
    case "copy":
    case "copy-secret-id":
      if (row.kind !== "rsa") await copyToken(row);
      return;
    case "download":
      ui.download = row;
      return;
    case "edit":
      ui.generator = { mode: "edit", token: row };
      return;
    case "rotate":
      if (row.kind === "external") ui.replaceExternal = row;
      else await rotate(row);
      return;
    case "revoke":
      try {
        await revokeToken(row.id);
        toasts.show("Token successfully revoked");
        await tokens.refresh();
      } catch (err) {
        handleError(err);
      }
      return;
    case "restore":
      try {
        await restoreToken(row.id);
        toasts.show("Token successfully restored");
        await tokens.refresh();
      } catch (err) {
        handleError(err);
      }
      return;
    case "delete":
      if (row.status !== "revoked") return;
      ui.confirm = {
        title: "Delete Token",
        message: `'${row.name}' will be deleted for good. This cannot be undone.`,
        confirmLabel: "Delete",
        danger: true,
        onconfirm: async () => {
          try {
            await deleteToken(row.id);
            toasts.show("Token successfully deleted");
            await tokens.refresh();
          } catch (err) {
            handleError(err);
          }
        },
      };
      return;
  }
}
