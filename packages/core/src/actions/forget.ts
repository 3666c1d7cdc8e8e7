import { hostname } from "node:os";
import type { BackupJob } from "../config/types.js";
import { SimplebackupError } from "../errors.js";
import {
  buildForgetArgs,
  type ForgetGroup,
  hasRetentionRules,
  parseForgetOutput,
  type SnapshotRef,
} from "../restic/commands/forget.js";
import { createJobRestic } from "../restic/job-restic.js";
import { readHistory } from "../state/history.js";
import { type ActionOptions, readOutput, startTimer } from "./action-options.js";
import { findUnsafeRetention } from "./forget-guard.js";

export interface RunForgetOptions extends ActionOptions {
  /** Only say what the retention would keep and remove; nothing is removed. @default false */
  readonly dryRun?: boolean;
  /**
   * The state folder: its history names the runs that were partial (files unreadable), whose
   * snapshot a real forget must not follow. Without it only missing sources are seen.
   */
  readonly stateDir?: string;
  /** The host whose snapshots the job's sources describe. @default os.hostname(), as restic */
  readonly host?: string;
}

/** A snapshot the retention keeps or removes. */
export interface ForgetSnapshot {
  readonly id: string | undefined;
  readonly shortId: string;
  readonly time: string;
  readonly host: string;
  readonly paths: readonly string[];
  /** Why it is kept, in restic's words: `last snapshot`, `daily snapshot`, … Empty for removed ones. */
  readonly reasons: readonly string[];
}

export interface ForgetResult {
  readonly job: string;
  readonly dryRun: boolean;
  /** The job has no retention rules: every snapshot is kept and restic was not run. */
  readonly keepsEverything: boolean;
  /** Newest first. */
  readonly keep: readonly ForgetSnapshot[];
  /** Newest first. Removed, or to be removed in a dry run. */
  readonly remove: readonly ForgetSnapshot[];
  /** prune's report after a real forget (its plain-text lines); empty in a dry run. */
  readonly pruneReport: readonly string[];
  /**
   * Why a real forget refuses to run now (the newest snapshot is not from a complete backup; see
   * forget-guard.ts). A dry run reports it; a real forget throws RETENTION_UNSAFE with it.
   */
  readonly unsafe?: string;
  readonly durationMs: number;
}

/**
 * Applies the job's retention to the job's own snapshots (by its tag), with `--prune`; with `dryRun`,
 * only asks restic what it would do. A dry run takes no lock, so it also works while a backup runs.
 * A real forget first asks the same question and refuses when the newest snapshot is not from a
 * complete backup (see forget-guard.ts).
 * @throws SimplebackupError RETENTION_UNSAFE: the newest snapshot lacks a source or was partial
 * @throws ResticError when restic fails (wrong password, repository locked, …).
 */
export async function runForget(job: BackupJob, options: RunForgetOptions): Promise<ForgetResult> {
  const elapsed = startTimer(options);
  const dryRun = options.dryRun ?? false;
  const empty = { job: job.name, dryRun, keep: [], remove: [], pruneReport: [] };
  if (!job.retention || !hasRetentionRules(job.retention)) {
    return { ...empty, keepsEverything: true, durationMs: elapsed() };
  }
  const restic = createJobRestic(job, options);
  // A real forget is previewed first: it runs only when the newest snapshot is from a complete backup.
  // `--no-lock` is safe only because a dry run writes nothing (accepted by 0.14 for forget --dry-run).
  const previewArgs = [...buildForgetArgs(job.retention, job.name, { dryRun: true }), "--no-lock"];
  const preview = await restic.runOk(previewArgs);
  const previewGroups = readOutput(previewArgs, () => parseForgetOutput(preview.stdout));
  const unsafe = findUnsafeRetention(job, previewGroups, {
    host: options.host ?? hostname(),
    partialSnapshotIds: options.stateDir ? await partialSnapshotIds(options.stateDir, job.name) : [],
  });
  if (dryRun) {
    return {
      ...summarize(empty, previewGroups, []),
      ...(unsafe ? { unsafe } : {}),
      durationMs: elapsed(),
    };
  }
  if (unsafe) throw new SimplebackupError("RETENTION_UNSAFE", unsafe);
  const args = buildForgetArgs(job.retention, job.name, { prune: true });
  const { stdout } = await restic.runOk(args);
  const groups = readOutput(args, () => parseForgetOutput(stdout));
  const pruneReport = stdout
    .split("\n")
    .slice(1)
    .map((line) => line.trimEnd())
    .filter(Boolean);
  return { ...summarize(empty, groups, pruneReport), durationMs: elapsed() };
}

/** The snapshots the state folder's history records as partial runs of the job. */
export async function partialSnapshotIds(stateDir: string, job: string): Promise<string[]> {
  const { records } = await readHistory(stateDir, { job });
  return records.flatMap((r) => (r.status === "partial" && r.snapshotId ? [r.snapshotId] : []));
}

function summarize(
  empty: Pick<ForgetResult, "job" | "dryRun">,
  groups: readonly ForgetGroup[],
  pruneReport: readonly string[],
): Omit<ForgetResult, "durationMs"> {
  const newestFirst = (a: ForgetSnapshot, b: ForgetSnapshot) => Date.parse(b.time) - Date.parse(a.time);
  return {
    ...empty,
    keepsEverything: false,
    keep: groups.flatMap(keptWithReasons).sort(newestFirst),
    remove: groups
      .flatMap((group) => group.remove.map((s) => toForgetSnapshot(s, group, [])))
      .sort(newestFirst),
    pruneReport,
  };
}

function keptWithReasons(group: ForgetGroup): ForgetSnapshot[] {
  return group.keep.map((snapshot, index) => {
    // restic appends a reason for every kept snapshot in the same order; the id (0.17+, or found by
    // time and tree on 0.14) is preferred, the position is the fallback.
    const reason =
      group.reasons.find((r) => r.id !== undefined && r.id === snapshot.id) ??
      (group.reasons.length === group.keep.length ? group.reasons[index] : undefined);
    return toForgetSnapshot(snapshot, group, reason?.matches ?? []);
  });
}

function toForgetSnapshot(
  snapshot: SnapshotRef,
  group: ForgetGroup,
  reasons: readonly string[],
): ForgetSnapshot {
  return {
    id: snapshot.id,
    shortId: snapshot.short_id ?? snapshot.id?.slice(0, 8) ?? "",
    time: snapshot.time,
    host: group.host,
    paths: snapshot.paths,
    reasons,
  };
}
