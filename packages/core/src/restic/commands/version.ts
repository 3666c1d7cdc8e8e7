// `restic version`: which restic this is, so a feature of a newer restic is used only where it exists.
import { parseJsonObject } from "../../json-object.js";

/** `restic version` opens no repository. 0.14 ignores `--json`; {@link parseResticVersion} reads both forms. */
export function buildVersionArgs(): string[] {
  return ["version"];
}

export interface ResticVersion {
  /** As restic names it, e.g. `0.14.0` or `0.18.0-dev`. */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * Whether `version` is `wanted` (`"0.17.0"`) or newer. An unknown version counts as old: a feature
 * of newer restic is used only when the binary is known to have it.
 */
export function versionAtLeast(version: ResticVersion | undefined, wanted: string): boolean {
  if (!version) return false;
  const [major = 0, minor = 0, patch = 0] = wanted.split(".").map(Number);
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= patch;
}

/**
 * Reads `restic version` output: the text line of 0.14 (`restic 0.14.0 compiled with go1.19.8 on
 * linux/amd64`, also printed for `--json`) or the `{"message_type":"version",…}` object of 0.17+.
 */
export function parseResticVersion(stdout: string): ResticVersion | undefined {
  for (const line of stdout.split("\n")) {
    const json = parseJsonObject(line.trim());
    const candidate =
      json?.message_type === "version" && typeof json.version === "string"
        ? json.version
        : /^restic\s+(\S+)/.exec(line.trim())?.[1];
    const match = candidate && /^v?(\d+)\.(\d+)\.(\d+)([-+][0-9A-Za-z.+-]*)?/.exec(candidate);
    if (match) {
      return {
        version: match[0].replace(/^v/, ""),
        major: Number(match[1]),
        minor: Number(match[2]),
        patch: Number(match[3]),
      };
    }
  }
  return undefined;
}
