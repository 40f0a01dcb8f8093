import { describe, expect, it } from "vitest";
import {
  DAY,
  expiresLabel,
  formatNumber,
  highlight,
  maskSecret,
  plural,
  relativeTime,
  usageLabel,
  replacementLabel,
  todayIso,
} from "./format";

describe("highlight", () => {
  it("wraps matched characters in runs", () => {
    expect(highlight("deploy-bot", [0, 1, 2])).toEqual([
      { text: "dep", match: true },
      { text: "loy-bot", match: false },
    ]);
  });

  it("splits non-adjacent matches", () => {
    expect(highlight("abcde", [1, 3])).toEqual([
      { text: "a", match: false },
      { text: "b", match: true },
      { text: "c", match: false },
      { text: "d", match: true },
      { text: "e", match: false },
    ]);
  });

  it("handles no positions, empty names and out-of-range positions", () => {
    expect(highlight("name", [])).toEqual([{ text: "name", match: false }]);
    expect(highlight("", [0])).toEqual([]);
    expect(highlight("ab", [5])).toEqual([{ text: "ab", match: false }]);
  });

  it("counts positions in characters, not UTF-16 units", () => {
    expect(highlight("é😀x", [1])).toEqual([
      { text: "é", match: false },
      { text: "😀", match: true },
      { text: "x", match: false },
    ]);
  });
});

describe("relative times", () => {
  const now = 1_700_000_000;

  it("describes the future and the past", () => {
    expect(relativeTime(now + 29 * DAY, now)).toBe("in 29 days");
    expect(relativeTime(now - 3 * 3600, now)).toBe("3 hours ago");
    expect(relativeTime(now - 60, now)).toBe("1 minute ago");
    expect(relativeTime(now + 10, now)).toBe("just now");
    expect(relativeTime(now - 400 * DAY, now)).toBe("1 year ago");
    expect(usageLabel(null, now)).toBe("Not used");
    expect(usageLabel(now - 3 * 3600, now)).toBe("Last used 3 hours ago");
  });

  it("labels expiry", () => {
    expect(expiresLabel(null, now)).toBe("never");
    expect(expiresLabel(now + 29 * DAY + 100, now)).toBe("in 29 days");
    expect(expiresLabel(now - 2 * DAY, now)).toBe("expired 2 days ago");
  });

  it("labels replacement", () => {
    expect(replacementLabel(null, now)).toBeNull();
    expect(replacementLabel(now + 12 * DAY + 5, now)).toBe("Replacement due in 12 days");
    expect(replacementLabel(now + 1 * DAY + 5, now)).toBe("Replacement due in 1 day");
    expect(replacementLabel(now - 5, now)).toBe("Replacement overdue");
  });
});

describe("numbers and secrets", () => {
  it("formats counts", () => {
    expect(formatNumber(1234)).toBe("1,234");
    expect(plural(1234, "token")).toBe("1,234 tokens");
    expect(plural(1, "token")).toBe("1 token");
    expect(plural(0, "token")).toBe("0 tokens");
  });

  it("masks all but the last four characters", () => {
    expect(maskSecret("tsr_abcdefgh1234")).toBe("••••••••1234");
    expect(maskSecret(null)).toBe("••••••••");
  });

  it("formats local ISO dates", () => {
    expect(todayIso(new Date(2025, 0, 5))).toBe("2025-01-05");
  });
});
