import { describe, expect, it } from "vitest";
import { passwordProblem } from "./password";

const policy = { min_chars: 8, max_chars: 12 };

describe("passwordProblem", () => {
  it("counts characters as the core does, not UTF-16 units", () => {
    // Seven emoji are fourteen UTF-16 units but seven characters.
    expect(passwordProblem("😀".repeat(7), policy)).toBe("Use at least 8 characters");
    expect(passwordProblem("😀".repeat(8), policy)).toBeNull();
    expect(passwordProblem("x".repeat(13), policy)).toBe("Use at most 12 characters");
  });

  it("leaves the check to the core until the policy is known", () => {
    expect(passwordProblem("", null)).toBeNull();
  });
});
