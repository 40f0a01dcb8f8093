/** Shared vaults: which vault the window shows, and how each shared vault syncs. */
import { sharedVaults, switchVault, type SharedVaultStatus } from "../ipc";
import { handleError, LOCK_CHECK_INTERVAL_MS, session } from "./session.svelte";
import { tokens } from "./tokens.svelte";
import { ui } from "./ui.svelte";

class Shared {
  /** The shared vaults this install belongs to; empty: none (no switcher). */
  vaults = $state<SharedVaultStatus[]>([]);
  /** The shared vault shown; null: the person's own vault. */
  active = $state<string | null>(null);

  /** The shared vault shown, with its status. */
  get shown(): SharedVaultStatus | null {
    return this.vaults.find((v) => v.name === this.active) ?? null;
  }

  async refresh(): Promise<void> {
    try {
      const listed = await sharedVaults();
      this.vaults = listed.vaults;
      this.active = listed.active;
    } catch (err) {
      handleError(err, false);
    }
  }

  /** Shows shared vault `name` (null: the own vault): the list and counts are its. */
  async switchTo(name: string | null): Promise<void> {
    try {
      const status = await switchVault(name);
      this.active = name;
      session.apply(status);
      ui.view = { section: "tokens", kind: null };
      tokens.reset();
      void tokens.reloadAll();
      void this.refresh();
    } catch (err) {
      handleError(err);
    }
  }

  /** Asks every LOCK_CHECK_INTERVAL_MS while unlocked; returns the function that stops. */
  watch(): () => void {
    const tick = () => {
      if (session.screen === "unlocked") void this.refresh();
      else {
        this.vaults = [];
        this.active = null;
      }
    };
    tick();
    const timer = setInterval(tick, LOCK_CHECK_INTERVAL_MS);
    return () => clearInterval(timer);
  }
}

export const shared = new Shared();
