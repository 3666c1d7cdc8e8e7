/*
 * Run history as JSON lines, one folder per job and one file per month (history-files.ts), rather than
 * one file or SQLite. Measured with 400,000 records (a year of hourly runs of 50 jobs,
 * test/bench/history-store.mjs, docs/performance.md): one file must be read whole for any question
 * (seconds, and a daemon of 1.5 GB), while per-job files answer a job's newest page from a few
 * kilobytes at its end in about a millisecond and a job's year in about 100 ms, as fast as SQLite, with
 * no native module to build at install. Appending one line and fsyncing stays crash-safe (a crash can
 * at worst leave a torn last line, which reading skips), retention removes whole old months, so no file
 * is rewritten while another process appends, and users can still read, grep and `jq` the files.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { SimplebackupError } from "../errors.js";
import { syncDir } from "./atomic-file.js";
import {
  type HistoryRetention,
  jobHistoryDir,
  listJobDirs,
  listMonths,
  monthFile,
  pruneJobHistory,
} from "./history-files.js";
import { appendLine, readLines, visitLinesBackward } from "./history-lines.js";
import { migrateLegacyHistory } from "./history-migration.js";
import { parseRunRecord, type RunHistoryRecord, recordMonth } from "./history-record.js";
import { stateError } from "./state-error.js";

export type { HistoryRetention } from "./history-files.js";
export type { RunHistoryRecord } from "./history-record.js";

export interface AppendRunRecordOptions {
  /** How long a job's history is kept. @default a year (the current month and the 12 before it) */
  retention?: HistoryRetention;
}

/** Appends one finished run; once this resolves the record is on disk. @throws STATE_UNWRITABLE */
export async function appendRunRecord(
  stateDir: string,
  record: RunHistoryRecord,
  options: AppendRunRecordOptions = {},
): Promise<void> {
  const jobDir = jobHistoryDir(stateDir, record.job);
  const file = monthFile(jobDir, recordMonth(record));
  try {
    await migrateLegacyHistory(stateDir);
    const madeDir = await mkdir(jobDir, { recursive: true });
    const { created } = await appendLine(file, JSON.stringify(record));
    if (madeDir !== undefined) await syncNewFolders(madeDir, jobDir);
    if (created) {
      await syncDir(jobDir);
      await pruneJobHistory(jobDir, options.retention);
    }
  } catch (error) {
    throw stateError("STATE_UNWRITABLE", `cannot append to ${file}`, error);
  }
}

/** Makes folders just made durable: each one's entry lives in its parent, down to the job's. */
async function syncNewFolders(firstMade: string, jobDir: string): Promise<void> {
  for (let dir = path.dirname(jobDir); ; dir = path.dirname(dir)) {
    await syncDir(dir);
    if (dir === path.dirname(firstMade) || dir === path.dirname(dir)) return;
  }
}

export interface ReadHistoryOptions {
  /** Only this job's runs (read from its own files only: the fast way). */
  job?: string;
  /** At most this many, the newest. */
  limit?: number;
  /** Only runs that finished at or after this time: the start of a plot. */
  since?: Date | string;
  /** Only runs that finished before this time. */
  until?: Date | string;
}

export interface HistoryReadResult {
  /** Oldest first, newest last. */
  records: RunHistoryRecord[];
  /** Lines that were not a run record: a torn last line after a crash, or hand-edited garbage. */
  skipped: number;
}

/**
 * Finished runs, oldest first: of one job, or of every job ordered by their finish. `since`/`until`
 * read only the months they span. @throws HISTORY_QUERY_INVALID, STATE_UNWRITABLE
 */
