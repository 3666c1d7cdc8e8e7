import { constants, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { hasAccess } from "./has-access.js";

/*
 * restic's --skip-if-unchanged (0.17+) compares the whole tree of a backup with its parent's, and that
 * tree holds every folder above each source, with its times. A file created or removed in /tmp by any
 * other process between two backups of /tmp/x/data is a real change to restic, which then makes a
 * snapshot (measured on 0.18: /tmp changed about once a second while the suite ran). Tests of it back
 * up a folder under a quieter parent, and repeat their two backups when a folder above still changed.
 */

/** A new folder under /var/tmp when it is writable (the suite leaves it alone), else the temp folder. */
export function quietTempDir(prefix: string): { path: string; dispose(): void } {
  const base = hasAccess("/var/tmp", constants.W_OK) ? "/var/tmp" : tmpdir();
  const path = mkdtempSync(join(base, prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Runs `twoBackups` until no folder from `source` up to the root changed while it ran, at most `tries`
 * times, and returns what its last run returned. Throws when they kept changing: the test could then
 * not tell restic's judgement from the machine's noise.
 */
export function withQuietAncestors<T>(source: string, twoBackups: () => T, tries = 5): T {
  for (let attempt = 1; attempt <= tries; attempt++) {
    const before = stamps(source);
    const result = twoBackups();
    if (stamps(source) === before) return result;
  }
  throw new Error(`the folders above ${source} changed during each of ${tries} tries`);
}

/** Modification and change times of `path` and every folder above it, to the nanosecond. */
function stamps(path: string): string {
  const parts: string[] = [];
  for (let folder = path; ; folder = dirname(folder)) {
    const { mtimeNs, ctimeNs } = statSync(folder, { bigint: true });
    parts.push(`${folder} ${mtimeNs} ${ctimeNs}`);
    if (dirname(folder) === folder) return parts.join("\n");
  }
}
