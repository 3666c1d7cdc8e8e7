import { lstat, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { BackupJob } from "../config/types.js";
import { parseDatabaseTags } from "../databases/database-series.js";
import { formatLocalTime } from "../format/local-time.js";
import { formatBytes, plural } from "../format/units.js";
import {
  buildRestoreArgs,
  parseRestoreLine,
  type RestoreFileError,
  type RestoreStatus,
} from "../restic/commands/restore.js";
import { buildSnapshotsArgs, parseSnapshots, type SnapshotInfo } from "../restic/commands/snapshots.js";
import { createJobRestic, type JobRestic } from "../restic/job-restic.js";
import { shortId } from "../short-id.js";
import { type ActionOptions, actionError, readOutput, startTimer } from "./action-options.js";
import { assertRestorableTarget } from "./restore-target.js";

export interface RunRestoreOptions extends ActionOptions {
  /** The folder to restore into. restic recreates each file's absolute path below it. */
  readonly target: string;
  /** One of the job's snapshots, by id or unique id prefix, or `latest`. @default "latest" */
  readonly snapshot?: string;
  /** restic include patterns (`/home/me/docs`, `*.pdf`): only matching files are restored. */
  readonly include?: readonly string[];
  /** Restore into a folder that already holds files; restic overwrites files of the same name. @default false */
  readonly overwrite?: boolean;
  /** Re-read the restored files and check them against the repository (restic `--verify`). @default true */
  readonly verify?: boolean;
  readonly onProgress?: (progress: RestoreProgress) => void;
  /** Status lines per second from restic 0.16+ (0.14 prints none). @default 1 */
  readonly progressFps?: number;
}

/** A step of the restore as it happens, or restic's progress (0.16+ only). */
export type RestoreProgress =
  | {
      readonly kind: "step";
      readonly step: RestoreStep;
      readonly message: string;
      /** The snapshot being restored. */
      readonly snapshot: SnapshotSummary;
    }
  | { readonly kind: "status"; readonly status: RestoreStatus };

export type RestoreStep = "snapshot" | "restore" | "verify";

/** The snapshot an action worked on. */
export interface SnapshotSummary {
  readonly id: string;
  readonly shortId: string;
  readonly time: string;
  readonly paths: readonly string[];
}

export interface RestoreResult {
  /** False when restic could not restore some files; they are listed in `errors`. */
  readonly ok: boolean;
  readonly job: string;
  readonly snapshot: SnapshotSummary;
  /** Absolute. */
  readonly target: string;
  /**
   * Regular files below the restored paths in the target, counted there after the restore, on every
   * restic version: 0.16+'s own count (`files_restored`) includes folders (12 for 6 files in 6 folders,
   * and with --include also the folders above what was included).
   */
  readonly files: number;
  /** The size of those files. */
  readonly bytes: number;
  readonly errors: readonly RestoreFileError[];
  readonly durationMs: number;
}

/**
 * Restores one of the job's snapshots into `target`, never in place: the target must be an empty
 * (or new) folder unless `overwrite` is set, and never the filesystem root, where restic's layout
 * (each file below its absolute path) would write over the originals.
 * @throws SimplebackupError TARGET_NOT_EMPTY, TARGET_IN_PLACE, TARGET_UNWRITABLE, SNAPSHOT_NOT_FOUND before
 * restic restores anything; ResticError when restic fails as a whole (wrong password, locked repository, …).
 */
export async function runRestore(job: BackupJob, options: RunRestoreOptions): Promise<RestoreResult> {
  const elapsed = startTimer(options);
  const target = resolve(options.target);
  await assertRestorableTarget(target, options.overwrite ?? false);
  const restic = createJobRestic(job, options, { progressFps: options.progressFps });
  const snapshot = await resolveJobSnapshot(job, restic, options.snapshot ?? "latest");
  const step = (name: RestoreStep, message: string) =>
    options.onProgress?.({ kind: "step", step: name, message, snapshot: toSummary(snapshot) });
  step(
    "snapshot",
    `snapshot ${shortId(snapshot.id)} of ${formatLocalTime(snapshot.time)} (${snapshot.paths.join(", ")})`,
  );
  step("restore", `restoring into ${target}`);

  const verify = options.verify ?? true;
  const errors: RestoreFileError[] = [];
  let verifying = false;
  const verifyStep = () => {
    if (verifying) return;
    verifying = true;
    step("verify", "verifying the restored files against the repository");
  };
  const onLine = (line: string) => {
    const parsed = parseRestoreLine(line);
    // restic names a file once per failed write (0.14 and 0.18 alike): one file, one error.
    if (parsed?.kind === "file-error") {
      if (!errors.some((known) => known.path === parsed.error.path)) errors.push(parsed.error);
    } else if (parsed?.kind === "progress") {
      options.onProgress?.({ kind: "status", status: parsed.status });
      // 0.16+ with --json prints its summary when the files are written, right before it verifies
      // them, and says nothing of the verification itself; a restore with failed files stops there.
      if (parsed.status.kind === "summary" && verify && errors.length === 0) verifyStep();
    } else if (parsed?.kind === "text" && /^verifying files in /.test(parsed.text)) {
      verifyStep(); // 0.14's text
    }
  };
  const args = buildRestoreArgs(snapshot.id, target, { include: options.include ?? [], verify });
  const result = await restic.run(args, { onStdoutLine: onLine, onStderrLine: onLine });
  // A restore that failed file by file still restored the rest; anything else failed as a whole.
  if (result.interrupted || (result.exitCode !== 0 && errors.length === 0)) throw restic.error(result, args);

  const counted = await countFiles(outermost(snapshot.paths).map((path) => join(target, path)));
  return {
    ok: errors.length === 0,
    job: job.name,
    snapshot: toSummary(snapshot),
    target,
    ...counted,
    errors,
    durationMs: elapsed(),
  };
}

/** Why a restore that ended came out incomplete, with its code; undefined when it is whole. */
export interface RestoreShortfall {
  /** DESTINATION_FULL when a file failed on a full disk, else RESTORE_INCOMPLETE. */
  readonly code: "DESTINATION_FULL" | "RESTORE_INCOMPLETE";
  /** What failed, and what the target holds now: the files restic left, the failed ones among them. */
  readonly message: string;
}

/**
 * Says what became of a restore that restic could not finish file by file (a full disk midway): which
 * files failed, and that what the target holds (`files`, counted there afterwards) includes them as
 * restic left them, cut short or empty, so no count reads as a whole restore.
 */
export function describeRestoreShortfall(result: RestoreResult): RestoreShortfall | undefined {
  if (result.ok) return undefined;
  const full = result.errors.find((error) => /no space left on device/i.test(error.message));
  const failed = plural(result.errors.length, "file");
  const held = `${result.target} holds ${plural(result.files, "file")} (${formatBytes(result.bytes)}) as restic left them; the ${result.errors.length === 1 ? "one" : "ones"} that failed cannot be trusted there (missing, cut short, or at full size with zeros where data could not be written)`;
  if (full) {
    return {
      code: "DESTINATION_FULL",
      message: `the disk of ${result.target} is full (no space left on device): ${failed} could not be restored whole. ${held}. Free space or choose a folder on another disk, then restore again`,
    };
  }
  const first = result.errors[0];
  return {
    code: "RESTORE_INCOMPLETE",
    message: `${failed} could not be restored${first ? ` (${first.path}: ${first.message})` : ""}. ${held}`,
  };
}

function toSummary(snapshot: SnapshotInfo): SnapshotSummary {
  return { id: snapshot.id, shortId: snapshot.short_id, time: snapshot.time, paths: snapshot.paths };
}

/**
 * One of the job's own snapshots. An explicit id must belong to the job: restic itself would take
 * any snapshot of the repository (it ignores `--tag` once an id is given).
 * @throws SimplebackupError SNAPSHOT_NOT_FOUND
 */
async function resolveJobSnapshot(job: BackupJob, restic: JobRestic, wanted: string): Promise<SnapshotInfo> {
  const args = buildSnapshotsArgs(job.name);
  const { stdout } = await restic.runOk(args);
  const all = readOutput(args, () => parseSnapshots(stdout)).sort(
    (a, b) => Date.parse(b.time) - Date.parse(a.time),
  );
  // A database's dumps are the job's snapshots too, but restore-db's to restore: `latest` is of files.
  const snapshots = all.filter((snapshot) => parseDatabaseTags(snapshot.tags) === undefined);
  if (wanted === "latest") {
    const latest = snapshots[0];
    if (!latest) throw actionError("SNAPSHOT_NOT_FOUND", `job "${job.name}" has no snapshots yet`);
    return latest;
  }
  const prefix = wanted.trim().toLowerCase();
  const matches = /^[0-9a-f]+$/.test(prefix) ? snapshots.filter((s) => s.id.startsWith(prefix)) : [];
  const [match, ...others] = matches;
  if (!match) {
    const dump =
      matches.length === 0
        ? all.find((s) => /^[0-9a-f]+$/.test(prefix) && s.id.startsWith(prefix))
        : undefined;
    const database = dump && parseDatabaseTags(dump.tags);
    throw actionError(
      "SNAPSHOT_NOT_FOUND",
      database
        ? `"${wanted}" is a dump of database ${database.type}:${database.name}; restore it with \`simplebackup restore-db ${job.name} --database ${database.name} --snapshot ${wanted}\``
        : `"${wanted}" is not a snapshot of job "${job.name}"; \`simplebackup snapshots ${job.name}\` lists them`,
    );
  }
  if (others.length > 0) {
    throw actionError(
      "SNAPSHOT_NOT_FOUND",
      `"${wanted}" matches ${matches.length} snapshots of job "${job.name}"; give more of its id`,
    );
  }
  return match;
}

/** The paths not inside another of them, so that nothing is counted twice. */
function outermost(paths: readonly string[]): string[] {
  const inside = (path: string, folder: string) =>
    path !== folder && path.startsWith(folder.endsWith("/") ? folder : `${folder}/`);
  return [...new Set(paths)].filter((path) => !paths.some((other) => inside(path, other)));
}

/** Regular files below these folders (or these files), and their total size; missing paths count 0. */
async function countFiles(paths: readonly string[]): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const visit = async (path: string): Promise<void> => {
    let info: Awaited<ReturnType<typeof lstat>>;
    try {
      info = await lstat(path);
    } catch {
      return;
    }
    if (info.isFile()) {
      files++;
      bytes += info.size;
    } else if (info.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    }
  };
  for (const path of paths) await visit(path);
  return { files, bytes };
}
