/** What is on screen: the current view and the open dialogs. */
import type { CatalogName, Created, TokenKind, TokenRow } from "../ipc";

export type View =
  | { section: "tokens"; kind: TokenKind | null }
  | { section: "catalog"; catalog: CatalogName }
  | { section: "import" }
  | { section: "activity" }
  | { section: "members" }
  | { section: "settings" };

export type GeneratorMode = { mode: "create"; kind: TokenKind } | { mode: "edit"; token: TokenRow };

export type ConfirmRequest = {
  title: string;
  message: string;
  confirmLabel: string;
  danger: boolean;
  onconfirm: () => Promise<void> | void;
};

class Ui {
  view = $state<View>({ section: "tokens", kind: null });
  generator = $state<GeneratorMode | null>(null);
  /** A token just created or rotated, its secret shown once. */
  created = $state<Created | null>(null);
  /** `created` is an RSA token just edited, whose token file changed. */
  createdAfterEdit = $state(false);
  confirm = $state<ConfirmRequest | null>(null);
  /** The RSA token whose file is being downloaded. */
  download = $state<TokenRow | null>(null);
  /** The external token being replaced with a pasted value. */
  replaceExternal = $state<TokenRow | null>(null);
  /** The expiry banner was dismissed this session. */
  bannerDismissed = $state(false);
  /** Open modals, innermost last: only the top one reacts to keys. */
  modals = $state<number[]>([]);
  /** Bumped to ask the token list to focus its search box. */
  focusSearch = $state(0);

  get modalOpen(): boolean {
    return this.modals.length > 0;
  }

  openGenerator(kind: TokenKind | null): void {
    const preset = kind ?? (this.view.section === "tokens" ? this.view.kind : null);
    this.generator = { mode: "create", kind: preset ?? "personal" };
  }

  reset(): void {
    this.generator = null;
    this.created = null;
    this.createdAfterEdit = false;
    this.confirm = null;
    this.download = null;
    this.replaceExternal = null;
    this.bannerDismissed = false;
  }
}

export const ui = new Ui();
