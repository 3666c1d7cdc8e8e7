import { createHash, randomInt } from "node:crypto";
import { type BigIntStats, createReadStream } from "node:fs";
import { chmod, lstat, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { BackupJob } from "../config/types.js";
import { parseDatabaseTags } from "../databases/database-series.js";
import {
  buildLsArgs,
  type LsLine,
  parseLsLine,
  parseTimeNanos,
  type SnapshotNode,
} from "../restic/commands/ls.js";
import {
  buildRestoreArgs,
  escapeRestorePattern,
  parseRestoreLine,
  type RestoreFileError,
} from "../restic/commands/restore.js";
import { createJobRestic } from "../restic/job-restic.js";
import { type ActionOptions, actionError, startTimer } from "./action-options.js";
import { type DatabaseDrill, drillDatabases } from "./drill-database.js";
import type { SnapshotSummary } from "./restore.js";
import { listJobSnapshots } from "./restore-database.js";

export interface RunDrillOptions extends ActionOptions {
  /** How many files to pick from the snapshot. @default 10 */
  readonly files?: number;
  /** Seeds the pick: the same seed and snapshot pick the same files. @default a random seed */
  readonly seed?: number;
  /** The folder in which the drill makes (and always removes) its restore folder. @default os.tmpdir() */
  readonly tempDir?: string;
  /**
   * Also load each database's latest dump into a scratch database (dropped afterwards) and check that
   * it loads. @default true
   */
  readonly databases?: boolean;
}

/**
 * - `matched`: restored, and its sha256 equals the source file's.
 * - `mismatched`: restored, but its content differs from a source file that did not change.
 * - `skipped`: restored, but the source changed (size or mtime) or is gone since the snapshot, so
 *   there is nothing to compare with.
 * - `unreadable`: restic could not restore it.
 */
export type DrillFileStatus = "matched" | "mismatched" | "skipped" | "unreadable";

export interface DrillFile {
  /** The file's absolute path, as in the source and the snapshot. */
  readonly path: string;
  readonly size: number;
  readonly status: DrillFileStatus;
  /** Why it was skipped, or what restic said when it was unreadable. */
  readonly reason?: string;
}

export interface DrillResult {
  /** False when a file was mismatched or unreadable, or a database's dump did not load. */
  readonly ok: boolean;
  readonly job: string;
  /** The snapshot of files drilled; undefined for a job that backs up only databases. */
  readonly snapshot: SnapshotSummary | undefined;
  /** Pass it back as `seed` to pick the same files again. */
  readonly seed: number;
  /** Files in the snapshot, the pool the drill picked from. */
  readonly filesInSnapshot: number;
  /** The picked files, by path. */
  readonly files: readonly DrillFile[];
  readonly matched: number;
  readonly mismatched: number;
  readonly skipped: number;
  readonly unreadable: number;
  /** Each database of the job with its latest dump loaded into a scratch database. */
  readonly databases: readonly DatabaseDrill[];
  readonly durationMs: number;
}

/**
 * A restore drill: restores `files` files picked at random from the job's newest snapshot of files
 * into a temporary folder and compares their sha256 with the source files. A source file whose size or
 * mtime differs from the snapshot's record changed since, and is skipped rather than called a
 * mismatch. The temporary folder is removed whatever happens. Then each database's latest dump is
 * loaded into a scratch database ({@link drillDatabases}).
 * @throws SimplebackupError SNAPSHOT_NOT_FOUND when the job has no snapshot yet.
 * @throws ResticError when restic fails as a whole (wrong password, locked repository, …).
 */
export async function runDrill(job: BackupJob, options: RunDrillOptions): Promise<DrillResult> {
  const elapsed = startTimer(options);
  const count = options.files ?? 10;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`A drill restores a whole number of 1 or more files, got ${count}`);
  }
  const seed = options.seed ?? randomInt(0, 2 ** 32);
  const restic = createJobRestic(job, options);

  const snapshots = await listJobSnapshots(job, options);
  const newestFiles = snapshots.find((candidate) => parseDatabaseTags(candidate.tags) === undefined);
  const hasDumps = snapshots.some((candidate) => parseDatabaseTags(candidate.tags) !== undefined);
  if (job.sources.length > 0 ? !newestFiles : !hasDumps) {
    throw actionError("SNAPSHOT_NOT_FOUND", `job "${job.name}" has no snapshots yet`);
  }

  let snapshot: Extract<LsLine, { kind: "snapshot" }> | undefined;
  const pool: SnapshotNode[] = [];
  if (job.sources.length > 0 && newestFiles) {
    const lsArgs = buildLsArgs(newestFiles.id);
    await restic.runOk(lsArgs, {
      onStdoutLine: (line) => {
        const parsed = parseLsLine(line);
        if (parsed?.kind === "snapshot") snapshot ??= parsed;
        else if (parsed?.kind === "node" && parsed.node.type === "file") pool.push(parsed.node);
      },
    });
  }

  const picked = pickRandom(pool, count, createRandom(seed)).sort((a, b) => a.path.localeCompare(b.path));
  const files: DrillFile[] = [];
  if (snapshot && picked.length > 0) {
    const folder = await mkdtemp(join(options.tempDir ?? tmpdir(), "simplebackup-drill-"));
    try {
      const errors = new Map<string, RestoreFileError>();
      const onLine = (line: string) => {
        const parsed = parseRestoreLine(line);
        if (parsed?.kind === "file-error") errors.set(parsed.error.path, parsed.error);
      };
      const args = buildRestoreArgs(snapshot.id, folder, {
        include: picked.map((node) => escapeRestorePattern(node.path)),
      });
      const result = await restic.run(args, { onStdoutLine: onLine, onStderrLine: onLine });
      if (result.interrupted || (result.exitCode !== 0 && errors.size === 0))
        throw restic.error(result, args);
      for (const node of picked)
        files.push(await compare(node, join(folder, node.path), errors.get(node.path)));
    } finally {
      await removeTree(folder);
    }
  }

  const databases = options.databases === false ? [] : await drillDatabases(job, options, snapshots);
  const tally = (status: DrillFileStatus) => files.filter((file) => file.status === status).length;
  const mismatched = tally("mismatched");
  const unreadable = tally("unreadable");
  return {
    ok: mismatched === 0 && unreadable === 0 && databases.every((database) => database.ok),
    job: job.name,
    snapshot: snapshot && {
      id: snapshot.id,
      shortId: snapshot.shortId,
      time: snapshot.time,
      paths: snapshot.paths,
    },
    seed,
    filesInSnapshot: pool.length,
    files,
    matched: tally("matched"),
    mismatched,
    skipped: tally("skipped"),
    unreadable,
    databases,
    durationMs: elapsed(),
  };
}

