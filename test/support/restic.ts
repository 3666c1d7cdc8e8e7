import { execFileSync } from "node:child_process";

/**
 * The restic every test runs: the vitest project sets RESTIC_BINARY (one project per restic version,
 * see vitest.config.ts), so a failure names its version.
 */
export const RESTIC = process.env.RESTIC_BINARY ?? "restic";

function readVersion(): { text: string; parts: [number, number, number] } {
  const stdout = execFileSync(RESTIC, ["version"], { encoding: "utf8" });
  // 0.14 prints `restic 0.14.0 compiled with …`; so do 0.17+ without --json.
  const match = /restic\s+v?(\d+)\.(\d+)\.(\d+)/.exec(stdout);
  if (!match) throw new Error(`cannot read the version of ${RESTIC} from: ${stdout}`);
  return {
    text: `${match[1]}.${match[2]}.${match[3]}`,
    parts: [Number(match[1]), Number(match[2]), Number(match[3])],
  };
}

let known: ReturnType<typeof readVersion> | undefined;

/** The version of the restic under test, e.g. `0.14.0`. */
export function resticVersion(): string {
  known ??= readVersion();
  return known.text;
}

/**
 * Whether the restic under test is `wanted` or newer: version-specific expectations branch on it
 * explicitly (`if (resticAtLeast("0.17.0"))`), never skip.
 */
export function resticAtLeast(wanted: string): boolean {
  known ??= readVersion();
  const want = wanted.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const have = known.parts[i] ?? 0;
    const need = want[i] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}
