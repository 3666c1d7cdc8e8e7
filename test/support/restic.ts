import { execFileSync } from "node:child_process";
import {
  parseResticVersion,
  type ResticVersion,
  versionAtLeast,
} from "../../packages/core/src/restic/commands/version.js";

/**
 * The restic every test runs: the vitest project sets RESTIC_BINARY (one project per restic version,
 * see vitest.config.ts), so a failure names its version.
 */
export const RESTIC = process.env.RESTIC_BINARY ?? "restic";

let known: ResticVersion | undefined;

function version(): ResticVersion {
  if (known) return known;
  const stdout = execFileSync(RESTIC, ["version"], { encoding: "utf8" });
  known = parseResticVersion(stdout);
  if (!known) throw new Error(`cannot read the version of ${RESTIC} from: ${stdout}`);
  return known;
}

/** The version of the restic under test, e.g. `0.14.0`. */
export function resticVersion(): string {
  return version().version;
}

/**
 * Whether the restic under test is `wanted` or newer, by core's own rule: version-specific
 * expectations branch on it explicitly (`if (resticAtLeast("0.17.0"))`), never skip.
 */
export function resticAtLeast(wanted: string): boolean {
  return versionAtLeast(version(), wanted);
}
