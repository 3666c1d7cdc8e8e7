import { readFile } from "node:fs/promises";
import { errnoCode } from "../system/errno-code.js";
import { listJobDirs, listMonths, monthFile } from "./history-files.js";
import { migrateLegacyHistory } from "./history-migration.js";
import { parseRunRecord, type RunHistoryRecord } from "./history-record.js";
import { type JobRunSummary, summarizeHistory } from "./run-summary.js";
import { stateError } from "./state-error.js";

/**
 * Each job's newest attempt, success and partial run, for `status` and for the daemon's start (which
 * folds in runs made by hand). A job's newest month usually holds all three; a kind of run that is
 * rare (a partial one) is searched for as bytes, so a year without one costs a read of the job's files
 * and no parse of their lines. @throws STATE_UNWRITABLE
 */
export async function readRunSummaries(stateDir: string): Promise<Map<string, JobRunSummary>> {
  try {
    await migrateLegacyHistory(stateDir);
    const perJob = await Promise.all((await listJobDirs(stateDir)).map(newestOfEachKind));
    return summarizeHistory(perJob.flat());
  } catch (error) {
    throw stateError("STATE_UNWRITABLE", `cannot read the history in ${stateDir}`, error);
  }
}

const STATUS_MARKS = ["success", "partial"].map((status) => ({
  status,
  mark: Buffer.from(`"status":"${status}"`),
}));

/** The job's last appended run, its last success and its last partial run (those it has). */
async function newestOfEachKind(dir: string): Promise<RunHistoryRecord[]> {
  const found: RunHistoryRecord[] = [];
  let attemptFound = false;
  const pending = new Set(STATUS_MARKS);
  for (const month of (await listMonths(dir)).reverse()) {
    const buffer = await readIfThere(monthFile(dir, month));
    if (!attemptFound) {
      const last = lastRecord(buffer, buffer.length, () => true);
      if (last) {
        found.push(last);
        attemptFound = true;
      }
    }
    for (const kind of pending) {
      const record = lastRecord(buffer, buffer.length, (line) => line.includes(kind.mark), kind.status);
      if (!record) continue;
      found.push(record);
      pending.delete(kind);
    }
    if (attemptFound && pending.size === 0) break;
  }
  return found;
}

/**
 * The last record in `buffer[0, end)` whose line passes `matches` (and whose status is `status`, when
 * given). Lines are looked at from the end; a torn or foreign line is passed over.
 */
function lastRecord(
  buffer: Buffer,
  end: number,
  matches: (line: Buffer) => boolean,
  status?: string,
): RunHistoryRecord | undefined {
  let lineEnd = end;
  while (lineEnd > 0) {
    const newline = buffer.lastIndexOf(0x0a, lineEnd - 1);
    const line = buffer.subarray(newline + 1, lineEnd);
    lineEnd = Math.max(newline, 0);
    if (line.length === 0 || !matches(line)) continue;
    const record = parseRunRecord(line.toString("utf8"));
    if (record && (status === undefined || record.status === status)) return record;
  }
  return undefined;
}

async function readIfThere(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return Buffer.alloc(0);
    throw error;
  }
}
