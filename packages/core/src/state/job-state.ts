import { mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { isAlive } from "../system/process-alive.js";
import { writeFileAtomic } from "./atomic-file.js";
import { fileTimestamp } from "./file-timestamp.js";
import { stateError } from "./state-error.js";
import { readStateText } from "./state-text.js";

const STATE_FILE_NAME = "state.json";

export type RunStatus = "success" | "partial" | "failed" | "interrupted" | "skipped";

/** What happened to retention in a run: `partial` means skipped because the backup was partial. */
export interface RetentionRecord {
  status: "done" | "failed" | "skipped";
  reason?: "partial" | "no-policy" | "not-reached";
  kept?: number;
  removed?: number;
}

/** One finished run, as state.json keeps a job's last ones and each history line begins. */
export interface RunRecordSummary {
  runId: string;
  startedAt: string;
  finishedAt: string;
  status: RunStatus;
  /** Where a failed or interrupted run stopped: hook, backup, init, retention. */
  phase?: string;
  /** The run's snapshot; on a run failed at retention, the snapshot its backup made all the same. */
  snapshotId?: string;
  /** restic made no snapshot: nothing changed since the job's last one (`skip_if_unchanged`). */
  unchanged?: true;
  errorCode?: string;
  errorMessage?: string;
  /** The databases that have no new snapshot from this run, and why (a partial or failed run). */
  failedDatabases?: { database: string; code: string; message: string }[];
  /** Absent in records written before it was recorded. */
  retention?: RetentionRecord;
}

/** Where one `copy_to` target of a job stands; kept across restarts so a lagging copy is resumed. */
export interface CopyState {
  /** When the target last had every snapshot of the job. */
  readonly lastCopiedAt?: string;
  /** The job's newest snapshot on the target then. */
  readonly snapshotId?: string;
  /** Snapshots of the job made since the last complete copy. */
  readonly behindSnapshots?: number;
  /** Since when the target has lacked a snapshot of the job; absent when it has them all. */
  readonly behindSince?: string;
  readonly lastFailure?: { readonly at: string; readonly code: string; readonly message: string };
  /** Set while a copy-lagging alert stands, so a restart does not repeat it. */
  readonly lagAlertedAt?: string;
}

export interface JobState {
  /** ISO time the daemon first saw the job; catch-up only considers slots after it. */
  readonly knownSince: string;
  readonly lastAttempt?: RunRecordSummary;
  /** The last COMPLETE success: never a partial, failed (even at retention) or interrupted run. */
  readonly lastSuccess?: RunRecordSummary;
  /** The last partial run: a snapshot was saved without some of the job's data. */
  readonly lastPartial?: RunRecordSummary;
  /** ISO time of the next slot, written by the daemon for `status`. */
  readonly nextRun?: string;
  readonly running?: { runId: string; startedAt: string; pid: number };
  /** Set while a staleness alert stands, so a restart does not repeat it. */
  readonly staleAlertedAt?: string;
  /** The data group (`n/t`) the last scheduled check read; the next reads the one after. */
  readonly lastCheckSubset?: string;
  /** Each `copy_to` target by name. */
  readonly copies?: Readonly<Record<string, CopyState>>;
  /** A run owed because the job's `when` did not hold (written by the daemon for `status`). */
  readonly owed?: { readonly since: string; readonly reason: string };
}

export interface DaemonInfo {
  pid: number;
  startedAt: string;
  configFile?: string;
}

export interface StateFile {
  version: 1;
  updatedAt: string;
  daemon?: DaemonInfo;
  jobs: Record<string, JobState>;
}

export interface JobStateStoreOptions {
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * The per-job summary in `<state>/state.json`, held in memory and written through on every change.
 * One process owns it (the daemon lock sees to that); other processes use `readStateFile`.
 */
export class JobStateStore {
  readonly file: string;
  private state: StateFile;
  private readonly now: () => Date;
  // Every change lands in memory at once, so concurrent updates never see stale state; writes then run
  // one at a time, and a write not yet started already carries every change made before it starts.
  private tail: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  private constructor(file: string, state: StateFile, now: () => Date) {
    this.file = file;
    this.state = state;
    this.now = now;
  }

  static async open(
    stateDir: string,
    options: JobStateStoreOptions = {},
  ): Promise<{ store: JobStateStore; warnings: string[] }> {
    const now = options.now ?? (() => new Date());
    const file = path.join(stateDir, STATE_FILE_NAME);
    try {
      await mkdir(stateDir, { recursive: true });
    } catch (error) {
      throw stateError("STATE_UNWRITABLE", `cannot create the state folder ${stateDir}`, error);
    }
    await removeDeadTempFiles(stateDir);
    const warnings: string[] = [];
    const read = await readState(file);
    let state = read.state;
    if (read.problem !== undefined) {
      const copy = `${file}.corrupt-${fileTimestamp(now())}`;
      // Moved aside rather than overwritten: the user may want to recover the history it held.
      try {
        await rename(file, copy);
      } catch (error) {
        throw stateError("STATE_UNWRITABLE", `cannot move the unreadable ${file} aside`, error);
      }
      warnings.push(
        `${file} ${read.problem}; starting with empty job state, the old file is kept as ${copy}`,
      );
    }
    state ??= { version: 1, updatedAt: now().toISOString(), jobs: {} };
    return { store: new JobStateStore(file, state, now), warnings };
  }

  get(job: string): JobState | undefined {
    return Object.hasOwn(this.state.jobs, job) ? this.state.jobs[job] : undefined;
  }

  all(): Readonly<Record<string, JobState>> {
    return this.state.jobs;
  }

  get daemon(): DaemonInfo | undefined {
    return this.state.daemon;
  }

  /**
   * Sets some of a job's fields, keeping the rest; a job seen for the first time is known since `now`.
   * `fields` may be computed from the job's current state.
   */
  patch(
    job: string,
    now: Date,
    fields: Partial<JobState> | ((current: JobState | undefined) => Partial<JobState>),
  ): Promise<void> {
    return this.update(job, (current) => ({
      knownSince: current?.knownSince ?? now.toISOString(),
      ...current,
      ...(typeof fields === "function" ? fields(current) : fields),
    }));
  }

  update(job: string, change: (current: JobState | undefined) => JobState): Promise<void> {
    let next: JobState;
    try {
      next = change(this.get(job));
    } catch (error) {
      return Promise.reject(error);
    }
    // In place: `jobs` belongs to the store, and copying all of it on every change made a daemon's
    // start quadratic in its jobs (45 s for 10,000; see docs/performance.md F1). defineProperty rather
    // than `jobs[job] = next`, so a job named "__proto__" stays an own key, as JSON.parse makes it.
    Object.defineProperty(this.state.jobs, job, {
      value: next,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return this.persist();
  }

  setDaemon(info: DaemonInfo | undefined): Promise<void> {
    const { daemon: _, ...rest } = this.state;
    this.state = info === undefined ? rest : { ...rest, daemon: info };
    return this.persist();
  }

  remove(job: string): Promise<void> {
    if (!Object.hasOwn(this.state.jobs, job)) return this.persist();
    delete this.state.jobs[job];
    return this.persist();
  }

  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void> {
    return this.tail;
  }

  private persist(): Promise<void> {
    if (this.queued) return this.queued;
    const write = this.tail.then(() => {
      this.queued = undefined;
      return this.write();
    });
    this.queued = write;
    this.tail = write.catch(() => {});
    return write;
  }

  private async write(): Promise<void> {
    this.state = { ...this.state, updatedAt: this.now().toISOString() };
    try {
      await writeFileAtomic(this.file, `${JSON.stringify(this.state, null, 2)}\n`);
    } catch (error) {
      throw stateError("STATE_UNWRITABLE", `cannot write ${this.file}`, error);
    }
  }
}

/**
 * The state as the daemon last wrote it, for `status` in another process. Undefined when there is no
 * file yet or it cannot be parsed (the daemon sets a corrupt file aside on its next start).
 */
export async function readStateFile(stateDir: string): Promise<StateFile | undefined> {
  return (await readState(path.join(stateDir, STATE_FILE_NAME))).state;
}

async function readState(file: string): Promise<{ state?: StateFile; problem?: string }> {
  const text = await readStateText(file);
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: "is not valid JSON" };
  }
  if (!isStateFile(parsed)) return { problem: "is not a version 1 simplebackup state file" };
  return { state: parsed };
}

function isStateFile(value: unknown): value is StateFile {
  if (!isObject(value) || value.version !== 1 || !isObject(value.jobs)) return false;
  return Object.values(value.jobs).every((job) => isObject(job) && typeof job.knownSince === "string");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// A crash between writing and renaming leaves `state.json.<pid>.tmp`; it is never read, and removing
// the ones whose writer is gone keeps them from piling up.
async function removeDeadTempFiles(stateDir: string): Promise<void> {
  const names = await readdir(stateDir).catch(() => [] as string[]);
  for (const name of names) {
    const match = /^state\.json\.(\d+)\.tmp$/.exec(name);
    if (!match || Number(match[1]) === process.pid || isAlive(Number(match[1]))) continue;
    await rm(path.join(stateDir, name), { force: true }).catch(() => {});
  }
}