async function compare(
  node: SnapshotNode,
  restored: string,
  restoreError: RestoreFileError | undefined,
): Promise<DrillFile> {
  const file = { path: node.path, size: node.size };
  if (restoreError) return { ...file, status: "unreadable", reason: restoreError.message };
  let restoredHash: string;
  try {
    restoredHash = await sha256(restored);
  } catch (error) {
    return { ...file, status: "unreadable", reason: `not restored: ${describe(error)}` };
  }

  const before = await sourceChange(node);
  if (before) return { ...file, status: "skipped", reason: before };
  let sourceHash: string;
  try {
    sourceHash = await sha256(node.path);
  } catch (error) {
    return { ...file, status: "skipped", reason: `the source cannot be read: ${describe(error)}` };
  }
  // A file written to while it was read is not a mismatch of the backup.
  if (await sourceChange(node))
    return { ...file, status: "skipped", reason: "the source changed during the drill" };
  return sourceHash === restoredHash
    ? { ...file, status: "matched" }
    : { ...file, status: "mismatched", reason: "the restored content differs from the unchanged source" };
}

/** Why the source file no longer is what the snapshot recorded, or undefined when it still is. */
async function sourceChange(node: SnapshotNode): Promise<string | undefined> {
  let info: BigIntStats;
  try {
    info = await stat(node.path, { bigint: true });
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT"
      ? "the source file is gone"
      : `the source cannot be read: ${describe(error)}`;
  }
  if (!info.isFile()) return "the source is no longer a file";
  if (info.size !== BigInt(node.size)) return "the source changed since the snapshot (size)";
  const recorded = node.mtime === undefined ? undefined : parseTimeNanos(node.mtime);
  if (recorded === undefined || info.mtimeNs !== recorded)
    return "the source changed since the snapshot (mtime)";
  return undefined;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Removes a folder restic restored into. restic gives restored folders their recorded modes, and a
 * read-only folder would keep its files from being removed by anyone but root; those are opened first.
 */
async function removeTree(folder: string): Promise<void> {
  try {
    await rm(folder, { recursive: true, force: true });
  } catch {
    await openFolders(folder);
    await rm(folder, { recursive: true, force: true });
  }
}

async function openFolders(folder: string): Promise<void> {
  const info = await lstat(folder).catch(() => undefined);
  if (!info?.isDirectory()) return;
  await chmod(folder, 0o700).catch(() => undefined);
  for (const name of await readdir(folder).catch(() => [])) await openFolders(join(folder, name));
}

/** A seeded pseudo-random source in [0, 1) (mulberry32): small, fast, and the same on every platform. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` items picked uniformly without repetition (a partial Fisher-Yates shuffle); all when fewer. */
export function pickRandom<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const n = Math.min(count, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const chosen = pool[j] as T;
    pool[j] = pool[i] as T;
    pool[i] = chosen;
  }
  return pool.slice(0, n);
}
