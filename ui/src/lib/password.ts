import type { PasswordPolicy } from "../ipc";

/** What is wrong with a new master password by the core's policy (sent in
 * `AppStatus`), or null; the core checks it again. Counts code points, as the core
 * counts characters. */
export function passwordProblem(password: string, policy: PasswordPolicy | null): string | null {
  if (policy === null) return null;
  const chars = [...password].length;
  if (chars < policy.min_chars) return `Use at least ${policy.min_chars} characters`;
  if (chars > policy.max_chars) return `Use at most ${policy.max_chars} characters`;
  return null;
}
