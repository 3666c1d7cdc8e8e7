import type { RawProblem } from "./problems.js";
import { passwordKeys } from "./schema-fields.js";
import type { PasswordSource, RetentionPolicy } from "./types.js";

/*
 * The keys a job and each of its copy targets share, resolved one way for both: the password (exactly
 * one of four keys) and the keep rules.
 */

/** An object that names a repository's password: a job or one of its copy targets, as validated. */
type PasswordInput = { readonly [key in (typeof passwordKeys)[number]]?: string | undefined };

/** The rule a job and each copy target follow: exactly one of the four password keys. */
export function passwordCountProblem(
  raw: Record<string, unknown>,
  place: readonly PropertyKey[],
): RawProblem | undefined {
  const found = passwordKeys.filter((key) => raw[key] !== undefined);
  if (found.length === 1) return undefined;
  return {
    path: place,
    message: `set exactly one of ${passwordKeys.join(", ")} (found: ${found.length === 0 ? "none" : found.join(", ")})`,
  };
}

/** Where restic gets the password; a password file is relative to the config file's folder. */
export function toPasswordSource(input: PasswordInput, resolve: (p: string) => string): PasswordSource {
  // Validation has ensured exactly one is set.
  if (input.password !== undefined) return { kind: "literal", value: input.password };
  if (input.password_file !== undefined) return { kind: "file", path: resolve(input.password_file) };
  if (input.password_command !== undefined) return { kind: "command", command: input.password_command };
  return { kind: "env", variable: input.password_env ?? "" };
}

/** Keep rules as written, without the keys left out; undefined when none is left: keep everything. */
export function toRetention(retention: Readonly<Record<string, unknown>>): RetentionPolicy | undefined {
  const kept = Object.fromEntries(Object.entries(retention).filter(([, value]) => value !== undefined));
  return Object.keys(kept).length === 0 ? undefined : (kept as RetentionPolicy);
}
