/** Formatting helpers: numbers, dates, relative times and match highlighting. */

import { SPAN_UNITS } from "../ipc/bindings.gen";

const numberFormat = new Intl.NumberFormat("en-US");
const dateFormat = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric" });
const dateTimeFormat = new Intl.DateTimeFormat("en-US", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export const DAY = 86_400;

/** Current time in Unix seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** 1234 → "1,234". */
export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

/** "1 token" / "1,234 tokens". */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${formatNumber(n)} ${n === 1 ? word : pluralWord}`;
}

/** Unix seconds → "Mar 4, 2025". */
export function formatDate(ts: number): string {
  return dateFormat.format(new Date(ts * 1000));
}

/** Unix seconds → "Mar 4, 2025, 10:42 AM". */
export function formatDateTime(ts: number): string {
  return dateTimeFormat.format(new Date(ts * 1000));
}

/** A span of seconds in words, in the largest unit it holds at least once, rounded down: "29 days", "3 hours". The units are the core's (`SPAN_UNITS`), as the CLI tells them. */
export function duration(seconds: number): string {
  const s = Math.abs(seconds);
  for (const [unit, size] of SPAN_UNITS) {
    if (s >= size) {
      const n = Math.floor(s / size);
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return "less than a minute";
}

/** "in 29 days", "3 hours ago", "just now". */
export function relativeTime(ts: number, now: number = nowSeconds()): string {
  const diff = ts - now;
  if (Math.abs(diff) < 60) return "just now";
  return diff > 0 ? `in ${duration(diff)}` : `${duration(diff)} ago`;
}

/** "Last used 3 hours ago" or "Not used": the window's words for a token's last use. */
export function usageLabel(lastUsedAt: number | null, now: number = nowSeconds()): string {
  return lastUsedAt === null ? "Not used" : `Last used ${relativeTime(lastUsedAt, now)}`;
}

/** The expiry column: "never", "in 29 days", "expired 2 days ago". */
export function expiresLabel(expiresAt: number | null, now: number = nowSeconds()): string {
  if (expiresAt === null) return "never";
  if (expiresAt <= now) return `expired ${relativeTime(expiresAt, now)}`;
  return relativeTime(expiresAt, now);
}

/** Whole days from now until `ts` (negative when past). */
export function daysUntil(ts: number, now: number = nowSeconds()): number {
  return Math.floor((ts - now) / DAY);
}

/** "Replacement due in 12 days" / "Replacement due today" / "Replacement overdue". */
export function replacementLabel(dueAt: number | null, now: number = nowSeconds()): string | null {
  if (dueAt === null) return null;
  if (dueAt <= now) return "Replacement overdue";
  const days = daysUntil(dueAt, now);
  if (days === 0) return "Replacement due today";
  return `Replacement due in ${days} day${days === 1 ? "" : "s"}`;
}

/** A run of a highlighted name: matched characters or not. */
export type Segment = { text: string; match: boolean };

/**
 * Splits `text` into runs by the matched character `positions` (indices of characters,
 * i.e. Unicode code points), merging neighbours so each run becomes one <mark>.
 */
export function highlight(text: string, positions: readonly number[]): Segment[] {
  if (text === "") return [];
  // The plain list (no search) has no positions: one run, without splitting the name
  // into characters for every row that scrolls into view.
  if (positions.length === 0) return [{ text, match: false }];
  const chars = Array.from(text);
  const marked = new Set(positions);
  const segments: Segment[] = [];
  for (let i = 0; i < chars.length; i++) {
    const match = marked.has(i);
    const last = segments[segments.length - 1];
    if (last && last.match === match) last.text += chars[i];
    else segments.push({ text: chars[i] ?? "", match });
  }
  return segments;
}

/** Human labels for token kinds. */
export const KIND_LABELS: Readonly<Record<string, string>> = {
  workspace: "Workspace",
  personal: "Personal",
  service: "Service",
  rsa: "RSA",
  jwt: "JWT",
  external: "External",
};

/** Human labels for statuses. */
export const STATUS_LABELS: Readonly<Record<string, string>> = {
  active: "Active",
  expiring: "Expiring",
  rotation_due: "Replace due",
  expired: "Expired",
  revoked: "Revoked",
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

/** Last four characters behind bullets: "••••••••a1b2". */
export function maskSecret(secret: string | null): string {
  if (!secret) return "••••••••";
  return `••••••••${secret.slice(-4)}`;
}

/** Today as YYYY-MM-DD in local time (for date inputs). */
export function todayIso(date: Date = new Date()): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/** Unix seconds → local YYYY-MM-DD. */
export function isoDate(ts: number): string {
  return todayIso(new Date(ts * 1000));
}
