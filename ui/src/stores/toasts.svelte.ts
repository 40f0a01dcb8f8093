/** Transient notifications, with an optional live countdown (clipboard clearing). */

export type ToastTone = "success" | "error" | "info";

export type Toast = {
  id: number;
  tone: ToastTone;
  message: string;
  /** Seconds left on a countdown, shown after `message`; null when none. */
  countdown: number | null;
};

const DEFAULT_MS = 4500;

class Toasts {
  items = $state<Toast[]>([]);
  private nextId = 1;
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  /** Shows a toast for `ms` milliseconds; returns its id. */
  show(message: string, tone: ToastTone = "success", ms: number = DEFAULT_MS): number {
    const id = this.nextId++;
    this.items = [...this.items, { id, tone, message, countdown: null }];
    if (this.items.length > 4) this.dismiss(this.items[0]?.id ?? id);
    this.timers.set(id, setTimeout(() => this.dismiss(id), ms));
    return id;
  }

  error(message: string): number {
    return this.show(message, "error", 7000);
  }

  /** "Copied 'name'. Clipboard clears in N s", counting down; plain "Copied 'name'" when 0. */
  copied(name: string, clearAfter: number): number {
    if (clearAfter <= 0) return this.show(`Copied '${name}'`);
    const id = this.nextId++;
    this.items = [...this.items, { id, tone: "success", message: `Copied '${name}'`, countdown: clearAfter }];
    const tick = () => {
      const toast = this.items.find((t) => t.id === id);
      if (!toast || toast.countdown === null) return;
      const left = toast.countdown - 1;
      if (left <= 0) {
        this.dismiss(id);
        return;
      }
      this.items = this.items.map((t) => (t.id === id ? { ...t, countdown: left } : t));
      this.timers.set(id, setTimeout(tick, 1000));
    };
    this.timers.set(id, setTimeout(tick, 1000));
    return id;
  }

  dismiss(id: number): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.items = [];
  }
}

export const toasts = new Toasts();

/** The text of a toast as shown. */
export function toastText(toast: Toast): string {
  return toast.countdown === null ? toast.message : `${toast.message}. Clipboard clears in ${toast.countdown} s`;
}