export async function readHistory(
  stateDir: string,
  options: ReadHistoryOptions = {},
): Promise<HistoryReadResult> {
  const { since, until, inRange } = finishedRange(options);
  const { job, limit } = options;
  return readStore(stateDir, async () => {
    const dirs = job === undefined ? await listJobDirs(stateDir) : [jobHistoryDir(stateDir, job)];
    const results = await Promise.all(
      dirs.map(async (dir) => {
        const found =
          limit === undefined
            ? await readJobRange(dir, since, until, inRange)
            : await readNewest(dir, limit, inRange);
        if (job !== undefined) found.records = found.records.filter((r) => r.job === job);
        return found;
      }),
    );
    let records = results.flatMap((result) => result.records);
    // One job's lines are in the order they were appended; jobs are interleaved by finish time.
    if (results.length > 1) records.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
    if (limit !== undefined) records = records.slice(Math.max(0, records.length - limit));
    return { records, skipped: results.reduce((sum, result) => sum + result.skipped, 0) };
  });
}

export interface ReadHistoryPageOptions {
  job: string;
  /** @default 50 */
  limit?: number;
  /** The `nextCursor` of the page before: runs older than that page's last. */
  before?: string;
}

export interface HistoryPage {
  /** Newest first. */
  records: RunHistoryRecord[];
  /** Pass as `before` for the next, older page; absent on the last page. */
  nextCursor?: string;
  skipped: number;
}

/**
 * One page of a job's runs, newest first: the dashboard's history table. A page costs the bytes of its
 * own lines, however long the history. @throws HISTORY_QUERY_INVALID, STATE_UNWRITABLE
 */
export async function readHistoryPage(
  stateDir: string,
  options: ReadHistoryPageOptions,
): Promise<HistoryPage> {
  const limit = options.limit ?? 50;
  const cursor = options.before === undefined ? undefined : parseCursor(options.before);
  return readStore(stateDir, async () => {
    const dir = jobHistoryDir(stateDir, options.job);
    const months = (await listMonths(dir)).reverse();
    const found: { record: RunHistoryRecord; cursor: string }[] = [];
    let skipped = 0;
    for (const month of months) {
      if (cursor && month > cursor.month) continue;
      const end = cursor && month === cursor.month ? cursor.offset : undefined;
      // One more than the page: whether there is a next page at all.
      await visitLinesBackward(
        monthFile(dir, month),
        (line, offset) => {
          const record = parseRunRecord(line);
          if (!record || record.job !== options.job) skipped++;
          else found.push({ record, cursor: `${month}:${offset}` });
          return found.length <= limit;
        },
        end,
      );
      if (found.length > limit) break;
    }
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      records: page.map((entry) => entry.record),
      ...(found.length > limit && last ? { nextCursor: last.cursor } : {}),
      skipped,
    };
  });
}

