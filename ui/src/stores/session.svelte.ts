/** The vault session: first run / locked / unlocked, protection and settings. */
import {
  acceptRestore,
  appStatus,
  confirmRecoveryKit,
  createVault,
  errorMessage,
  isIpcError,
  lock,
  newRecoveryKit,
  noteActivity,
  unlock,
  type AppStatus,
  type PasswordPolicy,
  type Protection,
  type RecoveryKit,
  type RecoveryState,
  type Settings,
} from "../ipc";
import { toasts } from "./toasts.svelte";

export type Screen = "loading" | "no_vault" | "locked" | "unlocked";

export const DEFAULT_SETTINGS: Settings = {
  clipboard_clear_seconds: 30,
  auto_lock_minutes: 15,
  expiry_warning_days: 7,
  theme: "system",
  palette_shortcut: "Ctrl+Shift+Space",
};

const ACTIVITY_INTERVAL_MS = 30_000;
/** How often the window asks whether the vault locked itself (idle time, screen lock,
 * suspend), so the list does not stay on screen after the key is gone. */
export const LOCK_CHECK_INTERVAL_MS = 2_000;

class Session {
  screen = $state<Screen>("loading");
  protection = $state<string | null>(null);
  vaultDir = $state("");
  settings = $state<Settings>({ ...DEFAULT_SETTINGS });
  /** The core's rule for a new master password; null until the first status. */
  passwordPolicy = $state<PasswordPolicy | null>(null);
  /** Where the open vault stands with its recovery key; null while locked. */
  recovery = $state<RecoveryState | null>(null);
  /** A recovery kit just made, shown until the person keeps it or puts it off; its key is
   * never shown again. */
  kit = $state<RecoveryKit | null>(null);
  /** The last unlock failure, shown on the unlock screen. */
  unlockError = $state<string | null>(null);
  /** The last unlock found an older copy of the vault put back (a restored backup). */
  rolledBack = $state(false);
  /** Bumped on every unlock so views reload their data. */
  generation = $state(0);
  /** Bumped when another process (the CLI) changed the open vault, so views reload. */
  outsideChanges = $state(0);
  /** The open vault's `outside_changes` when last asked; null while locked. */
  private vaultVersion: number | null = null;
  private lastActivity = 0;

  apply(status: AppStatus): void {
    this.protection = status.protection;
    this.vaultDir = status.vault_dir;
    this.settings = status.settings;
    this.passwordPolicy = status.password_policy;
    this.recovery = status.recovery;
    if (status.state === "unlocked" && this.screen !== "unlocked") this.generation++;
    this.vaultVersion = status.state === "unlocked" ? status.outside_changes : null;
    this.screen = status.state;
  }

  /** A status read while unlocked: notes whether another process changed the vault. */
  private checked(status: AppStatus): void {
    if (status.state === "locked") {
      this.lockedOut();
    } else if (status.state === "unlocked" && this.screen === "unlocked") {
      if (this.vaultVersion !== null && status.outside_changes !== this.vaultVersion) this.outsideChanges++;
      this.vaultVersion = status.outside_changes;
    }
  }

  /** Start-up: reads the status and opens a keyring vault without asking. */
  async start(): Promise<void> {
    try {
      const status = await appStatus();
      this.apply(status);
      if (status.state === "locked" && status.protection === "keyring") await this.unlock(null);
    } catch (err) {
      this.unlockError = errorMessage(err);
      this.screen = "locked";
    }
  }

  async create(protection: Protection, password: string | null): Promise<void> {
    const created = await createVault(protection, password);
    this.kit = created.kit;
    this.apply(created.status);
  }

  /** The person kept the recovery kit shown: it closes and the reminder ends. */
  async keptKit(): Promise<void> {
    this.apply(await confirmRecoveryKit());
    this.kit = null;
  }

  /** Makes a new recovery key and shows its kit. */
  async makeKit(currentPassword: string | null): Promise<void> {
    this.kit = await newRecoveryKit(currentPassword);
  }

  /** Unlocks; on failure keeps the unlock screen with the error. Returns success. */
  async unlock(password: string | null): Promise<boolean> {
    return this.opening(() => unlock(password));
  }

  /** Keeps an older copy of the vault that unlocking refused: the user restored it. */
  async acceptRestore(password: string | null): Promise<boolean> {
    return this.opening(() => acceptRestore(password));
  }

  private async opening(open: () => Promise<AppStatus>): Promise<boolean> {
    try {
      const status = await open();
      this.unlockError = null;
      this.rolledBack = false;
      this.apply(status);
      return true;
    } catch (err) {
      this.unlockError = errorMessage(err);
      this.rolledBack = isIpcError(err) && err.kind === "rolled_back";
      this.screen = "locked";
      return false;
    }
  }

  async lock(): Promise<void> {
    try {
      this.apply(await lock());
    } catch {
      this.screen = "locked";
    }
    this.unlockError = null;
    this.kit = null;
    this.screen = "locked";
  }

  /** The vault locked itself: show the unlock screen. */
  lockedOut(): void {
    if (this.screen === "unlocked") {
      this.screen = "locked";
      this.unlockError = null;
      this.kit = null;
    }
  }

  /** Checks every LOCK_CHECK_INTERVAL_MS whether the vault locked itself or another
   * process changed it, and while locked whether the quick-access palette unlocked
   * it; returns the function that stops checking. */
  watchLock(): () => void {
    const timer = setInterval(() => {
      if (this.screen !== "unlocked" && this.screen !== "locked") return;
      appStatus()
        .then((status) => {
          if (this.screen === "locked" && status.state === "unlocked") this.apply(status);
          else this.checked(status);
        })
        .catch(() => undefined);
    }, LOCK_CHECK_INTERVAL_MS);
    return () => clearInterval(timer);
  }

  /** Reports user activity to the idle timer, at most once per 30 s. */
  activity(now: number = Date.now()): void {
    if (this.screen !== "unlocked" || now - this.lastActivity < ACTIVITY_INTERVAL_MS) return;
    this.lastActivity = now;
    noteActivity().catch((err: unknown) => handleError(err, false));
  }
}

export const session = new Session();

/**
 * Handles a failed IPC call: kind "locked" sends the user to the unlock screen,
 * anything else becomes an error toast (unless `toast` is false). Returns the message.
 */
export function handleError(err: unknown, toast = true): string {
  if (isIpcError(err) && err.kind === "locked") {
    session.lockedOut();
    return errorMessage(err);
  }
  const message = errorMessage(err);
  if (toast) toasts.error(message);
  return message;
}

/** Applies a theme setting to <html data-theme>. */
export function applyTheme(theme: string, prefersDark: boolean): void {
  const resolved = theme === "light" || theme === "dark" ? theme : prefersDark ? "dark" : "light";
  document.documentElement.dataset.theme = resolved;
}
