import { type FileHandle, open } from "node:fs/promises";
import { errnoCode } from "../system/errno-code.js";
import { type HistoryCheckpoint, readCheckpoint, writeCheckpoint } from "./history-checkpoint.js";
import { listJobDirs, listMonths, monthFile } from "./history-files.js";
import { migrateLegacyHistory } from "./history-migration.js";
import { parseRunRecord, type RunHistoryRecord } from "./history-record.js";
import { type JobRunSummary, summarizeHistory } from "./run-summary.js";
import { stateError } from "./state-error.js";

/**
 * Each job's newest attempt, success and partial run, for `status` and for the daemon's start (which
 * folds in runs made by hand). Each job's checkpoint (history-checkpoint.ts) holds them as of its
 * last summary, so only the lines appended since are read; without one, a kind of run that is rare (a
 * partial one) is searched for as bytes, so a year without one costs a read of the job's files (~1 s
 * for 50 jobs' year on a loaded 2-core machine, once) and no parse of their lines.
 * @throws STATE_UNWRITABLE
 */
export async function readRunSummaries(stateDir: string): Promise<Map<string, JobRunSummary>> {
  try {
    await migrateLegacyHistory(stateDir);
    // One job at a time: without checkpoints (the first summary after the upgrade) each reads its
    // whole year, and 50 at once would hold them all in memory together.
    const records: RunHistoryRecord[] = [];
    for (const dir of await listJobDirs(stateDir)) records.push(...(await summarizeJob(dir)));
    return summarizeHistory(records);
  } catch (error) {
    throw stateError("STATE_UNWRITABLE", `cannot read the history in ${stateDir}`, error);
  }
}

const STATUS_MARKS = ["success", "partial"].map((status) => ({
  status,
  mark: Buffer.from(`"status":"${status}"`),
}));

/** The job's newest attempt, success and partial run, from its checkpoint and the lines after it. */
async function summarizeJob(dir: string): Promise<RunHistoryRecord[]> {
  const checkpoint = await readCheckpoint(dir);
  const { found, end, fromCheckpoint } = await newestOfEachKind(dir, checkpoint);
  const records = checkpoint && fromCheckpoint ? [...found, ...checkpoint.records] : found;
  // The newest of each kind among them: what the next summary starts from.
  const kept = [...summarizeHistory(records).values()].flatMap((s) => [
    ...new Set([s.lastAttempt, s.lastSuccess, s.lastPartial].filter((r) => r !== undefined)),
  ]);
  const newest = records.filter((r) => kept.some((k) => k.runId === r.runId && k.startedAt === r.startedAt));
  const moved = end && (end.month !== checkpoint?.month || end.offset !== checkpoint.offset);
  if (end && moved) await writeCheckpoint(dir, { ...end, records: newest });
  return newest;
}

/**
 * The job's last appended run, last success and last partial run after `since` (those it has), where
 * its newest file's complete lines end, and whether `since` held (false: the files were read whole).
 */
async function newestOfEachKind(
  dir: string,
  since: HistoryCheckpoint | undefined,
): Promise<{ found: RunHistoryRecord[]; end?: { month: string; offset: number }; fromCheckpoint: boolean }> {
  const found: RunHistoryRecord[] = [];
  let end: { month: string; offset: number } | undefined;
  let attemptFound = false;
  const pending = new Set(STATUS_MARKS);
  for (const month of (await listMonths(dir)).reverse()) {
    if (since && month < since.month) break;
    // Of the checkpoint's month, only the bytes after it.
    const from = since && month === since.month ? since.offset : 0;
    const { buffer, size } = await readFrom(monthFile(dir, month), from);
    // The file is shorter than the checkpoint says: replaced by hand, so it cannot be trusted.
    if (size < from) return newestOfEachKind(dir, undefined);
    // A line still being written by another process is left for the next summary.
    if (!end) end = { month, offset: from + buffer.lastIndexOf(0x0a) + 1 };
    if (!attemptFound) {
      const last = lastRecord(buffer, 0x0a);
      if (last) {
        found.push(last);
        attemptFound = true;
      }
    }
    for (const kind of pending) {
      const record = lastRecord(buffer, kind.mark, kind.status);
      if (!record) continue;
      found.push(record);
      pending.delete(kind);
    }
    if (attemptFound && pending.size === 0) break;
  }
  return { found, ...(end ? { end } : {}), fromCheckpoint: since !== undefined };
}

/**
 * The last record in `buffer` whose line holds `mark` (a newline: any line) and whose status is
 * `status`, when given. The mark is searched natively, so only lines that hold it are decoded; a torn
 * or foreign line is passed over.
 */
function lastRecord(buffer: Buffer, mark: Buffer | number, status?: string): RunHistoryRecord | undefined {
  let from = buffer.length - 1;
  while (from >= 0) {
    const hit = buffer.lastIndexOf(mark, from);
    if (hit < 0) return undefined;
    // A newline mark ends the line before it; any other mark sits inside its line.
    const lineEnd = typeof mark === "number" ? hit : nextNewline(buffer, hit);
    const lineStart = buffer.lastIndexOf(0x0a, lineEnd - 1) + 1;
    const record =
      lineEnd > lineStart ? parseRunRecord(buffer.toString("utf8", lineStart, lineEnd)) : undefined;
    if (record && (status === undefined || record.status === status)) return record;
    from = lineStart - 2;
  }
  return undefined;
}

function nextNewline(buffer: Buffer, from: number): number {
  const newline = buffer.indexOf(0x0a, from);
  return newline < 0 ? buffer.length : newline;
}

/** The file's bytes from `from` on, and its size; nothing when there is no such file. */
async function readFrom(file: string, from: number): Promise<{ buffer: Buffer; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return { buffer: Buffer.alloc(0), size: 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - from));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return { buffer: buffer.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}
