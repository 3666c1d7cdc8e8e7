// `restic copy`: its arguments (the job's snapshots) and the report it prints. restic's repository
// (RESTIC_REPOSITORY) is the DESTINATION, the copy target; RESTIC_FROM_REPOSITORY is the source, the
// job's own repository (see buildCopyEnvironment in ../environment.ts).
import { jobTag } from "../job-tag.js";
import { textLines } from "../output-lines.js";

/**
 * `restic copy` of the job's snapshots (by its tag) that the target lacks: restic skips those it
 * already copied (it compares each with the target's snapshots' `original`), so running it again
 * copies nothing and a copy missed while the target was down catches up by itself. No `--json`: 0.14
 * ignores it and 0.18 prints the same text (both measured); no snapshot ids either, so a snapshot made
 * while the copy waited for its turn is copied too.
 */
export function buildCopyArgs(jobName: string): string[] {
  return ["copy", "--tag", jobTag(jobName)];
}

/** One snapshot restic copy went through: its id in the source, and its copy's id in the target. */
export interface CopyPair {
  /** restic's short id (8 hex) in the job's repository. */
  readonly source: string;
  /** restic's short id of the copy in the target. */
  readonly target: string;
}

/** What `restic copy` said it did. */
export interface CopyReport {
  /** Copied by this run, in restic's order (newest first). */
  readonly copied: readonly CopyPair[];
  /** Already in the target: 0.14 says so of each; 0.17+ only with `-v`, so this is empty there. */
  readonly alreadyCopied: readonly CopyPair[];
}

// 0.14: `snapshot 7efddfdf of [/src] at 2026-11-30 22:01:02.7 +0000 UTC)`; 0.18 ends `… UTC by root@vm`.
const SOURCE_SNAPSHOT = /^snapshot ([0-9a-f]{8,64}) of \[/;
const SAVED = /^snapshot ([0-9a-f]{8,64}) saved$/;
const SKIPPED =
  /^skipping source snapshot ([0-9a-f]{8,64}), was already copied to snapshot ([0-9a-f]{8,64})$/;

/**
 * Reads restic copy's text (stdout): each source snapshot it names, then either `snapshot <id> saved`
 * (copied) or `skipping source snapshot …, was already copied to snapshot …`. Lines of other shapes
 * (progress, a notice of a later version) are passed over. It serves the run's log; the count of what
 * was copied comes from the target's snapshots before and after (see actions/copy.ts).
 */
export function parseCopyOutput(stdout: string): CopyReport {
  const copied: CopyPair[] = [];
  const alreadyCopied: CopyPair[] = [];
  let source: string | undefined;
  for (const line of textLines(stdout).map((l) => l.trim())) {
    const named = SOURCE_SNAPSHOT.exec(line);
    if (named?.[1]) {
      source = named[1];
      continue;
    }
    const skipped = SKIPPED.exec(line);
    if (skipped?.[1] && skipped[2]) {
      alreadyCopied.push({ source: skipped[1], target: skipped[2] });
      source = undefined;
      continue;
    }
    const saved = SAVED.exec(line);
    if (saved?.[1] && source !== undefined) {
      copied.push({ source, target: saved[1] });
      source = undefined;
    }
  }
  return { copied, alreadyCopied };
}
