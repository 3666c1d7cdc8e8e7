// The restics a bench run measures: each `--restic PATH` given, else the one simplebackup itself would
// run (RESTIC_BINARY, else restic on PATH). The report names each by the version it prints.

import { execFileSync } from "node:child_process";
import { realpathSync } from "node:fs";

/**
 * Finds each restic as simplebackup does (`locateRestic`: a path, or a name looked up on PATH) and asks
 * its version. Anything unclear is an error, never a guess: an empty name, a restic that does not run
 * or prints no version, the same binary twice, two binaries of one version (the report could not tell
 * their rows apart).
 */
export async function resolveRestics(core, given = []) {
  const restics = [];
  for (const name of given.length > 0 ? given : [undefined]) {
    if (name === "") throw new Error("--restic needs a path or a program name");
    const binary = await core.locateRestic(name === undefined ? {} : { configured: name });
    const line = readVersionLine(binary);
    const version = /^restic\s+v?(\d+\.\d+\.\d+)/m.exec(line)?.[1];
    if (!version) throw new Error(`cannot read the version of ${binary} from: ${line}`);
    const real = realpathSync(binary);
    const twin = restics.find((other) => other.real === real || other.version === version);
    if (twin) {
      throw new Error(
        `${binary} and ${twin.binary} are ${twin.real === real ? "the same restic" : `both restic ${version}`}; give each version once`,
      );
    }
    const [major, minor, patch] = version.split(".").map(Number);
    // `parsed` has the shape of core's ResticVersion, for versionAtLeast.
    restics.push({ binary, real, version, line, parsed: { version, major, minor, patch } });
  }
  return restics;
}

function readVersionLine(binary) {
  try {
    return execFileSync(binary, ["version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    throw new Error(`${binary} version failed: ${error.message}`);
  }
}

/**
 * The environment every side of a comparison starts from: the bench's own, with one restic cache and
 * none of the variables that would point restic or simplebackup at another password or config.
 */
export function benchEnv(cacheDir) {
  const env = { ...process.env, RESTIC_CACHE_DIR: cacheDir };
  for (const key of [
    "RESTIC_PASSWORD",
    "RESTIC_PASSWORD_COMMAND",
    "RESTIC_REPOSITORY_FILE",
    "SIMPLEBACKUP_CONFIG",
  ]) {
    delete env[key];
  }
  return env;
}
