import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseResticVersion, versionAtLeast } from "../../src/restic/commands/version.js";

const root = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** The restic versions fixtures/capture.sh ran, one folder each; every parser test runs on each. */
export const CAPTURED_VERSIONS = ["0.14.0", "0.18.0"] as const;
export type CapturedVersion = (typeof CAPTURED_VERSIONS)[number];

/** The version folders on disk, so a test can tell when a capture set is missing from the list. */
export function versionFolders(): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d+\.\d+\.\d+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

export interface CapturedRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** capture.sh sent SIGINT because restic was still running (0.17+ retrying a backend). */
  readonly stoppedByCapture: boolean;
}

/** One capture set: what one restic version printed for each case of capture.sh. */
export interface Capture {
  readonly version: CapturedVersion;
  /** Whether this capture's restic is `wanted` or newer; version-specific expectations branch on it. */
  atLeast(wanted: string): boolean;
  /** A fixture file's text; a capture whose output was empty has no file, which reads as "". */
  file(name: string): string;
  run(name: string): CapturedRun;
}

export function capture(version: CapturedVersion): Capture {
  const folder = `${root}${version}/`;
  const file = (name: string) => {
    const path = `${folder}${name}`;
    return existsSync(path) ? readFileSync(path, "utf8") : "";
  };
  const parsed = parseResticVersion(file("captured-with.txt"));
  return {
    version,
    atLeast: (wanted) => versionAtLeast(parsed, wanted),
    file,
    run: (name) => {
      const rc = file(`${name}.rc`).trim();
      if (rc === "") throw new Error(`no capture ${version}/${name}; run fixtures/capture.sh`);
      return {
        stdout: file(`${name}.stdout.txt`),
        stderr: file(`${name}.stderr.txt`),
        exitCode: Number(rc),
        stoppedByCapture: file(`${name}.stopped.txt`) !== "",
      };
    },
  };
}

/** Every capture set, for `describe.each(CAPTURES)("restic $version", …)`. */
export const CAPTURES: readonly Capture[] = CAPTURED_VERSIONS.map(capture);
