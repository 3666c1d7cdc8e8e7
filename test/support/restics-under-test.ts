import { execFileSync } from "node:child_process";
import { constants } from "node:fs";
import { delimiter, join } from "node:path";
import { hasAccess } from "./has-access.js";

export interface ResticUnderTest {
  readonly binary: string;
  /** As `restic version` names it: `0.14.0`. */
  readonly version: string;
}

/**
 * The restic binaries the suite runs every restic test on: SIMPLEBACKUP_TEST_RESTICS (paths separated
 * by `:`) when set, else the machine's restic (Debian 12: 0.14.0) and Debian 13's 0.18 that
 * scripts/restic-018.sh unpacks into .cache/. Throws, naming the fix, when one is missing: a suite
 * that quietly tested one version would hide exactly the differences it exists to find.
 */
export function resticsUnderTest(root: string, env: NodeJS.ProcessEnv = process.env): ResticUnderTest[] {
  const listed = env.SIMPLEBACKUP_TEST_RESTICS?.split(delimiter).filter(Boolean);
  const binaries = listed?.length
    ? listed
    : [findOnPath("restic", env.PATH ?? "", root), join(root, ".cache/restic-trixie/x/usr/bin/restic")];
  return binaries.map((binary) => ({ binary, version: versionOf(binary) }));
}

function findOnPath(name: string, path: string, root: string): string {
  for (const dir of path.split(delimiter)) {
    // Our own stand-ins (test/support/…) are not a restic.
    if (!dir || dir.startsWith(join(root, "test"))) continue;
    const candidate = join(dir, name);
    if (hasAccess(candidate, constants.X_OK)) return candidate;
  }
  throw new Error(
    "The tests need restic on PATH (Debian/Ubuntu: apt-get install restic), or SIMPLEBACKUP_TEST_RESTICS " +
      "listing the restic binaries to test, separated by ':'.",
  );
}

function versionOf(binary: string): string {
  if (!hasAccess(binary, constants.X_OK)) {
    throw new Error(
      `The tests run every restic test on two restic versions, and ${binary} is missing. ` +
        "Run `bash scripts/restic-018.sh` (Debian/Ubuntu: fetches Debian 13's restic 0.18 into .cache/), " +
        "or set SIMPLEBACKUP_TEST_RESTICS to the restic binaries to test, separated by ':' " +
        "(any restic release binary works).",
    );
  }
  const stdout = execFileSync(binary, ["version"], { encoding: "utf8" });
  const version = /restic\s+v?(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  if (!version) throw new Error(`Cannot read the version of ${binary} from: ${stdout.trim()}`);
  return version;
}