/** Each job's newest run, by job name: the dashboard's overview. @throws STATE_UNWRITABLE */
export async function readLatestRecords(stateDir: string): Promise<RunHistoryRecord[]> {
  return readStore(stateDir, async () => {
    const dirs = await listJobDirs(stateDir);
    const newest = await Promise.all(dirs.map((dir) => readNewest(dir, 1, () => true)));
    return newest
      .flatMap((found) => found.records)
      .sort((a, b) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
  });
}

/** Migrates an old history file first; any failure of the state folder is STATE_UNWRITABLE. */
async function readStore<T>(stateDir: string, read: () => Promise<T>): Promise<T> {
  try {
    await migrateLegacyHistory(stateDir);
    return await read();
  } catch (error) {
    if (error instanceof SimplebackupError) throw error;
    throw stateError("STATE_UNWRITABLE", `cannot read the history in ${stateDir}`, error);
  }
}

/** A job's newest `limit` runs that pass `keep`, oldest first, read from the end of its files. */
async function readNewest(
  dir: string,
  limit: number,
  keep: (r: RunHistoryRecord) => boolean,
): Promise<HistoryReadResult> {
  const records: RunHistoryRecord[] = [];
  let skipped = 0;
  for (const month of (await listMonths(dir)).reverse()) {
    if (records.length >= limit) break;
    await visitLinesBackward(monthFile(dir, month), (line) => {
      const record = parseRunRecord(line);
      if (!record) skipped++;
      else if (keep(record)) records.push(record);
      return records.length < limit;
    });
  }
  return { records: records.reverse(), skipped };
}

/** A job's runs that finished in [since, until), oldest first, from the months that range spans. */
async function readJobRange(
  dir: string,
  since: number,
  until: number,
  keep: (r: RunHistoryRecord) => boolean,
): Promise<HistoryReadResult> {
  const records: RunHistoryRecord[] = [];
  const { skipped } = await visitJobRange(dir, since, until, (record) => {
    if (keep(record)) records.push(record);
  });
  return { records, skipped };
}

/**
 * Each record of a job's months from `since`'s to `until`'s, oldest first, one month file in memory
 * at a time and no record kept: a year is 8,760 hourly records, which as an array outlives the young
 * generation and grows the daemon's heap for good.
 */
async function visitJobRange(
  dir: string,
  since: number,
  until: number,
  visit: (record: RunHistoryRecord) => void,
): Promise<{ skipped: number }> {
  const first = Number.isFinite(since) ? new Date(since).toISOString().slice(0, 7) : "";
  const last = Number.isFinite(until) ? new Date(until).toISOString().slice(0, 7) : "9999-99";
  const months = (await listMonths(dir)).filter((month) => month >= first && month <= last);
  let skipped = 0;
  for (const month of months) {
    for (const line of await readLines(monthFile(dir, month))) {
      const record = parseRunRecord(line);
      if (record) visit(record);
      else skipped++;
    }
  }
  return { skipped };
}

export interface VisitHistoryOptions {
  readonly job: string;
  /** Only runs that finished at or after this time. */
  readonly since?: Date | string;
  /** Only runs that finished before this time. */
  readonly until?: Date | string;
}

/**
 * Calls `visit` with each of a job's finished runs in the range, oldest first, keeping none of them:
 * for a summary of many runs (the dashboard's plots of a year) without a year of records in memory.
 * @throws HISTORY_QUERY_INVALID, STATE_UNWRITABLE
 */
export async function visitJobHistory(
  stateDir: string,
  options: VisitHistoryOptions,
  visit: (record: RunHistoryRecord) => void,
): Promise<{ skipped: number }> {
  const { since, until, inRange } = finishedRange(options);
  return readStore(stateDir, () =>
    visitJobRange(jobHistoryDir(stateDir, options.job), since, until, (record) => {
      if (record.job === options.job && inRange(record)) visit(record);
    }),
  );
}

/** A query's `since`/`until` as times, and whether a record finished between them (`until` excluded). */
function finishedRange(options: { readonly since?: Date | string; readonly until?: Date | string }): {
  since: number;
  until: number;
  inRange: (record: RunHistoryRecord) => boolean;
} {
  const since = toTime(options.since, Number.NEGATIVE_INFINITY);
  const until = toTime(options.until, Number.POSITIVE_INFINITY);
  const inRange = (record: RunHistoryRecord) => {
    const finished = Date.parse(record.finishedAt);
    return !(finished < since) && !(finished >= until);
  };
  return { since, until, inRange };
}

function toTime(value: Date | string | undefined, absent: number): number {
  if (value === undefined) return absent;
  const time = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(time)) {
    throw new SimplebackupError(
      "HISTORY_QUERY_INVALID",
      `history range "${String(value)}" is not a time: give an ISO 8601 time such as 2026-11-01T00:00:00Z`,
    );
  }
  return time;
}

const CURSOR = /^(\d{4}-\d{2}):(\d{1,15})$/;

function parseCursor(text: string): { month: string; offset: number } {
  const match = CURSOR.exec(text);
  if (!match) {
    throw new SimplebackupError(
      "HISTORY_QUERY_INVALID",
      `history cursor "${text}" is not one a page returned: pass back nextCursor as it was`,
    );
  }
  return { month: match[1] as string, offset: Number(match[2]) };
}
